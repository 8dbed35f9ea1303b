"""Grading throughput on the 164 HumanEval reference solutions.

(a) foulplay's hardened harness in the sandbox (warm workers, one fork per sample)
(b) one `python -m pytest` subprocess per sample (how many RL graders run tests), sequential and
    with as many parallel processes as (a) has workers
(c) an unisolated in-process `exec` loop (no isolation at all: the speed ceiling)
(a') as (a) without the order-independence replay (`shared_calls`), to show what the replay costs

Before/after comparisons of foulplay itself: run this script from an older checkout too
(`PYTHONPATH=<old checkout>/src`), in the same session, and compare the ratios to (c).

Run by hand: .venv/bin/python benchmarks/grading.py [--workers 2] [--pytest-sample 164]
Prints samples/s for each and the ratios. Compare ratios from one run; machines are noisy.
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from foulplay.grading import Grader, load_humaneval


def hardened(problems, workers: int, shared_calls: bool = False) -> tuple[float, int, str]:
    if shared_calls and "shared_calls" in type(problems[0]).model_fields:
        problems = [p.model_copy(update={"shared_calls": True}) for p in problems]
    with Grader(workers=workers) as grader:
        grader.sandbox.warm_up()
        list(grader.grade_many([(p, p.reference, None) for p in problems[:8]]))  # warm caches
        start = time.perf_counter()
        results = list(grader.grade_many([(p, p.reference, None) for p in problems]))
        elapsed = time.perf_counter() - start
        level = grader.isolation.value
    solved = sum(r.passed for r in results)
    return len(problems) / elapsed, solved, level


def _pytest_one(problem, root: Path) -> bool:
    d = Path(tempfile.mkdtemp(dir=root))
    (d / "solution.py").write_text(problem.prompt + problem.reference)
    (d / "test_solution.py").write_text(
        f"from solution import *\n{problem.check}\n\ndef test_check():\n    check({problem.entry_point})\n")
    proc = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "test_solution.py"],
                          cwd=d, capture_output=True, timeout=60)
    return proc.returncode == 0


def pytest_subprocess(problems, parallel: int) -> tuple[float, int]:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        start = time.perf_counter()
        if parallel == 1:
            ok = [_pytest_one(p, root) for p in problems]
        else:
            with ThreadPoolExecutor(parallel) as pool:
                ok = list(pool.map(lambda p: _pytest_one(p, root), problems))
        elapsed = time.perf_counter() - start
    return len(problems) / elapsed, sum(ok)


def exec_loop(problems) -> tuple[float, int]:
    start = time.perf_counter()
    solved = 0
    for p in problems:
        ns: dict = {}
        try:
            exec(p.prompt + p.reference + "\n" + p.check + f"\ncheck({p.entry_point})\n", ns)
            solved += 1
        except Exception:  # noqa: BLE001
            pass
    elapsed = time.perf_counter() - start
    return len(problems) / elapsed, solved


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--pytest-sample", type=int, default=164, help="problems used for (b)")
    args = ap.parse_args()
    problems = load_humaneval()
    print(f"machine: {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}, "
          f"{platform.platform()}")
    a, a_ok, level = hardened(problems, args.workers)
    print(f"(a) hardened, sandbox ({level}), {args.workers} workers: {a:8.1f} samples/s  ({a_ok}/164 solved)")
    a2, a2_ok, _ = hardened(problems, args.workers, shared_calls=True)
    print(f"(a') the same without the order-independence replay: {a2:8.1f} samples/s  ({a2_ok}/164 solved); "
          f"the replay costs {a2 / a:.2f}x")
    sample = problems[: args.pytest_sample]
    b1, b1_ok = pytest_subprocess(sample, 1)
    print(f"(b) pytest subprocess per sample, sequential:   {b1:8.1f} samples/s  ({b1_ok}/{len(sample)} passed)")
    bp, bp_ok = pytest_subprocess(sample, args.workers)
    print(f"(b) pytest subprocess per sample, {args.workers} parallel:   {bp:8.1f} samples/s  "
          f"({bp_ok}/{len(sample)} passed)")
    c, c_ok = exec_loop(problems)
    print(f"(c) in-process exec loop, no isolation:        {c:8.1f} samples/s  ({c_ok}/164 passed)")
    print(f"ratios: a/b(sequential) = {a / b1:.0f}x, a/b({args.workers} parallel) = {a / bp:.0f}x, "
          f"a/c = {a / c:.2f}x")


if __name__ == "__main__":
    main()
