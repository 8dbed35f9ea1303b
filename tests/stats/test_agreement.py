"""Cohen's kappa: hand-computed tables, a seeded coverage simulation, and bad input."""

from __future__ import annotations

import math
import random

import pytest

from foulplay.stats import cohen_kappa, disagreements


def table(cells: dict[tuple[str, str], int]) -> tuple[list[str], list[str]]:
    a: list[str] = []
    b: list[str] = []
    for (x, y), count in cells.items():
        a += [x] * count
        b += [y] * count
    return a, b


def test_kappa_known_values():
    assert cohen_kappa(["y", "n", "y", "n"], ["y", "n", "y", "n"]).kappa == 1.0  # perfect agreement
    # chance agreement exactly: p_o = p_e = 0.5
    assert cohen_kappa(["y", "y", "n", "n"], ["y", "n", "y", "n"]).kappa == 0.0
    # textbook (Wikipedia, "Cohen's kappa"): 20 yes/yes, 5 yes/no, 10 no/yes, 15 no/no -> p_o .7, p_e .5, kappa .4
    k = cohen_kappa(*table({("y", "y"): 20, ("y", "n"): 5, ("n", "y"): 10, ("n", "n"): 15}))
    assert abs(k.kappa - 0.4) < 1e-12 and abs(k.observed - 0.7) < 1e-12 and abs(k.expected - 0.5) < 1e-12
    assert k.low < 0.4 < k.high and k.method == "bootstrap" and k.n == 50
    # 45/15/25/15: p_o .6, p_e .54 -> 0.06 / 0.46
    k2 = cohen_kappa(*table({("y", "y"): 45, ("y", "n"): 15, ("n", "y"): 25, ("n", "n"): 15}))
    assert abs(k2.kappa - 0.06 / 0.46) < 1e-12
    # three categories, any hashable labels: p_o = 7/10, p_e = (4*4 + 3*3 + 3*3)/100 = .34 -> .36/.66
    a = [("x",), ("x",), ("x",), ("x",), None, None, None, 3, 3, 3]
    b = [("x",), ("x",), ("x",), None, None, None, 3, 3, 3, ("x",)]
    assert abs(cohen_kappa(a, b).kappa - 0.36 / 0.66) < 1e-12
    # perfect disagreement on a balanced binary table: -1
    assert cohen_kappa(["y", "n"] * 5, ["n", "y"] * 5).kappa == -1.0
    assert cohen_kappa(["y"] * 10, ["y"] * 10).to_dict()["method"] == "none"  # one shared label: undefined
    assert math.isnan(cohen_kappa(["y"] * 10, ["y"] * 10).kappa)


def test_kappa_of_independent_raters_is_near_zero():
    rng = random.Random(7)
    a = [rng.choice("abc") for _ in range(2000)]
    b = [rng.choice("abc") for _ in range(2000)]
    k = cohen_kappa(a, b, resamples=300)
    assert abs(k.kappa) < 0.05 and k.low < 0 < k.high


def test_kappa_interval_coverage():
    """Two binary raters agreeing 80% with balanced labels: true kappa = (0.8 - 0.5) / 0.5 = 0.6."""
    cells = [("y", "y"), ("y", "n"), ("n", "y"), ("n", "n")]
    weights = [0.4, 0.1, 0.1, 0.4]
    rng = random.Random(1960)
    n_sims = 150
    covered = 0
    for i in range(n_sims):
        pairs = rng.choices(cells, weights, k=100)
        k = cohen_kappa([p[0] for p in pairs], [p[1] for p in pairs], resamples=300, seed=i)
        covered += k.low <= 0.6 <= k.high
    coverage = covered / n_sims
    assert coverage >= 0.95 - 3 * math.sqrt(0.95 * 0.05 / n_sims), coverage


def test_disagreements_lists_both_verdicts():
    out = disagreements(["s1", "s2", "s3"], ["hack", "clean", "hack"], ["hack", "hack", "clean"])
    assert out == [{"id": "s2", "a": "clean", "b": "hack"}, {"id": "s3", "a": "hack", "b": "clean"}]
    assert disagreements([], [], []) == []


def test_bad_input():
    with pytest.raises(ValueError):
        cohen_kappa([], [])
    with pytest.raises(ValueError):
        cohen_kappa(["a"], ["a", "b"])
    with pytest.raises(ValueError):
        cohen_kappa(["a", "b"], ["a", "b"], level=1.5)
    with pytest.raises(ValueError):
        disagreements(["s1"], ["a", "b"], ["a", "b"])
