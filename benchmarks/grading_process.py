"""Whole-process grading throughput: hardened grading vs the unisolated in-process exec loop (issue 21).

Times two child interpreters, each from spawn to exit (interpreter start, imports, loading HumanEval and,
for (i), starting the sandbox workers are all included):

(i)  foulplay's default hardened ``Grader`` (default limits and security settings, order-independence
     replay on, ``workers`` = CPU count) grading N HumanEval reference solutions with ``grade_many``;
(ii) an unisolated in-process ``exec`` loop over the same N items (no isolation at all).

N defaults to every HumanEval problem twice (328 items). Each child checks every item was solved and
the parent refuses to report a run where one was not. Each method runs ``--repeat`` times, interleaved
(i, ii, i, ii, ...); medians are reported. The ratio (i)/(ii) of throughputs is the issue's figure.

Before/after comparisons: run this script with ``PYTHONPATH=<old checkout>/src`` (the children inherit
the environment, so they import that foulplay), in the same session, on the same machine.

Run by hand: .venv/bin/python benchmarks/grading_process.py [--items 328] [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time

HARDENED = r"""
import json, os, sys
from foulplay.grading import Grader, load_humaneval
n = int(sys.argv[1])
problems = load_humaneval()
items = [problems[i % len(problems)] for i in range(n)]
with Grader(workers=os.cpu_count() or 1) as grader:
    results = list(grader.grade_many([(p, p.reference, None) for p in items]))
    level = grader.isolation.value
bad = [(r.task_id, r.outcome.value, r.reason) for r in results if not r.passed]
calls = sorted({str(r.calls) for r in results})
print(json.dumps({"solved": sum(r.passed for r in results), "n": len(results), "isolation": level,
                  "bad": bad[:3], "calls": calls[:3]}))
"""

EXEC_LOOP = r"""
import json, sys
from foulplay.grading import load_humaneval
n = int(sys.argv[1])
problems = load_humaneval()
items = [problems[i % len(problems)] for i in range(n)]
solved = 0
for p in items:
    ns = {}
    try:
        exec(p.prompt + p.reference + "\n" + p.check + f"\ncheck({p.entry_point})\n", ns)
        solved += 1
    except Exception:
        pass
print(json.dumps({"solved": solved, "n": n}))
"""


def run_child(code: str, n: int, src: str | None = None) -> tuple[float, dict]:
    env = dict(os.environ)
    if src is not None:
        env["PYTHONPATH"] = src
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", code, str(n)], capture_output=True, text=True, timeout=3600,
                          env=env)
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"child failed (exit {proc.returncode}):\n{proc.stderr[-3000:]}")
    info = json.loads(proc.stdout.strip().splitlines()[-1])
    if info["solved"] != n or info["n"] != n:
        raise SystemExit(f"not every item was solved, the run is not comparable: {info}")
    return elapsed, info


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--items", type=int, default=328, help="HumanEval references graded (cycling the 164)")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--json", action="store_true", help="also print the figures as one JSON line")
    ap.add_argument("--baseline-src", metavar="DIR", help="also time (i) with PYTHONPATH=DIR (an older "
                    "checkout's src), interleaved in the same run, for a before/after comparison")
    args = ap.parse_args()
    import foulplay

    print(f"machine: {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}, "
          f"{platform.platform()}; foulplay from {os.path.dirname(foulplay.__file__)}")
    hard: list[float] = []
    loop: list[float] = []
    base: list[float] = []
    info: dict = {}
    for i in range(args.repeat):
        t, info = run_child(HARDENED, args.items)
        hard.append(t)
        t2, _ = run_child(EXEC_LOOP, args.items)
        loop.append(t2)
        line = f"  run {i + 1}: (i) {hard[-1]:.2f} s, (ii) {loop[-1]:.2f} s"
        if args.baseline_src:
            t3, _ = run_child(HARDENED, args.items, args.baseline_src)
            base.append(t3)
            line += f", (i) baseline {base[-1]:.2f} s"
        print(line, flush=True)
    h, e = statistics.median(hard), statistics.median(loop)
    n = args.items
    print(f"(i)  hardened Grader, {info.get('isolation')}, {os.cpu_count()} workers, replay "
          f"({info.get('calls')}): {h:.2f} s, {n / h:.1f} items/s")
    print(f"(ii) in-process exec loop, no isolation: {e:.2f} s, {n / e:.1f} items/s")
    print(f"ratio (i)/(ii) throughput: {e / h:.3f}  (median of {args.repeat}, {n} items, whole processes)")
    figures = {"items": n, "hardened_s": hard, "exec_s": loop, "ratio": e / h}
    if base:
        b = statistics.median(base)
        print(f"(i)  baseline ({args.baseline_src}): {b:.2f} s, {n / b:.1f} items/s, ratio {e / b:.3f}; "
              f"speed-up {b / h:.2f}x")
        figures.update(baseline_s=base, baseline_ratio=e / b)
    if args.json:
        print(json.dumps(figures))


if __name__ == "__main__":
    main()
