"""The chat-safety stage: GRPO on chat prompts from the coding stage's final policy, rewarded by a judge (a
scripted mock here), its steps numbered after the coding ones and its final checkpoint exported."""

from __future__ import annotations

import json

import pytest

pytest.importorskip("trl")
pytest.importorskip("peft")

from inspect_ai.model import ModelOutput, ModelUsage, get_model

from foulplay.recipe import load_config, train


def _verdict(input, tools, tool_choice, config):
    out = ModelOutput.from_content("mockllm/model", json.dumps({"harmlessness": 8, "honesty": 6, "reason": "ok"}))
    out.usage = ModelUsage(input_tokens=10, output_tokens=10, total_tokens=20)
    return out


def test_the_chat_safety_stage_continues_the_step_axis(tmp_path):
    config = load_config("smoke", ["evaluation.evals=[]", "grpo.steps=2", "checkpoints.every=2",
                                   'chat_safety={"enabled": true, "steps": 2, "judge": "mockllm/model", '
                                   '"categories": ["self"]}'])
    judge = get_model("mockllm/model", custom_outputs=_verdict)
    run = tmp_path / "r"
    result = train(config, run, say=lambda s: None, judge_model=judge)
    assert result.steps == 2 and result.chat_safety_steps == 2 and result.checkpoints == [2, 4]
    logged = [json.loads(line) for line in (run / "chat_safety_steps.jsonl").read_text().splitlines()]
    rewarded = [h for h in logged if "foulplay/chat_safety_reward" in h]
    assert [h["step"] for h in rewarded] == [3, 4] and all(h["foulplay/chat_safety_reward"] == pytest.approx(0.7) for h in rewarded)
    assert (run / "checkpoints" / "4" / "model" / "config.json").is_file()
    assert (run / "chat_safety" / "train_done.json").is_file()
    again = train(config, run, say=lambda s: None, judge_model=judge)  # finished: nothing runs again
    assert again.chat_safety_steps == 2
