"""Batches of scan items: a slow, crashing or process-killing item is that item's error; the rest go on, in order.

The slow items here never finish (an endless loop, or a sleep with the timer signal blocked), so the tests
depend on no machine's speed: only that a trivial item finishes well within a second.
"""

from __future__ import annotations

import os
import signal
import time

import pytest

from foulplay.detect._run import ItemTimeout, Task, can_interrupt, run_items, time_budget
from foulplay.detect._scan import ItemResult, item_error
from foulplay.vocab import ScanVerdict

pytestmark = pytest.mark.skipif(not hasattr(signal, "SIGALRM"), reason="needs SIGALRM (Unix)")


def _item(context: object, what: str) -> ItemResult:
    if what == "loop":
        while True:
            pass
    if what == "stuck":  # code a signal cannot interrupt: the alarm stays blocked, so only a kill ends it
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGALRM})
        while True:
            time.sleep(0.05)
    if what == "crash":
        raise ValueError("boom")
    if what == "die":
        os._exit(3)
    return ItemResult(what, ScanVerdict.CLEAN, notes=[f"pid {os.getpid()}", f"context {context}"])


def _run(whats: list[str], **kw: object) -> list[ItemResult]:
    tasks = [Task(f"item {i}", (w,), line=i) for i, w in enumerate(whats, 1)]
    return list(run_items(_item, tasks, on_error=item_error, context="ctx", **kw))  # type: ignore[arg-type]


def test_in_process_a_slow_item_is_an_error_and_the_rest_go_on():
    assert can_interrupt()
    results = _run(["a", "loop", "b", "crash", "c"], jobs=1, timeout=0.3)
    assert [r.verdict for r in results] == [ScanVerdict.CLEAN, ScanVerdict.ERROR, ScanVerdict.CLEAN,
                                            ScanVerdict.ERROR, ScanVerdict.CLEAN]
    assert [r.id for r in results] == ["a", "item 2", "b", "item 4", "c"]
    assert results[1].error == "scan exceeded 0.3 s (--item-timeout)" and results[1].line == 2
    assert results[3].error == "internal error: ValueError: boom"
    assert results[0].notes == [f"pid {os.getpid()}", "context ctx"]


@pytest.mark.parametrize("slow", ["loop", "stuck", "die"])
def test_workers_replace_one_that_overruns_or_dies_and_keep_the_order(slow):
    """A worker's own timer stops a loop; one stuck where no signal reaches is killed by the parent; one that
    dies takes only its current item with it. Its batch's other items go to the replacement."""
    whats = ["a", "b", slow, "c", "d", "e", "f", "crash", "g"]
    results = _run(whats, jobs=2, timeout=0.5, chunk=3)
    ids = [r.id for r in results]
    assert ids == ["a", "b", "item 3", "c", "d", "e", "f", "item 8", "g"]
    assert [r.verdict for r in results].count(ScanVerdict.ERROR) == 2
    error = results[2].error or ""
    if slow == "die":
        assert error == "internal error: the scan process died (exit status 3)"
    else:
        assert error == "scan exceeded 0.5 s (--item-timeout)"
    assert all(r.notes[1] == "context ctx" for r in results if r.verdict is ScanVerdict.CLEAN)
    assert all(r.notes[0] != f"pid {os.getpid()}" for r in results if r.notes)  # scanned in the workers


def test_no_budget_and_many_items_in_workers():
    whats = [f"x{i}" for i in range(300)]
    assert [r.id for r in _run(whats, jobs=3, timeout=None, chunk=7)] == whats
    assert [r.id for r in _run(whats[:5], jobs=1, timeout=0)] == whats[:5]


def test_the_budget_puts_back_the_previous_handler_and_timer():
    fired = []
    previous = signal.signal(signal.SIGALRM, lambda *a: fired.append(1))
    try:
        signal.setitimer(signal.ITIMER_REAL, 30)
        with time_budget(5):
            pass
        assert 25 < signal.getitimer(signal.ITIMER_REAL)[0] <= 30  # the outer timer runs on
        with pytest.raises(ItemTimeout), time_budget(0.05):
            while True:
                pass
        signal.setitimer(signal.ITIMER_REAL, 0)
        assert signal.getsignal(signal.SIGALRM) is not None and not fired
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def test_a_rule_that_catches_every_exception_cannot_swallow_the_budget():
    def greedy() -> str:
        try:
            while True:
                pass
        except Exception:  # what a careless rule does
            return "swallowed"

    with pytest.raises(ItemTimeout), time_budget(0.05):
        greedy()
