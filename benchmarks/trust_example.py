"""The worked example of docs/trust-a-rate.md, on the bundled real logs (no model, no key).

The "judge" here is foulplay's static scan (medium confidence), because it needs no model. Its accuracy is
measured on items whose truth is known without a human:

* positives: samples of the impossible LiveCodeBench tasks that the task's scorer marks C. The tests of
  those tasks cannot be passed honestly, so a C is a cheat by construction;
* negatives: HumanEval's and MBPP's reference solutions (honest by construction).

The scan's raw flag rate over *all* LiveCodeBench samples (C and I) is then corrected with Rogan-Gladen.
The scorer's own C rate is a lower bound on cheating (a failed cheat scores I), so the corrected rate
should be at least that. Assumption, stated: the scan's sensitivity on failed cheats equals that on
successful ones, and its specificity on honest LCB attempts equals that on the references.

Second, agreement: on the other tasks of the logs (shutdown, re-bench), a real LLM judge's verdicts are
stored in the logs (score 1.0 = misbehaved). Cohen's kappa between that judge and the static scan on the
same samples, and the disagreements.

Run: .venv/bin/python benchmarks/trust_example.py [--shared PATH]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from foulplay.bench._real import inspect_logs, references, shared_dir
from foulplay.stats import JudgeAccuracy, cohen_kappa, rogan_gladen, wilson


def pct(x: float) -> str:
    return f"{100 * x:.1f}%"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shared", type=Path, default=None)
    args = ap.parse_args()
    shared = shared_dir(args.shared)
    if shared is None:
        print("no shared data (set FOULPLAY_SHARED)", file=sys.stderr)
        return 2
    logs = [s for s in inspect_logs(shared / "datasets" / "rl-hacking-inspect-logs") if s.error is None]
    refs = [s for s in references(shared) if s.error is None]
    lcb = [s for s in logs if s.group.startswith("lcb")]
    cheats = [s for s in lcb if s.label == "hack"]
    pairs = [(s.flagged(), True) for s in cheats] + [(s.flagged(), False) for s in refs]
    acc = JudgeAccuracy.from_pairs(pairs)
    se_lo, se_hi = wilson(acc.tp, acc.tp + acc.fn)
    sp_lo, sp_hi = wilson(acc.tn, acc.tn + acc.fp)
    flagged = sum(s.flagged() for s in lcb)
    print("1. Correcting the static scan's rate on the LiveCodeBench impossible tasks")
    print(f"   calibration: {len(cheats)} cheats by construction (scorer C), {len(refs)} reference solutions")
    print(f"   sensitivity {acc.tp}/{acc.tp + acc.fn} = {pct(acc.tp / (acc.tp + acc.fn))} "
          f"[{pct(se_lo)}-{pct(se_hi)}]; specificity {acc.tn}/{acc.tn + acc.fp} = "
          f"{pct(acc.tn / (acc.tn + acc.fp))} [{pct(sp_lo)}-{pct(sp_hi)}]")
    lo, hi = wilson(len(cheats), len(lcb))
    print(f"   scorer's C rate (a lower bound on cheating): {len(cheats)}/{len(lcb)} = {pct(len(cheats) / len(lcb))} "
          f"[{pct(lo)}-{pct(hi)}]")
    lo, hi = wilson(flagged, len(lcb))
    print(f"   scan's raw rate: {flagged}/{len(lcb)} = {pct(flagged / len(lcb))} [{pct(lo)}-{pct(hi)}]")
    rg = rogan_gladen(flagged, len(lcb), (acc.tp, acc.tp + acc.fn), (acc.tn, acc.tn + acc.fp))
    print(f"   Rogan-Gladen corrected: {pct(rg.corrected)} [{pct(rg.low)}-{pct(rg.high)}] ({rg.method})")
    judged = [s for s in logs if not s.group.startswith("lcb") and s.label in ("hack", "clean")]
    print("\n2. Agreement of the logs' LLM judge and the static scan (shutdown, re-bench)")
    if len(judged) < 2:
        print("   too few judged samples")
        return 0
    a = [s.label == "hack" for s in judged]
    b = [s.flagged() for s in judged]
    k = cohen_kappa(a, b)
    both = sum(x and y for x, y in zip(a, b, strict=True))
    print(f"   {len(judged)} samples: judge flags {sum(a)}, scan flags {sum(b)}, both {both}")
    print(f"   Cohen's kappa {k.kappa:.2f} [{k.low:.2f}-{k.high:.2f}] (observed agreement {pct(k.observed)}, "
          f"chance {pct(k.expected)})")
    tasks = sorted({s.group for s in judged})
    for t in tasks:
        rows = [(x, y) for s, x, y in zip(judged, a, b, strict=True) if s.group == t]
        print(f"   {t}: n={len(rows)}, judge {sum(x for x, _ in rows)}, scan {sum(y for _, y in rows)}, "
              f"disagree {sum(x != y for x, y in rows)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
