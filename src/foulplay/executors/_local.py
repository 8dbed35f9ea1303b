"""The local executor: this process, a warm opened state per work, threads over it."""

from __future__ import annotations

import functools
import os
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from foulplay._util.ordered import ordered_map
from foulplay.executors._base import OnResult, StateCache, Work, run_guarded


class LocalExecutor:
    """Runs works in this process: one opened state per setup (e.g. one sandbox pool ``workers`` wide) and
    ``workers`` threads feeding it; results in input order, at most ``4 x workers`` items in flight.

    Works that are not thread-friendly (``Work.threads`` False) run one item at a time here; ``foulplay scan``
    keeps its own process pool for them locally (:mod:`foulplay.detect._run`)."""

    backend = "local"

    def __init__(self, workers: int | None = None) -> None:
        self.workers = max(1, workers or os.cpu_count() or 1)
        self._states = StateCache()
        self._pool = ThreadPoolExecutor(max_workers=self.workers, thread_name_prefix="foulplay-local")

    def __enter__(self) -> LocalExecutor:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)
        self._states.close()

    def describe(self) -> str:
        return f"local, {self.workers} worker{'s' if self.workers != 1 else ''}"

    def worker_facts(self) -> list[dict[str, Any]]:
        return self._states.describe()

    def start(self, work: Work[Any, Any]) -> list[dict[str, Any]]:
        """Open the state for ``work`` now; the facts of this process's worker (e.g. its isolation)."""
        self._states.get(work, self.workers)
        return self.worker_facts()

    def map(self, work: Work[Any, Any], items: Iterable[Any], *, on_result: OnResult | None = None) -> Iterator[Any]:
        state = self._states.get(work, self.workers)
        if not work.threads:
            for index, item in enumerate(items):
                result = run_guarded(work, state, item)
                if on_result is not None:
                    on_result(index, result)
                yield result
            return
        run = functools.partial(run_guarded, work, state)
        for index, result in enumerate(ordered_map(self._pool, run, items, max(2, 4 * self.workers))):
            if on_result is not None:
                on_result(index, result)
            yield result
