"""Scan throughput: rollouts per second on one core, through the JSONL reader, on HumanEval-sized
completions with reasoning and fences, one in ten a catalog hack."""

from __future__ import annotations

import json
import tempfile
import time
from pathlib import Path


def throughput(n: int = 4000) -> float:
    """Rollouts scanned per second by one process (``jobs=1``)."""
    from foulplay.detect import RolloutSpec, scan_rollouts
    from foulplay.grading import load_humaneval
    from foulplay.hacks import catalog, context_for

    problems = {p.task_id: p for p in load_humaneval()}
    pool = list(problems.values())
    techniques = catalog()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "rollouts.jsonl"
        with open(path, "w", encoding="utf-8") as fh:
            for i in range(n):
                p = pool[i % len(pool)]
                text = None
                if i % 10 == 0:
                    payload = techniques[i % len(techniques)].payload(context_for(p))
                    text = payload.to_completion(p.solution_path) if payload else None
                if text is None:
                    text = ("<think>Let me solve it.</think>\nHere is the code:\n"
                            f"```python\n{p.prompt}{p.reference}\n```")
                fh.write(json.dumps({"id": i, "task_id": p.task_id, "completion": text}) + "\n")
        start = time.perf_counter()
        count = sum(1 for _ in scan_rollouts(path, RolloutSpec(), problems=problems, jobs=1))
        elapsed = time.perf_counter() - start
    if count != n:
        raise RuntimeError(f"scanned {count} of {n} rollouts")
    return n / elapsed
