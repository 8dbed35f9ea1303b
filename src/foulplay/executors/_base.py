"""The executor interface: map a picklable unit of work over items, in input order, one result per item.

A :class:`Work` says how a worker gets ready (``open``: e.g. start a warm sandbox pool), how it does one
item (``run``) and what the row of an item that could not be done looks like (``failed``). An
:class:`Executor` runs a work over items somewhere (threads of this process, Ray actors on a cluster) and
yields one result per item, in input order: the work's result, or ``work.failed(item, why)`` when the item
raised or kept killing its worker. Commands and reward paths pick an executor; the work never knows which.
"""

from __future__ import annotations

import abc
import threading
from collections.abc import Callable, Hashable, Iterable, Iterator
from typing import Any, Generic, Protocol, TypeVar

from foulplay.errors import FoulplayError

I = TypeVar("I")  # noqa: E741 - the item type
R = TypeVar("R")

OnResult = Callable[[int, Any], None]
"""Called with (index, result) as each result is yielded, in order (progress bars, writers)."""


class ExecutorUnavailable(FoulplayError):
    """The executor could not start or keep any worker (Ray missing, no cluster at the address, a worker
    that cannot open its sandbox): the job could not run, exit status 2."""


class Work(abc.ABC, Generic[I, R]):
    """One kind of job. Subclasses are small frozen dataclasses (picklable: Ray ships them to workers)."""

    threads: bool = True
    """Whether one worker may run several items at once on threads over one opened state (the work waits
    on sandboxes, not on the GIL). Works that are pure Python CPU (scanning) say False."""

    def setup_key(self) -> Hashable:
        """What ``open`` depends on: works with equal keys share a worker's opened state (a warm pool)."""
        return (type(self).__qualname__,)

    def open(self, slots: int) -> Any:
        """Get a worker ready for ``slots`` items at a time (e.g. a sandbox pool of that width)."""
        return None

    @abc.abstractmethod
    def run(self, state: Any, item: I) -> R:
        """Do one item with the worker's opened state."""

    @abc.abstractmethod
    def failed(self, item: I, message: str) -> R:
        """The result of an item that could not be done (it raised, or it killed its worker repeatedly)."""

    def close(self, state: Any) -> None:
        """Release what ``open`` made."""

    def describe(self, state: Any) -> dict[str, Any]:
        """Facts about an opened worker worth reporting (e.g. its isolation level)."""
        return {}


def run_guarded(work: Work[I, R], state: Any, item: I) -> R:
    """``work.run`` where an exception becomes that item's failed row, never the batch's failure."""
    try:
        return work.run(state, item)
    except Exception as exc:  # noqa: BLE001 - one item's failure is that item's row
        return work.failed(item, f"{type(exc).__name__}: {str(exc)[:300]}")


class Executor(Protocol):
    """Runs works over items; see :mod:`foulplay.executors`."""

    backend: str
    workers: int

    def map(self, work: Work[I, R], items: Iterable[I], *, on_result: OnResult | None = None) -> Iterator[R]:
        """One result per item, in input order; at most a bounded window of items in flight."""
        ...

    def describe(self) -> str:
        """One line: backend, workers, where."""
        ...

    def start(self, work: Work[Any, Any]) -> list[dict[str, Any]]:
        """Open the workers for ``work`` now (not on the first item); each worker's facts."""
        ...

    def close(self) -> None:
        ...

    def __enter__(self) -> Executor: ...

    def __exit__(self, *exc: object) -> None: ...


class StateCache:
    """Opened states of one process, by setup key, kept warm across ``map`` calls until closed."""

    def __init__(self) -> None:
        self._states: dict[Hashable, tuple[Work[Any, Any], Any]] = {}
        self._lock = threading.Lock()

    def get(self, work: Work[Any, Any], slots: int) -> Any:
        key = work.setup_key()
        with self._lock:
            if key not in self._states:
                self._states[key] = (work, work.open(slots))
            return self._states[key][1]

    def close(self) -> None:
        with self._lock:
            states, self._states = list(self._states.values()), {}
        for work, state in states:
            work.close(state)

    def describe(self) -> list[dict[str, Any]]:
        with self._lock:
            return [work.describe(state) for work, state in self._states.values()]
