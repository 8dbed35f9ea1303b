"""``audit model``: several models in one Inspect eval set, the budget's sample counts, the cost guard, resume.
The offline dry-run model and Inspect's mockllm stand in for real ones."""

from __future__ import annotations

import json

import pytest

from foulplay.audit import AuditFolder, ModelSpec, PriceTable, audit_model
from foulplay.errors import InputError

pytest.importorskip("jinja2")
pytest.importorskip("matplotlib")


def _run(tmp_path, spec: ModelSpec, prices: PriceTable | None = None, **kw):
    folder = AuditFolder(tmp_path, "model", spec.config(), title="model audit")
    return folder, *audit_model(folder, spec, prices or PriceTable({}), **kw)


def test_two_models_one_eval_set_one_summary_folder_each(tmp_path, monkeypatch):
    spec = ModelSpec(models=["foulplay/dry-run", "mockllm/model"], judge="foulplay/dry-run", evals=["goals"])
    plans = []
    folder, code, s = _run(tmp_path, spec, on_plan=plans.append)
    assert plans[0]["per_model"]["mockllm/model"]["per_eval"] == {"goals": 20}
    for slug in ("foulplay--dry-run", "mockllm--model"):
        summary = json.loads((tmp_path / "evals" / slug / "goals.summary.json").read_text())
        assert summary["usable"] + summary["errors"] == 20 and summary["dry_run"]
    assert [p["name"] for p in folder.state["parts"]] == ["foulplay/dry-run", "mockllm/model"]
    assert list((tmp_path / "logs").glob("*.eval")) and folder.state["dry_run"]
    assert s["models"]["foulplay/dry-run"]["failed"] == 0 and code in (0, 1)
    html = folder.finish().html.read_text()
    assert "DRY RUN" in html and "mockllm/model" in html

    def boom(*a, **k):
        raise AssertionError("the eval set ran again")

    monkeypatch.setattr("foulplay.audit._model.run_eval_set", boom)
    _, code2, s2 = _run(tmp_path, spec)
    assert code2 == code and s2["models"] == s["models"]


def test_the_cost_guard_refuses_before_anything_runs(tmp_path, monkeypatch):
    monkeypatch.setattr("foulplay.audit._model.run_eval_set", lambda *a, **k: pytest.fail("it ran"))
    spec = ModelSpec(models=["openai/m"], judge="openai/j", evals=["goals"])
    with pytest.raises(InputError, match="no price for openai/j"):
        _run(tmp_path / "a", spec, PriceTable({"openai/m": (1, 1)}), max_cost=1.0)
    with pytest.raises(InputError, match=r"estimated at \$.* above --max-cost \$0.01"):
        _run(tmp_path / "b", spec, PriceTable({"openai/*": (100, 100)}), max_cost=0.01)


def test_the_same_model_twice_is_one_line(tmp_path):
    with pytest.raises(InputError, match="named twice"):
        _run(tmp_path, ModelSpec(models=["foulplay/dry-run", "foulplay/dry-run"], evals=["goals"]))
