"""Agreement between two raters (two judges, or a judge and a human) labelling the same items."""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Hashable, Sequence
from dataclasses import asdict, dataclass
from typing import Any

from foulplay.stats._intervals import _percentile


@dataclass(frozen=True)
class Kappa:
    """Cohen's kappa with its interval; ``observed`` and ``expected`` are the raw and chance agreement."""

    kappa: float
    low: float
    high: float
    observed: float
    expected: float
    n: int
    method: str
    level: float = 0.95

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _kappa(pairs: Sequence[tuple[Hashable, Hashable]]) -> tuple[float, float, float]:
    n = len(pairs)
    observed = sum(1 for a, b in pairs if a == b) / n
    count_a = Counter(a for a, _ in pairs)
    count_b = Counter(b for _, b in pairs)
    expected = sum(count_a[c] * count_b.get(c, 0) for c in count_a) / (n * n)
    if expected >= 1:
        return float("nan"), observed, expected
    return (observed - expected) / (1 - expected), observed, expected


def cohen_kappa(labels_a: Sequence[Hashable], labels_b: Sequence[Hashable], *, level: float = 0.95,
                resamples: int = 2000, seed: int = 0) -> Kappa:
    """Cohen's kappa for two raters over the same items (Cohen 1960, "A coefficient of agreement for nominal
    scales", Educ. Psychol. Meas. 20): (p_o - p_e) / (1 - p_e), p_o the observed agreement and p_e the
    agreement expected by chance from each rater's label frequencies. Labels are any hashable values.

    Interval: seeded percentile bootstrap over items (resample items with replacement, keep both raters'
    labels of an item together). Kappa is undefined (NaN) when both raters give one and the same label to
    every item (p_e = 1); bootstrap draws where that happens are left out."""
    if len(labels_a) != len(labels_b):
        raise ValueError(f"labels_a has {len(labels_a)} items, labels_b {len(labels_b)}")
    if not labels_a:
        raise ValueError("no items")
    if not 0 < level < 1:
        raise ValueError(f"level={level} outside (0, 1)")
    pairs = list(zip(labels_a, labels_b, strict=True))
    kappa, observed, expected = _kappa(pairs)
    n = len(pairs)
    rng = random.Random(seed)
    draws = []
    for _ in range(resamples):
        k, _, _ = _kappa(rng.choices(pairs, k=n))
        if k == k:
            draws.append(k)
    if not draws or kappa != kappa:
        return Kappa(kappa, float("nan"), float("nan"), observed, expected, n, "none", level)
    draws.sort()
    alpha = (1 - level) / 2
    low, high = _percentile(draws, alpha), _percentile(draws, 1 - alpha)
    return Kappa(kappa, min(low, kappa), max(high, kappa), observed, expected, n, "bootstrap", level)


def disagreements(ids: Sequence[Hashable], a: Sequence[Hashable], b: Sequence[Hashable]) -> list[dict[str, Any]]:
    """The items on which the two raters differ, in input order: ``{"id", "a", "b"}`` with both verdicts."""
    if not len(ids) == len(a) == len(b):
        raise ValueError(f"ids, a and b differ in length: {len(ids)}, {len(a)}, {len(b)}")
    return [{"id": i, "a": x, "b": y} for i, x, y in zip(ids, a, b, strict=True) if x != y]
