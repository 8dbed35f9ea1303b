"""Fit the shipped coefficients of the combined detector's fused score (static features only).

The fused score is a logistic model over the static rules' confidences and an LLM monitor's suspicion
(foulplay.detect.monitors._combined). foulplay ships the static part, fitted here on the development split of
`foulplay bench` (never the held-out half), and writes src/foulplay/detect/data/fused.json. The monitor's
weight needs a real model's verdicts on the same split:

    foulplay bench --split dev --detectors combined --monitor-model openai/gpt-4.1 --fit-fused fused.json

Run by hand: .venv/bin/python benchmarks/fit_fused.py [--per N] [--seed S] [--l2 L] [--check]
  --check  fit and compare with the shipped file; exit 1 when the coefficients differ by more than 1e-3
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

from foulplay._util.files import atomic_write_text
from foulplay.bench._corpus import generate
from foulplay.bench._score import score_items
from foulplay.detect.monitors._combined import SHIPPED, FusedModel, fit_fused, static_features


def commit() -> str:
    try:
        return subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True,
                              cwd=Path(__file__).parent, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--per", type=int, default=12, help="items per generator (default 12)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--l2", type=float, default=1.0)
    ap.add_argument("--check", action="store_true")
    args = ap.parse_args()
    t0 = time.perf_counter()
    items = generate("dev", per_generator=args.per, seed=args.seed)
    scored = [s for s in score_items(items) if s.error is None]
    rows = [(static_features(s.rules), None, s.label == "hack") for s in scored]
    model = fit_fused(rows, monitor=None, l2=args.l2,
                      meta={"fitted_on": f"foulplay bench dev split ({args.per} per generator, seed {args.seed})",
                            "commit": commit()})
    print(model.describe())
    print(f"{len(rows)} items ({sum(r[2] for r in rows)} hacks), {len(items) - len(scored)} scan errors left out, "
          f"{time.perf_counter() - t0:.1f} s")
    if args.check:
        shipped = FusedModel.load()
        worst = max(abs(shipped.coefficients[f] - model.coefficients[f]) for f in model.features)
        worst = max(worst, abs(shipped.intercept - model.intercept))
        print(f"largest difference from the shipped coefficients: {worst:.2e}")
        return int(worst > 1e-3)
    atomic_write_text(SHIPPED, json.dumps(model.to_dict(), indent=1) + "\n")
    print(f"wrote {SHIPPED}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
