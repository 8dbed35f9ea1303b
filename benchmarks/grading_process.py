"""Whole-process grading throughput: hardened grading vs the unisolated in-process exec loop (issue 21).

Times two child interpreters, each from spawn to exit (interpreter start, imports, loading HumanEval and,
for (i), starting the sandbox workers are all included):

(i)  foulplay's default hardened ``Grader`` (default limits and security settings, order-independence
     replay on, ``workers`` = the CPUs this process may run on) grading N HumanEval reference solutions
     with ``grade_many``;
(ii) an unisolated in-process ``exec`` loop over the same N items (no isolation at all).

N defaults to every HumanEval problem twice (328 items). Each child checks every item was solved and
the parent refuses to report a run where one was not. Each method runs ``--repeat`` times, interleaved
(i, ii, i, ii, ...); medians are reported. The ratio (i)/(ii) of throughputs is the issue's figure.

Before/after comparisons: ``--baseline-src <old checkout>/src`` also times (i) with that foulplay
(``PYTHONPATH``), interleaved in the same run (e.g. ``git worktree add /tmp/fp-before <commit>``).
Other work on the machine skews both timings (the load average is printed with each run): compare
figures from one run.

Run by hand: .venv/bin/python benchmarks/grading_process.py [--items 328] [--repeat 3] [--baseline-src DIR]
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
cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
with Grader(workers=cpus) as grader:
    results = list(grader.grade_many([(p, p.reference, None) for p in items]))
    level = grader.isolation.value
bad = [(r.task_id, r.outcome.value, r.reason) for r in results if not r.passed]
calls = sorted({str(r.calls) for r in results})
print(json.dumps({"solved": sum(r.passed for r in results), "n": len(results), "isolation": level, "workers": cpus,
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


ROLES = r"""
import json, os, resource, sys, time
from foulplay.grading import Grader, load_humaneval
n = int(sys.argv[1])
problems = load_humaneval()
items = [problems[i % len(problems)] for i in range(n)]
TICK = os.sysconf("SC_CLK_TCK")

def stat(pid):
    text = open(f"/proc/{pid}/stat").read()
    fields = text[text.rindex(")") + 2:].split()
    return fields[1], [int(x) / TICK for x in fields[11:15]]  # ppid; utime stime cutime cstime

def is_broker_image(pid):  # the broker and its forks (zygotes); bwrap's own command line names it too
    try:
        argv = open(f"/proc/{pid}/cmdline", "rb").read().split(b"\0")
    except OSError:
        return False
    return b"bwrap" not in os.path.basename(argv[0]) and any(b"fpbox_broker" in a for a in argv)

def roles():
    pids = [int(p) for p in os.listdir("/proc") if p.isdigit()]
    parent = {}
    for pid in pids:
        try:
            parent[pid] = int(stat(pid)[0])
        except (OSError, ValueError):
            pass
    mine, grew = {os.getpid()}, True
    while grew:  # this process's descendants only: the machine may run other sandboxes
        more = {p for p, pp in parent.items() if pp in mine} - mine
        mine |= more
        grew = bool(more)
    brokers = [p for p in mine if is_broker_image(p) and not is_broker_image(parent[p])]
    zygotes = [p for p in mine if parent[p] in brokers and is_broker_image(p)]
    return brokers, zygotes

cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
with Grader(workers=cpus) as grader:
    grader.sandbox.warm_up()
    list(grader.grade_many([(p, p.reference, None) for p in items[:8]]))  # every zygote started
    brokers, zygotes = roles()
    before = {p: stat(p)[1] for p in brokers + zygotes}
    host0 = resource.getrusage(resource.RUSAGE_SELF)
    start = time.perf_counter()
    results = list(grader.grade_many([(p, p.reference, None) for p in items]))
    wall = time.perf_counter() - start
    host1 = resource.getrusage(resource.RUSAGE_SELF)
    after = {p: stat(p)[1] for p in brokers + zygotes}
delta = lambda pids, cols: 1000 * sum(after[p][c] - before[p][c] for p in pids for c in cols) / n
out = {"solved": sum(r.passed for r in results), "n": n,
       "host": 1000 * (host1.ru_utime + host1.ru_stime - host0.ru_utime - host0.ru_stime) / n,
       "broker": delta(brokers, (0, 1)), "zygote": delta(zygotes, (0, 1)),
       "submission processes (user)": delta(zygotes, (2,)), "submission processes (system)": delta(zygotes, (3,)),
       "wall per item": 1000 * wall / n}
print(json.dumps(out))
"""
"""CPU milliseconds per item by role, from /proc: the host process, the brokers, the zygotes, and the
submission processes (the zygotes reap them, so their CPU time is the zygotes' children's). Other work on the
machine does not distort CPU time as it does wall time."""


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
    ap.add_argument("--roles", action="store_true", help="instead: CPU ms per item by role (host, brokers, "
                    "zygotes, submission processes), medians of --repeat runs, and of the baseline's")
    args = ap.parse_args()
    import foulplay

    if args.roles:
        cpu_by_role(args)
        return

    print(f"machine: {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}, "
          f"{platform.platform()}; foulplay from {os.path.dirname(foulplay.__file__)}; load average "
          f"{os.getloadavg()[0]:.2f} (other work on the machine skews both timings)")
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
        print(line + f"  (load {os.getloadavg()[0]:.1f})", flush=True)
    h, e = statistics.median(hard), statistics.median(loop)
    n = args.items
    print(f"(i)  hardened Grader, {info.get('isolation')}, {info.get('workers')} workers, replay "
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


def cpu_by_role(args: argparse.Namespace) -> None:
    runs: dict[str, list[dict]] = {"current": [], "baseline": []}
    for _ in range(args.repeat):
        runs["current"].append(run_child(ROLES, args.items)[1])
        if args.baseline_src:
            runs["baseline"].append(run_child(ROLES, args.items, args.baseline_src)[1])
    for name, rows in runs.items():
        if not rows:
            continue
        keys = [k for k in rows[0] if k not in ("solved", "n")]
        med = {k: statistics.median(r[k] for r in rows) for k in keys}
        cpu = sum(v for k, v in med.items() if k != "wall per item")
        print(f"{name}: " + ", ".join(f"{k} {v:.2f}" for k, v in med.items()) + f"; CPU total {cpu:.2f} ms/item")


if __name__ == "__main__":
    main()
