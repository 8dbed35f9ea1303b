"""ordered_map: input order whatever the finishing order, a bounded window, items read lazily, early stop."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

from foulplay._util.ordered import ordered_map


def test_input_order_with_uneven_durations() -> None:
    with ThreadPoolExecutor(4) as pool:
        out = list(ordered_map(pool, lambda i: (time.sleep(0.02 * (i % 3)), i)[1], range(30), 8))
    assert out == list(range(30))


def test_window_bounds_items_read_ahead() -> None:
    read: list[int] = []
    lock = threading.Lock()

    def items():
        for i in range(1000):
            with lock:
                read.append(i)
            yield i

    with ThreadPoolExecutor(2) as pool:
        gen = ordered_map(pool, lambda i: i * 2, items(), 5)
        assert [next(gen) for _ in range(3)] == [0, 2, 4]
        assert len(read) <= 3 + 5  # what was yielded plus one window
        gen.close()  # stops early: the rest is never read
    assert len(read) < 20


def test_exception_reaches_the_caller_at_its_item() -> None:
    def fn(i: int) -> int:
        if i == 3:
            raise ValueError("three")
        return i

    with ThreadPoolExecutor(2) as pool:
        gen = ordered_map(pool, fn, range(10), 4)
        assert [next(gen) for _ in range(3)] == [0, 1, 2]
        try:
            next(gen)
        except ValueError as exc:
            assert str(exc) == "three"
        else:
            raise AssertionError("the item's exception was swallowed")
