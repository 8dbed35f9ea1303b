"""``foulplay grade``: grade one completion or a batch, under one harness or both."""

from __future__ import annotations

import collections
import itertools
import json
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import click
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from foulplay._util.files import printable
from foulplay.cli._backend import backend_options, open_executor
from foulplay.cli._console import console, err_console, make_table, styled
from foulplay.cli._exit import exit_options, exit_status
from foulplay.errors import InputError
from foulplay.grading._harness import HARNESS_HELP
from foulplay.grading._problem import VISIBLE_HELP


def _text(value: Any) -> str:
    """Any text from a result (a reason, a test message, a file name) as literal console text: markup
    escaped, lone surrogates escaped."""
    return escape(printable(str(value)))


def _read_completion(path: str) -> str:
    if path == "-":
        return sys.stdin.read()
    from foulplay._util.files import read_input_bytes

    data = read_input_bytes(path, "a text file")
    if b"\x00" in data:
        raise InputError(f"{path}: looks like a binary file, expected the completion's text")
    return data.decode("utf-8", "replace")


def _records(path: str, backend: str) -> Iterator[tuple[str, Any, str | None]]:
    """``(where, record, error)`` per completion record, lazily. With ``--backend ray`` a JSON Lines file is
    streamed through Ray Data (bounded memory, read where the cluster runs); Parquet (a TRL completions table,
    say) is read a batch at a time on either backend. A line that is not JSON is one error, as locally."""
    from foulplay._util.parquet import is_parquet
    from foulplay.grading import iter_json_records_lenient, json_line_records

    name = Path(path).name
    if is_parquet(name):
        yield from _parquet_records(path, backend)
        return
    if backend != "ray" or not name.endswith((".jsonl", ".ndjson")):
        yield from iter_json_records_lenient(path)
        return
    from foulplay.executors._stream import iter_jsonl_lines

    yield from json_line_records(path, iter_jsonl_lines(path))


def _parquet_records(path: str, backend: str) -> Iterator[tuple[str, Any, str | None]]:
    if backend == "ray":
        from foulplay.executors._stream import iter_parquet_rows

        rows: Iterator[dict[str, Any]] = iter_parquet_rows(path)
    else:
        from foulplay._util.parquet import parquet_rows

        rows = parquet_rows(path)
    for number, row in enumerate(rows, 1):
        yield f"{path} row {number}", row, None


def _completions(records: Iterator[tuple[str, Any, str | None]], text_field: str, id_field: str,
                 problems: dict[str, Any], broken: dict[str, str]
                 ) -> Iterator[tuple[int, Any, str | None, str | None, str | None]]:
    """``(index, problem, text, id, error)`` per record, lazily; a record that cannot be graded carries the
    one-line reason in ``error`` (and its task id in place of the problem) so it becomes one error row."""
    for index, (where, rec, error) in enumerate(records):
        if error is not None:
            yield index, "?", None, None, error
            continue
        if not isinstance(rec, dict):
            yield index, "?", None, None, f"{where}: a completion must be a JSON object"
            continue
        item_id = rec.get(id_field)
        item_id = None if item_id is None else str(item_id)
        if "task_id" not in rec:
            yield index, "?", None, item_id, f"{where}: missing field 'task_id'"
            continue
        task_id = str(rec["task_id"])
        text = rec.get(text_field)
        if task_id in broken:
            yield index, task_id, None, item_id, f"{where}: the problem is not usable: {broken[task_id]}"
        elif task_id not in problems:
            yield index, task_id, None, item_id, f"{where}: no problem with task_id {task_id!r} in the problems file"
        elif text_field not in rec:
            yield index, task_id, None, item_id, f"{where}: missing field {text_field!r} (set --text-field)"
        elif text is not None and not isinstance(text, str):
            yield index, task_id, None, item_id, f"{where}: field {text_field!r} must be a string"
        else:
            yield index, problems[task_id], text, item_id, None


def _tally_file(path: str) -> tuple[int, int]:
    """(found, errors) over a finished JSON Lines output file."""
    found = errors = 0
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            try:
                rec = json.loads(line)
            except ValueError:
                errors += 1
                continue
            outcome = rec.get("verdict") or rec.get("outcome") if isinstance(rec, dict) else "error"
            found += outcome in ("hacked", "tampered")
            errors += outcome == "error"
    return found, errors


def _is_error(result: Any) -> bool:
    return (result.verdict.value if hasattr(result, "verdict") else result.outcome.value) == "error"


def _is_found(result: Any) -> bool:
    return (result.verdict.value if hasattr(result, "verdict") else result.outcome.value) in ("hacked", "tampered")


def _limits(timeout: float | None, memory_mb: int | None) -> Any:
    from foulplay.sandbox import Limits

    limits = Limits()
    if timeout is not None:
        if timeout <= 0:
            raise InputError("--timeout must be positive")
        limits = limits.with_(wall_s=timeout, replay_s=timeout, cpu_s=max(1, int(timeout)))
    if memory_mb is not None:
        if memory_mb < 64:
            raise InputError("--memory-mb must be at least 64")
        limits = limits.with_(memory_mb=memory_mb)
    return limits


def _print_single(result: Any) -> None:
    from foulplay.grading import DoubleRunResult

    if isinstance(result, DoubleRunResult):
        console.print(f"verdict: {styled(result.verdict.value)}  {_text(result.task_id)}", highlight=False)
        console.print(f"  {_text(result.reason)}", highlight=False)
        parts = [result.vulnerable, result.hardened]
    else:
        parts = [result]
    for r in parts:
        console.print(f"[bold]{_text(r.harness)}[/]: {styled(r.outcome.value)}  tests {r.tests_passed}/"
                      f"{r.tests_total}  isolation {r.isolation.value if r.isolation else '-'}  "
                      f"{r.duration_s:.3f}s")
        console.print(f"  {_text(r.reason)}", highlight=False)
        for d in r.defences:
            console.print(f"  [red]defence {d.defence.value}[/] ({d.source}): {_text(d.detail)}",
                          highlight=False)
        for n in r.notes:
            console.print(f"  [dim]note: {_text(n)}[/]", highlight=False)


def _why(r: Any) -> str:
    """A short reason for a table cell: the defence that fired, else the grader's reason."""
    if r.defences and r.outcome.value == "tampered":
        d = r.defences[0]
        return f"{d.defence.value}: {d.detail}"
    return r.reason


def _summary_table(results: list[Any], double: bool) -> Table:
    rows = []
    for r in results:
        if double:
            h = r.hardened
            rows.append((r.task_id, r.id or "", r.vulnerable.outcome.value, h.outcome.value,
                         r.verdict.value, f"{h.tests_passed}/{h.tests_total}", _why(h)))
        else:
            rows.append((r.task_id, r.id or "", r.harness, r.outcome.value,
                         f"{r.tests_passed}/{r.tests_total}", _why(r)))
    headers = (["task", "id", "vulnerable", "hardened", "verdict", "tests", "why"] if double
               else ["task", "id", "harness", "outcome", "tests", "why"])
    styled_cols = {2, 3, 4} if double else {3}
    cells = [[styled(v) if i in styled_cols else _text(v) for i, v in enumerate(row)] for row in rows]
    return make_table(headers, cells, wrap=("why",), right=("tests",))


@click.command("grade")
@click.option("--problem", "problem_path",
              help="One problem (JSON object: HumanEval, MBPP or generic record).")
@click.option("--completion", "completion_path", help="The completion's raw text (file, or - for stdin).")
@click.option("--problems", "problems_path",
              help="Problems file (JSON/JSONL) for batch mode.")
@click.option("--completions", "completions_path",
              help="Completions JSONL for batch mode, matched to problems on task_id.")
@click.option("--harness", default="hardened", show_default=True, help=HARNESS_HELP)
@click.option("--visible", "visible_spec", default=None, help=VISIBLE_HELP + " Used by the 'visible' switch.")
@click.option("--double-run", is_flag=True,
              help="Grade under --vulnerable and hardened; 'hacked' when only the vulnerable one passes.")
@click.option("--vulnerable", "vulnerable_spec", default="vulnerable", show_default=True,
              help="The vulnerable harness used by --double-run.")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "jsonl"]), default=None,
              help="Output format (default: text on a terminal; jsonl for batch output files).")
@click.option("-o", "--output",
              help="Batch: write JSONL here (atomically; an interrupted run resumes).")
@click.option("--overwrite", is_flag=True, help="Replace an existing --output file.")
@click.option("--text-field", default="completion", show_default=True,
              help="Field of a completion record holding the model output.")
@click.option("--id-field", default="id", show_default=True, help="Field holding a completion's own id.")
@click.option("--workers", type=click.IntRange(1, 4096), default=None,
              help="Parallel sandbox workers (default: number of CPUs); with --backend ray, Ray workers (default: "
                   "the cluster's CPUs), each with its own sandbox.")
@backend_options
@click.option("--timeout", type=float, default=None, help="Wall-clock seconds per completion (default 10).")
@click.option("--memory-mb", type=int, default=None, help="Memory cap per submission process (default 1024).")
@click.option("--isolation", type=click.Choice(["auto", "bwrap", "rlimit", "none"]), default="auto",
              show_default=True, help="Isolation level to use.")
@click.option("--require-isolation", type=click.Choice(["bwrap", "rlimit", "none"]), default=None,
              help="Refuse to run below this isolation level.")
@exit_options
def grade_cmd(problem_path: str | None, completion_path: str | None, problems_path: str | None,
              completions_path: str | None, harness: str, double_run: bool, vulnerable_spec: str,
              fmt: str | None, output: str | None, overwrite: bool, text_field: str, id_field: str,
              workers: int | None, timeout: float | None, memory_mb: int | None, isolation: str,
              require_isolation: str | None, max_errors: int, exit_zero: bool, visible_spec: str | None,
              backend: str = "local", address: str | None = None) -> int:
    """Grade completions in the sandbox and report outcomes.

    \b
    One completion:  foulplay grade --problem p.json --completion c.txt [--double-run]
    A batch:         foulplay grade --problems problems.jsonl --completions out.jsonl -o graded.jsonl

    Outcomes: solved, failed, error, timeout, tampered (a defence fired), declined (no code; the
    completion says the task is impossible or refuses). With --double-run the verdict is 'hacked'
    when the vulnerable harness passes a completion that the hardened one does not.

    A batch runs on this machine's sandbox pool, or with --backend ray on Ray workers that each hold a warm
    sandbox pool (the results are the same, in the same order; see docs/scale.md).

    A batch grades every record it can: an unreadable line, an unknown task_id or a problem whose
    tests do not parse becomes one 'error' row with the reason; the other rows are graded and written.

    Exit status: 0 nothing found; 1 a completion is tampered or hacked; 2 usage error, or error rows
    (the check itself failed) beyond --max-errors, which wins over 1.
    """
    from foulplay.executors import GradeWork
    from foulplay.grading import Grader, Harness, apply_visible, load_problem, load_problems_lenient

    single = problem_path is not None or completion_path is not None
    batch = problems_path is not None or completions_path is not None
    if single == batch:
        raise InputError("give either --problem and --completion, or --problems and --completions")
    if single and (problem_path is None or completion_path is None):
        raise InputError("--problem and --completion go together")
    if batch and (problems_path is None or completions_path is None):
        raise InputError("--problems and --completions go together")
    spec = Harness.parse(harness)
    vspec = Harness.parse(vulnerable_spec)
    if double_run and vspec.hardened:
        raise InputError("--vulnerable must name a vulnerable harness")
    limits = _limits(timeout, memory_mb)
    iso = None if isolation == "auto" else isolation

    if single and (backend != "local" or address):
        raise InputError("--backend ray is for batches (--problems and --completions)")
    if single:
        assert problem_path is not None and completion_path is not None
        problem = apply_visible([load_problem(problem_path)], visible_spec)[0]
        text = _read_completion(completion_path)
        with Grader(limits=limits, isolation=iso, require_isolation=require_isolation) as grader:
            result: Any = (grader.double_run(problem, text, vulnerable=vspec) if double_run
                           else grader.grade(problem, text, spec))
        if (fmt or "text") == "text":
            _print_single(result)
        else:
            click.echo(json.dumps(result.to_json_dict(), indent=2 if fmt == "json" else None))
        return int(exit_status(found=_is_found(result), errors=int(_is_error(result)), max_errors=max_errors,
                               exit_zero=exit_zero))

    assert problems_path is not None and completions_path is not None
    problems, broken, orphans = load_problems_lenient(problems_path)
    problems = {p.task_id: p for p in apply_visible(list(problems.values()), visible_spec)}
    if not problems and not broken:
        raise InputError(f"{problems_path}: no problems found" + (f" ({orphans[0]})" if orphans else ""))
    for line in orphans[:20]:
        err_console.print(f"[yellow]skipped[/]: {_text(line)}", soft_wrap=True)
    if len(orphans) > 20:
        err_console.print(f"[yellow]skipped[/] {len(orphans) - 20} more unusable problem records", soft_wrap=True)
    if backend == "ray" or address:
        from foulplay.executors._ray import connect

        connect(address)  # the cluster first: Ray Data reads the completions there
    items = _completions(_records(completions_path, backend), text_field, id_field, problems, broken)
    first = next(items, None)
    if first is None:
        raise InputError(f"{completions_path}: no completions found")
    items = itertools.chain([first], items)
    fmt = fmt or ("jsonl" if output or not sys.stdout.isatty() else "text")
    if output and fmt != "jsonl":
        raise InputError("--output writes JSON Lines; drop --format or use --format jsonl")
    writer = None
    if output:
        from foulplay._util.files import ResumableJsonl

        writer = ResumableJsonl(output, key="index", overwrite=overwrite)
        if writer.resumed:
            err_console.print(f"resuming: {writer.resumed} completions already graded in "
                              f"{_text(writer.partial)}", soft_wrap=True)
    todo = (it for it in items if writer is None or it[0] not in writer.done)
    order: collections.deque[tuple[int, str | None]] = collections.deque()

    def runs() -> Iterator[tuple[Any, ...]]:
        """Every record to do, in order (one that cannot be graded carries its reason: the worker turns it
        into its error row); the executor reads them as it goes, so a file of any length takes bounded memory."""
        for index, problem, text, item_id, error in todo:
            order.append((index, item_id))
            yield (problem, text, item_id) if error is None else (str(problem), None, item_id, error)
    results: list[Any] = []
    records: list[dict[str, Any]] = []
    counts: Counter[str] = Counter()
    levels: Counter[str] = Counter()
    found = errors = 0
    work = GradeWork(harness=str(spec), double_run=double_run, vulnerable=str(vspec), limits=limits, isolation=iso,
                     require_isolation=require_isolation)
    progress = Progress(TextColumn("grading"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                        console=err_console, transient=True, disable=not err_console.is_terminal)
    try:
        with open_executor(backend, address, workers, task_timeout=limits.wall_s + limits.replay_s) as executor, \
                progress:
            if backend != "local":
                err_console.print(f"running on {executor.describe()}", soft_wrap=True, highlight=False)
            task = progress.add_task("grading", total=None)
            for result in executor.map(work, runs()):
                index, _item_id = order.popleft()
                level = result.hardened.isolation if double_run else result.isolation
                if level is not None:
                    levels[level.value] += 1
                record = {"index": index, **result.to_json_dict()}
                counts[(result.verdict if double_run else result.outcome).value] += 1
                found += _is_found(result)
                errors += _is_error(result)
                if writer is not None:
                    writer.write(record)
                elif fmt == "jsonl":
                    click.echo(json.dumps(record))  # ASCII: lone surrogates become JSON escapes
                elif fmt == "json":
                    records.append(record)
                else:
                    results.append(result)
                progress.advance(task)
    except BaseException:
        if writer is not None:
            writer.close()
        raise
    if writer is not None:
        writer.finish()
    if fmt == "text":
        console.print(_summary_table(results, double_run))
    elif fmt == "json":
        click.echo(json.dumps(records, indent=2))
    summary = ", ".join(f"{k} {v}" for k, v in sorted(counts.items()))
    level = ", ".join(f"{k} {v}" if len(levels) > 1 else k for k, v in sorted(levels.items())) or "-"
    err_console.print(f"graded {sum(counts.values())} completions ({summary}); isolation {level}"
                      + (f"; wrote {_text(output)}" if output else ""), soft_wrap=True)
    if writer is not None and writer.resumed:
        found, errors = _tally_file(str(output))  # the exit status covers rows graded before the resume too
    errors += len(orphans)
    return int(exit_status(found=found > 0, errors=errors, max_errors=max_errors, exit_zero=exit_zero))
