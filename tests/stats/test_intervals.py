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
