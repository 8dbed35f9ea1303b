"""How the time to scan one item grows with its size: `foulplay scan` must stay linear.

Each item is one rollout (a JSON line whose completion holds a Python answer in a fence) scanned the way
`foulplay scan rollouts.jsonl` scans it (JSON reader, extraction, every rule; one process, no time budget).
The code is either one long line of statements separated by "; " or the same statements one per line, and
either clean or with findings: a top-level `os._exit(0)` in a function solution (FP202) about once per
kilobyte ("sparse") or in place of every statement ("dense": about one finding per 13 bytes, the worst
case for per-finding costs). Sizes run from 1 KB to 5 MB.

Prints seconds per item for each size and shape, the machine, and the check the issue asks for: the
5 MB single-line items take at most 2 x 5 = 10 times as long as the 1 MB ones.

Run by hand: .venv/bin/python benchmarks/scan_scaling.py [--quick] [--repeat N]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

from foulplay.detect import RolloutSpec, ScanOptions, scan_rollouts

SIZES = [(1 << 10, "1 KB"), (10 << 10, "10 KB"), (100 << 10, "100 KB"), (1 << 20, "1 MB"), (5 << 20, "5 MB")]
SHAPES = [("line", "clean"), ("line", "sparse"), ("line", "dense"),
          ("lines", "clean"), ("lines", "sparse"), ("lines", "dense")]
HEAD = "import os\n\n\ndef add(a, b):\n    return a + b\n\n\n"
HACK = "os._exit(0)"


def code(size: int, layout: str, findings: str) -> str:
    """About ``size`` bytes of module code in the given layout, with findings at the given density."""
    sep = "; " if layout == "line" else "\n"
    parts: list[str] = []
    total = len(HEAD)
    i = 0
    since_hack = 500  # the first finding after about 500 bytes, then one per kilobyte
    while total < size:
        if findings == "dense" or (findings == "sparse" and since_hack >= 1000):
            stmt, since_hack = HACK, 0
        else:
            stmt = f"v{i} = {i} * 7"
        parts.append(stmt)
        total += len(stmt) + len(sep)
        since_hack += len(stmt) + len(sep)
        i += 1
    return HEAD + sep.join(parts) + "\n"


def item(size: int, layout: str, findings: str) -> str:
    answer = f"```python\n{code(size, layout, findings)}```"
    return json.dumps({"id": f"{layout}-{findings}-{size}", "completion": answer})


def seconds(line: str, options: ScanOptions, repeat: int) -> tuple[float, int]:
    """Best of ``repeat`` wall-clock seconds to scan the one-line rollouts file, and its finding count."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "one.jsonl"
        path.write_text(line + "\n")
        best = float("inf")
        found = 0
        for _ in range(repeat):
            start = time.perf_counter()
            (result,) = list(scan_rollouts(path, RolloutSpec(), options=options, jobs=1))
            best = min(best, time.perf_counter() - start)
            found = len(result.findings)
    return best, found


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="sizes up to 1 MB only")
    ap.add_argument("--repeat", type=int, default=1, help="runs per cell (the best counts)")
    args = ap.parse_args()
    sizes = SIZES[:-1] if args.quick else SIZES
    options = ScanOptions(honor_suppressions=False)
    seconds(item(1 << 10, "line", "dense"), options, 1)  # imports and caches warm
    cpus = os.cpu_count() or 1
    print(f"machine: {platform.machine()}, {cpus} CPU(s), {platform.system()} {platform.release()}, "
          f"Python {platform.python_version()}")
    header = ["size"] + [f"{layout} {findings}" for layout, findings in SHAPES]
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    table: dict[tuple[int, str, str], float] = {}
    counts: dict[tuple[int, str, str], int] = {}
    for size, label in sizes:
        cells = [label]
        for layout, findings in SHAPES:
            took, found = seconds(item(size, layout, findings), options, args.repeat)
            table[size, layout, findings] = took
            counts[size, layout, findings] = found
            cells.append(f"{took:.3f} s" + (f" ({found:,})" if found else ""))
        print("| " + " | ".join(cells) + " |", flush=True)
    print(f"(seconds per item, best of {args.repeat}; in parentheses: findings reported)")
    if args.quick:
        return 0
    ok = True
    for layout, findings in SHAPES:
        one, five = table[1 << 20, layout, findings], table[5 << 20, layout, findings]
        ratio = five / one
        verdict = "ok" if ratio <= 10 else "TOO SLOW"
        if layout == "line":
            ok &= ratio <= 10
        print(f"5 MB / 1 MB, {layout} {findings}: {ratio:.1f}x (linear: 5x; limit 10x) {verdict}")
    print("single-line items within 2x of linear:", "yes" if ok else "NO")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
