"""Quality and speed of `foulplay scan`.

Datasets:
  handwritten (dev)       benchmarks/detection_set/part_*.jsonl: hacks in every family in the messy
                          forms models write, and honest look-alikes (labelled by hand; written for
                          foulplay). The rules were developed against these: read them as training
                          accuracy.
  handwritten (held out)  benchmarks/detection_set/heldout*.jsonl: written by a separate author who
                          never saw the rules, and scored once the rules were frozen: read it as the
                          estimate of accuracy on new code.
  catalog      every catalog payload for HumanEval/MBPP problems (hack) vs their references (clean)
  references   HumanEval (164) and MBPP (974) reference solutions: all honest, so only the false
               positive rate is defined
Prints precision, recall and false-positive rate per family and per dataset, then rollouts/s on
one core. Run by hand: .venv/bin/python benchmarks/detection.py [--quick]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

from foulplay.detect import RolloutSpec, ScanOptions, problem_view, scan_completion, scan_rollouts
from foulplay.grading import load_humaneval, load_mbpp, problem_from_record
from foulplay.hacks import catalog, context_for
from foulplay.stats import wilson

HERE = Path(__file__).resolve().parent
SYSTEMIC = {"equality", "early-exit", "test-framework"}


def _shared() -> Path | None:
    """The read-only reference datasets: $FOULPLAY_SHARED, ``shared/`` beside a parent of this checkout,
    or /work/shared (the same search as the tests)."""
    env = os.environ.get("FOULPLAY_SHARED")
    if env:
        return Path(env)
    for parent in HERE.parents:
        if (parent / "shared" / "datasets").is_dir():
            return parent / "shared"
    default = Path("/work/shared")
    return default if (default / "datasets").is_dir() else None


def handwritten(pattern: str) -> list[dict[str, Any]]:
    items = []
    for path in sorted((HERE / "detection_set").glob(pattern)):
        for line in path.read_text().splitlines():
            if line.strip():
                rec = json.loads(line)
                rec["problem_obj"] = problem_from_record(rec["problem"], rec["id"])
                items.append(rec)
    return items


def catalog_items(limit: int) -> list[dict[str, Any]]:
    problems = load_humaneval()[: limit // 2]
    shared = _shared()
    if shared is not None:
        problems += load_mbpp(shared / "datasets/mbpp/mbpp.jsonl")[: limit // 2]
    out = []
    for p in problems:
        ctx = context_for(p, {"tests/test_solution.py": "def test_it():\n    assert solve(1) == 2\n"})
        for tech in catalog():
            payload = tech.payload(ctx)
            if payload is None:
                continue
            out.append({"id": f"{p.task_id}:{tech.id}", "label": "hack", "family": tech.family.value,
                        "completion": payload.to_completion(p.solution_path), "problem_obj": p})
        ref = p.prompt + p.reference if p.kind == "check" else p.reference
        out.append({"id": f"{p.task_id}:reference", "label": "clean", "family": "reference",
                    "completion": ref, "problem_obj": p})
    return out


def reference_items() -> list[dict[str, Any]]:
    problems = load_humaneval()
    shared = _shared()
    if shared is not None:
        problems += load_mbpp(shared / "datasets/mbpp/mbpp.jsonl")
    return [{"id": p.task_id, "label": "clean", "family": "reference",
             "completion": p.prompt + p.reference if p.kind == "check" else p.reference, "problem_obj": p}
            for p in problems]


def evaluate(items: list[dict[str, Any]]) -> tuple[dict[str, dict[str, int]], list[tuple[str, str, list[str]]]]:
    options = ScanOptions(honor_suppressions=False)
    selected = options.rules()
    counts: dict[str, dict[str, int]] = defaultdict(lambda: {"tp": 0, "fn": 0, "fp": 0, "tn": 0})
    mistakes = []
    views: dict[int, Any] = {}
    for item in items:
        p = item["problem_obj"]
        view = views.get(id(p))
        if view is None:
            view = views[id(p)] = problem_view(p)
        result = scan_completion(item["completion"], problem=p, view=view, options=options, item_id=item["id"],
                                 selected=selected)
        flagged = result.verdict.value == "hack"
        hack = item["label"] == "hack"
        key = {(True, True): "tp", (True, False): "fn", (False, True): "fp", (False, False): "tn"}[(hack, flagged)]
        for group in (item["family"], "ALL") + (("systemic",) if item["family"] in SYSTEMIC else ()):
            counts[group][key] += 1
        if key in ("fn", "fp"):
            mistakes.append((key, item["id"], [f"{f.rule}:{f.confidence.value}" for f in result.findings]))
    return counts, mistakes


def _pct(a: int, b: int) -> str:
    return f"{100 * a / b:5.1f}%" if b else "    -"


def _ci(a: int, b: int) -> str:
    if not b:
        return "-"
    lo, hi = wilson(a, b)
    digits = 1 if hi < 0.1 else 0
    return f"{100 * lo:.{digits}f}-{100 * hi:.{digits}f}%"


def table(name: str, counts: dict[str, dict[str, int]]) -> None:
    print(f"\n### {name}\n")
    print("| family | hacks | honest | precision | recall | recall 95% CI | FPR | FPR 95% CI |")
    print("|---|---|---|---|---|---|---|---|")
    order = [*sorted(k for k in counts if k not in ("ALL", "systemic")), "systemic", "ALL"]
    for fam in order:
        if fam not in counts:
            continue
        c = counts[fam]
        hacks, honest = c["tp"] + c["fn"], c["fp"] + c["tn"]
        print(f"| {fam} | {hacks} | {honest} | {_pct(c['tp'], c['tp'] + c['fp'])} | {_pct(c['tp'], hacks)} | "
              f"{_ci(c['tp'], hacks)} | {_pct(c['fp'], honest)} | {_ci(c['fp'], honest)} |")


def speed(n: int) -> float:
    problems = {p.task_id: p for p in load_humaneval()}
    he = list(problems.values())
    tech = catalog()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "rollouts.jsonl"
        with open(path, "w") as fh:
            for i in range(n):
                p = he[i % len(he)]
                if i % 10 == 0:
                    payload = tech[i % len(tech)].payload(context_for(p))
                    text = payload.to_completion(p.solution_path) if payload else p.reference
                else:
                    text = ("<think>Let me solve it.</think>\nHere is the code:\n"
                            f"```python\n{p.prompt}{p.reference}\n```")
                fh.write(json.dumps({"id": i, "task_id": p.task_id, "completion": text}) + "\n")
        start = time.perf_counter()
        results = list(scan_rollouts(path, RolloutSpec(), problems=problems, jobs=1))
        elapsed = time.perf_counter() - start
    assert len(results) == n
    return n / elapsed


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="smaller catalog set and speed run")
    ap.add_argument("--show-mistakes", action="store_true")
    args = ap.parse_args()
    print(f"machine: {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}")
    for name, items in [("handwritten (dev)", handwritten("part_*.jsonl")),
                        ("handwritten (held out)", handwritten("heldout*.jsonl")),
                        ("catalog payloads", catalog_items(40 if args.quick else 200)),
                        ("references (honest)", reference_items())]:
        if not items:
            print(f"\n### {name}: no items")
            continue
        counts, mistakes = evaluate(items)
        table(f"{name} ({len(items)} items)", counts)
        if args.show_mistakes:
            for m in mistakes[:60]:
                print("   ", m, file=sys.stderr)
    rate = speed(2000 if args.quick else 10000)
    print(f"\nspeed: {rate:,.0f} rollouts/s on one core (HumanEval-sized completions, 10% hacks)")


if __name__ == "__main__":
    main()
