"""Static scanning as a unit of work (``foulplay scan --backend ray``): each item is a
:class:`~foulplay.detect._run.Task`, done by the scan's own per-item function (``file_item``,
``completion_item``, ``rollout_item``, ``diff_item``, ``changes_item``, ``transcript_item``) through
:func:`~foulplay.detect._run.run_one`, under the same time budget and with the same error items as the local
scan, so that the results are the local scan's, item for item.

What a worker scans with (options, the problem or problems, the rollout fields) travels in the work; the
rules and the :class:`~foulplay.detect._scan.ScanContext` are rebuilt once per worker (``open``). A big
problems table is put in Ray's object store once (:meth:`ScanWork.shipped`) instead of travelling with every
batch."""

from __future__ import annotations

import functools
import os
import uuid
from collections.abc import Callable, Hashable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from foulplay._util.parquet import is_parquet
from foulplay.detect._run import DEFAULT_ITEM_TIMEOUT, Task, run_one
from foulplay.detect._scan import ItemResult, RolloutSpec, ScanContext, ScanOptions, item_error, rollout_error
from foulplay.detect._scan import rollout_tasks as detect_rollout_tasks
from foulplay.errors import InputError
from foulplay.executors._base import Work


@dataclass(frozen=True)
class ScanWork(Work[Task, ItemResult]):
    """Scan tasks with ``fn(context, *task.args)``, a module-level function of :mod:`foulplay.detect` (pickled
    by name); ``on_error(task, message)`` builds an item's error result (default ``item_error``; rollouts:
    ``rollout_error`` for the id field). ``timeout`` is the per-item budget (``--item-timeout``; None: none).

    A worker runs one item at a time on its main thread (``threads`` False: scanning is pure Python, and the
    budget is a ``SIGALRM`` timer). An item that kills its worker ``max_attempts`` times becomes
    ``on_error(task, "internal error: killed its worker ...")``."""

    fn: Callable[..., Any]
    options: ScanOptions
    timeout: float | None = DEFAULT_ITEM_TIMEOUT
    on_error: Callable[[Task, str], Any] = item_error
    problem: Any = None
    """The problem of every item (``foulplay scan answer.md --problem p.json``)."""
    spec: RolloutSpec | None = None
    problems: Any = None
    """Problems by task id: a dict, or a Ray object reference to one (:meth:`shipped`)."""
    cwd: str | None = field(default_factory=os.getcwd)
    """The caller's working directory: relative paths (files read by the worker) mean the same there."""
    token: str = field(default_factory=lambda: uuid.uuid4().hex)
    """Tells one scan's workers from another's (their opened contexts are not shared)."""

    threads = False

    @classmethod
    def for_rollouts(cls, spec: RolloutSpec, options: ScanOptions, **kwargs: Any) -> ScanWork:
        """The work of a rollouts file: ``rollout_item``, errors named by the line's id when it has one."""
        from foulplay.detect._scan import rollout_item

        return cls(rollout_item, options, on_error=functools.partial(rollout_error, spec.id_field), spec=spec,
                   **kwargs)

    def shipped(self) -> ScanWork:
        """This work with its problems table in Ray's object store (call once Ray is connected)."""
        if not isinstance(self.problems, dict) or not self.problems:
            return self
        import ray

        return replace(self, problems=ray.put(self.problems))

    def setup_key(self) -> Hashable:
        return ("scan", self.token)

    def open(self, slots: int) -> ScanContext:
        if self.cwd and self.cwd != os.getcwd() and os.path.isdir(self.cwd):
            os.chdir(self.cwd)  # a worker process of this scan's own
        problems = self.problems
        if problems is not None and not isinstance(problems, dict):
            import ray

            problems = ray.get(problems)
        return ScanContext(self.options, self.options.rules(), problem=self.problem, spec=self.spec,
                           problems=problems or {})

    def run(self, state: ScanContext, item: Task) -> ItemResult:
        return run_one(self.fn, state, item, self.timeout, self.on_error)

    def failed(self, item: Task, message: str) -> ItemResult:
        return self.on_error(item, message if message.startswith("internal error") else f"internal error: {message}")


def rollout_tasks(path: str, lines: Iterable[tuple[int, str]] | None = None) -> Iterator[Task]:
    """The tasks of a rollouts JSONL file, as :func:`foulplay.detect.scan_rollouts` makes them: one per
    non-blank line, named ``line N``; binary data ends the scan. ``lines`` (default: read through Ray Data,
    :func:`~foulplay.executors._stream.iter_jsonl_lines`) are ``(number, text)`` pairs of every line. A path
    that is missing or a directory is refused here, before any worker starts."""
    p = Path(path)
    if not p.exists():
        raise InputError(f"{p}: no such file")
    if p.is_dir():
        raise InputError(f"{p}: is a directory, expected a JSONL file")
    if lines is None and is_parquet(p):  # a table: row n as line n, as locally
        from foulplay._util.parquet import row_json
        from foulplay.executors._stream import iter_parquet_rows

        lines = ((n, row_json(row)) for n, row in enumerate(iter_parquet_rows(str(p)), 1))
    elif lines is None:
        from foulplay.executors._stream import iter_jsonl_lines

        lines = iter_jsonl_lines(str(p))
    return detect_rollout_tasks(p, lines)


__all__ = ["ScanWork", "rollout_tasks"]
