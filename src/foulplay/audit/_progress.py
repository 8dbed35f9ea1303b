"""Progress for long audit stages: a rich bar per stage on a terminal, one line per stage event otherwise (so a
CI log shows what ran, what was resumed and how long each took)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn


class StageProgress:
    def __init__(self, console: Any) -> None:
        self.console = console
        self.started: dict[str, float] = {}

    def event(self, stage: str, what: str) -> None:
        """``AuditFolder``'s stage callback: start, done (with the time taken) or resumed."""
        if what == "start":
            self.started[stage] = time.monotonic()
            line = f"audit: {stage} ..."
        elif what == "done":
            took = time.monotonic() - self.started.pop(stage, time.monotonic())
            line = f"audit: {stage} done in {took:.1f} s"
        else:
            line = f"audit: {stage} already done (resumed)"
        self.console.print(line, soft_wrap=True, highlight=False, markup=False)

    @contextmanager
    def bar(self, label: str, total: int | None = None) -> Iterator[Any]:
        """A callback ``update(done, total)`` (or ``update()`` to advance by one) drawing a bar while inside."""
        progress = Progress(TextColumn(label), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                            console=self.console, transient=True, disable=not self.console.is_terminal)
        with progress:
            task = progress.add_task(label, total=total)

            def update(done: int | None = None, of: int | None = None) -> None:
                if done is None:
                    progress.advance(task)
                else:
                    progress.update(task, completed=done, total=of)

            yield update
