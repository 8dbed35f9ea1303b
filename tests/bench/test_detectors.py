"""Detector figures on hand-computed cases: AUROC with ties, TPR at an FPR budget and its threshold, recall per
family, precision, errors and unlabelled items kept out, and intervals that resample tasks (clusters): wider
than the naive item bootstrap when a task's items are copies, and covering the true AUROC at about the nominal
rate in a seeded simulation."""

from __future__ import annotations

import itertools
import math
import random

import pytest

from foulplay.bench._detectors import Detection, markdown_table, measure, static_score, table_rows
from foulplay.stats import auroc, cluster_bootstrap, roc_curve, roc_summary, tpr_at_fpr


def test_auroc_counts_a_tie_as_one_half() -> None:
    # pos 3 beats all 4 (4); each pos 2 ties neg 2 and beats 0, 0, 1 (3.5 x 2); pos 0 ties the two 0s (1)
    assert auroc([3, 2, 2, 0], [2, 0, 0, 1]) == pytest.approx(12 / 16)
    assert auroc([1, 1], [1, 1, 1]) == 0.5
    assert auroc([2], [1]) == 1.0 and auroc([1], [2]) == 0.0
    assert auroc([], [1]) is None and auroc([1], []) is None


def test_tpr_at_fpr_picks_the_threshold_on_the_negatives() -> None:
    neg = [0.0] * 98 + [2.0, 3.0]
    pos = [3.0, 3.0, 2.0, 1.0]
    one = tpr_at_fpr(pos, neg, 0.01)  # >= 3 flags one negative (1%); >= 2 would flag two (2%)
    assert (one.threshold, one.tpr, one.fpr, one.tp) == (3.0, 0.5, 0.01, 2)
    five = tpr_at_fpr(pos, neg, 0.05)  # >= 1 flags two negatives (2%); >= 0 all of them
    assert (five.threshold, five.tpr, five.fpr) == (1.0, 1.0, 0.02)


def test_a_tied_group_is_flagged_whole_or_not_at_all() -> None:
    # every negative ties the positives at 1: any threshold that flags one flags all; only "nothing" fits 5%
    point = tpr_at_fpr([1, 1, 2], [1] * 10, 0.05)
    assert point.threshold == 2 and point.tpr == pytest.approx(1 / 3) and point.fpr == 0.0
    nothing = tpr_at_fpr([1, 1], [1] * 10, 0.05)
    assert nothing.threshold is None and nothing.tpr == 0.0 and nothing.fpr == 0.0


def test_roc_curve_moves_diagonally_through_ties_and_summary_agrees() -> None:
    scored = [(2.0, True), (1.0, True), (1.0, False), (0.0, False)]
    assert roc_curve(scored) == [(0.0, 0.0, math.inf), (0.0, 0.5, 2.0), (0.5, 1.0, 1.0), (1.0, 1.0, 0.0)]
    summary = roc_summary(scored)
    curve = roc_curve(scored)
    area = sum((x1 - x0) * (y0 + y1) / 2 for (x0, y0, _), (x1, y1, _) in itertools.pairwise(curve))
    assert summary.auroc == pytest.approx(area) == pytest.approx(0.875)


def test_static_score_is_the_best_confidence() -> None:
    assert static_score({}) == 0 and static_score({"FP101": "low"}) == 1
    assert static_score({"FP101": "low", "FP501": "high", "FP201": "medium"}) == 3


def d(id: str, label: str | None, score: float | None, flagged: bool | None, family: str = "equality",
      cluster: str | None = None, error: str | None = None) -> Detection:
    return Detection(id, cluster or id, label, family, score, flagged, error)


def test_rates_at_the_operating_point_errors_and_unlabelled_left_out() -> None:
    items = [d("h1", "hack", 3, True), d("h2", "hack", 2, True, "special-casing"),
             d("h3", "hack", 0, False, "special-casing"), d("c1", "clean", 2, True), d("c2", "clean", 0, False),
             d("c3", "clean", 0, False), d("e1", "hack", None, None, error="scan crashed"),
             d("e2", "clean", None, None, error="monitor: no verdict"), d("u1", None, 3, True)]
    m = measure(items, "static", resamples=50)
    assert (m.n, m.hacks, m.clean, m.errors, m.unlabelled) == (6, 3, 3, 2, 1)
    assert (m.recall.hit, m.recall.total) == (2, 3) and (m.fpr.hit, m.fpr.total) == (1, 3)
    assert (m.precision.hit, m.precision.total) == (2, 3)
    assert m.families["equality"].value == 1.0 and m.families["special-casing"].value == 0.5
    assert m.auroc.value == pytest.approx(auroc([3, 2, 0], [2, 0, 0]))
    assert any("scan crashed" in e for e in m.error_examples)
    data = m.to_dict()
    assert data["tpr_at_fpr"]["1%"]["threshold"] == 3.0 and data["recall"]["ci95"][0] <= 2 / 3
    rows = dict((r[0], r[1]) for r in table_rows({"static": m}))
    assert rows["errors (left out)"] == "2" and rows["n (hacks / clean, tasks)"].startswith("6 (3 / 3")
    assert "| figure | static |" in markdown_table({"static": m})


def _copies(per_task: int) -> list[Detection]:
    """10 tasks; each task's items are copies of one hack and one clean item (scores drawn once per task)."""
    rng = random.Random(3)
    out = []
    for task in range(10):
        hack, clean = rng.gauss(1.0, 1.0), rng.gauss(0.0, 1.0)
        for k in range(per_task):
            out.append(d(f"{task}h{k}", "hack", hack, hack > 0.5, cluster=f"t{task}"))
            out.append(d(f"{task}c{k}", "clean", clean, clean > 0.5, cluster=f"t{task}"))
    return out


def test_the_interval_resamples_tasks_not_items() -> None:
    items = _copies(8)
    clustered = measure(items, resamples=400, seed=1)
    naive = measure(items, resamples=400, seed=1, by_cluster=False)
    assert clustered.clusters == 10 and naive.clusters == 160
    width = lambda f: f.high - f.low  # noqa: E731
    assert clustered.auroc.value == naive.auroc.value
    assert width(clustered.auroc) > 2 * width(naive.auroc)
    assert width(clustered.recall) > width(naive.recall)
    # copies add no information: the clustered interval is the one of a single copy per task
    single = measure(_copies(1), resamples=400, seed=1)
    assert width(clustered.auroc) == pytest.approx(width(single.auroc), rel=0.25)


def test_cluster_bootstrap_is_seeded_and_skips_undefined_draws() -> None:
    clusters = [[1.0], [0.0], [1.0], [1.0]]
    stat = lambda cs: {"mean": sum(c[0] for c in cs) / len(cs), "never": None}  # noqa: E731
    a = cluster_bootstrap(clusters, stat, resamples=200, seed=5)
    assert a == cluster_bootstrap(clusters, stat, resamples=200, seed=5)
    assert a["never"] is None and 0.0 <= a["mean"][0] <= 0.75 <= a["mean"][1] <= 1.0
    assert cluster_bootstrap([[1.0]], stat) == {}


def test_clustered_auroc_interval_covers_the_truth_at_about_the_nominal_rate() -> None:
    """Each task holds copies (1-4) of one hack scored X ~ N(1, 1) and copies (1-4) of one clean item scored
    Y ~ N(0, 1): every hack/clean pair, within a task or across, has P(X > Y) = Phi(1/sqrt 2), so that is the
    AUROC's expectation, while copies make the items far from independent. Over R seeded replications the
    95% interval's coverage must lie within 3 standard errors of 95% (binomial in R), less 2 points for the
    percentile bootstrap's known small-sample undercoverage (30 tasks). Resampling items instead covers about
    67% here (measured once; not asserted, to keep the test fast)."""
    truth = 0.5 * (1 + math.erf(1 / 2))  # Phi(1 / sqrt(2))
    reps, tasks = 120, 30
    rng = random.Random(11)
    covered = 0
    for rep in range(reps):
        items = []
        for t in range(tasks):
            x, y = rng.gauss(1, 1), rng.gauss(0, 1)
            items += [d(f"{t}h{k}", "hack", x, False, cluster=str(t)) for k in range(rng.randint(1, 4))]
            items += [d(f"{t}c{k}", "clean", y, False, cluster=str(t)) for k in range(rng.randint(1, 4))]
        m = measure(items, resamples=150, seed=rep)
        covered += m.auroc.low <= truth <= m.auroc.high
    se = math.sqrt(0.95 * 0.05 / reps)
    assert 0.95 - 3 * se - 0.02 <= covered / reps <= 1.0, covered
