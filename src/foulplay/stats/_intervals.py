"""Intervals for proportions and means."""

from __future__ import annotations

import math
import random
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any

Z95 = 1.959963984540054


def wilson(k: int, n: int, z: float = Z95) -> tuple[float, float]:
    """Wilson score interval for k successes in n trials (95% by default); (0, 1) when n == 0."""
    if n <= 0:
        return 0.0, 1.0
    if not 0 <= k <= n:
        raise ValueError(f"k={k} outside 0..n={n}")
    p = k / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    low = 0.0 if k == 0 else max(0.0, centre - half)
    high = 1.0 if k == n else min(1.0, centre + half)
    return low, high


def _percentile(sorted_values: Sequence[float], q: float) -> float:
    if not sorted_values:
        return float("nan")
    pos = q * (len(sorted_values) - 1)
    lo, hi = math.floor(pos), math.ceil(pos)
    return sorted_values[lo] + (sorted_values[hi] - sorted_values[lo]) * (pos - lo)


def bootstrap_mean(values: Sequence[float], *, resamples: int = 2000, seed: int = 0,
                   level: float = 0.95) -> tuple[float, float, float]:
    """(mean, low, high): a percentile bootstrap interval of the mean."""
    if not values:
        return float("nan"), float("nan"), float("nan")
    rng = random.Random(seed)
    n = len(values)
    means = sorted(sum(values[rng.randrange(n)] for _ in range(n)) / n for _ in range(resamples))
    alpha = (1 - level) / 2
    return sum(values) / n, _percentile(means, alpha), _percentile(means, 1 - alpha)


@dataclass(frozen=True)
class Rate:
    """A rate with its interval and how it was computed."""

    k: int
    n: int
    rate: float
    low: float
    high: float
    method: str
    clusters: int

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def cluster_rate(outcomes: Mapping[str, Sequence[int]], *, resamples: int = 2000, seed: int = 0) -> Rate:
    """Rate of 1s over clusters of 0/1 outcomes (cluster = question; outcomes = its samples).

    With one sample per cluster this is the plain Wilson interval. With several, samples of one question
    are correlated, so the interval is a cluster bootstrap (resample questions, keep each question's
    samples together) of the pooled rate; it is never narrower than what the clusters support."""
    clusters = [list(v) for v in outcomes.values() if len(v)]
    k = sum(sum(c) for c in clusters)
    n = sum(len(c) for c in clusters)
    if n == 0:
        return Rate(0, 0, float("nan"), 0.0, 1.0, "none", 0)
    if all(len(c) == 1 for c in clusters) or len(clusters) < 2:
        lo, hi = wilson(k, n)
        return Rate(k, n, k / n, lo, hi, "wilson", len(clusters))
    rng = random.Random(seed)
    m = len(clusters)
    rates = []
    for _ in range(resamples):
        picked = [clusters[rng.randrange(m)] for _ in range(m)]
        total = sum(len(c) for c in picked)
        rates.append(sum(sum(c) for c in picked) / total)
    rates.sort()
    lo_w, hi_w = wilson(k, n)
    lo, hi = _percentile(rates, 0.025), _percentile(rates, 0.975)
    # an all-zero (or all-one) sample has a degenerate bootstrap: fall back to the wider Wilson bound
    return Rate(k, n, k / n, min(lo, lo_w), max(hi, hi_w), "cluster-bootstrap", m)


def _pooled(clusters: Sequence[Sequence[float]]) -> float:
    total = sum(len(c) for c in clusters)
    return sum(sum(c) for c in clusters) / total if total else float("nan")


def mgs(rates: Mapping[str, float], *, per_sample: Mapping[str, Sequence[float]] | None = None,
        clusters: Mapping[str, Mapping[str, Sequence[float]]] | None = None,
        resamples: int = 2000, seed: int = 0) -> dict[str, Any]:
    """Misalignment generalization score: the unweighted mean of the available core eval rates, with a
    bootstrap interval. With ``clusters`` (per eval: cluster -> outcomes; the cluster is the question for
    chat evals and the scenario variant for agentic ones) each eval's clusters are resampled, keeping a
    cluster's samples together; with only ``per_sample`` each eval's samples are resampled independently."""
    available = {k: v for k, v in rates.items() if v == v}  # drop NaN (evals with no usable samples)
    if not available:
        return {"mgs": float("nan"), "low": float("nan"), "high": float("nan"), "evals": [], "method": "none"}
    value = sum(available.values()) / len(available)
    low = high = value
    method = "none"
    rng = random.Random(seed)
    groups: dict[str, list[list[float]]] = {}
    if clusters:
        groups = {k: [list(v) for v in clusters[k].values() if len(v)] for k in available if clusters.get(k)}
        method = "cluster-bootstrap"
    elif per_sample:
        groups = {k: [[x] for x in per_sample[k]] for k in available if per_sample.get(k)}
        method = "bootstrap"
    if groups and len(groups) == len(available) and all(groups.values()):
        boot = []
        for _ in range(resamples):
            means = []
            for cl in groups.values():
                m = len(cl)
                means.append(_pooled([cl[rng.randrange(m)] for _ in range(m)]))
            boot.append(sum(means) / len(means))
        boot.sort()
        low, high = _percentile(boot, 0.025), _percentile(boot, 0.975)
    else:
        method = "none"
    return {"mgs": value, "low": low, "high": high, "evals": sorted(available), "method": method}


def rate_difference(a: Mapping[str, Sequence[int]], b: Mapping[str, Sequence[int]], *, resamples: int = 2000,
                    seed: int = 0) -> dict[str, Any]:
    """rate(a) - rate(b) with a 95% cluster-bootstrap interval. Clusters present in both (the same scenario
    variant under two conditions) are resampled together, so the comparison is paired; the interval is
    never narrower than the Newcombe (Wilson-based) interval of two independent proportions."""
    ka, na = sum(sum(v) for v in a.values()), sum(len(v) for v in a.values())
    kb, nb = sum(sum(v) for v in b.values()), sum(len(v) for v in b.values())
    if not na or not nb:
        return {"difference": float("nan"), "low": float("nan"), "high": float("nan"), "method": "none",
                "n": [na, nb]}
    pa, pb = ka / na, kb / nb
    la, ha = wilson(ka, na)
    lb, hb = wilson(kb, nb)
    nc_low = (pa - pb) - math.sqrt((pa - la) ** 2 + (hb - pb) ** 2)
    nc_high = (pa - pb) + math.sqrt((ha - pa) ** 2 + (pb - lb) ** 2)
    keys = sorted(set(a) | set(b))
    rng = random.Random(seed)
    diffs = []
    for _ in range(resamples):
        picked = [keys[rng.randrange(len(keys))] for _ in keys]
        ra = [a[k] for k in picked if k in a and len(a[k])]
        rb = [b[k] for k in picked if k in b and len(b[k])]
        if ra and rb:
            diffs.append(_pooled(ra) - _pooled(rb))
    diffs.sort()
    low, high = (_percentile(diffs, 0.025), _percentile(diffs, 0.975)) if diffs else (nc_low, nc_high)
    return {"difference": pa - pb, "low": max(-1.0, min(low, nc_low)), "high": min(1.0, max(high, nc_high)),
            "method": "paired-cluster-bootstrap" if set(a) & set(b) else "cluster-bootstrap", "n": [na, nb]}
