"""``foulplay scan --dynamic``: the second pass over a scan's items, after the static rules.

Each item keeps its static result; items with a known problem are run in the sandbox by
:class:`foulplay.detect._dynamic.DynamicChecker` (one pool for the batch, ``--jobs`` runs at once, one reference
run per problem), the others get a note saying why the check does not apply.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from foulplay.detect._dynamic import DynamicChecker, DynamicTask, run_dynamic
from foulplay.detect._scan import _ABSENT, ItemResult, ScanOptions, _dig, _flatten_messages, read_source
from foulplay.vocab import ScanVerdict

_NOT_FOR_KIND = {
    "diff": "a diff has no problem to run it against",
    "git": "a git range has no problem to run it against",
    "transcript": "agent transcripts are not run (dynamic checks take completions and rollouts with a problem)",
}


def _rollout_lines(path: str, wanted: set[int]) -> dict[int, str]:
    out: dict[int, str] = {}
    if not wanted:
        return out
    last = max(wanted)
    from foulplay.detect._scan import rollout_lines

    for n, raw in rollout_lines(path):
        if n in wanted:
            out[n] = raw
        if n >= last:
            break
    return out


def _rollout_task(index: int, item: ItemResult, raw: str | None, *, problems: dict[str, Any], text_field: str,
                  problem_field: str | None, task_field: str) -> DynamicTask:
    from foulplay.errors import InputError
    from foulplay.grading import problem_from_record

    if raw is None:
        return DynamicTask(index, item, skip="the rollout line could not be read again")
    try:
        rec = json.loads(raw)
    except (ValueError, RecursionError):
        return DynamicTask(index, item, skip="the rollout line is not valid JSON")
    if not isinstance(rec, dict):
        return DynamicTask(index, item, skip="the rollout line is not a JSON object")
    text = _dig(rec, text_field)
    if text is not _ABSENT and text is not None and not isinstance(text, str):
        text = _flatten_messages(text)
    if text is _ABSENT or text is None:
        return DynamicTask(index, item, skip=f"no completion text in field {text_field!r}")
    problem = None
    inline = _dig(rec, problem_field) if problem_field else _ABSENT
    if isinstance(inline, dict):
        try:
            problem = problem_from_record(inline, f"line {item.line} {problem_field}")
        except InputError as exc:
            return DynamicTask(index, item, skip=f"the inline problem is not valid ({exc})")
    elif problems:
        raw_key = _dig(rec, task_field)
        key = "" if raw_key is _ABSENT else str(raw_key)
        problem = problems.get(key)
        if problem is None:
            return DynamicTask(index, item, skip=f"no problem {key!r} among --problems")
    if problem is None:
        return DynamicTask(index, item, skip="no problem is known (give --problems or --problem-field)")
    return DynamicTask(index, item, completion=text, problem=problem)


def _tasks(items: list[ItemResult], *, kind: str, paths: tuple[str, ...], texts: dict[str, str], problem: Any,
           problems: dict[str, Any], text_field: str, problem_field: str | None,
           task_field: str) -> Iterator[DynamicTask]:
    lines: dict[int, str] = {}
    if kind == "rollouts":
        lines = _rollout_lines(paths[0], {i.line for i in items if i.line is not None
                                          and i.verdict is not ScanVerdict.ERROR})
    for index, item in enumerate(items):
        if item.verdict is ScanVerdict.ERROR:
            yield DynamicTask(index, item, skip="the item could not be scanned")
        elif kind in _NOT_FOR_KIND:
            yield DynamicTask(index, item, skip=_NOT_FOR_KIND[kind])
        elif kind == "rollouts":
            yield _rollout_task(index, item, lines.get(item.line or -1), problems=problems, text_field=text_field,
                                problem_field=problem_field, task_field=task_field)
        elif problem is None:
            yield DynamicTask(index, item, skip="no problem is known (give --problem)")
        elif kind == "completion":
            text = texts.get(item.id)
            yield (DynamicTask(index, item, completion=text, problem=problem) if text is not None
                   else DynamicTask(index, item, skip="the completion could not be read again"))
        else:  # a Python file: the solution itself
            try:
                source = read_source(Path(item.id))
            except Exception as exc:  # noqa: BLE001 - the static pass read it; a file gone since is a note
                yield DynamicTask(index, item, skip=f"the file could not be read again ({exc})")
                continue
            yield DynamicTask(index, item, completion={problem.solution_path: source}, problem=problem)


def dynamic_pass(items: list[ItemResult], *, kind: str, paths: tuple[str, ...], texts: dict[str, str], problem: Any,
                 problems: dict[str, Any], text_field: str, problem_field: str | None, task_field: str,
                 options: ScanOptions, selected: list[Any], jobs: int | None, run_timeout: float,
                 item_timeout: float | None, isolation: str | None,
                 require_isolation: str | None, console: Any = None) -> tuple[list[ItemResult], str]:
    """The items with their dynamic reports merged (same order), and a one-line summary for stderr. ``console``
    (rich) draws the progress bar, on a terminal only (default: a stderr console)."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    err_console = console if console is not None else Console(stderr=True)

    chosen = {r.code for r in selected}
    tasks = list(_tasks(items, kind=kind, paths=paths, texts=texts, problem=problem, problems=problems,
                        text_field=text_field, problem_field=problem_field, task_field=task_field))
    runnable = sum(1 for t in tasks if t.skip is None)
    workers = max(1, min(jobs or min(4, os.cpu_count() or 1), max(1, runnable)))
    out: list[ItemResult] = list(items)
    statuses: Counter[str] = Counter()
    levels: set[str] = set()
    progress = Progress(TextColumn("dynamic check"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                        console=err_console, transient=True, disable=not err_console.is_terminal)
    with DynamicChecker(level=isolation, require_isolation=require_isolation, timeout=run_timeout,
                        budget=item_timeout, workers=workers) as checker, progress:
        bar = progress.add_task("dynamic", total=len(tasks))
        for index, merged in run_dynamic(tasks, checker, options.counts, select=lambda code: code in chosen):
            out[index] = merged
            report = getattr(merged, "dynamic", None)
            if report is not None:
                statuses[report.status] += 1
                if report.isolation:
                    levels.add(report.isolation)
            progress.advance(bar)
    parts = [f"{statuses.get(s, 0)} {s}" for s in ("flagged", "clean", "error", "unverified", "not-applicable")
             if statuses.get(s)]
    line = "dynamic check: " + (", ".join(parts) or "nothing checked")
    if levels:
        line += f"; isolation {', '.join(sorted(levels))}"
    return out, line
