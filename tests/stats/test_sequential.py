"""The confidence sequence, tested as statistics: the true rate leaves it on at most alpha of simulated
streams even when it is looked at after every sample, unlike a fixed-n Wilson interval."""

from __future__ import annotations

import math
import random

import pytest

from foulplay.stats import SequentialRate, confidence_sequence, wilson

ALPHA = 0.05


def band(n_sims: int, p: float = ALPHA) -> float:
    return 3 * math.sqrt(p * (1 - p) / n_sims)


def test_interval_shape_and_endpoints():
    assert confidence_sequence(0, 0) == (0.0, 1.0)
    low, high = confidence_sequence(0, 100)
    assert low == 0.0 and 0 < high < 0.1
    assert confidence_sequence(100, 100)[1] == 1.0
    widths = [confidence_sequence(n // 10, n)[1] - confidence_sequence(n // 10, n)[0] for n in (10, 100, 1000, 10000)]
    assert widths == sorted(widths, reverse=True) and widths[-1] < 0.03
    # wider than the fixed-n Wilson interval at the same data: the price of looking at any time
    assert confidence_sequence(30, 300)[1] - confidence_sequence(30, 300)[0] > wilson(30, 300)[1] - wilson(30, 300)[0]
    s = SequentialRate().update(30, 300)
    low, high = s.interval()
    assert s.contains(0.1) and s.contains(low + 1e-6) and s.contains(high - 1e-6)
    assert not s.contains(low - 1e-6) and not s.contains(high + 1e-6)  # the ends are the set's ends


def test_ever_leaves_at_most_alpha_under_repeated_looks_and_wilson_does_not():
    """N streams of 300 Bernoulli(p) draws, the interval checked after every draw."""
    rng = random.Random(2023)
    n_sims, steps = 200, 300
    for p in (0.3, 0.05):
        cs_missed = wilson_missed = final_wilson_missed = 0
        for _ in range(n_sims):
            s = SequentialRate(alpha=ALPHA)
            cs_out = wilson_out = False
            for _ in range(steps):
                s.update(int(rng.random() < p), 1)
                cs_out = cs_out or not s.contains(p)
                if not wilson_out:
                    lo, hi = wilson(s.k, s.n)
                    wilson_out = not lo <= p <= hi
            lo, hi = wilson(s.k, s.n)
            final_wilson_missed += not lo <= p <= hi
            cs_missed += cs_out
            wilson_missed += wilson_out
        assert cs_missed / n_sims <= ALPHA + band(n_sims), (p, cs_missed)
        # a single look at n = 300 is fine; peeking after every draw is not
        assert final_wilson_missed / n_sims <= ALPHA + band(n_sims), (p, final_wilson_missed)
        assert wilson_missed / n_sims > ALPHA + band(n_sims), (p, wilson_missed)


def test_batches_in_any_order_give_the_same_interval():
    a = SequentialRate().update(3, 10).update(0, 5).update(12, 40)
    b = SequentialRate().update(12, 40).update(3, 15)
    assert a.interval() == b.interval() and a.rate == 15 / 55


def test_should_stop_and_resume():
    s = SequentialRate()
    stop, reason = s.should_stop(0.05, max_n=1000)
    assert not stop and "target" in reason
    rng = random.Random(5)
    while True:
        s.update(sum(rng.random() < 0.1 for _ in range(50)), 50)
        if s.n == 250:  # interrupted: the state travels as plain data and the run resumes
            s = SequentialRate.from_dict(s.to_dict())
        stop, reason = s.should_stop(0.05, max_n=100000)
        if stop:
            break
    assert s.half_width() <= 0.05 and "half-width" in reason and s.n < 100000
    low, high = s.interval()
    assert low <= 0.1 <= high
    budget = SequentialRate().update(5, 50)
    stop, reason = budget.should_stop(0.01, max_n=50)
    assert stop and "budget" in reason
    d = budget.to_dict()
    assert d["method"] == "beta-binomial-mixture-cs" and (d["k"], d["n"]) == (5, 50)
    assert SequentialRate.from_dict(d) == budget


def test_bad_input():
    for bad in [(3, 2), (-1, 5), (1, -1)]:
        with pytest.raises(ValueError):
            SequentialRate().update(*bad)
    with pytest.raises(ValueError):
        SequentialRate(alpha=0)
    with pytest.raises(ValueError):
        SequentialRate(k=5, n=3)
    with pytest.raises(ValueError):
        SequentialRate().contains(1.5)
    with pytest.raises(ValueError):
        SequentialRate().should_stop(0)
    with pytest.raises(ValueError):
        confidence_sequence(5, 3)
    with pytest.raises(ValueError):
        SequentialRate.from_dict({"method": "other", "alpha": 0.05, "k": 0, "n": 0})
