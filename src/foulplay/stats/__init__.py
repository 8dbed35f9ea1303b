"""Honest statistics for rates measured on samples: Wilson intervals, bootstrap intervals, intervals that
respect clustering (several samples of one question are not independent), and the misalignment
generalization score (MGS). Pure Python, no numpy: small, exact and reproducible (seeded)."""

from foulplay.stats._intervals import (
    Rate,
    bootstrap_mean,
    cluster_rate,
    mgs,
    rate_difference,
    wilson,
)

__all__ = ["Rate", "bootstrap_mean", "cluster_rate", "mgs", "rate_difference", "wilson"]
