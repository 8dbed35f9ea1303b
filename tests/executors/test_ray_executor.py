"""The Ray executor on a local 4-CPU cluster: order, identical results, bounded window, and fault tolerance
(a worker SIGKILLed mid-batch loses nothing and duplicates nothing; an item that kills its worker every
time becomes a failed row; a worker that cannot start is one error)."""

from __future__ import annotations

import os
import signal
import sys
import threading
import time
from dataclasses import dataclass
from typing import Any

import pytest

from foulplay.executors import ExecutorUnavailable, GradeWork, LocalExecutor, Work, make_executor
from ray_cluster import comparable

ray = pytest.importorskip("ray")
cloudpickle = pytest.importorskip("ray.cloudpickle")

cloudpickle.register_pickle_by_value(sys.modules[__name__])  # Ray workers cannot import test modules


@dataclass(frozen=True)
class Echo(Work[int, Any]):
    """Returns (item, worker pid) after ``delay``; ``poison`` kills its worker; ``bad`` raises."""

    delay: float = 0.0
    poison: int = -1
    bad: int = -1
    threads = False

    def run(self, state: Any, item: int) -> Any:
        if item == self.poison:
            os.kill(os.getpid(), signal.SIGKILL)
        if item == self.bad:
            raise ValueError(f"item {item} is bad")
        time.sleep(self.delay)
        return ("ok", item, os.getpid())

    def failed(self, item: int, message: str) -> Any:
        return ("error", item, message)


@dataclass(frozen=True)
class CannotOpen(Work[int, int]):
    def open(self, slots: int) -> Any:
        raise RuntimeError("bubblewrap is not installed on this node")

    def run(self, state: Any, item: int) -> int:
        return item

    def failed(self, item: int, message: str) -> int:
        return -1


def test_results_in_input_order_with_per_item_errors(ray_cluster) -> None:
    with make_executor("ray", 3, batch_size=2) as ex:
        out = list(ex.map(Echo(bad=7), range(40)))
    assert [o[1] for o in out] == list(range(40))
    assert out[7][0] == "error" and "item 7 is bad" in out[7][2]
    assert sum(o[0] == "ok" for o in out) == 39
    assert len({o[2] for o in out if o[0] == "ok"}) >= 2  # spread over workers


def test_sigkilled_worker_loses_and_duplicates_nothing(ray_cluster) -> None:
    with make_executor("ray", 3, batch_size=2) as ex:
        seen: list[int] = []
        killed: list[int] = []

        def on_result(index: int, result: Any) -> None:
            seen.append(index)
            if index == 10 and not killed:
                victim = ex.worker_facts()[0]["pid"]
                os.kill(victim, signal.SIGKILL)
                killed.append(victim)

        out = list(ex.map(Echo(delay=0.05), range(60), on_result=on_result))
        assert killed and ex.deaths >= 1
    assert seen == list(range(60))
    assert [o[1] for o in out] == list(range(60))
    assert all(o[0] == "ok" for o in out), [o for o in out if o[0] != "ok"]
    assert any(o[2] == killed[0] for o in out[:11])  # the victim did work before it died


def test_item_that_kills_its_worker_every_time_becomes_an_error_row(ray_cluster) -> None:
    with make_executor("ray", 2, batch_size=3, max_attempts=3) as ex:
        out = list(ex.map(Echo(poison=5), range(20)))
        assert ex.deaths == 3
    assert [o[1] for o in out] == list(range(20))
    assert out[5][0] == "error" and "killed its worker 3 times" in out[5][2]
    assert [o for o in out if o[0] != "ok"] == [out[5]]  # its batch-mates were rerun alone and passed


def test_worker_that_cannot_start_is_one_error(ray_cluster) -> None:
    ex = make_executor("ray", 2)
    with pytest.raises(ExecutorUnavailable, match="bubblewrap is not installed"):
        list(ex.map(CannotOpen(), range(3)))
    ex.close()


def test_window_is_bounded(ray_cluster) -> None:
    consumed = 0
    lock = threading.Lock()

    def items():
        nonlocal consumed
        for i in range(10_000):
            with lock:
                consumed = i + 1
            yield i

    with make_executor("ray", 2, batch_size=4, max_ahead=64) as ex:
        stream = ex.map(Echo(), items())
        first = next(stream)
        assert first[1] == 0
        assert consumed <= 64 + 2 * 2 * 4
        stream.close()


def test_grading_identical_to_local(ray_cluster) -> None:
    from foulplay.grading import load_humaneval

    problems = load_humaneval()[:12]
    wrong = "def f(:\n"
    items = [(p, p.reference if i % 3 else wrong, f"id{i}") for i, p in enumerate(problems)]
    with LocalExecutor(2) as local:
        want = [r.to_json_dict() for r in local.map(GradeWork(double_run=True), items)]
    with make_executor("ray", 2) as ex:
        got = [r.to_json_dict() for r in ex.map(GradeWork(double_run=True), items)]
        facts = ex.worker_facts()
    assert {f["isolation"] for f in facts} == {got[1]["hardened"]["isolation"]}

    assert comparable(got) == comparable(want)
    assert [g["verdict"] for g in got] == [w["verdict"] for w in want]


def test_grading_worker_sigkilled_mid_batch_same_rows_and_its_sandbox_dirs_swept(ray_cluster) -> None:
    """A grading worker (an actor with a warm sandbox pool) SIGKILLed mid-batch: every row is the local
    backend's, once, in order; the temp directory its sandboxes held is removed by its replacement."""
    import glob

    from foulplay.grading import load_humaneval
    from foulplay.sandbox._leftovers import LOCK_NAME

    problems = load_humaneval()[:10]
    items = [(p, p.reference if i % 4 else "def nope(:\n", f"id{i}") for i, p in enumerate(problems * 2)]
    with LocalExecutor(2) as local:
        want = [r.to_json_dict() for r in local.map(GradeWork(), items)]
    with make_executor("ray", 2, batch_size=2) as ex:
        killed: list[int] = []

        def on_result(index: int, result: Any) -> None:
            if index == 3 and not killed:
                victim = ex.worker_facts()[0]["pid"]
                os.kill(victim, signal.SIGKILL)
                killed.append(victim)

        got = [r.to_json_dict() for r in ex.map(GradeWork(), items, on_result=on_result)]
        assert killed and ex.deaths == 1
        assert len(ex.start(GradeWork())) == 2  # the replacement (which sweeps when its sandbox starts) is up
        ours = [d for d in glob.glob("/tmp/foulplay-box-*") if os.path.exists(os.path.join(d, LOCK_NAME))]
        import fcntl

        for d in ours:  # every directory left is held by a live owner (the pool that is still open)
            fd = os.open(os.path.join(d, LOCK_NAME), os.O_RDWR)
            try:
                with pytest.raises(BlockingIOError):
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            finally:
                os.close(fd)
    assert comparable(got) == comparable(want)


def test_maps_from_many_threads_share_the_pool(ray_cluster) -> None:
    from concurrent.futures import ThreadPoolExecutor

    with make_executor("ray", 2, batch_size=1) as ex:
        def one(i: int) -> Any:
            return next(iter(ex.map(Echo(delay=0.01), [i])))

        with ThreadPoolExecutor(8) as pool:
            out = list(pool.map(one, range(40)))
        assert len({f["pid"] for f in ex.worker_facts()}) == 2
    assert [o[1] for o in out] == list(range(40))
    assert all(o[0] == "ok" for o in out)


@dataclass(frozen=True)
class Slow(Work[int, Any]):
    """Item ``hang`` never returns; every other item takes ``delay`` seconds."""

    delay: float = 0.0
    hang: int = -1
    threads = False

    def run(self, state: Any, item: int) -> Any:
        time.sleep(3600 if item == self.hang else self.delay)
        return ("ok", item)

    def failed(self, item: int, message: str) -> Any:
        return ("error", item, message)


def test_hung_item_is_killed_and_becomes_one_row_while_slow_live_batches_are_not(ray_cluster) -> None:
    # every item takes most of its budget (1 s + 5 s per one-item batch); the second batch sent to an actor
    # waits behind the first, so its clock must allow for that or it would be killed as hung
    with make_executor("ray", 2, batch_size=1, task_timeout=1.0) as ex:
        out = list(ex.map(Slow(delay=4.0), range(6)))
        assert ex.deaths == 0
    assert out == [("ok", i) for i in range(6)]
    with make_executor("ray", 2, batch_size=1, task_timeout=0.5, max_attempts=2) as ex:
        out = list(ex.map(Slow(hang=1), range(5)))
        assert ex.deaths == 2
    assert [o[0] for o in out] == ["ok", "error", "ok", "ok", "ok"]
    assert "killed its worker 2 times" in out[1][2]


def test_lost_worker_with_no_room_for_a_replacement_and_no_other_worker_is_one_error(ray_cluster) -> None:
    """The only worker dies and the cluster has no room for its replacement (another job took its CPUs):
    after ``start_timeout`` the command stops with one line instead of waiting for ever."""

    @ray.remote(num_cpus=4)
    class Blocker:
        def ping(self) -> int:
            return 1

    blocker = None
    with make_executor("ray", 1, cpus_per_worker=4, batch_size=1, start_timeout=3) as ex:
        def on_result(index: int, result: Any) -> None:
            nonlocal blocker
            if index == 1:
                blocker = Blocker.remote()  # waits for the worker's 4 CPUs, asked for before its replacement
                time.sleep(0.5)
                os.kill(ex.worker_facts()[0]["pid"], signal.SIGKILL)

        with pytest.raises(ExecutorUnavailable, match=r"no Ray worker left.*not placed within 3 s"):
            list(ex.map(Echo(delay=0.2), range(20), on_result=on_result))
    assert blocker is not None and ray.get(blocker.ping.remote(), timeout=60) == 1
    ray.kill(blocker)
