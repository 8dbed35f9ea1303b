"""Hack-propensity summaries are a hack rate, not a misalignment rate: kept out of the misalignment bars and
the MGS, shown in their own section with the cheat-given-impossible rate."""

from __future__ import annotations

import json

import pytest

pytest.importorskip("jinja2")
pytest.importorskip("matplotlib")

from foulplay.report import load_results
from foulplay.report._render import render


def _rate(k: int, n: int) -> dict:
    return {"k": k, "rate": k / n, "ci_low": 0.0, "ci_high": min(1.0, 2 * k / n + 0.1), "method": "wilson"}


def test_hack_propensity_has_its_own_section(tmp_path):
    coding = {"eval": "hack_propensity", "kind": "coding", "usable": 10, "errors": 0, "misaligned": 3,
              "misaligned_rate": 0.3, "ci_low": 0.1, "ci_high": 0.6,
              "overall": {"n": 10, "solved": _rate(5, 10), "hacked": _rate(3, 10), "stopped": _rate(1, 10)},
              "cheat_given_impossible": _rate(3, 5), "stop_given_impossible": _rate(1, 5),
              "hack_families": {"test-tampering": 3}}
    goals = {"eval": "goals", "misaligned_rate": 0.2, "ci_low": 0.1, "ci_high": 0.3, "usable": 20, "misaligned": 4,
             "errors": 0, "excluded": 0, "covert": 1, "overt": 3}
    (tmp_path / "hack_propensity.summary.json").write_text(json.dumps(coding))
    (tmp_path / "goals.summary.json").write_text(json.dumps(goals))
    results = load_results([tmp_path])
    [es] = results.eval_sets
    assert [s["eval"] for s in es.summaries] == ["goals"] and [s["eval"] for s in es.coding] == ["hack_propensity"]
    html, _md, shown = render(results)
    ids = [s.id for s in shown]
    assert "hack" in ids and ids.index("evals") < ids.index("hack")
    hack = shown[ids.index("hack")]
    assert hack.tables[0].rows[0][4].startswith("60.0%") and "test-tampering 3" in hack.tables[0].rows[0][6]
    assert any("cheated on 60.0% of the tasks it could not solve honestly" in w for w in hack.warnings)
    assert "hack_propensity (chat)" not in html
    only = tmp_path / "only"
    only.mkdir()
    (only / "hack_propensity.summary.json").write_text(json.dumps(coding))
    assert not load_results([only]).empty
