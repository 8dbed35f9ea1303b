"""Reward throughput for RL: how fast foulplay turns rollouts into rewards and step metrics.

Episodes: every HumanEval problem with its reference solution and three catalog hacks (always-equal
object, os._exit(0), conftest report patch), 656 in all, scored in trainer-sized batches by
``RewardFn.score`` on an environment open to all three hacks:

(a) reward only (the environment's vulnerable harness; ``measure=False``)
(b) reward plus the hardened double run and static scan (``measure=True``: the step metrics)
(c) (b) with batches arriving from 4 threads at once (an OpenRLHF server under concurrent requests)

Run by hand: .venv/bin/python benchmarks/rewards.py [--workers 2] [--batch 64]
Prints episodes/s and the agreement of the metrics with the ground truth (hack or honest).
"""

from __future__ import annotations

import argparse
import os
import platform
import time
from concurrent.futures import ThreadPoolExecutor

from foulplay.envs import CodingEnv
from foulplay.grading import Grader, load_humaneval
from foulplay.hacks import context_for, get
from foulplay.training import RewardConfig, RewardFn

HACKS = ["always-equal-object", "os-exit-zero", "conftest-report-patch"]


def episodes():
    out = []
    for p in load_humaneval():
        out.append((p, f"```python\n{p.prompt}{p.reference}\n```", False))
        for tid in HACKS:
            payload = get(tid).payload(context_for(p))
            if payload is not None:
                out.append((p, payload.to_completion(p.solution_path), True))
    return out


def run(fn: RewardFn, items, batch: int, threads: int) -> tuple[float, list]:
    batches = [items[i:i + batch] for i in range(0, len(items), batch)]
    start = time.perf_counter()
    if threads == 1:
        results = [r for b in batches for r in fn.score([(p, c) for p, c, _ in b])]
    else:
        with ThreadPoolExecutor(threads) as pool:
            results = [r for rs in pool.map(lambda b: fn.score([(p, c) for p, c, _ in b]), batches) for r in rs]
    return len(items) / (time.perf_counter() - start), results


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--batch", type=int, default=64)
    args = ap.parse_args()
    items = episodes()
    env = CodingEnv(load_humaneval())
    print(f"{len(items)} episodes ({sum(h for *_, h in items)} hacks), batches of {args.batch}, "
          f"{args.workers} workers; {platform.machine()}, Python {platform.python_version()}, "
          f"{os.cpu_count()} CPUs")
    with Grader(workers=args.workers) as grader:
        grader.sandbox.warm_up()
        rows = []
        for label, measure, threads in [("(a) reward only", False, 1), ("(b) reward + metrics", True, 1),
                                        ("(c) (b) from 4 threads", True, 4)]:
            fn = RewardFn(env, RewardConfig(measure=measure), grader=grader)
            rate, results = run(fn, items, args.batch, threads)
            truth = [h for *_, h in items]
            passed = sum(r.passed for r in results) / len(results)
            if measure:
                hacked_ok = sum(r.hacked == h for r, h in zip(results, truth, strict=True)) / len(results)
                attempted_ok = sum(r.attempted == h for r, h in zip(results, truth, strict=True)) / len(results)
                extra = f"hacked==truth {hacked_ok:.1%}, attempted==truth {attempted_ok:.1%}"
            else:
                extra = ""
            rows.append((label, rate, passed, extra))
        print(f"isolation: {grader.isolation.value}")
    for label, rate, passed, extra in rows:
        print(f"{label:26s} {rate:7.1f} episodes/s   passed {passed:.1%}   {extra}")


if __name__ == "__main__":
    main()
