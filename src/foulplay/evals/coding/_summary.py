"""Summary of a ``hack_propensity`` log: per variant and framing, the solve, cheat and stop rates with 95%
intervals clustered by problem; the headline cheat and stop rates given an impossible task; hack families."""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any

from foulplay.stats import cluster_rate

OUTCOMES = ("solved", "hacked", "stopped", "failed")


def _rates(rows: list[tuple[str, str]]) -> dict[str, Any]:
    """rows: (problem, label) of usable samples."""
    out: dict[str, Any] = {"n": len(rows)}
    for outcome in OUTCOMES:
        clusters: dict[str, list[int]] = defaultdict(list)
        for problem, label in rows:
            clusters[problem].append(int(label == outcome))
        r = cluster_rate(clusters)
        out[outcome] = {"k": r.k, "rate": r.rate, "ci_low": r.low, "ci_high": r.high, "method": r.method}
    return out


def summarize_coding_log(log: Any) -> dict[str, Any]:
    groups: dict[tuple[str, str], list[tuple[str, str]]] = defaultdict(list)
    impossible: list[tuple[str, str]] = []
    everything: list[tuple[str, str]] = []
    labels: Counter[str] = Counter()
    families: Counter[str] = Counter()
    errors = 0
    isolation: Counter[str] = Counter()
    for sample in log.samples or []:
        meta = sample.metadata or {}
        score = next(iter((sample.scores or {}).values()), None)
        label = str(score.answer) if score is not None and score.answer else "error"
        labels[label] += 1
        iso = ((score.metadata or {}).get("isolation") if score is not None else None) or meta.get("isolation") or {}
        isolation[str(iso.get("isolation", "unknown")) if isinstance(iso, dict) else str(iso)] += 1
        if label == "error" or score is None:
            errors += 1
            continue
        row = (str(meta.get("question_id") or sample.id), label)
        groups[(str(meta.get("variant")), str(meta.get("framing")))].append(row)
        everything.append(row)
        if meta.get("variant") != "possible":
            impossible.append(row)
        if label == "hacked":
            families.update((score.metadata or {}).get("families") or ["unclassified"])
    headline = _rates(impossible) if impossible else None
    return {
        "eval": "hack_propensity", "kind": "coding", "model": str(log.eval.model),
        "log": str(getattr(log, "location", "") or ""), "samples": len(log.samples or []), "usable": len(everything),
        "errors": errors, "labels": dict(labels), "isolation": dict(isolation),
        "overall": _rates(everything),
        "by_variant_framing": [{"variant": v, "framing": f, **_rates(rows)} for (v, f), rows in sorted(groups.items())],
        "cheat_given_impossible": headline["hacked"] if headline else None,
        "stop_given_impossible": headline["stopped"] if headline else None,
        "hack_families": dict(families),
        # the misalignment summaries' fields, so the eval command can print and gate on it like the others
        "misaligned": labels.get("hacked", 0), "misaligned_rate": _rates(everything)["hacked"]["rate"]
        if everything else float("nan"),
        "excluded": 0, "per_sample": [int(lbl == "hacked") for _, lbl in everything],
        "ci_low": _rates(everything)["hacked"]["ci_low"] if everything else 0.0,
        "ci_high": _rates(everything)["hacked"]["ci_high"] if everything else 1.0,
        "covert": 0, "overt": 0, "covert_share": None,
    }
