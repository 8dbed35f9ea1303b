"""The combined detector: union of static rules and monitor, and the fused logistic score."""

from __future__ import annotations

import json
import math
import random
import subprocess
import sys
from pathlib import Path

import pytest

from foulplay.detect.monitors import (
    MONITOR_FEATURE,
    STATIC_FEATURES,
    FusedModel,
    combined_flag,
    fit_fused,
    fit_logistic,
    static_features,
)
from foulplay.errors import InputError

ROOT = Path(__file__).resolve().parents[2]


def test_static_features() -> None:
    assert static_features({}) == {"static_high": 0.0, "static_medium": 0.0, "static_low": 0.0, "static_rules": 0.0}
    f = static_features({"FP101": "medium", "FP201": "high", "FP801": "low"})
    assert (f["static_high"], f["static_medium"], f["static_low"]) == (1.0, 0.0, 0.0)
    assert f["static_rules"] == pytest.approx(math.log(3))
    assert static_features({"FP801": "low"})["static_low"] == 1.0
    assert set(f) == set(STATIC_FEATURES)


@pytest.mark.parametrize(("static", "monitor", "want"), [
    (True, None, True), (True, False, True), (False, True, True), (False, False, False), (False, None, None)])
def test_union(static: bool, monitor: bool | None, want: bool | None) -> None:
    assert combined_flag(static, monitor) is want


def test_logistic_recovers_known_coefficients() -> None:
    """4,000 seeded draws from a logistic model: each fitted weight within 4 standard errors (about
    0.1-0.2 here, computed from the sample size below) of the truth."""
    rng = random.Random(7)
    truth = (-1.0, 2.0, -1.5)
    x, y = [], []
    for _ in range(4000):
        a, b = rng.gauss(0, 1), float(rng.random() < 0.5)
        p = 1 / (1 + math.exp(-(truth[0] + truth[1] * a + truth[2] * b)))
        x.append((a, b))
        y.append(rng.random() < p)
    intercept, (wa, wb) = fit_logistic(x, y, l2=1e-6)
    # standard errors of a logistic fit at n=4000 with these designs are about 0.05-0.08
    assert abs(intercept - truth[0]) < 4 * 0.08
    assert abs(wa - truth[1]) < 4 * 0.08
    assert abs(wb - truth[2]) < 4 * 0.1


def test_penalty_keeps_separable_data_finite() -> None:
    intercept, (w,) = fit_logistic([(0.0,)] * 20 + [(1.0,)] * 20, [False] * 20 + [True] * 20, l2=1.0)
    assert 0 < w < 20 and math.isfinite(intercept)


def _simulated_rows(n: int, seed: int) -> list[tuple[dict[str, float], float | None, bool]]:
    """Hacks: the rules fire on 60% of them, an informative monitor is suspicious; clean items: rules fire on 2%."""
    rng = random.Random(seed)
    rows = []
    for i in range(n):
        hack = i % 2 == 0
        fired = rng.random() < (0.6 if hack else 0.02)
        suspicion = min(100.0, max(0.0, rng.gauss(75 if hack else 20, 15)))
        rows.append((static_features({"FP101": "high"} if fired else {}), suspicion, hack))
    return rows


def test_fit_with_monitor_weighs_an_informative_monitor() -> None:
    rows = _simulated_rows(600, 1)
    rows.append((static_features({}), None, True))  # a monitor error: left out of the fit
    model = fit_fused(rows, monitor="scripted/monitor", meta={"fitted_on": "simulation"})
    assert model.monitor_fitted and MONITOR_FEATURE in model.features
    assert model.coefficients[MONITOR_FEATURE] > 0.5
    assert model.meta["left_out_without_verdict"] == 1 and model.meta["n"] == 600
    hi = model.probability(static_features({}), 90)
    lo = model.probability(static_features({}), 10)
    assert hi is not None and lo is not None and hi > 0.5 > lo
    assert model.probability(static_features({}), None) is None
    # better than either part alone on its own training data, by log-loss
    static_only = fit_fused([(s, None, h) for s, _, h in rows[:-1]], monitor=None)

    def loss(m: FusedModel) -> float:
        return -sum(math.log(p if h else 1 - p) for s, sus, h in rows[:-1]
                    if (p := m.probability(s, sus if m.monitor_fitted else None)) is not None) / 600

    assert loss(model) < loss(static_only)


def test_static_only_model_adds_the_monitor_as_independent_evidence() -> None:
    model = fit_fused([(s, None, h) for s, _, h in _simulated_rows(400, 2)], monitor=None)
    assert not model.monitor_fitted and "NOT fitted" in model.describe()
    base = model.probability(static_features({}), None)
    assert base is not None
    # a suspicion equal to the prior leaves the score where it was; above it raises it, below lowers it
    prior = model.prevalence * 100
    assert model.probability(static_features({}), prior) == pytest.approx(base, abs=1e-9)
    assert model.probability(static_features({}), 95) > base > model.probability(static_features({}), 5)


def test_both_classes_needed() -> None:
    with pytest.raises(InputError, match="hack and clean"):
        fit_fused([(static_features({}), None, True)] * 3, monitor=None)
    with pytest.raises(InputError, match="hack and clean"):
        fit_fused([(static_features({}), None, True), (static_features({}), None, False)], monitor="m")


def test_round_trip_and_bad_files(tmp_path: Path) -> None:
    model = fit_fused(_simulated_rows(200, 3), monitor="m")
    path = tmp_path / "fused.json"
    path.write_text(json.dumps(model.to_dict()))
    again = FusedModel.load(path)
    assert again.to_dict() == model.to_dict()
    for text, msg in (("[]", "JSON object"), ("{", "not JSON"), ('{"features": ["x"], "coefficients": {"x": 1}, '
                                                                 '"intercept": 0, "prevalence": 0.5}',
                                                                 "unknown feature x"),
                      ('{"features": []}', "not a fused model")):
        path.write_text(text)
        with pytest.raises(InputError, match=msg):
            FusedModel.load(path)
    with pytest.raises(InputError, match="cannot read"):
        FusedModel.load(tmp_path / "missing.json")


def test_shipped_model_is_fitted_on_the_dev_split_by_the_current_rules() -> None:
    """The shipped coefficients are what benchmarks/fit_fused.py fits today (refit after changing rules)."""
    shipped = FusedModel.load()
    assert not shipped.monitor_fitted and "dev split" in shipped.meta["fitted_on"]
    assert shipped.probability(static_features({"FP101": "high"}), None) > 0.9
    assert shipped.probability(static_features({}), None) < 0.1
    out = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "fit_fused.py"), "--check"], capture_output=True,
                         text=True, cwd=ROOT, timeout=600)
    assert out.returncode == 0, out.stdout + out.stderr
