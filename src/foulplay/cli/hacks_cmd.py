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

from foulplay.cli._console import console, err_console
from foulplay.errors import InputError

VERDICT_STYLE = {"FOOLED": "bold red", "RESISTED": "green", "NOT-APPLICABLE": "dim", "ERROR": "magenta"}


def _select(ids: tuple[str, ...], families: tuple[str, ...]) -> list[Any]:
    from foulplay.hacks import Family, catalog, get

    techniques = catalog()
    if ids:
        wanted = [get(i) for i in ids]
        techniques = [t for t in techniques if t in wanted]
    if families:
        valid = {f.value for f in Family}
        unknown = sorted(set(families) - valid)
        if unknown:
            raise InputError(f"unknown family {', '.join(unknown)}; known: {', '.join(sorted(valid))}")
        techniques = [t for t in techniques if t.family.value in families]
    if not techniques:
        raise InputError("no technique selected")
    return techniques


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


def _print_report(report: Any) -> None:
    table = Table(header_style="bold")
    table.add_column("technique", no_wrap=True)
    table.add_column("family", no_wrap=True)
    table.add_column("verdict", no_wrap=True)
    table.add_column("needs", no_wrap=True)
    table.add_column("evidence", overflow="ellipsis", no_wrap=True, max_width=70)
    for row in report.techniques:
        style = VERDICT_STYLE[row.verdict.value]
        table.add_row(row.technique, row.family, f"[{style}]{row.verdict.value}[/]", row.needs,
                      escape(row.evidence))
    console.print(table)
    for c in report.controls:
        mark = "[green]ok[/]" if c.ok else "[bold red]FAILED[/]"
        should = "must pass" if c.expected_pass else "must fail"
        console.print(f"control {c.name} ({should}): {mark}  {escape(c.detail)}", soft_wrap=True)


@click.command("probe")
@click.argument("target", required=False)
@click.option("--harness", help="Probe a built-in harness: hardened or vulnerable[:switches].")
@click.option("--problems", "problems_path", help="Problems (JSON/JSONL) for harness and callable targets "
              "(default: foulplay's probe set).")
@click.option("--limit", type=click.IntRange(1), default=None, help="Use only the first N problems.")
@click.option("--technique", "ids", multiple=True, help="Only this technique (repeatable).")
@click.option("--family", "families", multiple=True, help="Only this family (repeatable).")
@click.option("--pass-score", type=float, default=1.0, show_default=True,
              help="For callables returning a score: the score that counts as a pass.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
@click.option("-o", "--output", help="Also write the JSON report here (atomically).")
@click.option("--workers", type=click.IntRange(1, 64), default=None, help="Parallel sandbox workers.")
@click.option("--timeout", type=float, default=None, help="Seconds per attempt (default 10; TOML: timeout).")
def probe_cmd(target: str | None, harness: str | None, problems_path: str | None, limit: int | None,
              ids: tuple[str, ...], families: tuple[str, ...], pass_score: float, fmt: str,
              output: str | None, workers: int | None, timeout: float | None) -> None:
    """Attack a grader with every technique in the catalog and report what fooled it.

    \b
    TARGET is one of:
      grader.toml              a command grader: a workspace the agent edits and a grade command
      module:function          a Python callable (problem: dict, completion: str) -> bool | float
      path/to/file.py:function
    or use --harness for foulplay's own harnesses (hardened, vulnerable:eq,exit,...).

    Each technique is tried on a fresh copy, in the sandbox, next to controls (a wrong honest
    attempt and an empty submission must not pass; a reference solution must). Verdicts: FOOLED,
    RESISTED, NOT-APPLICABLE, ERROR. Exit status 1 when anything FOOLED the grader or a control
    failed, 2 on usage errors.
    """
    from foulplay.grading import Grader, load_problems
    from foulplay.hacks._probe import (
        CallableTarget,
        CommandGraderSpec,
        CommandTarget,
        HarnessTarget,
        default_problems,
        run_probe,
    )
    from foulplay.sandbox import Limits, Sandbox

    if (target is None) == (harness is None):
        raise InputError("give a TARGET (grader.toml or module:function) or --harness, not both")
    techniques = _select(ids, families)
    problems = load_problems(problems_path) if problems_path else default_problems()
    if limit:
        problems = problems[:limit]
    n_workers = workers or min(4, os.cpu_count() or 1)
    limits = Limits() if timeout is None else Limits(wall_s=timeout, replay_s=timeout, cpu_s=max(1, int(timeout)))
    closers: list[Any] = []
    try:
        if harness is not None:
            grader = Grader(workers=n_workers, limits=limits)
            closers.append(grader)
            probe_target: Any = HarnessTarget(harness, problems, grader)
        elif target is not None and target.endswith(".toml"):
            spec = CommandGraderSpec.load(target)
            if timeout is not None:
                spec.timeout = timeout
            box = Sandbox(workers=n_workers, limits=limits)
            closers.append(box)
            probe_target = CommandTarget(spec, box)
        else:
            assert target is not None
            box = Sandbox(workers=n_workers, limits=limits)
            closers.append(box)
            probe_target = CallableTarget(target, problems, box, pass_score)
        progress = Progress(TextColumn("probing"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                            console=err_console, transient=True, disable=not err_console.is_terminal)
        with progress:
            task = progress.add_task("probe", total=None)
            report = run_probe(probe_target, techniques, workers=n_workers,
                               on_progress=lambda: progress.advance(task))
    finally:
        for c in closers:
            c.close()
    data = report.to_json_dict()
    if output:
        from foulplay._util.files import atomic_write_text

        atomic_write_text(Path(output), json.dumps(data, indent=2) + "\n")
    if fmt == "json":
        click.echo(json.dumps(data, indent=2))
    else:
        _print_report(report)
    err_console.print(report.summary() + (f"; isolation {report.isolation}" if report.isolation else ""),
                      soft_wrap=True, highlight=False, markup=False)
    if report.fooled or report.broken_controls:
        raise click.exceptions.Exit(1)
