"""Judge-error correction tested as statistics: seeded simulations with a fixed number of data sets and a
tolerance band derived from that number, plus known values and bad input."""

from __future__ import annotations

import math
import random

import pytest

from foulplay.stats import CorrectedRate, JudgeAccuracy, ppi_mean, rogan_gladen

LEVEL = 0.95


def band(n_sims: int, p: float = LEVEL) -> float:
    """Three binomial standard errors of a simulated frequency around p."""
    return 3 * math.sqrt(p * (1 - p) / n_sims)


def binom(rng: random.Random, n: int, p: float) -> int:
    return sum(rng.random() < p for _ in range(n))


def test_judge_accuracy_counts_and_intervals():
    pairs = [(1, 1)] * 45 + [(0, 1)] * 5 + [(0, 0)] * 140 + [(1, 0)] * 10
    acc = JudgeAccuracy.from_pairs(pairs)
    assert (acc.tp, acc.fn, acc.tn, acc.fp) == (45, 5, 140, 10)
    assert acc.sensitivity == 0.9 and abs(acc.specificity - 140 / 150) < 1e-12
    lo, hi = acc.sensitivity_interval()
    assert lo < 0.9 < hi and hi - lo < 0.2
    assert JudgeAccuracy.from_pairs([(True, False), (False, False)]).specificity == 0.5
    assert math.isnan(JudgeAccuracy.from_pairs([(1, 0)]).sensitivity)  # no human positive: not estimable
    d = acc.to_dict()
    assert d["tp"] == 45 and d["sensitivity"] == 0.9 and len(d["specificity_interval"]) == 2
    with pytest.raises(ValueError):
        JudgeAccuracy.from_pairs([])
    with pytest.raises(ValueError):
        JudgeAccuracy.from_pairs([(2, 1)])


def test_rogan_gladen_known_values_and_clipping():
    r = rogan_gladen(30, 200, 0.9, 0.95)
    assert abs(r.corrected - (0.15 + 0.95 - 1) / (0.9 + 0.95 - 1)) < 1e-12 and r.raw == 0.15
    assert r.method == "rogan-gladen/wilson" and r.low < r.corrected < r.high
    assert rogan_gladen(2, 200, 0.9, 0.95).corrected == 0.0  # raw below the false-positive rate: clipped
    assert rogan_gladen(199, 200, 0.9, 0.95).corrected == 1.0
    assert abs(rogan_gladen(30, 200, 1.0, 1.0).corrected - 0.15) < 1e-12 # a perfect judge needs no correction
    acc = JudgeAccuracy(tp=45, fn=5, tn=140, fp=10)
    c = acc.correct(30, 200, seed=3)
    assert c.method == "rogan-gladen/parametric-bootstrap" and c.n_calibration == (50, 150)
    assert c.low <= c.corrected <= c.high and c == acc.correct(30, 200, seed=3)  # seeded
    # calibration uncertainty widens the interval compared with treating the accuracies as known
    known = rogan_gladen(30, 200, acc.sensitivity, acc.specificity)
    assert c.high - c.low > known.high - known.low
    assert isinstance(c, CorrectedRate) and c.to_dict()["n_calibration"] == [50, 150]


def test_rogan_gladen_rejects_bad_input_and_unidentifiable_judges():
    with pytest.raises(ValueError, match="not identifiable"):
        rogan_gladen(30, 100, 0.5, 0.5)
    with pytest.raises(ValueError, match="not identifiable"):
        rogan_gladen(30, 100, (10, 40), (20, 40))
    for args in [(5, 0, 0.9, 0.9), (11, 10, 0.9, 0.9), (-1, 10, 0.9, 0.9), (3, 10, 1.2, 0.9), (3, 10, 0.9, -0.1),
                 (3, 10, (5, 4), 0.9), (3, 10, 0.9, (1, 0))]:
        with pytest.raises(ValueError):
            rogan_gladen(*args)


def test_rogan_gladen_a_barely_identifiable_judge_is_flagged_unbounded():
    r = rogan_gladen(50, 100, (6, 10), (6, 10), seed=1)  # Se + Sp = 1.2 on 10 + 10 labels
    assert (r.low, r.high) == (0.0, 1.0) and "not bounded" in r.note


def test_rogan_gladen_coverage_and_bias_with_calibration_uncertainty():
    """N simulated studies: 300 judged items, a calibration set of 60 human positives and 140 negatives."""
    prevalence, se, sp, n, n_pos, n_neg = 0.2, 0.85, 0.9, 300, 60, 140
    q = prevalence * se + (1 - prevalence) * (1 - sp)
    rng = random.Random(18)
    n_sims = 400
    covered = covered_known = 0
    estimates = []
    for i in range(n_sims):
        k, k_se, k_sp = binom(rng, n, q), binom(rng, n_pos, se), binom(rng, n_neg, sp)
        r = rogan_gladen(k, n, (k_se, n_pos), (k_sp, n_neg), resamples=1000, seed=i)
        covered += r.low <= prevalence <= r.high
        estimates.append(r.corrected)
        naive = rogan_gladen(k, n, k_se / n_pos, k_sp / n_neg)  # calibration taken as exact
        covered_known += naive.low <= prevalence <= naive.high
    coverage = covered / n_sims
    assert coverage >= LEVEL - band(n_sims), coverage
    mean = sum(estimates) / n_sims
    sd = math.sqrt(sum((e - mean) ** 2 for e in estimates) / (n_sims - 1))
    assert abs(mean - prevalence) <= 4 * sd / math.sqrt(n_sims), (mean, sd)
    # ignoring the calibration set's own error under-covers: the reason the interval includes it
    assert covered_known / n_sims < coverage


def test_ppi_known_value_and_bad_input():
    r = ppi_mean([1, 0, 0, 1] * 100, [1, 0, 1, 0], [1, 0, 0, 0])
    assert r.raw == 0.5 and abs(r.corrected - 0.25) < 1e-12 and r.method == "ppi/clt"
    assert r.n == 400 and r.n_calibration == (4,) and 0 <= r.low <= r.corrected <= r.high <= 1
    perfect = ppi_mean([1, 0] * 50, [1, 0, 1], [1, 0, 1])
    assert perfect.corrected == 0.5  # a judge that agrees with every human label leaves the judge's rate
    with pytest.raises(ValueError):
        ppi_mean([], [1, 0], [1, 0])
    with pytest.raises(ValueError):
        ppi_mean([1, 0], [1, 0, 1], [1, 0])
    with pytest.raises(ValueError):
        ppi_mean([1, 0], [1], [1])
    with pytest.raises(ValueError):
        ppi_mean([1, 1.5], [1, 0], [1, 0])
    with pytest.raises(ValueError):
        ppi_mean([1, 0], [1, 0], [1, -1])


def test_ppi_coverage_and_bias_against_a_biased_judge():
    """True rate 0.3; the judge flags 80% of positives and 20% of negatives (raw rate 0.38)."""
    prevalence, tpr, fpr, big_n, small_n = 0.3, 0.8, 0.2, 1000, 150
    rng = random.Random(2023)

    def sample(m: int) -> tuple[list[int], list[int]]:
        human = [int(rng.random() < prevalence) for _ in range(m)]
        judge = [int(rng.random() < (tpr if h else fpr)) for h in human]
        return judge, human

    n_sims = 400
    covered = 0
    estimates, raws = [], []
    for _ in range(n_sims):
        unlabelled, _ = sample(big_n)
        judge, human = sample(small_n)
        r = ppi_mean(unlabelled, judge, human)
        covered += r.low <= prevalence <= r.high
        estimates.append(r.corrected)
        raws.append(r.raw)
    coverage = covered / n_sims
    assert coverage >= LEVEL - band(n_sims), coverage
    mean = sum(estimates) / n_sims
    sd = math.sqrt(sum((e - mean) ** 2 for e in estimates) / (n_sims - 1))
    assert abs(mean - prevalence) <= 4 * sd / math.sqrt(n_sims), (mean, sd)
    raw_mean = sum(raws) / n_sims
    assert abs(raw_mean - 0.38) < 0.01 and abs(raw_mean - prevalence) > 10 * sd / math.sqrt(n_sims)


def test_rogan_gladen_coverage_near_zero_prevalence():
    """Rare behaviour (true rate 0.02) with a judge whose false-positive rate (0.05) exceeds it."""
    prevalence, se, sp, n, n_pos, n_neg = 0.02, 0.85, 0.95, 500, 40, 160
    q = prevalence * se + (1 - prevalence) * (1 - sp)
    rng = random.Random(1978)
    n_sims = 200
    covered = 0
    for i in range(n_sims):
        k, k_se, k_sp = binom(rng, n, q), binom(rng, n_pos, se), binom(rng, n_neg, sp)
        r = rogan_gladen(k, n, (k_se, n_pos), (k_sp, n_neg), resamples=500, seed=i)
        covered += r.low <= prevalence <= r.high
    assert covered / n_sims >= LEVEL - band(n_sims), covered / n_sims
