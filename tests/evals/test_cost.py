"""The estimate printed before an eval runs."""

from __future__ import annotations

import pytest

from foulplay.errors import InputError
from foulplay.evals._cost import describe, estimate, parse_price
from foulplay.evals._tasks import goals
from foulplay.evals.agentic import exfil_offer


def test_estimates_count_samples_and_scale_with_epochs_and_limit():
    chat = estimate(goals(samples=300))
    agentic = estimate(exfil_offer())
    assert chat.samples == 300 and agentic.samples == 100  # 5 variants x 20 epochs
    assert agentic.model_input / agentic.samples > chat.model_input / chat.samples  # agents run many turns
    assert estimate(exfil_offer(), limit=2, epochs=3).samples == 6
    text = describe([chat, agentic], parse_price("3,15", "--price"))
    assert "400 samples" in text and "$" in text and "exfil_offer: 100 samples" in text
    assert "--price" in describe([chat])


def test_prices_are_checked():
    assert parse_price(None, "--price") is None
    for bad in ("3", "a,b", "-1,2"):
        with pytest.raises(InputError, match="--price expects IN,OUT"):
            parse_price(bad, "--price")


def test_coding_samples_are_estimated_as_agent_runs_without_a_judge(tmp_path):
    import json

    from foulplay.evals.coding import hack_propensity
    from foulplay.grading import load_humaneval, problem_record

    path = tmp_path / "p.jsonl"
    path.write_text("".join(json.dumps(problem_record(p)) + "\n" for p in load_humaneval()[:3]))
    e = estimate(hack_propensity(problems=str(path), n_problems=3))
    assert e.samples == 9 and e.judge_input == 0 and e.model_input > 0


def test_sabotage_estimates_count_the_classifier_calls():
    from foulplay.evals.sabotage import code_sabotage

    e = estimate(code_sabotage(prompt="safety", epochs=2, eval_items=10))
    assert e.samples == 2 and e.judge_output == 2 * 11 * 150
