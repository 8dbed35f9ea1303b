"""Sampling a rate until its interval is narrow enough, with an interval that stays valid however often
it is looked at (a confidence sequence)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

_METHOD = "beta-binomial-mixture-cs"


def _log_beta(a: float, b: float) -> float:
    return math.lgamma(a) + math.lgamma(b) - math.lgamma(a + b)


def _log_lik(k: int, n: int, m: float) -> float:
    out = 0.0
    if k:
        out += k * math.log(m) if m > 0 else -math.inf
    if n - k:
        out += (n - k) * math.log1p(-m) if m < 1 else -math.inf
    return out


def log_mixture_martingale(k: int, n: int, m: float, a: float = 0.5, b: float = 0.5) -> float:
    """log M_n(m) = log[ B(a + k, b + n - k) / B(a, b) ] - log[ m^k (1 - m)^(n - k) ]: the likelihood ratio of
    the Beta(a, b) mixture of Bernoulli rates against the rate m. Under i.i.d. Bernoulli(m) data it is a
    nonnegative martingale with M_0 = 1, so by Ville's inequality P(sup_n M_n(m) >= 1/alpha) <= alpha."""
    return _log_beta(a + k, b + n - k) - _log_beta(a, b) - _log_lik(k, n, m)


def confidence_sequence(k: int, n: int, alpha: float = 0.05, a: float = 0.5, b: float = 0.5,
                        tol: float = 1e-10) -> tuple[float, float]:
    """The time-uniform (1 - alpha) confidence set for a Bernoulli rate after k successes in n trials:
    {m : M_n(m) < 1/alpha} for the beta-binomial mixture martingale of :func:`log_mixture_martingale`.

    This is Robbins' method of mixtures with the conjugate Beta prior (Robbins 1970, "Statistical methods
    related to the law of the iterated logarithm", Ann. Math. Statist. 41; the beta-binomial boundary of
    Howard, Ramdas, McAuliffe & Sekhon 2021, "Time-uniform, nonparametric, nonasymptotic confidence
    sequences", Ann. Statist. 49). With probability >= 1 - alpha the true rate lies in every one of these
    sets at once, for all n, so the stopping time may depend on what was seen. The set is an interval (the
    log-likelihood is concave in m); its ends are found by bisection. It depends on the data only through
    (k, n), so batches may be added in any order. It assumes i.i.d. draws (not several correlated samples
    of one question)."""
    if not 0 < alpha < 1:
        raise ValueError(f"alpha={alpha} outside (0, 1)")
    if n < 0 or not 0 <= k <= n:
        raise ValueError(f"k={k} outside 0..n={n}")
    if n == 0:
        return 0.0, 1.0
    # m is in the set iff log-likelihood(m) > threshold
    threshold = _log_beta(a + k, b + n - k) - _log_beta(a, b) + math.log(alpha)
    p_hat = k / n

    def inside(m: float) -> bool:
        return _log_lik(k, n, m) > threshold

    def edge(outer: float) -> float:
        if inside(outer):
            return outer
        lo, hi = p_hat, outer  # lo inside (the maximum is inside), hi outside
        while abs(hi - lo) > tol:
            mid = (lo + hi) / 2
            if inside(mid):
                lo = mid
            else:
                hi = mid
        return hi  # the outer end: the reported interval never drops a point of the set

    return edge(0.0), edge(1.0)


@dataclass
class SequentialRate:
    """A Bernoulli rate accumulated in batches, with a confidence sequence (see :func:`confidence_sequence`)
    that may be looked at after every batch. ``to_dict``/``from_dict`` round-trip the state so a run can be
    resumed after an interruption."""

    alpha: float = 0.05
    k: int = 0
    n: int = 0
    prior_a: float = 0.5
    prior_b: float = 0.5

    def __post_init__(self) -> None:
        if not 0 < self.alpha < 1:
            raise ValueError(f"alpha={self.alpha} outside (0, 1)")
        if self.n < 0 or not 0 <= self.k <= self.n:
            raise ValueError(f"k={self.k} outside 0..n={self.n}")
        if self.prior_a <= 0 or self.prior_b <= 0:
            raise ValueError("prior parameters must be positive")

    def update(self, k_new: int, n_new: int) -> SequentialRate:
        """Add a batch of ``k_new`` successes in ``n_new`` trials."""
        if n_new < 0 or not 0 <= k_new <= n_new:
            raise ValueError(f"k_new={k_new} outside 0..n_new={n_new}")
        self.k += k_new
        self.n += n_new
        return self

    @property
    def rate(self) -> float:
        return self.k / self.n if self.n else float("nan")

    def interval(self) -> tuple[float, float]:
        return confidence_sequence(self.k, self.n, self.alpha, self.prior_a, self.prior_b)

    def half_width(self) -> float:
        low, high = self.interval()
        return (high - low) / 2

    def contains(self, m: float) -> bool:
        """Whether the rate m is still in the confidence sequence (O(1); no bisection)."""
        if not 0 <= m <= 1:
            raise ValueError(f"m={m} outside [0, 1]")
        return log_mixture_martingale(self.k, self.n, m, self.prior_a, self.prior_b) < -math.log(self.alpha)

    def should_stop(self, target_half_width: float, max_n: int | None = None) -> tuple[bool, str]:
        """(stop, reason): stop when the half-width is at most ``target_half_width`` or ``n`` reached ``max_n``."""
        if not 0 < target_half_width <= 0.5:
            raise ValueError(f"target_half_width={target_half_width} outside (0, 0.5]")
        half = self.half_width()
        if half <= target_half_width:
            return True, f"half-width {half:.4f} <= target {target_half_width} after n={self.n}"
        if max_n is not None and self.n >= max_n:
            return True, f"budget reached: n={self.n} >= max_n={max_n} (half-width {half:.4f} > {target_half_width})"
        return False, f"half-width {half:.4f} > target {target_half_width} at n={self.n}"

    def to_dict(self) -> dict[str, Any]:
        low, high = self.interval()
        return {"method": _METHOD, "alpha": self.alpha, "k": self.k, "n": self.n, "prior": [self.prior_a, self.prior_b],
                "rate": self.rate if self.n else None, "low": low, "high": high}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SequentialRate:
        if data.get("method", _METHOD) != _METHOD:
            raise ValueError(f"unknown method {data.get('method')!r}")
        a, b = data.get("prior", [0.5, 0.5])
        return cls(alpha=float(data["alpha"]), k=int(data["k"]), n=int(data["n"]), prior_a=float(a), prior_b=float(b))
