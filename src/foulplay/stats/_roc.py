"""Ranking figures of a scored detector: AUROC (Mann-Whitney, ties counted one half), the true-positive rate at
a false-positive-rate budget with the threshold that meets it, and the ROC curve. Higher scores are more
suspicious; an item is flagged at threshold ``t`` when its score is ``>= t``."""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TypeVar

T = TypeVar("T")


def _groups(scored: Iterable[tuple[float, bool]]) -> list[tuple[float, int, int]]:
    """(score, positives, negatives) per distinct score, highest score first."""
    counts: dict[float, list[int]] = {}
    for score, positive in scored:
        c = counts.get(score)
        if c is None:
            c = counts[score] = [0, 0]
        c[0 if positive else 1] += 1
    return [(s, c[0], c[1]) for s, c in sorted(counts.items(), reverse=True)]


def _pairs(pos: Iterable[float], neg: Iterable[float]) -> list[tuple[float, bool]]:
    return [(float(s), True) for s in pos] + [(float(s), False) for s in neg]


@dataclass(frozen=True)
class OperatingPoint:
    """The true-positive rate reached while the false-positive rate stays within ``target``."""

    target: float
    tpr: float | None
    fpr: float | None
    threshold: float | None
    """Flag scores ``>= threshold``; None when no threshold keeps the false-positive rate within the target
    except flagging nothing (then ``tpr`` is 0)."""
    tp: int = 0
    positives: int = 0


@dataclass(frozen=True)
class RocSummary:
    auroc: float | None
    points: tuple[OperatingPoint, ...]
    positives: int
    negatives: int

    def at(self, target: float) -> OperatingPoint:
        return next(p for p in self.points if p.target == target)


def roc_summary(scored: Iterable[tuple[float, bool]], targets: Sequence[float] = (0.01, 0.05)) -> RocSummary:
    """AUROC and the operating point at each false-positive-rate target, in one pass over the distinct
    scores. ``scored`` is (score, is_positive) pairs. AUROC is the Mann-Whitney probability that a positive
    outranks a negative, a tie counting one half; None without both positives and negatives.

    The threshold for a target is chosen on the negatives' scores: the lowest score ``t`` such that the
    share of negatives scoring ``>= t`` is at most the target (the most positives flagged within it)."""
    groups = _groups(scored)
    n_pos = sum(g[1] for g in groups)
    n_neg = sum(g[2] for g in groups)
    best: dict[float, tuple[float | None, int, int]] = {t: (None, 0, 0) for t in targets}
    wins = 0.0
    cum_pos = cum_neg = 0
    for score, p, n in groups:
        cum_pos += p
        cum_neg += n
        # positives here beat every negative strictly below, and tie with the negatives here
        wins += p * (n_neg - cum_neg) + 0.5 * p * n
        if n_neg:
            for t in targets:
                if cum_neg <= t * n_neg + 1e-12:
                    best[t] = (score, cum_pos, cum_neg)
    auc = wins / (n_pos * n_neg) if n_pos and n_neg else None
    points = []
    for t in targets:
        threshold, tp, fp = best[t]
        if not n_neg or not n_pos:
            points.append(OperatingPoint(t, None, None, None, 0, n_pos))
            continue
        points.append(OperatingPoint(t, tp / n_pos, fp / n_neg, threshold, tp, n_pos))
    return RocSummary(auc, tuple(points), n_pos, n_neg)


def auroc(pos: Iterable[float], neg: Iterable[float]) -> float | None:
    """P(a positive's score > a negative's) + 1/2 P(equal): the Mann-Whitney AUROC (None if a side is empty)."""
    return roc_summary(_pairs(pos, neg), ()).auroc


def tpr_at_fpr(pos: Iterable[float], neg: Iterable[float], target: float) -> OperatingPoint:
    """The operating point at one false-positive-rate budget (see :func:`roc_summary`)."""
    return roc_summary(_pairs(pos, neg), (target,)).points[0]


def roc_curve(scored: Iterable[tuple[float, bool]]) -> list[tuple[float, float, float]]:
    """(fpr, tpr, threshold) for every distinct score, from the strictest threshold to the laxest, starting
    at (0, 0, inf). Tied scores move the curve diagonally (the AUROC's one half)."""
    groups = _groups(scored)
    n_pos = sum(g[1] for g in groups)
    n_neg = sum(g[2] for g in groups)
    out = [(0.0, 0.0, float("inf"))]
    cum_pos = cum_neg = 0
    for score, p, n in groups:
        cum_pos += p
        cum_neg += n
        out.append((cum_neg / n_neg if n_neg else 0.0, cum_pos / n_pos if n_pos else 0.0, score))
    return out


def cluster_bootstrap(clusters: Sequence[T], statistic: Callable[[list[T]], Mapping[str, float | None]], *,
                      resamples: int = 1000, seed: int = 0,
                      level: float = 0.95) -> dict[str, tuple[float, float] | None]:
    """Percentile intervals of several statistics at once, by resampling whole clusters with replacement
    (a cluster's items stay together: several completions of one task are not independent). ``statistic``
    gets the resampled clusters and returns named values; a None (undefined on that draw, e.g. no positives)
    is left out of that statistic's draws. A statistic with no defined draw, or fewer than two clusters, has
    no interval (None)."""
    from foulplay.stats._intervals import _percentile

    m = len(clusters)
    if m < 2 or resamples < 1:
        return {}
    rng = random.Random(seed)
    draws: dict[str, list[float]] = {}
    for _ in range(resamples):
        picked = [clusters[rng.randrange(m)] for _ in range(m)]
        for key, value in statistic(picked).items():
            bucket = draws.setdefault(key, [])
            if value is not None:
                bucket.append(value)
    alpha = (1 - level) / 2
    out: dict[str, tuple[float, float] | None] = {}
    for key, values in draws.items():
        values.sort()
        out[key] = (_percentile(values, alpha), _percentile(values, 1 - alpha)) if values else None
    return out
