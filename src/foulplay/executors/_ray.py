"""The Ray executor: a pool of Ray actors, each holding a warm opened state (a sandbox pool), fed batches
of items with a bounded window; results in input order; a worker that dies has its items run again
elsewhere, and an item that keeps killing its worker becomes a failed row.

Fault handling, precisely: when an actor dies (SIGKILL, the OOM killer, a lost node), every item it held
is charged one death and becomes a *suspect*; the actor is replaced. Suspects then run alone: one suspect
on an actor with nothing else in flight, so a second death is the suspect's own doing. An item charged
``max_attempts`` deaths becomes ``work.failed(item, ...)``; every other item is done exactly once in the
output, because results are kept by input index and each index is yielded once.
"""

from __future__ import annotations

import logging
import os
import re
import socket
import threading
import time
from collections import Counter, deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from foulplay.executors._base import ExecutorUnavailable, OnResult, StateCache, Work, run_guarded

log = logging.getLogger(__name__)


MAX_ATTEMPTS = 3
"""Deaths an item may be charged before it becomes a failed row."""


def _import_ray() -> Any:
    try:
        import ray
    except ImportError:
        raise ExecutorUnavailable("--backend ray needs Ray: pip install 'foulplay[ray]'") from None
    return ray


def connect(address: str | None = None, *, num_cpus: int | None = None) -> Any:
    """Join the Ray cluster at ``address`` (``auto``, ``ray://host:10001``, ``host:6379``), or with no address
    join a cluster already running on this machine, else start a local one. Returns the ``ray`` module.
    Ray's usage statistics are switched off before anything starts; a connection failure is one line."""
    global _JOINED
    os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
    ray = _import_ray()
    if ray.is_initialized():
        # inside a Ray process (a trainer's worker) its cluster is used; one this process joined stays the one
        if address and _JOINED is not None and address != _JOINED:
            raise ExecutorUnavailable(f"already joined Ray at {_JOINED or 'a local cluster'}; cannot also join "
                                      f"{address}")
        return ray
    common: dict[str, Any] = {"ignore_reinit_error": True, "log_to_driver": False, "logging_level": "ERROR"}
    if address and address != "auto":
        _reachable(address)
    try:
        if address:
            ray.init(address=address, **common)
        else:
            try:
                ray.init(address="auto", **common)
            except (ConnectionError, RuntimeError, ValueError):
                ray.init(num_cpus=num_cpus, include_dashboard=False, **common)
    except Exception as exc:  # noqa: BLE001 - whatever Ray raises, it is one line for the user
        where = address or "a local cluster"
        raise ExecutorUnavailable(f"cannot start or join Ray at {where}: {type(exc).__name__}: "
                                  f"{' '.join(str(exc).split())[:300]}") from None
    _JOINED = address or ""
    return ray


_JOINED: str | None = None
"""The address this process joined Ray at ("" for a local cluster); None when it did not join one itself."""


def _reachable(address: str, timeout: float = 5.0) -> None:
    """Refuse an address nothing listens on within seconds (Ray itself retries for minutes)."""
    hostport = address.split("://", 1)[-1].split("/", 1)[0]
    host, _, port = hostport.rpartition(":")
    if not host or not port.isdigit():
        raise ExecutorUnavailable(f"--address {address!r}: expected HOST:PORT, ray://HOST:PORT or auto")
    try:
        socket.create_connection((host.strip("[]"), int(port)), timeout=timeout).close()
    except OSError as exc:
        raise ExecutorUnavailable(f"cannot start or join Ray at {address}: nothing answers there "
                                  f"({exc.strerror or type(exc).__name__})") from None


class _ActorBody:
    """What runs inside one Ray actor: an opened state kept warm, batches of items done on it."""

    def __init__(self, work: Work[Any, Any], slots: int) -> None:
        self._states = StateCache()
        self._slots = slots

    def ready(self, work: Work[Any, Any]) -> dict[str, Any]:
        """Open now, so that a worker that cannot open fails at start, visibly: as this call's error (the
        actor lives on), which the driver tells apart from an actor lost with its node."""
        self._states.get(work, self._slots)
        facts = self._states.describe()
        import ray

        return {"pid": os.getpid(), "host": socket.gethostname(), "node": ray.get_runtime_context().get_node_id(),
                **(facts[0] if facts else {})}

    def run(self, work: Work[Any, Any], batch: list[tuple[int, Any]]) -> list[tuple[int, Any]]:
        state = self._states.get(work, self._slots)
        return [(index, run_guarded(work, state, item)) for index, item in batch]

    def close(self) -> bool:
        self._states.close()
        return True


@dataclass
class _Slot:
    actor: Any
    inflight: int = 0
    solo: bool = False
    """Running one suspect alone: nothing else is sent until it returns."""
    dead: bool = False
    """Its actor died and no replacement could start: nothing is sent to it again."""
    facts: dict[str, Any] = field(default_factory=dict)
    starting: Any = None
    """While a replacement actor opens: its ``ready`` call (nothing is sent to the slot until it returns)."""
    since: float = 0.0
    tries: int = 0


class RayExecutor:
    """Runs works on Ray actors. ``workers`` actors (default: the cluster's CPUs / ``cpus_per_worker``),
    each opened with ``slots`` items at a time (a sandbox pool that wide) and asking Ray for
    ``cpus_per_worker`` CPUs (default ``slots``). Items go out in batches of ``batch_size``, at most
    ``2 x slots`` batches per actor, and never more than ``max_ahead`` items past the oldest unfinished one:
    memory stays bounded whatever the input's length."""

    backend = "ray"

    def __init__(self, workers: int | None = None, *, address: str | None = None, slots: int = 1,
                 cpus_per_worker: float | None = None, batch_size: int = 4, max_attempts: int = MAX_ATTEMPTS,
                 max_ahead: int = 4096, num_cpus: int | None = None,
                 task_timeout: float | None = None, start_timeout: float = 180.0) -> None:
        self._ray = connect(address, num_cpus=num_cpus)
        self.address = address
        self.slots = max(1, slots)
        self.cpus_per_worker = float(cpus_per_worker if cpus_per_worker is not None else self.slots)
        if workers is None:
            cpus = float(self._ray.cluster_resources().get("CPU", 1))
            workers = max(1, int(cpus // max(self.cpus_per_worker, 1e-9)))
        self.workers = max(1, workers)
        self.batch_size = max(1, batch_size)
        self.max_attempts = max(1, max_attempts)
        self.max_ahead = max(self.workers * self.slots * self.batch_size * 2, max_ahead)
        self.start_timeout = start_timeout
        self.task_timeout = task_timeout
        """Seconds per item after which a call's actor is killed (a hung worker); None: no limit."""
        self._setup: Any = None
        self._work: Work[Any, Any] | None = None
        self._slots: list[_Slot] = []
        self._replaced = 0
        self._cond = threading.Condition(threading.RLock())
        self._active = 0
        self.deaths = 0
        """Workers lost and replaced so far (for reports and tests)."""

    # -- the pool ------------------------------------------------------------------------------------
    def _remote_class(self, work: Work[Any, Any]) -> Any:
        concurrency = self.slots if work.threads else 1
        return self._ray.remote(num_cpus=self.cpus_per_worker, max_restarts=0, max_task_retries=0,
                                max_concurrency=concurrency)(_ActorBody)

    def _start(self, work: Work[Any, Any], count: int) -> list[_Slot]:
        """``count`` opened actors. One lost while starting (its node died, say) is started again, up to
        three rounds; one whose work cannot open, or none placed within ``start_timeout``, stops with one
        line."""
        ray = self._ray
        cls = self._remote_class(work)
        timeout = self.start_timeout
        deadline = time.monotonic() + timeout
        lost = (ray.exceptions.RayActorError, ray.exceptions.WorkerCrashedError, ray.exceptions.ObjectLostError)
        started: list[_Slot] = []
        last: BaseException | None = None
        for round_ in range(3):
            if round_:
                time.sleep(1.0)  # time for Ray to see a dead node and place elsewhere
            actors = [cls.remote(work, self.slots) for _ in range(count - len(started))]
            refs = [a.ready.remote(work) for a in actors]
            for actor, ref in zip(actors, refs, strict=True):
                try:
                    facts = ray.get(ref, timeout=max(0.1, deadline - time.monotonic()))
                except lost as exc:
                    last = exc
                    self._kill(actor)
                    continue
                except Exception as exc:  # noqa: BLE001 - a worker that cannot open (no bubblewrap on a node, ...)
                    for a in [*actors, *(s.actor for s in started)]:
                        self._kill(a)
                    if isinstance(exc, ray.exceptions.GetTimeoutError):
                        free = ray.available_resources().get("CPU", 0)
                        raise ExecutorUnavailable(
                            f"Ray could not place {count} worker(s) of {self.cpus_per_worker:g} CPU within "
                            f"{timeout:g} s ({free:g} CPUs free in the cluster): lower --workers") from None
                    raise ExecutorUnavailable(f"Ray workers could not start: {_cause(exc)}") from None
                started.append(_Slot(actor=actor, facts=facts))
            if len(started) == count:
                return started
        for s in started:
            self._kill(s.actor)
        raise ExecutorUnavailable(f"Ray workers died while starting: {_cause(last) if last else 'unknown'}")

    def _kill(self, actor: Any) -> None:
        try:
            self._ray.kill(actor, no_restart=True)
        except Exception:  # noqa: BLE001 - already gone
            pass

    def _pool(self, work: Work[Any, Any]) -> list[_Slot]:
        key = work.setup_key()
        if self._slots and key == self._setup:
            return self._slots
        self._stop_pool()
        self._slots = self._start(work, self.workers)
        self._setup, self._work = key, work
        return self._slots

    def _replace(self, slot: _Slot) -> None:
        """Put a fresh actor in the slot of a dead one, without waiting for it: the other workers go on
        while it is placed and opens (:meth:`_poll_starting`)."""
        self.deaths += 1
        self._replaced += 1
        self._kill(slot.actor)
        if self._replaced > 4 * self.workers + 8:
            raise ExecutorUnavailable(f"Ray workers keep dying ({self._replaced} replaced); giving up")
        slot.inflight, slot.solo, slot.tries, slot.facts = 0, False, 0, {}
        self._launch(slot)

    def _launch(self, slot: _Slot) -> None:
        assert self._work is not None
        slot.actor = self._remote_class(self._work).remote(self._work, self.slots)
        slot.starting = slot.actor.ready.remote(self._work)
        slot.since = time.monotonic()
        slot.tries += 1

    def _poll_starting(self) -> None:
        """Replacements that have opened join the pool. One lost while starting (its node died) is started
        again, up to three times, then retires its slot; one not yet placed waits (for an autoscaler's new
        node, say) as long as other workers go on, and at most ``start_timeout`` when none does; one whose
        work cannot open stops the job."""
        ray = self._ray
        lost = (ray.exceptions.RayActorError, ray.exceptions.WorkerCrashedError, ray.exceptions.ObjectLostError)
        for slot in self._slots:
            if slot.starting is None or slot.dead:
                continue
            done, _ = ray.wait([slot.starting], timeout=0)
            if done:
                try:
                    facts = ray.get(slot.starting)
                except lost as exc:
                    self._kill(slot.actor)
                    if slot.tries < 3:
                        self._launch(slot)
                    else:
                        self._retire(slot, f"died while starting: {_cause(exc)}")
                    continue
                except Exception as exc:  # noqa: BLE001 - the work cannot open on that node
                    self._kill(slot.actor)
                    slot.starting, slot.dead = None, True
                    raise ExecutorUnavailable(f"Ray workers could not start: {_cause(exc)}") from None
                slot.facts, slot.starting = facts, None
            elif time.monotonic() - slot.since > self.start_timeout and not any(
                    not s.dead and s.starting is None for s in self._slots):
                # nothing else works either: the cluster has no room (a pending actor stays a demand an
                # autoscaler sees, so while other workers go on, a replacement may wait for a new node)
                self._kill(slot.actor)
                self._retire(slot, f"not placed within {self.start_timeout:g} s")

    def _retire(self, slot: _Slot, why: str) -> None:
        slot.dead, slot.starting = True, None
        left = sum(not s.dead for s in self._slots)
        if not left:
            raise ExecutorUnavailable(f"no Ray worker left: the last could not be replaced ({why})")
        log.warning("a Ray worker could not be replaced (%s); going on with %d", why, left)

    def _stop_pool(self) -> None:
        slots, self._slots = self._slots, []
        if slots:
            try:  # closed where they run (sandboxes and their directories); the rest are killed
                self._ray.get([s.actor.close.remote() for s in slots if not s.dead and s.starting is None],
                              timeout=60)
            except Exception:  # noqa: BLE001 - a dead actor has nothing to close
                pass
            for s in slots:
                try:
                    self._ray.kill(s.actor, no_restart=True)
                except Exception:  # noqa: BLE001
                    pass
        self._setup = self._work = None

    def worker_facts(self) -> list[dict[str, Any]]:
        """The facts of every worker ready now (not those retired or still starting)."""
        return [dict(s.facts) for s in self._slots if not s.dead and s.starting is None]

    def describe(self) -> str:
        where = self.address or "local cluster"
        return (f"ray ({where}), {self.workers} worker{'s' if self.workers != 1 else ''} x {self.slots} "
                f"slot{'s' if self.slots != 1 else ''}")

    def close(self) -> None:
        with self._cond:
            self._stop_pool()

    def __enter__(self) -> RayExecutor:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- mapping -------------------------------------------------------------------------------------
    def start(self, work: Work[Any, Any]) -> list[dict[str, Any]]:
        """Start (or keep) the pool for ``work`` now, replacements still opening included; the facts of each
        worker (pid, host, isolation)."""
        with self._cond:
            self._pool(work)
            deadline = time.monotonic() + self.start_timeout
            while any(s.starting is not None for s in self._slots) and time.monotonic() < deadline:
                self._poll_starting()
                self._cond.wait(timeout=0.05)
            return self.worker_facts()

    def map(self, work: Work[Any, Any], items: Iterable[Any], *, on_result: OnResult | None = None) -> Iterator[Any]:
        """Several maps may run at once from different threads (``foulplay probe`` grades one item per call
        from many threads); they share the pool and its per-actor limits."""
        ray = self._ray
        with self._cond:
            if self._active and self._slots and work.setup_key() != self._setup:
                raise ExecutorUnavailable("one Ray executor runs one kind of worker at a time")
            slots = self._pool(work)
            self._active += 1
        try:
            yield from self._map(ray, slots, work, items, on_result)
        finally:
            with self._cond:
                self._active -= 1

    def _map(self, ray: Any, slots: list[_Slot], work: Work[Any, Any], items: Iterable[Any],
             on_result: OnResult | None) -> Iterator[Any]:
        concurrency = self.slots if work.threads else 1  # calls an actor runs at once (its threads)
        per_slot = 2 * concurrency
        iterator = iter(enumerate(items))
        exhausted = False
        pending: dict[Any, _Call] = {}
        done: dict[int, Any] = {}
        charged: Counter[int] = Counter()
        suspects: deque[tuple[int, Any]] = deque()
        next_out = next_in = 0
        checked = time.monotonic()
        lost = (ray.exceptions.RayActorError, ray.exceptions.WorkerCrashedError, ray.exceptions.ObjectLostError)

        def send(slot: _Slot, batch: list[tuple[int, Any]], solo: bool) -> None:
            now = time.monotonic()
            ahead = sum(c.actor is slot.actor for c in pending.values())
            pending[slot.actor.run.remote(work, batch)] = _Call(slot, slot.actor, batch, solo, now,
                                                                now if ahead < concurrency else None)
            slot.inflight += 1
            slot.solo = solo

        def fill() -> None:
            nonlocal exhausted, next_in
            for slot in sorted(slots, key=lambda s: s.inflight):
                if slot.dead or slot.starting is not None:
                    continue
                if suspects:  # suspects run alone, on an actor with nothing else in flight
                    if slot.inflight == 0:
                        send(slot, [suspects.popleft()], True)
                    continue
                while not slot.solo and slot.inflight < per_slot and not exhausted:
                    batch: list[tuple[int, Any]] = []
                    while len(batch) < self.batch_size and next_in < next_out + self.max_ahead:
                        try:
                            batch.append(next(iterator))
                        except StopIteration:
                            exhausted = True
                            break
                        next_in = batch[-1][0] + 1
                    if not batch:
                        break
                    send(slot, batch, False)

        try:
            while True:
                with self._cond:
                    self._poll_starting()
                    fill()
                    if not pending:
                        if exhausted and not suspects and next_out >= next_in:
                            return
                        # every actor is busy with other maps: wait for one to free up
                        self._cond.wait(timeout=1.0)
                        continue
                ready, _ = ray.wait(list(pending), num_returns=1, timeout=1.0)
                if time.monotonic() - checked >= 1.0:  # also while other actors keep returning
                    checked = time.monotonic()
                    self._kill_overdue(pending, concurrency)
                if not ready:
                    continue
                for ref in ready:
                    call = pending.pop(ref)
                    try:
                        out = ray.get(ref)
                    except lost:
                        with self._cond:
                            if call.slot.actor is call.actor:  # the first news of this death: replace it
                                self._replace(call.slot)
                            self._cond.notify_all()
                        for index, item in call.batch:
                            charged[index] += 1
                            if charged[index] >= self.max_attempts:
                                done[index] = work.failed(item, f"killed its worker {charged[index]} times (run "
                                                                "alone after the first); not done")
                            else:
                                suspects.append((index, item))
                        continue
                    except ray.exceptions.RayTaskError as exc:  # the batch failed outside the per-item guard
                        out = [(index, work.failed(item, f"worker error: {_cause(exc)}")) for index, item in call.batch]
                    self._finished(call)
                    for index, result in out:
                        done[index] = result
                while next_out in done:
                    result = done.pop(next_out)
                    if on_result is not None:
                        on_result(next_out, result)
                    next_out += 1
                    yield result
        finally:
            with self._cond:
                for call in pending.values():  # an abandoned map: its calls finish on their own
                    self._finished(call)

    def _finished(self, call: _Call) -> None:
        with self._cond:
            if call.slot.actor is call.actor:
                call.slot.inflight -= 1
                if call.solo:
                    call.slot.solo = False
            self._cond.notify_all()

    def _kill_overdue(self, pending: dict[Any, _Call], concurrency: int) -> None:
        """A call past its budget (``task_timeout`` per item) has its actor killed; the loss is handled as a
        death. The clock of a call starts when it can start: an actor runs ``concurrency`` calls at a time in
        the order they were sent, so a call queued behind a slow but live one is not taken for a hung one
        (checked about every second, which the budget's 5 s of slack covers)."""
        if not self.task_timeout:
            return
        now = time.monotonic()
        running: Counter[int] = Counter()
        for call in sorted(pending.values(), key=lambda c: c.sent):
            running[id(call.actor)] += 1
            if call.started is None and running[id(call.actor)] <= concurrency:
                call.started = now
            if call.started is not None and now - call.started > self.task_timeout * len(call.batch) + 5:
                try:
                    self._ray.kill(call.actor, no_restart=True)
                except Exception:  # noqa: BLE001 - already gone
                    pass


@dataclass
class _Call:
    slot: _Slot
    actor: Any
    """The actor it was sent to: the slot may hold a replacement by the time it returns."""
    batch: list[tuple[int, Any]]
    solo: bool
    sent: float
    started: float | None = None
    """When it could start on its actor (nothing ahead of it there); None while queued behind other calls."""


_ANSI = re.compile(r"\x1b\[[0-9;]*m")
_RAISED = re.compile(r"^([A-Za-z_][\w.]*(?:Error|Exception|Unavailable|Exit)\b:?.*)$")


def _cause(exc: BaseException) -> str:
    """The line that says why: the original exception's ``Type: message`` from Ray's traceback text."""
    text = _ANSI.sub("", str(getattr(exc, "error_msg", "") or exc))
    raised = [m.group(1).strip() for line in text.splitlines() if (m := _RAISED.match(line.strip()))]
    if raised:
        return raised[-1][:300]
    return f"{type(exc).__name__}: {' '.join(text.split())[:300]}"
