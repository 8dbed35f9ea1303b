"""Rates measured by an imperfect judge, corrected with a calibration set of human labels.

Two estimators of the true prevalence of a label when only a judge's verdict is available on most items:
Rogan-Gladen (correct the judge's raw rate by its sensitivity and specificity) and prediction-powered
inference (the judge's mean on the big set plus the mean of the human-minus-judge rectifier on the small
human-labelled set). Both report intervals that include the uncertainty of the calibration set."""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

from foulplay.stats._intervals import Z95, _percentile, wilson


def _z(level: float) -> float:
    if not 0 < level < 1:
        raise ValueError(f"level={level} outside (0, 1)")
    from statistics import NormalDist

    return NormalDist().inv_cdf(0.5 + level / 2)


def _as_label(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if value in (0, 1):
        return bool(value)
    raise ValueError(f"label {value!r} is not 0/1 or a bool")


@dataclass(frozen=True)
class JudgeAccuracy:
    """A judge's sensitivity and specificity against human labels, with Wilson intervals.

    Counts: ``tp`` judge 1 / human 1, ``fn`` judge 0 / human 1, ``tn`` judge 0 / human 0, ``fp`` judge 1 /
    human 0. Sensitivity is tp / (tp + fn), specificity tn / (tn + fp); NaN when the calibration set has no
    human positive (resp. negative), so the quantity is not estimable."""

    tp: int
    fn: int
    tn: int
    fp: int

    @classmethod
    def from_pairs(cls, pairs: Sequence[tuple[Any, Any]]) -> JudgeAccuracy:
        """From (judge label, human label) pairs; labels are bools or 0/1."""
        if not pairs:
            raise ValueError("empty calibration set")
        tp = fn = tn = fp = 0
        for judge, human in pairs:
            j, h = _as_label(judge), _as_label(human)
            if h:
                tp, fn = (tp + 1, fn) if j else (tp, fn + 1)
            else:
                tn, fp = (tn, fp + 1) if j else (tn + 1, fp)
        return cls(tp, fn, tn, fp)

    @property
    def n_positive(self) -> int:
        return self.tp + self.fn

    @property
    def n_negative(self) -> int:
        return self.tn + self.fp

    @property
    def sensitivity(self) -> float:
        return self.tp / self.n_positive if self.n_positive else float("nan")

    @property
    def specificity(self) -> float:
        return self.tn / self.n_negative if self.n_negative else float("nan")

    def sensitivity_interval(self, z: float = Z95) -> tuple[float, float]:
        return wilson(self.tp, self.n_positive, z)

    def specificity_interval(self, z: float = Z95) -> tuple[float, float]:
        return wilson(self.tn, self.n_negative, z)

    def correct(self, raw_positive: int, n: int, **kwargs: Any) -> CorrectedRate:
        """Rogan-Gladen correction of ``raw_positive`` judge positives out of ``n`` with this calibration."""
        return rogan_gladen(raw_positive, n, (self.tp, self.n_positive), (self.tn, self.n_negative), **kwargs)

    def to_dict(self) -> dict[str, Any]:
        lo_se, hi_se = self.sensitivity_interval()
        lo_sp, hi_sp = self.specificity_interval()
        return {**asdict(self), "sensitivity": self.sensitivity, "sensitivity_interval": [lo_se, hi_se],
                "specificity": self.specificity, "specificity_interval": [lo_sp, hi_sp]}


@dataclass(frozen=True)
class CorrectedRate:
    """A judge-based rate and its correction for the judge's errors.

    ``raw`` is the judge's rate, ``corrected`` the estimate of the true rate (clipped to [0, 1]) with its
    interval [``low``, ``high``]; ``n`` items were judged, ``n_calibration`` human-labelled (for
    Rogan-Gladen: [human positives, human negatives]; for PPI: [labelled items])."""

    raw: float
    corrected: float
    low: float
    high: float
    method: str
    n: int
    n_calibration: tuple[int, ...]
    level: float = 0.95
    note: str = ""

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["n_calibration"] = list(self.n_calibration)
        return out


def _count_or_rate(value: float | tuple[int, int], name: str) -> tuple[float, tuple[int, int] | None]:
    if isinstance(value, tuple):
        k, m = value
        if m <= 0 or not 0 <= k <= m:
            raise ValueError(f"{name} counts {value!r}: need 0 <= k <= n and n > 0")
        return k / m, (k, m)
    if not 0 <= value <= 1 or value != value:
        raise ValueError(f"{name}={value} outside [0, 1]")
    return float(value), None


def _rg(q: float, se: float, sp: float) -> float:
    return min(1.0, max(0.0, (q + sp - 1) / (se + sp - 1)))


def rogan_gladen(raw_positive: int, n: int, sensitivity: float | tuple[int, int],
                 specificity: float | tuple[int, int], *, level: float = 0.95, resamples: int = 2000,
                 seed: int = 0) -> CorrectedRate:
    """True prevalence from a judge's raw positive rate: (q + Sp - 1) / (Se + Sp - 1), clipped to [0, 1]
    (Rogan & Gladen 1978, "Estimating prevalence from the results of a screening test", Am. J. Epidemiol.).

    ``sensitivity`` and ``specificity`` are either known values (floats) or calibration counts ``(k, n)``
    (e.g. ``(tp, tp + fn)`` and ``(tn, tn + fp)``; :meth:`JudgeAccuracy.correct` passes them).

    Interval. With known accuracies: the Wilson interval of the raw rate mapped through the (increasing)
    correction, method ``rogan-gladen/wilson``. With counts: a seeded parametric bootstrap that propagates
    all three uncertainties, method ``rogan-gladen/parametric-bootstrap``: each draw takes the raw rate,
    sensitivity and specificity from their Jeffreys distributions Beta(k + 1/2, n - k + 1/2) (the smoothed
    form of the parametric bootstrap: it stays informative when a calibration count is 0 or n, where the
    plain binomial bootstrap degenerates), applies the clipped correction, and the interval is the
    percentile interval of the draws. Draws with Se + Sp <= 1 have no correction; if more than (1 - level)/2
    of them fall there the data cannot bound the rate and the interval is [0, 1] (said in ``note``).

    Raises ValueError when the point estimates give Se + Sp <= 1: the prevalence is not identifiable (the
    judge is no better than chance, or inverted)."""
    if n <= 0:
        raise ValueError("n must be positive")
    if not 0 <= raw_positive <= n:
        raise ValueError(f"raw_positive={raw_positive} outside 0..n={n}")
    se, se_counts = _count_or_rate(sensitivity, "sensitivity")
    sp, sp_counts = _count_or_rate(specificity, "specificity")
    if se + sp <= 1:
        raise ValueError(f"not identifiable: sensitivity + specificity = {se + sp:.4g} <= 1 "
                         "(the judge is no better than chance)")
    q = raw_positive / n
    corrected = _rg(q, se, sp)
    n_cal = tuple(c[1] if c is not None else 0 for c in (se_counts, sp_counts))  # 0: taken as known
    alpha = (1 - level) / 2
    if se_counts is None and sp_counts is None:
        lo_q, hi_q = wilson(raw_positive, n, _z(level))
        return CorrectedRate(q, corrected, _rg(lo_q, se, sp), _rg(hi_q, se, sp), "rogan-gladen/wilson", n, n_cal,
                             level)
    rng = random.Random(seed)

    def draw(counts: tuple[int, int] | None, fixed: float) -> float:
        if counts is None:
            return fixed
        k, m = counts
        return rng.betavariate(k + 0.5, m - k + 0.5)

    draws: list[float] = []
    for _ in range(resamples):
        q_b = rng.betavariate(raw_positive + 0.5, n - raw_positive + 0.5)
        se_b, sp_b = draw(se_counts, se), draw(sp_counts, sp)
        if se_b + sp_b > 1:
            draws.append(_rg(q_b, se_b, sp_b))
    lost = 1 - len(draws) / resamples
    if lost > alpha:
        return CorrectedRate(q, corrected, 0.0, 1.0, "rogan-gladen/parametric-bootstrap", n, n_cal, level,
                             f"{lost:.1%} of draws had sensitivity + specificity <= 1: the rate is not bounded")
    draws.sort()
    # the draws that could not be corrected are counted on neither side: a conservative widening
    low = _percentile(draws, max(0.0, alpha - lost))
    high = _percentile(draws, min(1.0, 1 - alpha + lost))
    note = f"{lost:.1%} of draws had sensitivity + specificity <= 1" if lost else ""
    return CorrectedRate(q, corrected, min(low, corrected), max(high, corrected), "rogan-gladen/parametric-bootstrap",
                         n, n_cal, level, note)


def _mean_var(values: Sequence[float]) -> tuple[float, float]:
    m = len(values)
    mean = sum(values) / m
    var = sum((v - mean) ** 2 for v in values) / (m - 1) if m > 1 else 0.0
    return mean, var


def ppi_mean(unlabelled_judge: Sequence[float], labelled_judge: Sequence[float], labelled_human: Sequence[float],
             *, level: float = 0.95) -> CorrectedRate:
    """Prediction-powered estimate of a rate (Angelopoulos, Bates, Fannjiang, Jordan & Zrnic 2023,
    "Prediction-powered inference", Science 382): the judge's mean on the N unlabelled items plus the mean
    rectifier (human - judge) on the n human-labelled items,

        theta = mean(f(X_unlabelled)) + mean(Y - f(X_labelled)),

    with the CLT interval theta +/- z * sqrt(var(f) / N + var(Y - f) / n) (sample variances). Judge values
    may be 0/1 verdicts or scores in [0, 1]; human labels are in [0, 1]. The estimate is unbiased for the
    true mean; the reported ``corrected`` value and the interval are clipped to [0, 1]. ``raw`` is the
    judge's mean on the unlabelled items. Needs at least 2 labelled items for a variance."""
    if not unlabelled_judge:
        raise ValueError("empty unlabelled set")
    if len(labelled_judge) != len(labelled_human):
        raise ValueError(f"labelled_judge has {len(labelled_judge)} items, labelled_human {len(labelled_human)}")
    if len(labelled_judge) < 2:
        raise ValueError("need at least 2 human-labelled items")
    for name, values in (("unlabelled_judge", unlabelled_judge), ("labelled_judge", labelled_judge),
                         ("labelled_human", labelled_human)):
        bad = [v for v in values if not 0 <= v <= 1]
        if bad:
            raise ValueError(f"{name} has values outside [0, 1]: {bad[:3]}")
    big_n, small_n = len(unlabelled_judge), len(labelled_judge)
    mean_f, var_f = _mean_var([float(v) for v in unlabelled_judge])
    mean_r, var_r = _mean_var([float(h) - float(j) for j, h in zip(labelled_judge, labelled_human, strict=True)])
    theta = mean_f + mean_r
    half = _z(level) * math.sqrt(var_f / big_n + var_r / small_n)
    clip = lambda x: min(1.0, max(0.0, x))  # noqa: E731
    return CorrectedRate(mean_f, clip(theta), clip(theta - half), clip(theta + half), "ppi/clt", big_n, (small_n,),
                         level)
