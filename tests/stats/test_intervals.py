"""Intervals: known values and the properties the eval summaries rely on."""

from __future__ import annotations

import math

import pytest

from foulplay.stats import bootstrap_mean, cluster_rate, mgs, wilson


def test_wilson_known_values():
    low, high = wilson(209, 300)
    assert round(low, 4) == 0.6424 and round(high, 4) == 0.7459
    assert wilson(0, 300)[0] == 0.0 and 0.012 < wilson(0, 300)[1] < 0.013  # zero misaligned is not "0% for sure"
    assert wilson(5, 5)[1] == 1.0 and wilson(0, 0) == (0.0, 1.0)
    with pytest.raises(ValueError):
        wilson(3, 2)


def test_clustered_rates_are_not_narrower_than_the_data_allows():
    independent = cluster_rate({f"q{i}": [i % 2] for i in range(40)})
    assert independent.method == "wilson" and independent.rate == 0.5
    # the same 40 outcomes, but as 4 questions answered 10 times each, all-or-nothing per question
    clustered = cluster_rate({f"q{i}": [i % 2] * 10 for i in range(4)})
    assert clustered.method == "cluster-bootstrap" and clustered.rate == 0.5
    assert clustered.high - clustered.low > independent.high - independent.low


def test_bootstrap_and_mgs():
    mean, low, high = bootstrap_mean([0, 0, 1, 1], seed=1)
    assert mean == 0.5 and 0 <= low <= 0.5 <= high <= 1
    result = mgs({"a": 0.1, "b": 0.3, "c": math.nan}, per_sample={"a": [1] + [0] * 9, "b": [1] * 3 + [0] * 7})
    assert result["evals"] == ["a", "b"] and abs(result["mgs"] - 0.2) < 1e-12
    assert result["low"] <= 0.2 <= result["high"]
    assert math.isnan(mgs({})["mgs"])


def test_mgs_resamples_clusters_when_given():
    from foulplay.stats import mgs

    rates = {"chat": 0.5, "agentic": 0.5}
    clusters = {"chat": {f"q{i}": [i % 2] for i in range(20)},
                "agentic": {"a": [1] * 10, "b": [0] * 10}}
    clustered = mgs(rates, clusters=clustered_input(clusters))
    flat = mgs(rates, per_sample={k: [x for v in c.values() for x in v] for k, c in clusters.items()})
    assert clustered["method"] == "cluster-bootstrap" and flat["method"] == "bootstrap"
    # two variants that disagree completely: the clustered interval is much wider than the naive one
    assert clustered["high"] - clustered["low"] > flat["high"] - flat["low"]


def clustered_input(clusters):
    return {k: {c: list(v) for c, v in cl.items()} for k, cl in clusters.items()}


def test_rate_difference_is_paired_by_cluster_and_never_narrower_than_newcombe():
    from foulplay.stats import rate_difference

    declined = {"a": [1, 1, 0, 0], "b": [1, 0, 0, 0], "c": [0, 0, 0, 0]}
    allowed = {"a": [0, 0, 0, 0], "b": [0, 0, 0, 0], "c": [0, 0, 0, 0]}
    gap = rate_difference(declined, allowed)
    assert gap["difference"] == 3 / 12 and gap["method"] == "paired-cluster-bootstrap"
    assert gap["low"] <= gap["difference"] <= gap["high"] and gap["low"] >= -1 and gap["high"] <= 1
    same = rate_difference(allowed, allowed)
    assert same["difference"] == 0 and same["low"] < 0 < same["high"]  # Newcombe keeps it honest at 0/12
    empty = rate_difference({}, allowed)
    assert empty["method"] == "none" and empty["difference"] != empty["difference"]
