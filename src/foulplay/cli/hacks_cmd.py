"""``foulplay hacks`` (browse the catalog) and ``foulplay probe`` (red-team a grader)."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import click
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from foulplay.cli._backend import backend_options, open_executor
from foulplay.cli._console import console, err_console, make_table
from foulplay.cli._exit import exit_options
from foulplay.errors import InputError
from foulplay.grading._problem import VISIBLE_HELP

VERDICT_STYLE = {"FOOLED": "bold red", "RESISTED": "green", "NOT-APPLICABLE": "dim", "ERROR": "magenta",
                 "UNVERIFIED": "yellow"}
CONTROL_STYLE = {"ok": "green", "FAILED": "bold red", "UNVERIFIED": "yellow"}


def _select(ids: tuple[str, ...], families: tuple[str, ...]) -> list[Any]:
    from foulplay.hacks._probe import select_techniques

    return select_techniques(ids, families)


@click.group("hacks")
def hacks_cmd() -> None:
    """Browse the catalog of reward-hacking techniques."""


@hacks_cmd.command("list")
@click.option("--family", "families", multiple=True, help="Only this family (repeatable).")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
def hacks_list(families: tuple[str, ...], fmt: str) -> None:
    """List every technique with its family and the grader weakness it needs."""
    techniques = _select((), families)
    if fmt == "json":
        click.echo(json.dumps([{"id": t.id, "name": t.name, "family": t.family.value,
                                "needs": [sorted(w.value for w in o) for o in t.needs],
                                "reported": [c.short() for c in t.reported]} for t in techniques], indent=2))
        return
    table = Table(header_style="bold")
    for col in ("id", "family", "technique", "needs"):
        table.add_column(col, no_wrap=col != "technique")
    for t in techniques:
        table.add_row(t.id, t.family.value, escape(t.name), t.needs_text())
    console.print(table)
    err_console.print(f"{len(techniques)} techniques; `foulplay hacks show ID` for one of them", soft_wrap=True)


@hacks_cmd.command("show")
@click.argument("technique_id")
def hacks_show(technique_id: str) -> None:
    """Show one technique: description, weaknesses, example payload, defence, sources."""
    from foulplay.hacks import get
    from foulplay.hacks._docs import render_page

    click.echo(render_page(get(technique_id)))


@hacks_cmd.command("docs")
@click.argument("outdir", type=click.Path(file_okay=False))
def hacks_docs(outdir: str) -> None:
    """Write one Markdown page per technique, plus an index, into OUTDIR."""
    from foulplay.hacks import catalog
    from foulplay.hacks._docs import write_docs

    written = write_docs(outdir, catalog())
    err_console.print(f"wrote {len(written)} pages to {escape(outdir)}", soft_wrap=True)


EVIDENCE_CHARS = 200
"""How much of a row's evidence the text table shows (--format json has all of it)."""


def _print_report(report: Any) -> None:
    rows = []
    for row in report.techniques:
        style = VERDICT_STYLE[row.verdict.value]
        evidence = row.evidence if len(row.evidence) <= EVIDENCE_CHARS else row.evidence[:EVIDENCE_CHARS - 1] + "…"
        rows.append([escape(row.technique), escape(row.family), f"[{style}]{row.verdict.value}[/]",
                     escape(row.needs), escape(evidence)])
    console.print(make_table(["technique", "family", "verdict", "needs", "evidence"], rows,
                             wrap=("needs", "evidence")))
    for c in report.controls:
        mark = f"[{CONTROL_STYLE[c.status.value]}]{c.status.value}[/]"
        should = "must pass" if c.expected_pass else "must fail"
        console.print(f"control {c.name} ({should}): {mark}  {escape(c.detail)}", soft_wrap=True)
    style = VERDICT_STYLE[report.verdict.value]
    for line in report.headline():
        console.print(f"[{style}]grader[/]: {escape(line)}", soft_wrap=True, highlight=False)


@click.command("probe")
@click.argument("target", required=False)
@click.option("--harness", help="Probe a built-in harness: hardened or vulnerable[:switches].")
@click.option("--problems", "problems_path", help="Problems (JSON/JSONL) for harness and callable targets "
              "(default: foulplay's probe set).")
@click.option("--reference", "reference_path", metavar="FILE",
              help="Reference solutions for the reference control: for a command grader, a file with a correct "
                   "solution (instead of the TOML's reference); for problems, JSON/JSONL records "
                   "{\"task_id\": ..., \"reference\": ...} (or a .py file when there is one problem).")
@click.option("--limit", type=click.IntRange(1), default=None, help="Use only the first N problems.")
@click.option("--visible", "visible_spec", default=None,
              help=VISIBLE_HELP + " Payloads may only use what the model was shown.")
@click.option("--technique", "ids", multiple=True, help="Only this technique (repeatable).")
@click.option("--family", "families", multiple=True, help="Only this family (repeatable).")
@click.option("--pass-score", type=float, default=1.0, show_default=True,
              help="For callables returning a score: the score that counts as a pass.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
@click.option("-o", "--output", help="Also write the JSON report here (atomically).")
@click.option("--workers", type=click.IntRange(1, 4096), default=None,
              help="Parallel sandbox workers (with --backend ray: Ray workers, default the cluster's CPUs).")
@click.option("--timeout", type=click.FloatRange(min=0, min_open=True), default=None,
              help="Seconds per attempt (default 10; TOML: timeout). A grader that runs longer gets ERROR, "
                   "never RESISTED.")
@backend_options
@exit_options
def probe_cmd(target: str | None, harness: str | None, problems_path: str | None, reference_path: str | None,
              limit: int | None, ids: tuple[str, ...], families: tuple[str, ...], pass_score: float, fmt: str,
              output: str | None, workers: int | None, timeout: float | None, max_errors: int,
              exit_zero: bool, visible_spec: str | None, backend: str = "local", address: str | None = None) -> int:
    """Attack a grader with every technique in the catalog and report what fooled it.

    \b
    TARGET is one of:
      grader.toml              a command grader: a workspace the agent edits and a grade command
      module:function          a Python callable grade(problem: dict, solution: str) -> bool | float,
      path/to/file.py:function or grade(problem, solution, files); solution is plain source code (no
                               markdown fence, no file-name header), files maps every submitted path to
                               its text (README: "Red-teaming a grader")
    or use --harness for foulplay's own harnesses (hardened, vulnerable:eq,exit,...).

    Three controls run first, on every problem, and are mandatory: the reference solution must pass,
    a wrong honest attempt and an empty submission must fail. Without a reference (no 'reference' in
    the problems or the TOML; see --reference) the grader is UNVERIFIED.

    \b
    Verdicts per technique:
      FOOLED          the grader passed the payload (or crashed on it, for no-verdict techniques)
      RESISTED        it failed every payload, and the controls behaved
      ERROR           the probe could not tell: the grader raised, crashed or timed out (or the
                      probe failed on that payload); the evidence says why, in one line
      UNVERIFIED      the controls did not behave, so the grader's answer shows nothing
      NOT-APPLICABLE  no payload fits this grader, or the probe cannot show it (with the reason)
    A grader that passes the wrong or empty submission is FOOLED by that control: it passes
    wrong answers.

    \b
    Exit status: 0 every applicable technique resisted and every control behaved; 1 something
    fooled the grader (a technique, or the wrong/empty control); 2 usage error, controls
    unverified (no reference, the reference fails, a control got no verdict) or ERROR rows
    beyond --max-errors, which wins over 1.
    """
    from foulplay.hacks._probe import open_target, probe_limits, run_probe

    techniques = _select(ids, families)
    n_workers = workers or min(4, os.cpu_count() or 1)
    grader = None
    if backend != "local" or address:
        if harness is None:
            raise InputError("--backend ray probes foulplay's own harnesses (--harness); a command or callable "
                             "grader is probed with the local backend")
        from foulplay.executors import ExecutorGrader, GradeWork

        limits = probe_limits(timeout)
        executor = open_executor(backend, address, workers, task_timeout=limits.wall_s + limits.replay_s)
        try:
            grader = ExecutorGrader(executor, GradeWork(limits=limits))
        except BaseException:
            executor.close()
            raise
        n_workers = 2 * executor.workers  # threads feeding the cluster: one call waiting while one runs
        err_console.print(f"running on {executor.describe()}", soft_wrap=True, highlight=False)
    probe_target, closers = open_target(target, harness, problems_path=problems_path, reference_path=reference_path,
                                        limit=limit, visible=visible_spec, workers=n_workers, timeout=timeout,
                                        pass_score=pass_score, grader=grader)
    try:
        progress = Progress(TextColumn("probing"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                            console=err_console, transient=True, disable=not err_console.is_terminal)
        with progress:
            task = progress.add_task("probe", total=None)
            report = run_probe(probe_target, techniques, workers=n_workers,
                               on_progress=lambda: progress.advance(task))
    finally:
        for c in closers:
            c.close()
    code = report.exit_status(max_errors=max_errors, exit_zero=exit_zero)
    data = report.to_json_dict()
    data["exit_status"] = int(code)
    if output:
        from foulplay._util.files import atomic_write_text

        atomic_write_text(Path(output), json.dumps(data, indent=2) + "\n")
    if fmt == "json":
        click.echo(json.dumps(data, indent=2))
    else:
        _print_report(report)
    err_console.print(report.summary() + (f"; isolation {report.isolation}" if report.isolation else ""),
                      soft_wrap=True, highlight=False, markup=False)
    return int(code)
