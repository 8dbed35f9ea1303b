"""Summary of a ``code_sabotage`` log: per prompt, the sabotage rate (95% Wilson interval), the covert share,
prompts missing; and the effectiveness of the written prompts: mean accuracy of the sabotaged and of the other
prompts, the baseline's, and their ratio with a bootstrap interval (resampling the written prompts, and the
baseline model's prompts when the baseline is a log; the reference prompt is one fixed measurement)."""

from __future__ import annotations

import random
from typing import Any

from foulplay.stats import wilson


def _mean(xs: list[float]) -> float | None:
    return sum(xs) / len(xs) if xs else None


def ratio_interval(accs: list[float], base: list[float], *, resamples: int = 2000,
                   seed: int = 0) -> dict[str, Any] | None:
    """mean(accs) / mean(base) with a 95% percentile bootstrap interval."""
    if not accs or not base or not _mean(base):
        return None
    rng = random.Random(seed)
    boot = []
    for _ in range(resamples):
        a = [accs[rng.randrange(len(accs))] for _ in accs]
        b = [base[rng.randrange(len(base))] for _ in base] if len(base) > 1 else base
        mb = sum(b) / len(b)
        if mb:
            boot.append((sum(a) / len(a)) / mb)
    boot.sort()
    lo = boot[int(0.025 * (len(boot) - 1))] if boot else None
    hi = boot[int(0.975 * (len(boot) - 1))] if boot else None
    return {"ratio": (sum(accs) / len(accs)) / (sum(base) / len(base)), "low": lo, "high": hi, "n": len(accs),
            "baseline_n": len(base)}


def summarize_sabotage_log(log: Any) -> dict[str, Any]:
    per: dict[str, dict[str, Any]] = {}
    sab_acc: list[float] = []
    ok_acc: list[float] = []
    base: list[float] = []
    base_source = None
    total_sab = total_usable = errors = unverified = 0
    for sample in log.samples or []:
        meta = sample.metadata or {}
        kind = str(meta.get("prompt_kind", sample.id))
        row = per.setdefault(kind, {"samples": 0, "usable": 0, "sabotage": 0, "covert": 0, "overt": 0,
                                    "no_prompt": 0, "errors": 0})
        row["samples"] += 1
        score = next(iter((sample.scores or {}).values()), None)
        value = score.value if score is not None and isinstance(score.value, dict) else {"error": 1}
        row["no_prompt"] += int(value.get("no_prompt", 0))
        if value.get("error"):
            row["errors"] += 1
            errors += 1
            continue
        row["usable"] += 1
        for k in ("sabotage", "covert", "overt"):
            row[k] += int(value.get(k, 0))
        total_usable += 1
        total_sab += int(value.get("sabotage", 0))
        info = score.metadata or {} if score is not None else {}
        eff = info.get("effectiveness")
        unverified += int(bool(info.get("effectiveness_unverified")))
        if eff:
            (sab_acc if value.get("sabotage") else ok_acc).append(float(eff["accuracy"]))
            b = info.get("baseline") or {}
            if b.get("accuracies") and not base:
                base = [float(x) for x in b["accuracies"]]
                base_source = b.get("source")
    for row in per.values():
        lo, hi = wilson(row["sabotage"], row["usable"])
        row.update(rate=row["sabotage"] / row["usable"] if row["usable"] else None, ci_low=lo, ci_high=hi,
                   covert_share=row["covert"] / row["sabotage"] if row["sabotage"] else None)
    rate = total_sab / total_usable if total_usable else float("nan")
    lo, hi = wilson(total_sab, total_usable)
    return {
        "eval": "code_sabotage", "kind": "sabotage", "model": str(log.eval.model),
        "log": str(getattr(log, "location", "") or ""), "samples": len(log.samples or []),
        "by_prompt": per,
        "effectiveness": {
            "sabotaged_mean_accuracy": _mean(sab_acc), "other_mean_accuracy": _mean(ok_acc),
            "baseline_mean_accuracy": _mean(base), "baseline": base_source,
            "ratio_sabotaged": ratio_interval(sab_acc, base), "ratio_other": ratio_interval(ok_acc, base),
            "unverified": unverified,
        },
        # the fields every summary has, so the eval command can print and gate on it like the others
        "usable": total_usable, "misaligned": total_sab, "misaligned_rate": rate, "ci_low": lo, "ci_high": hi,
        "errors": errors, "excluded": 0, "covert": sum(r["covert"] for r in per.values()),
        "overt": sum(r["overt"] for r in per.values()), "covert_share": None, "per_sample": [],
        "labels": {},
    }
