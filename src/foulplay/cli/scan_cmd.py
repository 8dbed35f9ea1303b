"""``foulplay scan`` (static reward-hack detection) and ``foulplay rules``."""

from __future__ import annotations

import io
import json
import os
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from foulplay.cli._backend import backend_options
from foulplay.cli._console import console, err_console
from foulplay.cli._exit import ExitCode, exit_options, exit_status
from foulplay.errors import InputError

LEVELS = ["low", "medium", "high"]
SEVERITY_STYLE = {"high": "bold red", "medium": "yellow", "low": "dim"}


def _codes(values: tuple[str, ...]) -> tuple[str, ...]:
    out: list[str] = []
    for v in values:
        out += [c.strip().upper() for c in v.split(",") if c.strip()]
    return tuple(out)


TRANSCRIPT_FORMATS = ["inspect", "claude-code", "codex", "swe-agent", "mini-swe-agent"]
INPUT_FORMATS = ["auto", "python", "completion", "rollouts", "diff", *TRANSCRIPT_FORMATS]


def _input_kind(path: str, forced: str) -> str:
    """python | completion | rollouts | diff | transcript:<format> (``foulplay.detect._input_kind``)."""
    from foulplay.detect._input_kind import input_kind

    return input_kind(path, forced)


DEFAULT_ITEM_TIMEOUT = 30.0
"""Seconds per item, as ``foulplay.detect._run.DEFAULT_ITEM_TIMEOUT`` (not imported: the CLI starts without
loading the rules)."""
_UNREADABLE = ": invalid JSON"
_SHOWN_NOTES = ("does not parse", "do not parse", "renamed to", "could not be", "not reconstructed", "rule error",
                "source label", "invalid JSON", "no tool result", "dynamic ", "dynamic:")


def _print_text(items: list[Any], counted: Any, console: Console = console) -> None:
    for item in items:
        if not item.findings and not item.error and not any(
                m in n for n in item.notes for m in _SHOWN_NOTES if m != "source label"):
            continue
        mark = {"hack": "[bold red]hack[/]", "clean": "[green]clean[/]", "error": "[magenta]error[/]"}
        console.print(f"[bold]{escape(item.id)}[/]  {mark[item.verdict.value]}", soft_wrap=True)
        if item.error:
            console.print(f"  [magenta]{escape(item.error)}[/]", soft_wrap=True)
        for f in item.findings:
            style = SEVERITY_STYLE[f.severity.value]
            where = f"{escape(f.path)}:{f.line}" if f.path else f"line {f.line}"
            dim = "" if counted(f) else " [dim](below threshold)[/]"
            if f.where:
                where += f" [dim]({escape(f.where)})[/]"
            console.print(f"  {where}  [{style}]{f.rule}[/] {f.name} "
                          f"{escape(f'[{f.severity.value}/{f.confidence.value}]')}{dim}: {escape(f.message)}",
                          soft_wrap=True)
            if f.snippet and f.source != "text":
                console.print(f"      [dim]{escape(f.snippet)}[/]", soft_wrap=True)
        for note in item.notes:
            if any(marker in note for marker in _SHOWN_NOTES):
                console.print(f"  [dim]note: {escape(note)}[/]", soft_wrap=True)
    rule_counts: Counter[str] = Counter(f.rule for i in items for f in i.findings)
    if rule_counts:
        from foulplay.detect import rules

        names = {r.code: r for r in rules()}
        table = Table(header_style="bold", title="findings per rule")
        for col in ("rule", "name", "family", "count"):
            table.add_column(col, justify="right" if col == "count" else "left")
        for code, n in sorted(rule_counts.items()):
            r = names.get(code)
            table.add_row(code, r.name if r else "?", r.family if r else "?", str(n))
        console.print(table)


@click.command("scan")
@click.argument("paths", nargs=-1)
@click.option("--input-format", type=click.Choice(INPUT_FORMATS), default="auto", show_default=True,
              help="How to read PATHS. auto: .diff/.patch diffs; .eval, .traj, .traj.json and transcript JSON(L) "
                   "by content (Inspect, Claude Code, Codex, SWE-agent, mini-swe-agent); other .jsonl and .parquet "
                   "rollouts (row N of a table is line N); "
                   ".md/.txt completions; else code.")
@click.option("--git", "git_spec", default=None, metavar="RANGE",
              help="Scan what a git range changed (A..B, A...B) or REV against the working tree (untracked files "
                   "included); PATHS is the repository (default: .).")
@click.option("--staged", is_flag=True, help="Scan the staged changes (pre-commit); PATHS is the repository.")
@click.option("--text-field", default="completion", show_default=True,
              help="Rollouts: field holding the model output (dots for nesting: output.text).")
@click.option("--id-field", default="id", show_default=True, help="Rollouts: field holding the item id.")
@click.option("--problem-field", default=None, help="Rollouts: field holding an inline problem record.")
@click.option("--task-field", default="task_id", show_default=True, help="Rollouts: field joined with --problems.")
@click.option("--problems", "problems_path", default=None,
              help="Problems (JSON/JSONL) giving the visible tests, for special-casing detection.")
@click.option("--problem", "problem_path", default=None, help="The problem of a single completion.")
@click.option("--visible", "visible_spec", default=None,
              help="Tests the model was shown, for special-casing detection: N (the first N), 'all', 'half' or a "
                   "JSON file mapping task_id to N or 'all' (the definition grade, probe and env share). Default: a "
                   "problem's metadata.visible_tests, else all of its tests (a detector assumes any test may "
                   "have been shown).")
@click.option("--select", multiple=True, help="Only these rule codes or prefixes (FP1, FP201,...).")
@click.option("--ignore", multiple=True, help="Skip these rule codes or prefixes.")
@click.option("--fail-on", type=click.Choice(LEVELS), default="medium", show_default=True,
              help="Lowest severity that counts as a hack (verdict and exit status).")
@click.option("--min-confidence", type=click.Choice(LEVELS), default="medium", show_default=True,
              help="Lowest confidence that counts as a hack.")
@click.option("--honor-suppressions/--no-suppressions", default=None,
              help="Honour '# foulplay: ignore[...]' comments (default: yes for source files, never for model "
                   "output).")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "jsonl", "sarif", "github"]), default="text",
              show_default=True, help="github: workflow-command annotations for GitHub Actions.")
@click.option("-o", "--output", default=None, help="Write the report here (atomically) instead of stdout.")
@click.option("--jobs", type=click.IntRange(1, 256), default=None,
              help="Parallel worker processes (default: the number of CPUs for rollouts, 1 for other inputs); "
                   "--backend ray: the number of Ray workers (default: the cluster's CPUs).")
@click.option("--item-timeout", type=click.FloatRange(min=0), default=DEFAULT_ITEM_TIMEOUT, show_default=True,
              metavar="SECONDS",
              help="Time budget of one item (a file, completion, rollout line, diff or transcript): an item that "
                   "takes longer becomes an error item ('scan exceeded N s') and the rest go on; 0: no budget.")
@click.option("--dynamic", is_flag=True,
              help="Also run each completion or rollout with a known problem in the sandbox, on the held-back tests, "
                   "perturbed visible inputs (answers from the reference solution) and the statement's own examples: "
                   "passing the visible cases and failing nearby ones is FP590. Local only (not with --backend ray). "
                   "See docs/dynamic-checks.md.")
@click.option("--dynamic-timeout", type=click.FloatRange(min=0.5), default=10.0, show_default=True, metavar="SECONDS",
              help="--dynamic: wall-clock budget of one sandbox run (an item makes up to four, plus reference runs "
                   "once per problem); --item-timeout bounds an item's runs together.")
@click.option("--isolation", type=click.Choice(["auto", "bwrap", "rlimit", "none"]), default="auto", show_default=True,
              help="--dynamic: sandbox isolation level.")
@click.option("--require-isolation", type=click.Choice(["bwrap", "rlimit", "none"]), default=None,
              help="--dynamic: refuse to run below this isolation level.")
@backend_options
@exit_options
def scan_cmd(paths: tuple[str, ...], input_format: str, text_field: str, id_field: str, problem_field: str | None,
             task_field: str, problems_path: str | None, problem_path: str | None, select: tuple[str, ...],
             ignore: tuple[str, ...], fail_on: str, min_confidence: str, honor_suppressions: bool | None,
             fmt: str, output: str | None, jobs: int | None, git_spec: str | None, staged: bool,
             item_timeout: float, max_errors: int, exit_zero: bool, visible_spec: str | None = None,
             dynamic: bool = False, dynamic_timeout: float = 10.0, isolation: str = "auto",
             require_isolation: str | None = None, backend: str = "local", address: str | None = None) -> None:
    """Find reward hacks in code, completions and RL rollouts (statically; --dynamic also runs them in the sandbox).

    \b
    foulplay scan src/ tests/                         Python files and directories
    foulplay scan answer.md --problem p.json          one raw completion (markdown, multi-file)
    foulplay scan rollouts.jsonl --problems p.jsonl --format jsonl -o verdicts.jsonl
    foulplay scan change.diff                         a unified diff or patch file
    foulplay scan --git main..HEAD --fail-on high     what a branch changed (CI)
    foulplay scan --staged                            the staged changes (pre-commit)
    foulplay scan session.jsonl logs/run.eval         agent transcripts (Claude Code, Codex, Inspect, SWE-agent)
    foulplay scan rollouts.jsonl --problems p.jsonl --dynamic   also run them in the sandbox on nearby cases
    foulplay scan rollouts.jsonl --backend ray --address auto   on a Ray cluster (same results, same order)

    Every item gets exactly one verdict: hack, clean or error. An item that cannot be read or scanned (an
    unreadable file or rollout line, a diff that is not one, a transcript sample that cannot be read, a
    scan over --item-timeout) is an 'error' item with the reason; the other items are still scanned.

    Exit status: 0 nothing found; 1 a hack found (findings at or above --fail-on and --min-confidence;
    --exit-zero: 0); 2 usage error, or error items and unreadable lines beyond --max-errors (the checks
    could not complete), which wins over 1.

    --backend ray scans every kind of input on Ray workers (--jobs of them), item for item as locally, with
    the same budget and error items; rollouts are read through Ray Data, a block at a time. The workers read
    the files (PATHS, a rollouts file): on a remote cluster they must see the same paths.
    """
    from foulplay.detect import RolloutSpec, ScanOptions, iter_files, scan_rollouts
    from foulplay.detect._formats import to_json, to_sarif
    from foulplay.detect._run import Task, run_items
    from foulplay.detect._scan import ScanContext, completion_item, file_item, item_error
    from foulplay.grading import apply_visible, index_problems, load_problem, load_problems
    from foulplay.vocab import Confidence, ScanVerdict, Severity

    if address and backend == "local":
        raise InputError("--address is for --backend ray")
    if dynamic and backend == "ray":
        raise InputError("--dynamic runs locally only: drop --backend ray (or --dynamic)")
    if git_spec is not None or staged:
        if len(paths) > 1:
            raise InputError("--git/--staged scan one repository: give at most one path")
        kinds = {paths[0] if paths else ".": "git"}
    elif not paths:
        raise InputError("nothing to scan: give files, directories, a completion, a diff, a transcript or "
                         "a rollouts .jsonl or .parquet (or --git/--staged)")
    else:
        kinds = {p: _input_kind(p, input_format) for p in paths}
    transcript_formats = {p: k.split(":", 1)[1] for p, k in kinds.items() if k.startswith("transcript:")}
    kinds = {p: k.split(":", 1)[0] for p, k in kinds.items()}
    if len(set(kinds.values())) > 1:
        raise InputError("scan one kind of input at a time (code, completions, rollouts, diffs or transcripts)")
    kind = next(iter(kinds.values()))
    if kind == "rollouts" and len(paths) != 1:
        raise InputError("scan one rollouts file at a time")
    honor = honor_suppressions if honor_suppressions is not None else kind == "python"
    options = ScanOptions(select=_codes(select), ignore=_codes(ignore), honor_suppressions=honor,
                          min_severity=Severity(fail_on), min_confidence=Confidence(min_confidence))
    selected = options.rules()
    problems = index_problems(apply_visible(load_problems(problems_path), visible_spec)) if problems_path else {}
    single_problem = apply_visible([load_problem(problem_path)], visible_spec)[0] if problem_path else None
    items: list[Any] = []
    source_uri = None
    if fmt == "jsonl" and kind not in ("rollouts", "transcript"):
        raise InputError("--format jsonl is for rollouts and transcripts; use json for files, completions and diffs")
    context = ScanContext(options, selected, problem=single_problem)
    timeout = item_timeout or None
    n_jobs = jobs or 1
    tasks: Any = None
    item_fn: Any = None
    texts: list[tuple[str, str]] | None = None
    spec: Any = None
    if kind == "rollouts" and backend == "ray":
        from foulplay.detect._scan import rollout_item
        from foulplay.executors._scan_work import rollout_tasks

        source_uri = paths[0]
        spec = RolloutSpec(text_field=text_field, id_field=id_field, problem_field=problem_field,
                           task_field=task_field)
        item_fn, tasks = rollout_item, rollout_tasks(paths[0])
    elif kind == "rollouts":
        source_uri = paths[0]
        spec = RolloutSpec(text_field=text_field, id_field=id_field, problem_field=problem_field,
                           task_field=task_field)
        progress = Progress(TextColumn("scanning"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                            console=err_console, transient=True, disable=not err_console.is_terminal)
        with progress:
            task = progress.add_task("scan", total=None)
            for item in scan_rollouts(paths[0], spec, problems=problems, options=options,
                                      jobs=jobs or (os.cpu_count() or 1), item_timeout=timeout):
                items.append(item)
                progress.advance(task)
    elif kind == "git":
        from foulplay.detect._diffs import changes_item
        from foulplay.detect._git import git_changes

        repo = next(iter(kinds))
        changes, reasons = git_changes(repo, git_spec, staged=staged)
        label = "staged changes" if staged else f"git {git_spec or 'HEAD'}"
        item_fn, tasks = changes_item, [Task(label, (label, changes, reasons))]
    elif kind == "diff":
        from foulplay.detect._diffs import diff_item

        item_fn, tasks = diff_item, (Task(p, (sys.stdin.read() if p == "-" else _read_text(p), p)) for p in paths)
    elif kind == "transcript":
        from foulplay.detect.transcripts._analyse import transcript_item

        item_fn, tasks = transcript_item, (Task(t.id, (t,)) for t in _transcripts(paths, transcript_formats))
    elif kind == "completion":
        item_fn = completion_item
        texts = [(p, sys.stdin.read() if p == "-" else _read_text(p)) for p in paths] if dynamic else None
        tasks = ((Task(p, (text, p)) for p, text in texts) if texts is not None
                 else (Task(p, (sys.stdin.read() if p == "-" else _read_text(p), p)) for p in paths))
    else:
        item_fn, tasks = file_item, (Task(str(f), (str(f),)) for f in iter_files(paths))
    if backend == "ray":
        items = _scan_on_ray(item_fn, tasks, kind=kind, options=options, spec=spec, problem=single_problem,
                             problems=problems, timeout=timeout, jobs=jobs, address=address)
    elif item_fn is not None:
        items = list(run_items(item_fn, tasks, context=context, jobs=n_jobs, timeout=timeout, on_error=item_error))
    dynamic_line = None
    if dynamic:
        from foulplay.detect._dynamic_scan import dynamic_pass

        items, dynamic_line = dynamic_pass(
            items, kind=kind, paths=paths, texts=dict(texts or []),
            problem=single_problem, problems=problems, text_field=text_field, problem_field=problem_field,
            task_field=task_field, options=options, selected=selected, jobs=jobs, run_timeout=dynamic_timeout,
            item_timeout=timeout, isolation=None if isolation == "auto" else isolation,
            require_isolation=require_isolation, console=err_console)
    counted = options.counts
    errors = [i for i in items if i.verdict is ScanVerdict.ERROR]
    if fmt == "text" and output:
        buffer = io.StringIO()
        _print_text(items, counted, Console(file=buffer, width=132, no_color=True, highlight=False))
        _emit(buffer.getvalue(), output)
    elif fmt == "text":
        _print_text(items, counted)
    else:
        if fmt == "json":
            data: Any = to_json(items, scanned=", ".join(paths),
                                options={"select": list(options.select), "ignore": list(options.ignore),
                                         "fail_on": fail_on, "min_confidence": min_confidence,
                                         "suppressions_honoured": honor})
            text_out = json.dumps(data, indent=2) + "\n"
        elif fmt == "sarif":
            text_out = json.dumps(to_sarif(items, source_uri=source_uri), indent=2) + "\n"
        elif fmt == "github":
            from foulplay.detect._formats import to_github

            text_out = to_github(items, options.counts)
        else:
            text_out = "".join(json.dumps(i.to_dict()) + "\n" for i in items)
        _emit(text_out, output)
    hacks = sum(1 for i in items if i.verdict is ScanVerdict.HACK)
    findings = sum(len(i.findings) for i in items)
    unreadable = [n for i in items for n in i.notes if _UNREADABLE in n or "longer than" in n]
    err_console.print(f"scanned {len(items)} item(s): {hacks} hack, {len(items) - hacks - len(errors)} clean, "
                      f"{len(errors)} error; {findings} finding(s)"
                      + (f"; {len(unreadable)} unreadable line(s) skipped" if unreadable else ""),
                      soft_wrap=True, highlight=False, markup=False)
    if dynamic_line:
        err_console.print(dynamic_line, soft_wrap=True, highlight=False, markup=False)
    n_errors = len(errors) + len(unreadable)
    code = exit_status(found=hacks > 0, errors=n_errors, max_errors=max_errors, exit_zero=exit_zero)
    if n_errors:
        # the report above is complete for what could be read; the exit status says whether that is enough
        first = (errors[0].error or errors[0].id) if errors else unreadable[0]
        more = n_errors - 1
        tolerated = "" if code is ExitCode.ERROR else f" (tolerated: --max-errors {max_errors})"
        err_console.print(("error: " if code is ExitCode.ERROR else "warning: ") + first
                          + (f" (+{more} more)" if more else "") + tolerated,
                          soft_wrap=True, highlight=False, markup=False)
    if code:
        raise click.exceptions.Exit(int(code))


def _scan_on_ray(item_fn: Any, tasks: Any, *, kind: str, options: Any, spec: Any, problem: Any,
                 problems: dict[str, Any], timeout: float | None, jobs: int | None, address: str | None) -> list[Any]:
    """Every task through :class:`~foulplay.executors.ScanWork` on Ray workers, results in input order."""
    from foulplay.cli._backend import open_executor
    from foulplay.executors import ScanWork

    if kind == "rollouts":
        work = ScanWork.for_rollouts(spec, options, timeout=timeout, problems=problems)
    else:
        work = ScanWork(item_fn, options, timeout=timeout, problem=problem)
    progress = Progress(TextColumn("scanning"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                        console=err_console, transient=True, disable=not err_console.is_terminal)
    items: list[Any] = []
    # a hung item (code its SIGALRM budget cannot interrupt) has its worker killed and is run again alone; a
    # worker holds two batches, so a call may wait for a whole batch before its own starts
    hung = 2 * timeout if timeout else None
    with open_executor("ray", address, jobs, batch_size=8, task_timeout=hung) as executor, progress:
        task = progress.add_task("scan", total=None)
        for item in executor.map(work.shipped(), tasks):
            items.append(item)
            progress.advance(task)
    return items


def _transcripts(paths: tuple[str, ...], formats: dict[str, str]) -> Iterator[Any]:
    """Every transcript of every file; a file that cannot be read at all is one error transcript."""
    from foulplay.detect.transcripts import Transcript, load_transcripts

    for p in paths:
        try:
            yield from load_transcripts(p, formats.get(p, "auto"))
        except InputError as exc:
            yield Transcript(format=formats.get(p, "?"), id=p, error=str(exc))
        except Exception as exc:  # noqa: BLE001 - one unreadable file is one error item, never the end of the scan
            yield Transcript(format=formats.get(p, "?"), id=p,
                             error=f"{p}: not a readable transcript ({type(exc).__name__}: {str(exc)[:120]})")


def _verdict(findings: list[Any], options: Any) -> Any:
    from foulplay.vocab import ScanVerdict

    return ScanVerdict.HACK if any(options.counts(f) for f in findings) else ScanVerdict.CLEAN


def _read_text(path: str) -> str:
    from foulplay._util.files import read_input_bytes

    data = read_input_bytes(Path(path), "a text file")
    if b"\x00" in data[:8192]:
        raise InputError(f"{path}: looks like a binary file")
    return data.decode("utf-8", "replace")


def _emit(text: str, output: str | None) -> None:
    if output:
        from foulplay._util.files import atomic_write_text

        atomic_write_text(Path(output), text)
    else:
        click.echo(text, nl=False)


@click.command("rules")
@click.argument("code", required=False)
@click.option("--format", "fmt", type=click.Choice(["text", "json", "markdown"]), default="text",
              help="markdown: the reference page (docs/rules.md).")
def rules_cmd(code: str | None, fmt: str) -> None:
    """List the detection rules and the catalog technique each one maps to (or show one rule)."""
    from foulplay.detect import rules

    all_rules = rules()
    if fmt == "markdown" and not code:
        from foulplay.detect._docs import render_rules_markdown

        click.echo(render_rules_markdown(all_rules), nl=False)
        return
    if code:
        matched = [r for r in all_rules if r.code == code.upper() or r.name == code]
        if not matched:
            raise InputError(f"no rule {code!r} (see `foulplay rules`)")
        all_rules = matched
    if fmt in ("json", "markdown"):
        click.echo(json.dumps([r.to_dict() for r in all_rules], indent=2))
        return
    if code:
        r = all_rules[0]
        console.print(f"[bold]{r.code}[/] {r.name}\n  family: {r.family}\n  technique: {r.technique or '-'}"
                      f"\n  severity: {r.severity.value}, confidence: {r.confidence.value}\n  {escape(r.summary)}",
                      soft_wrap=True)
        if r.technique:
            console.print(f"  see: foulplay hacks show {r.technique}")
        return
    table = Table(header_style="bold")
    for col in ("code", "name", "family", "technique", "sev", "conf", "what it finds"):
        table.add_column(col, no_wrap=col not in ("what it finds",), overflow="fold")
    for r in all_rules:
        table.add_row(r.code, r.name, r.family, r.technique or "-", r.severity.value, r.confidence.value,
                      escape(r.summary))
    console.print(table)
