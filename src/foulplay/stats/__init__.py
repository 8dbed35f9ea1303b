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

from foulplay.stats._agreement import Kappa, cohen_kappa, disagreements
from foulplay.stats._correction import CorrectedRate, JudgeAccuracy, ppi_mean, rogan_gladen
from foulplay.stats._roc import (
    OperatingPoint,
    RocSummary,
    auroc,
    cluster_bootstrap,
    roc_curve,
    roc_summary,
    tpr_at_fpr,
)
from foulplay.stats._sequential import SequentialRate, confidence_sequence

__all__ += ["CorrectedRate", "JudgeAccuracy", "Kappa", "SequentialRate", "cohen_kappa", "confidence_sequence",
            "disagreements", "ppi_mean", "rogan_gladen"]

__all__ += ["OperatingPoint", "RocSummary", "auroc", "cluster_bootstrap", "roc_curve", "roc_summary", "tpr_at_fpr"]
