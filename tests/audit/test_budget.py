"""Budget presets and the price table the cost estimate uses."""

from __future__ import annotations

import pytest

from foulplay.audit import BUDGETS, ModelSpec, PriceTable, load_prices, plan
from foulplay.errors import InputError
from foulplay.evals._budget import spread


def test_spread_keeps_every_part_of_the_dataset():
    assert spread(10, None) == list(range(10)) and spread(3, 10) == [0, 1, 2]
    picked = spread(240, 20)
    assert len(picked) == 20 and picked[0] == 0 and picked[-1] >= 228  # the last questions keep a share
    assert len(set(i // 5 for i in picked)) == 20  # 5 samples per question: 20 different questions


def test_prices_exact_names_first_then_globs(tmp_path):
    cfg = tmp_path / "foulplay.toml"
    cfg.write_text('[prices]\n"anthropic/*" = [3, 15]\n"anthropic/claude-haiku" = [1, 5]\n')
    table = load_prices(cfg)
    assert table.price("anthropic/claude-haiku") == (1.0, 5.0)
    assert table.price("anthropic/claude-sonnet") == (3.0, 15.0)
    assert table.price("openai/gpt-4o") is None


@pytest.mark.parametrize("text, match", [
    ('[prices]\n"m" = [1]\n', r"prices.m: expected \[input, output\]"),
    ('[prices]\n"m" = [-1, 2]\n', "expected"),
    ('prices = 3\n', r"\[prices\] must be a table"),
    ('[prices\n', "not a TOML config"),
])
def test_a_bad_price_table_is_one_line(tmp_path, text, match):
    cfg = tmp_path / "c.toml"
    cfg.write_text(text)
    with pytest.raises(InputError, match=match):
        load_prices(cfg)


def test_a_missing_config_file_is_an_error_but_no_default_file_is_fine(tmp_path, monkeypatch):
    with pytest.raises(InputError, match="no such config file"):
        load_prices(tmp_path / "nope.toml")
    monkeypatch.chdir(tmp_path)
    assert load_prices(None).prices == {}


def test_the_plan_fixes_samples_per_budget_and_prices_them():
    table = PriceTable({"openai/m": (1.0, 2.0), "openai/judge": (10.0, 20.0)})
    spec = ModelSpec(models=["openai/m"], judge="openai/judge", budget="quick", evals=["goals", "exfil_offer"])
    _, quick = plan(spec, table)
    c = quick["per_model"]["openai/m"]
    assert c["per_eval"] == {"goals": BUDGETS["quick"].chat_samples, "exfil_offer": 5 * BUDGETS["quick"].agentic_epochs}
    expected = (c["model_input"] * 1 + c["model_output"] * 2 + c["judge_input"] * 10 + c["judge_output"] * 20) / 1e6
    assert c["usd"] == pytest.approx(expected) and quick["total_usd"] == pytest.approx(expected)
    spec.budget = "full"
    _, full = plan(spec, table)
    assert full["per_model"]["openai/m"]["per_eval"]["goals"] == 300  # every sample the eval defines
    assert full["total_usd"] > quick["total_usd"]


def test_an_unpriced_model_is_unknown_not_free():
    _, p = plan(ModelSpec(models=["x/y"], judge=None, evals=["goals"]), PriceTable({}))
    assert p["per_model"]["x/y"]["usd"] is None and p["per_model"]["x/y"]["unpriced"] == ["x/y"]
    assert p["total_usd"] is None


def test_an_unknown_budget_or_eval_is_one_line():
    with pytest.raises(InputError, match="unknown budget"):
        plan(ModelSpec(models=["m"], budget="huge"), PriceTable({}))
    with pytest.raises(InputError, match="unknown eval 'nope'"):
        plan(ModelSpec(models=["m"], evals=["nope"]), PriceTable({}))


def test_scripted_models_cost_nothing_unless_the_table_says_otherwise():
    assert PriceTable({}).price("foulplay/dry-run") == (0.0, 0.0)
    assert PriceTable({}).price("mockllm/model") == (0.0, 0.0)
    assert PriceTable({"mockllm/*": (1.0, 1.0)}).price("mockllm/model") == (1.0, 1.0)


def test_the_plan_describes_only_the_evals_chosen():
    _, p = plan(ModelSpec(models=["m"], evals=["goals"]), PriceTable({}))
    assert p["budget"] == "quick: chat evals 20 samples each"
    _, p = plan(ModelSpec(models=["m"], evals=["hack_propensity"], budget="full"), PriceTable({}))
    assert p["budget"] == "full: hack_propensity every sample"
