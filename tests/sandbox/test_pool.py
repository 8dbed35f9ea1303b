"""The worker pool: workers outlive the caller threads that first used them."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

from foulplay.sandbox import Sandbox


def test_worker_started_from_a_short_lived_thread_survives_it():
    # brokers die with the thread that spawned them (PR_SET_PDEATHSIG); the pool must spawn them from its
    # own long-lived threads, or a worker first used inside a temporary thread pool dies with that pool
    with Sandbox(workers=1) as box:
        results = []
        t = threading.Thread(target=lambda: results.append(box.run_python("print(1)")))
        t.start()
        t.join()
        assert results[0].value["stdout"] == "1\n"
        pid = box._workers[0].proc.pid
        again = box.run_python("print(2)")
        assert again.error is None and again.value["stdout"] == "2\n"
        assert box._workers[0].proc.pid == pid  # the same worker, not a restarted one


def test_many_short_lived_callers_lose_no_jobs():
    with Sandbox(workers=2) as box:
        def caller(_):
            with ThreadPoolExecutor(2) as inner:  # each caller brings its own temporary threads
                return [r.error for r in inner.map(lambda i: box.run_python(f"print({i})"), range(6))]

        with ThreadPoolExecutor(4) as outer:
            errors = [e for batch in outer.map(caller, range(8)) for e in batch if e]
        assert errors == []
