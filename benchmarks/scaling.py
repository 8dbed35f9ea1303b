"""Scaling past one machine: the same grading and scan workloads on the local executor and on Ray.

Workloads (the same items for every backend, in the same order):

grade  the 164 HumanEval reference solutions, a wrong answer per problem (the body returns None) and three
       catalog hacks per problem (always-equal object, os._exit(0), conftest report patch), shuffled with a
       fixed seed and repeated to ``--items`` (default 656), graded by ``GradeWork()`` (the hardened
       harness in the sandbox, what ``foulplay grade`` runs)
scan   the same completions, repeated to ``--scan-items`` (default 10 x ``--items``: a scan costs about a
       millisecond), scanned statically against their problems (``ScanWork``, what ``foulplay scan`` runs
       per item)

Backends: the local executor with one worker per CPU (for the scan also ``foulplay scan``'s own process
pool, ``jobs`` = CPUs, which is the local baseline of the scan), then Ray with 1, 2, 4, ... up to
``--max-workers`` actors (one CPU each). Without ``--address`` a local Ray cluster is started with
``num_cpus = --max-workers``; with ``--address`` the script joins that cluster (the multi-node run) and
``--max-workers`` defaults to the cluster's CPUs.

Printed: the machine; the Ray cluster start (or join) time; per backend and worker count the median of
``--repeat`` runs of items/s (with the range), the ratio to the local baseline, the CPU time per item of
every process of the run (the driver, the local Ray cluster's services and workers, the sandboxes: all
descend from this process, so other work on a shared machine does not count) and Ray's overhead per item
(its CPU ms per item minus the local baseline's at the same worker count), the pool warm-up time (actors
or sandboxes started and a few first items done; not in the throughput) and the memory of a Ray worker.
Last, whether every run's outputs equal the local baseline's in order (grading: outcome and isolation per
item; scan: verdict and rule codes per item). With ``--address`` the workers run elsewhere: no CPU figures
for Ray, only items/s.

Run by hand: .venv/bin/python benchmarks/scaling.py [--items 656] [--scan-items N] [--max-workers N]
             [--repeat 3] [--batch-size N] [--address HOST:6379] [--only grade|scan]
Figures only; no timed assertions. Configurations are interleaved within each repeat so that a busy
neighbour slows them alike; compare ratios from one run.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import statistics
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from foulplay.executors import GradeWork, LocalExecutor, Work, make_executor
from foulplay.grading import load_humaneval
from foulplay.hacks import context_for, get

HACKS = ["always-equal-object", "os-exit-zero", "conftest-report-patch"]
BATCH = {"grade": 4, "scan": 8}
"""Items per call to a Ray actor, as ``foulplay grade`` and ``foulplay scan`` send them."""


# -- the workload ------------------------------------------------------------------------------------
def workload(n: int) -> list[tuple[Any, str, str]]:
    """``n`` items ``(problem, completion, id)``: references, wrong answers and catalog hacks, shuffled with
    a fixed seed and repeated as needed."""
    pool: list[tuple[Any, str, str]] = []
    for p in load_humaneval():
        pool.append((p, f"```python\n{p.prompt}{p.reference}\n```", "reference"))
        pool.append((p, f"```python\n{p.prompt}    return None\n```", "wrong"))
        for tid in HACKS:
            payload = get(tid).payload(context_for(p))
            if payload is not None:
                pool.append((p, payload.to_completion(p.solution_path), tid))
    random.Random(0).shuffle(pool)
    out = []
    for i in range(n):
        p, text, kind = pool[i % len(pool)]
        out.append((p, text, f"{kind}:{p.task_id}:{i}"))
    return out


try:  # the executors' own scan work, where this checkout has it
    from foulplay.executors import ScanWork as _ScanWork  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover - older checkouts
    _ScanWork = None


@dataclass(frozen=True)
class ScanCompletions(Work[tuple[Any, str, str], Any]):
    """Stand-in for ``foulplay.executors.ScanWork`` where a checkout lacks it: ``scan_completion`` per item
    against its problem, each problem's view built once per worker (as ``foulplay scan`` does); pure Python
    CPU, so one item at a time per worker."""

    threads = False

    def open(self, slots: int) -> dict[str, Any]:
        return {}

    def run(self, state: dict[str, Any], item: tuple[Any, str, str]) -> Any:
        from foulplay.detect import problem_view, scan_completion

        problem, text, item_id = item
        if problem.task_id not in state:
            try:
                state[problem.task_id] = problem_view(problem)
            except Exception:  # noqa: BLE001 - tests that do not parse: scanned without the problem
                state[problem.task_id] = None
        view = state[problem.task_id]
        return scan_completion(text, problem=problem if view else None, view=view, item_id=item_id)

    def failed(self, item: tuple[Any, str, str], message: str) -> Any:
        from foulplay.detect import ItemResult
        from foulplay.vocab import ScanVerdict

        return ItemResult(item[2], ScanVerdict.ERROR, error=message)


def rollout_lines(items: list[tuple[Any, str, str]]) -> list[str]:
    """The items as the lines of a rollouts JSONL file (``id``, ``task_id``, ``completion``)."""
    return [json.dumps({"id": item_id, "task_id": p.task_id, "completion": text}) + "\n" for p, text, item_id in items]


@dataclass
class ScanSetup:
    """The scan workload for the executors: the work (local and, for Ray, with its problems shipped once)
    and its items."""

    local: Work[Any, Any]
    remote: Any
    items: list[Any]
    name: str


def scan_setup(items: list[tuple[Any, str, str]]) -> ScanSetup:
    """``foulplay.executors.ScanWork`` over the rollout lines, as ``foulplay scan rollouts.jsonl --backend ray``
    runs it (same per-item function, time budget and error rows as the local scan); a stand-in that calls
    ``scan_completion`` per item where this checkout has no ScanWork."""
    if _ScanWork is None or not hasattr(_ScanWork, "for_rollouts"):
        work = ScanCompletions()
        return ScanSetup(work, lambda: work, items,
                         "scan_completion per item (a stand-in: this checkout has no ScanWork)")
    from foulplay.detect import RolloutSpec, ScanOptions
    from foulplay.detect._run import Task

    problems = {p.task_id: p for p, _, _ in items}
    work = _ScanWork.for_rollouts(RolloutSpec(), ScanOptions(honor_suppressions=False), problems=problems)
    tasks = [Task(f"line {n}", (n, raw), line=n, size=len(raw)) for n, raw in enumerate(rollout_lines(items), 1)]
    return ScanSetup(work, work.shipped, tasks, "foulplay.executors.ScanWork over the rollout lines")


def grade_key(result: Any) -> tuple[Any, ...]:
    return (result.outcome.value, result.isolation.value if result.isolation else None)


def scan_key(result: Any) -> tuple[Any, ...]:
    return (str(getattr(result.verdict, "value", result.verdict)), tuple(sorted(f.rule for f in result.findings)))


# -- one timed run -----------------------------------------------------------------------------------
class CpuMeter:
    """CPU seconds used by this process and every process it started: with a local Ray cluster that is Ray's
    services, its workers and their sandboxes too (they descend from this process). Contention from other
    work on the machine stretches wall-clock time, much less CPU time: this is the cost a run adds."""

    def __init__(self) -> None:
        import psutil

        self._psutil = psutil
        self.me = psutil.Process()
        self.ray_roots: set[int] = set()

    def mark_ray(self) -> None:
        """The processes started so far are Ray's (call right after ``ray.init``): left out of local runs."""
        self.ray_roots = {c.pid for c in self.me.children()}

    def _cpu(self, proc: Any) -> float:
        try:
            t = proc.cpu_times()
            return t.user + t.system + t.children_user + t.children_system
        except self._psutil.Error:
            return 0.0

    def seconds(self, with_ray: bool) -> float:
        total = 0.0
        todo = [self.me]
        while todo:
            proc = todo.pop()
            total += self._cpu(proc)
            try:
                children = proc.children()
            except self._psutil.Error:
                continue
            todo += [c for c in children if with_ray or c.pid not in self.ray_roots]
        return total


METER: CpuMeter | None = None


def timed_map(executor: Any, work: Work[Any, Any], items: list[Any], warm: int,
              with_ray: bool = False) -> tuple[float, float, float | None, list[Any]]:
    """(warm-up seconds, items/s, CPU seconds, results): the pool is opened and the first ``warm`` items done
    untimed for the throughput, then every item is mapped and timed."""
    start = time.perf_counter()
    if hasattr(executor, "start"):
        executor.start(work)  # open the pool (Ray: start the actors; local: the warm state)
    else:
        list(executor.map(work, []))
    list(executor.map(work, items[:warm]))
    warmup = time.perf_counter() - start
    cpu0 = METER.seconds(with_ray) if METER else 0.0
    start = time.perf_counter()
    results = list(executor.map(work, items))
    wall = time.perf_counter() - start
    cpu = METER.seconds(with_ray) - cpu0 if METER else None
    return warmup, len(items) / wall, cpu, results


def scan_pool(items: list[Any], jobs: int) -> tuple[float, float | None, list[Any]]:
    """``foulplay scan rollouts.jsonl --problems ... --jobs N``: its own process pool (items/s, CPU seconds,
    results)."""
    from foulplay.detect import RolloutSpec, scan_rollouts
    from foulplay.detect._run import DEFAULT_ITEM_TIMEOUT

    problems = {p.task_id: p for p, _, _ in items}
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "rollouts.jsonl"
        path.write_text("".join(rollout_lines(items)), encoding="utf-8")
        cpu0 = METER.seconds(False) if METER else 0.0
        start = time.perf_counter()
        results = list(scan_rollouts(path, RolloutSpec(), problems=problems, jobs=jobs,
                                     item_timeout=DEFAULT_ITEM_TIMEOUT))
        wall = time.perf_counter() - start
        cpu = METER.seconds(False) - cpu0 if METER else None
        return len(items) / wall, cpu, results


def worker_memory(executor: Any) -> str:
    """Resident memory of each Ray worker on this host: the actor process, and its sandbox processes."""
    try:
        import psutil
    except ImportError:  # pragma: no cover
        return "psutil missing"
    host = platform.node()
    actors: list[float] = []
    trees: list[float] = []
    for facts in executor.worker_facts():
        if facts.get("host") != host or "pid" not in facts:
            continue
        try:
            proc = psutil.Process(facts["pid"])
            actors.append(proc.memory_info().rss / 2**20)
            tree = 0.0
            for child in proc.children(recursive=True):
                try:
                    tree += child.memory_info().rss / 2**20
                except psutil.Error:
                    pass
            trees.append(tree)
        except psutil.Error:
            continue
    if not actors:
        return "workers on other hosts: not measured"
    return (f"actor process {statistics.median(actors):.0f} MiB RSS, its sandbox processes "
            f"{statistics.median(trees):.0f} MiB RSS (median per worker; RSS counts shared pages in each)")


# -- the run -----------------------------------------------------------------------------------------
def ladder(maximum: int) -> list[int]:
    out, k = [], 1
    while k < maximum:
        out.append(k)
        k *= 2
    return [*out, maximum]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--items", type=int, default=656, help="graded items")
    ap.add_argument("--scan-items", type=int, default=None,
                    help="scanned items (default 10 x --items: a scan costs about a millisecond)")
    ap.add_argument("--max-workers", type=int, default=None,
                    help="the most Ray actors (default: CPUs here, or the cluster's with --address)")
    ap.add_argument("--address", default=None, help="an existing Ray cluster to join (the multi-node run)")
    ap.add_argument("--batch-size", type=int, default=None,
                    help="items per call to a Ray actor (default: the commands' own, 4 for grade, 8 for scan)")
    ap.add_argument("--repeat", type=int, default=3, help="runs per configuration (medians are printed)")
    ap.add_argument("--only", choices=["grade", "scan"], default=None)
    args = ap.parse_args()

    os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
    import ray

    cpus = os.cpu_count() or 1
    print(f"machine: {platform.machine()}, {cpus} CPUs, Python {platform.python_version()}, "
          f"{platform.platform()}, Ray {ray.__version__}; load average {os.getloadavg()[0]:.1f} at the start")
    start = time.perf_counter()
    common: dict[str, Any] = {"log_to_driver": False, "logging_level": "ERROR"}
    if args.address:
        ray.init(address=args.address, **common)
        max_workers = args.max_workers or int(ray.cluster_resources().get("CPU", 1))
    else:  # a cluster of our own, never one that another process on this machine started
        max_workers = args.max_workers or cpus
        ray.init(num_cpus=max_workers, include_dashboard=False, **common)
    cluster_s = time.perf_counter() - start
    global METER
    METER = CpuMeter()
    METER.mark_ray()
    ray_cpu = not args.address  # a remote cluster's workers are not this process's descendants
    nodes = [n for n in ray.nodes() if n.get("Alive")]
    print(f"Ray cluster {'joined at ' + args.address if args.address else 'started locally'} in {cluster_s:.1f} s: "
          f"{len(nodes)} node(s), {ray.cluster_resources().get('CPU', 0):g} CPUs "
          f"(num_cpus={max_workers if not args.address else 'the cluster'})")

    by_workload = {"grade": workload(args.items), "scan": workload(args.scan_items or 10 * args.items)}
    items = by_workload["grade"]
    kinds = {k: sum(i[2].startswith(k + ":") for i in items) for k in ["reference", "wrong", *HACKS]}
    scan = scan_setup(by_workload["scan"])
    print(f"grade: {len(items)} items: {', '.join(f'{v} {k}' for k, v in kinds.items())}; scan: the same "
          f"completions repeated to {len(by_workload['scan'])} items, {scan.name}; "
          f"Ray batch size {args.batch_size or BATCH}; {args.repeat} repeats, medians")
    workloads = [w for w in ["grade", "scan"] if args.only in (None, w)]
    workers = ladder(max_workers)
    warm = lambda k: min(len(items), 4 * k)  # noqa: E731

    rates: dict[tuple[str, str, int], list[float]] = {}
    cpu_ms: dict[tuple[str, str, int], list[float]] = {}
    warmups: dict[tuple[str, str, int], list[float]] = {}
    outputs: dict[tuple[str, str, int], list[Any]] = {}
    memory: dict[int, str] = {}
    isolation = "?"

    def record(key: tuple[str, str, int], rate: float, warmup: float | None, cpu: float | None,
               results: list[Any]) -> None:
        rates.setdefault(key, []).append(rate)
        if cpu is not None and (key[1] != "ray" or ray_cpu):
            cpu_ms.setdefault(key, []).append(cpu * 1000 / len(results))
        if warmup is not None:
            warmups.setdefault(key, []).append(warmup)
        keyfn = grade_key if key[0] == "grade" else scan_key
        outputs.setdefault(key, [keyfn(r) for r in results])
        if [keyfn(r) for r in results] != outputs[key]:
            outputs[key] = []  # differs between repeats of one configuration: never equal to anything

    local_ks = [k for k in workers if k <= cpus] or [cpus]
    if cpus not in local_ks:
        local_ks.append(cpus)
    base_label = {"grade": "local executor", "scan": "local process pool"}
    for rep in range(args.repeat):
        print(f"repeat {rep + 1}/{args.repeat} ...", flush=True)
        for k in local_ks:
            if "grade" in workloads:
                with LocalExecutor(k) as local:
                    w_s, rate, cpu, results = timed_map(local, GradeWork(), items, warm(k))
                record(("grade", "local executor", k), rate, w_s, cpu, results)
                isolation = results[0].isolation.value if results[0].isolation else "none"
            if "scan" in workloads:
                rate, cpu, results = scan_pool(by_workload["scan"], k)
                record(("scan", "local process pool", k), rate, None, cpu, results)
        if "scan" in workloads:  # the executor's local path runs a CPU-bound work one item at a time
            with LocalExecutor(cpus) as local:
                w_s, rate, cpu, results = timed_map(local, scan.local, scan.items, warm(1))
            record(("scan", "local executor (in-process)", 1), rate, w_s, cpu, results)
        for k in workers:
            with make_executor("ray", k, address=args.address, slots=1) as ex:
                for wl in workloads:
                    ex.batch_size = args.batch_size or BATCH[wl]
                    work, todo = (GradeWork(), items) if wl == "grade" else (scan.remote(), scan.items)
                    w_s, rate, cpu, results = timed_map(ex, work, todo, warm(k), with_ray=True)
                    record((wl, "ray", k), rate, w_s, cpu, results)
                    if wl == "grade" and rep == 0:
                        memory[k] = worker_memory(ex)

    print()
    print(f"grading isolation: {isolation}; " if "grade" in workloads else "", end="")
    print(f"vs local: items/s over the local baseline with {cpus} workers. CPU ms/item: CPU time of every process "
          f"of the run (the driver, {'Ray, ' if ray_cpu else ''}workers, sandboxes) per item. Ray overhead: Ray's "
          f"CPU ms/item minus the local baseline's at the same worker count. CPUs busy: items/s x CPU s/item, "
          f"the CPUs the run had on average (below the worker count: the machine was shared or the driver limits)"
          + ("" if ray_cpu else "; not measured on a remote cluster (its workers are not this process's)"))
    print(f"{'workload':8s} {'backend':28s} {'workers':>7s} {'items/s':>8s} {'(min-max)':>11s} {'vs local':>8s} "
          f"{'CPU ms/item':>11s} {'CPUs busy':>9s} {'Ray overhead':>12s} {'warm-up s':>9s}")

    def cpu_of(key: tuple[str, str, int]) -> float | None:
        return statistics.median(cpu_ms[key]) if key in cpu_ms else None

    for wl in workloads:
        base = statistics.median(rates[(wl, base_label[wl], cpus)])
        for key in [k for k in rates if k[0] == wl]:
            _, label, k = key
            rate = statistics.median(rates[key])
            ms = cpu_of(key)
            over = ""
            if label == "ray" and ms is not None:
                local_ms = cpu_of((wl, base_label[wl], min(k, cpus))) or cpu_of((wl, base_label[wl], cpus))
                over = f"{ms - local_ms:+.2f} ms" if local_ms is not None else ""
            w = f"{statistics.median(warmups[key]):.2f}" if key in warmups else ""
            spread = f"({min(rates[key]):.0f}-{max(rates[key]):.0f})"
            cpu = f"{ms:.2f}" if ms is not None else "n/a"
            busy = f"{rate * ms / 1000:.2f}" if ms is not None else ""
            print(f"{wl:8s} {label:28s} {k:7d} {rate:8.1f} {spread:>11s} {rate / base:7.2f}x {cpu:>11s} {busy:>9s} "
                  f"{over:>12s} {w:>9s}")
    print(f"load average {os.getloadavg()[0]:.1f} at the end (above the CPU count: other work shared the machine)")
    for k, text in memory.items():
        print(f"memory, {k} Ray worker(s): {text}")
    for wl in workloads:
        want = outputs[(wl, base_label[wl], cpus)]
        for key in [k for k in outputs if k[0] == wl and k != (wl, base_label[wl], cpus)]:
            same = bool(want) and outputs[key] == want
            what = "outcome and isolation" if wl == "grade" else "verdict and rule codes"
            print(f"{wl}: {key[1]} x {key[2]}: {what} of all {len(by_workload[wl])} items, in order, "
                  f"{'equal to' if same else 'DIFFER from'} the {base_label[wl]}'s with {cpus} workers")
    ray.shutdown()


if __name__ == "__main__":
    main()
