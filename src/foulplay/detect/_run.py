"""Running a batch of scan items: one result per item, in order, whatever happens to any one of them.

Each item runs under a time budget. In the calling process (``jobs=1``) the budget is a ``SIGALRM`` timer
that interrupts the item's Python code and its regular expressions; with ``jobs > 1`` items run in worker
processes that apply the same timer, and the parent kills and replaces a worker whose item still has not
finished shortly after its budget (code that a signal cannot interrupt), then hands the rest of that
worker's batch to the new one. An item that runs out of time, crashes or kills its worker becomes an
``error`` result; the others are unaffected, and results come back in input order.
"""

from __future__ import annotations

import collections
import contextlib
import gc
import multiprocessing
import os
import signal
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from typing import Any

from foulplay.errors import FoulplayError

DEFAULT_ITEM_TIMEOUT = 30.0
"""Seconds one item may take (``foulplay scan --item-timeout``)."""


class ItemTimeout(BaseException):
    """An item's time budget ran out. A ``BaseException``, so that ``except Exception`` around a rule does
    not swallow it."""


@dataclass
class Task:
    """One item to scan: ``args`` for the item function; ``key`` and ``line`` name it in an error result."""

    key: str
    args: tuple[Any, ...]
    line: int | None = None
    size: int = 0
    """Rough size in bytes (batches to a worker are kept small)."""


def exceeded(seconds: float) -> str:
    return f"scan exceeded {seconds:g} s (--item-timeout)"


_ARMED = False


def _on_alarm(signum: int, frame: Any) -> None:
    if _ARMED:
        raise ItemTimeout


def can_interrupt() -> bool:
    """Whether :func:`time_budget` can interrupt code here (a Unix main thread)."""
    return hasattr(signal, "SIGALRM") and hasattr(signal, "setitimer") \
        and threading.current_thread() is threading.main_thread()


@contextlib.contextmanager
def time_budget(seconds: float | None) -> Iterator[None]:
    """Raise :class:`ItemTimeout` in the block once ``seconds`` have passed (``SIGALRM``; a no-op for
    ``None``/0, off the main thread and where there is no ``SIGALRM``). The previous handler and timer are
    put back afterwards."""
    global _ARMED
    if not seconds or seconds <= 0 or _ARMED or not can_interrupt():
        yield
        return
    previous = signal.signal(signal.SIGALRM, _on_alarm)
    started = time.monotonic()
    old_delay, old_interval = 0.0, 0.0
    try:
        _ARMED = True  # before the timer starts, so that even the shortest budget fires
        old_delay, old_interval = signal.setitimer(signal.ITIMER_REAL, seconds)
        yield
    finally:
        _ARMED = False  # first: an alarm arriving from here on is ignored
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
        if old_delay:  # somebody else's timer was running: let it go on
            signal.setitimer(signal.ITIMER_REAL, max(old_delay - (time.monotonic() - started), 1e-3), old_interval)


ItemFn = Callable[..., Any]
ErrorFn = Callable[[Task, str], Any]
"""Builds the error result of a task from a message (``_scan.item_error``)."""


def run_one(fn: ItemFn, context: Any, task: Task, timeout: float | None, on_error: ErrorFn) -> Any:
    """``fn(context, *task.args)`` under the time budget; a timeout or a crash becomes an error result.

    The cyclic garbage collector is paused for the item: a big file's syntax tree is millions of tracked
    objects that the collector would otherwise walk again and again (2-3x the scan's time), and the tree
    holds no cycles; what the item leaves is collected once it is done."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        with time_budget(timeout):
            return fn(context, *task.args)
    except ItemTimeout:
        return on_error(task, exceeded(timeout or 0))
    except FoulplayError as exc:
        return on_error(task, str(exc))
    except Exception as exc:  # noqa: BLE001 - one item's failure is that item's error, never the batch's
        return on_error(task, f"internal error: {type(exc).__name__}: {str(exc)[:200]}")
    finally:
        if collecting:
            gc.enable()


def run_items(fn: ItemFn, tasks: Iterable[Task], *, on_error: ErrorFn, context: Any = None, jobs: int = 1,
              timeout: float | None = DEFAULT_ITEM_TIMEOUT, chunk: int = 64) -> Iterator[Any]:
    """``fn(context, *task.args)`` for every task, in order, one result each; ``on_error(task, message)`` for
    a task that ran out of time or failed.

    ``fn`` and ``on_error`` must be module-level functions (or partials of them: workers may be spawned,
    not forked). With ``jobs > 1`` each worker gets ``context`` once and batches of up to ``chunk`` tasks."""
    if jobs <= 1:
        for task in tasks:
            yield run_one(fn, context, task, timeout, on_error)
        return
    yield from _Pool(fn, context, jobs, timeout, on_error, chunk).run(iter(tasks))


# ---------------------------------------------------------------------------------------------
# worker processes


def _worker_main(conn: Connection, fn: ItemFn, context: Any, timeout: float | None, on_error: ErrorFn) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent handles Ctrl-C and ends its workers
    while True:
        try:
            batch = conn.recv()
        except (EOFError, OSError):
            return
        if batch is None:
            return
        for seq, task in batch:
            result = run_one(fn, context, task, timeout, on_error)
            try:
                conn.send((seq, result))
            except Exception as exc:  # noqa: BLE001 - a result that cannot be sent back is that item's error
                conn.send((seq, on_error(task, f"internal error: result not transferable: {type(exc).__name__}")))


class _Worker:
    def __init__(self, pool: _Pool) -> None:
        ours, theirs = pool.mp.Pipe()
        self.proc = pool.mp.Process(target=_worker_main, args=(theirs, pool.fn, pool.context, pool.timeout,
                                                               pool.on_error), daemon=True)
        self.proc.start()
        theirs.close()
        self.conn = ours
        self.batch: collections.deque[tuple[int, Task]] = collections.deque()
        self.since = time.monotonic()
        """When the current item (the batch's first) started, as far as the parent can tell."""

    def stop(self, kill: bool = False) -> None:
        if kill:
            self.proc.kill()
        else:
            with contextlib.suppress(OSError, ValueError):
                self.conn.send(None)
        self.proc.join(timeout=None if kill else 5)
        if self.proc.is_alive():
            self.proc.kill()
            self.proc.join()
        self.conn.close()


class _Pool:
    """Workers that each take a batch, answer item by item, and are replaced when an item overruns."""

    def __init__(self, fn: ItemFn, context: Any, jobs: int, timeout: float | None, on_error: ErrorFn,
                 chunk: int) -> None:
        self.fn, self.context, self.jobs, self.on_error = fn, context, jobs, on_error
        self.timeout = timeout if timeout and timeout > 0 else None
        self.chunk = max(1, chunk)
        method = "fork" if "fork" in multiprocessing.get_all_start_methods() and os.name == "posix" else None
        self.mp = multiprocessing.get_context(method)
        # past the budget the worker's own timer has had its chance: the item is in code a signal cannot stop
        self.hard = None if self.timeout is None else self.timeout + max(2.0, 0.25 * self.timeout)

    def run(self, source: Iterator[Task]) -> Iterator[Any]:
        waiting: collections.deque[tuple[int, Task]] = collections.deque()  # handed back by a replaced worker
        results: dict[int, Any] = {}
        window = self.jobs * self.chunk * 4  # items read ahead of the first one not yet yielded
        next_seq = next_out = 0
        exhausted = False
        respawns = 0
        workers = [_Worker(self) for _ in range(self.jobs)]
        try:
            while True:
                for w in workers:  # an idle worker gets the next batch
                    if w.batch:
                        continue
                    batch: list[tuple[int, Task]] = []
                    size = 0
                    while len(batch) < self.chunk and size < (1 << 20):
                        if waiting:
                            batch.append(waiting.popleft())
                        elif not exhausted and next_seq - next_out < window:
                            task = next(source, None)
                            if task is None:
                                exhausted = True
                                break
                            batch.append((next_seq, task))
                            next_seq += 1
                        else:
                            break
                        size += batch[-1][1].size
                    if batch:
                        w.batch.extend(batch)
                        w.since = time.monotonic()
                        try:
                            w.conn.send(batch)
                        except OSError:  # the worker died while idle: its replacement takes the batch
                            respawns += 1
                            if respawns > 3 * self.jobs:
                                raise RuntimeError("scan worker processes keep dying") from None
                            w.batch.clear()
                            waiting.extendleft(reversed(batch))
                            self._replace(workers, w, waiting, results, "")
                            break
                while next_out in results:
                    yield results.pop(next_out)
                    next_out += 1
                busy = [w for w in workers if w.batch]
                if not busy:
                    if exhausted and not waiting:
                        return
                    continue
                now = time.monotonic()
                limit = None if self.hard is None else max(0.0, min(w.since + self.hard for w in busy) - now)
                ready = wait([w.conn for w in busy], timeout=limit)
                for w in busy:
                    if w.conn in ready:
                        try:
                            seq, result = w.conn.recv()
                        except (EOFError, OSError):
                            self._replace(workers, w, waiting, results, self._died(w))
                            continue
                        results[seq] = result
                        if w.batch and w.batch[0][0] == seq:
                            w.batch.popleft()
                        w.since = time.monotonic()
                    elif self.hard is not None and time.monotonic() - w.since > self.hard:
                        self._replace(workers, w, waiting, results, exceeded(self.timeout or 0))
        finally:
            for w in workers:
                w.stop(kill=bool(w.batch))

    def _died(self, w: _Worker) -> str:
        w.proc.join(timeout=5)
        code = w.proc.exitcode
        how = f"signal {-code}" if code is not None and code < 0 else f"exit status {code}"
        return f"internal error: the scan process died ({how})"

    def _replace(self, workers: list[_Worker], w: _Worker, waiting: collections.deque[tuple[int, Task]],
                 results: dict[int, Any], message: str) -> None:
        """The worker's current item becomes an error; the rest of its batch goes to its replacement."""
        w.stop(kill=True)
        if w.batch:
            seq, task = w.batch.popleft()
            results[seq] = self.on_error(task, message)
        waiting.extendleft(reversed(w.batch))
        workers[workers.index(w)] = _Worker(self)


__all__ = ["DEFAULT_ITEM_TIMEOUT", "ItemTimeout", "Task", "can_interrupt", "run_items", "run_one", "time_budget"]
