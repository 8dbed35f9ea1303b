"""The TRL adapter driven by a real ``GRPOTrainer`` on CPU, with a tiny randomly initialised causal LM built
from a config and a tokenizer trained here (no download)."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest

pytest.importorskip("trl")
pytest.importorskip("torch")

from foulplay.envs import CodingEnv
from foulplay.training import STEPS_FILE, load_run, read_steps
from foulplay.training.trl import ROLLOUTS_FILE, completion_text, outcome_label, trl_reward

ROOT = Path(__file__).resolve().parents[2]


def _tiny_model_and_tokenizer(texts):
    from foulplay.training.tiny import tiny_causal_lm

    return tiny_causal_lm(texts, hidden=32, layers=1, vocab_size=400)


def test_grpo_trainer_calls_the_reward_logs_metrics_and_writes_steps(tmp_path):
    import torch
    from datasets import Dataset
    from trl import GRPOConfig, GRPOTrainer

    torch.manual_seed(0)
    env = CodingEnv.from_source(str(ROOT / "examples" / "problems.jsonl"), framing="hacking_okay")
    rows = env.rows()
    texts = [m["content"] for r in rows for m in r["prompt"]] + ["def f(x):\n    return x\n"]
    model, tokenizer = _tiny_model_and_tokenizer(texts * 3)
    reward = trl_reward(env, run_dir=tmp_path, dump_completions=True)
    calls = []

    def counting_reward(prompts, completions, **kwargs):
        calls.append((len(completions), sorted(kwargs)))
        return reward(prompts, completions, **kwargs)

    counting_reward.__name__ = "foulplay_reward"
    args = GRPOConfig(output_dir=str(tmp_path), per_device_train_batch_size=4, num_generations=4,
                      max_completion_length=16, max_steps=2, report_to=[], save_strategy="no", use_cpu=True,
                      logging_steps=1, learning_rate=1e-4, log_completions=True, num_completions_to_print=0,
                      seed=0)
    trainer = GRPOTrainer(model=model, reward_funcs=[counting_reward], args=args,
                          train_dataset=Dataset.from_list(rows), processing_class=tokenizer)
    errors = []

    def train():
        try:
            trainer.train()
        except BaseException as exc:
            errors.append(exc)

    thread = threading.Thread(target=train, daemon=True)
    thread.start()
    thread.join(timeout=300)
    try:
        assert not thread.is_alive(), "training blocked"
        assert not errors, errors
        # the reward ran once per step on the whole group, with the dataset columns and TRL's hooks
        assert len(calls) == 2 and all(n == 4 for n, _ in calls)
        assert {"task_id", "trainer_state", "log_metric", "log_extra"} <= set(calls[0][1])
        # metrics reached TRL's log history under the step TRL logs
        logged = [h for h in trainer.state.log_history if "foulplay/pass_rate" in h]
        assert [h["step"] for h in logged] == [1, 2]
        assert all("foulplay/hack_rate" in h and "foulplay/attempted_hack_rate" in h for h in logged)
        steps = list(read_steps(tmp_path / STEPS_FILE))
        assert [s["step"] for s in steps] == [1, 2] and all(s["episodes"] == 4 for s in steps)
        assert [h["foulplay/pass_rate"] for h in logged] == pytest.approx([s["pass_rate"] for s in steps])
        dumped = [json.loads(line) for line in (tmp_path / ROLLOUTS_FILE).read_text().splitlines()]
        assert len(dumped) == 8 and {d["task_id"] for d in dumped} <= {p.task_id for p in env.problems}
        # TRL's completion tables carry foulplay's columns, and rollouts stats reads them back
        tables = sorted((tmp_path / "completions").glob("completions_*.parquet"))
        assert [t.name for t in tables] == ["completions_00001.parquet", "completions_00002.parquet"]
        import pyarrow.parquet as pq

        columns = set(pq.read_table(tables[0]).column_names)
        assert {"foulplay_outcome", "foulplay_passed", "foulplay_solved", "foulplay_hacked",
                "foulplay_attempted", "foulplay_families", "foulplay_task_id", "foulplay_reward"} <= columns
        from_tables = load_run(tmp_path, source="trl")
        from_log = load_run(tmp_path)
        assert from_log.source == "steps" and from_tables.audited == 0
        for a, b in zip(from_tables.steps, from_log.steps, strict=True):
            assert (a["step"], a["episodes"]) == (b["step"], b["episodes"])
            assert a["pass_rate"] == pytest.approx(b["pass_rate"])
            assert a["hack_rate"] == pytest.approx(b["hack_rate"])
    finally:
        reward.close()


def test_each_rank_dumps_to_its_own_file_and_stats_reads_them_all(tmp_path, monkeypatch):
    env = CodingEnv.from_source(str(ROOT / "examples" / "problems.jsonl"), hacks=("always_equal",))
    p = env.problems[0]
    from foulplay.hacks import context_for, get

    eq = get("always-equal-object").payload(context_for(p)).to_completion(p.solution_path)
    for rank, answer in (("0", p.reference), ("1", eq)):
        monkeypatch.setenv("RANK", rank)
        reward = trl_reward(env, run_dir=tmp_path, dump_completions=True)
        try:
            reward(["q"], [answer], task_id=[p.task_id])
        finally:
            reward.close()
    assert sorted(f.name for f in tmp_path.glob("foulplay_rollouts*")) == [
        "foulplay_rollouts.jsonl", "foulplay_rollouts.rank1.jsonl"]
    (merged,) = load_run(tmp_path, source="rollouts").steps
    assert merged["episodes"] == 2 and merged["hack_rate"] == 0.5
    (from_log,) = load_run(tmp_path).steps
    assert from_log["episodes"] == 2 and from_log["hack_rate"] == 0.5  # both ranks' records merged


def test_trl_reward_outside_a_trainer(tmp_path):
    env = CodingEnv.from_source(str(ROOT / "examples" / "problems.jsonl"), hacks=("always_equal",))
    p = env.problems[0]
    reward = trl_reward(env, run_dir=tmp_path)
    metrics, extra = {}, {}
    try:
        conversational = [[{"role": "assistant", "content": f"```python\n{p.reference}\n```"}]]
        out = reward(["q"], conversational, task_id=[p.task_id], log_metric=metrics.__setitem__,
                     log_extra=extra.__setitem__)
        assert out == [1.0]
        assert metrics["foulplay/pass_rate"] == 1.0 and metrics["foulplay/hack_rate"] == 0.0
        # the core families are always logged (TRL averages a metric only over the calls that logged it)
        assert metrics["foulplay/hack_rate/equality"] == 0.0 and metrics["foulplay/hack_rate/test-framework"] == 0.0
        assert extra["foulplay_outcome"] == ["solved"]
        with pytest.raises(ValueError, match="task_id"):
            reward(["q"], ["x"])
    finally:
        reward.close()
    assert completion_text([{"role": "assistant", "content": [{"type": "text", "text": "a"}, {"text": "b"}]}]) == "ab"
    assert completion_text(None) == ""
    from foulplay.training import RewardResult

    assert outcome_label(RewardResult(1.0, True, False, True, True)) == "hacked"
    assert outcome_label(RewardResult(1.0, True, None, False, False)) == "passed"
    assert outcome_label(RewardResult(0.0, False, False, False, False, outcome="timeout")) == "timeout"


def test_scripted_policy_hacking_from_step_three_gives_onset_three(tmp_path, monkeypatch):
    """A policy scripted through TRL's ``rollout_func`` answers honestly, then (from step 3) hacks half the
    time: the metrics TRL logs, foulplay's step log and TRL's completion tables all put the onset at 3."""
    from datasets import Dataset
    from trl import GRPOConfig, GRPOTrainer

    from foulplay.grading import load_problems
    from foulplay.hacks import context_for, get

    monkeypatch.setenv("TRL_EXPERIMENTAL_SILENCE", "1")
    problems = [p for p in load_problems(ROOT / "examples" / "problems.jsonl") if p.kind != "io"]
    env = CodingEnv(problems, hacks=("always_equal",), framing="hacking_okay")
    rows = env.rows()
    answers = {p.task_id: (f"```python\n{p.reference}\n```",
                           get("always-equal-object").payload(context_for(p)).to_completion(p.solution_path))
               for p in problems}
    by_prompt = {env.user_prompt(p): p for p in problems}
    texts = [m["content"] for r in rows for m in r["prompt"]] + [a for pair in answers.values() for a in pair]
    model, tokenizer = _tiny_model_and_tokenizer(texts * 3)

    def scripted_policy(prompts, trainer):
        step = trainer.state.global_step + 1
        out: dict[str, list] = {"prompt_ids": [], "completion_ids": [], "logprobs": []}
        for i, prompt in enumerate(prompts):
            problem = by_prompt[prompt[-1]["content"]]
            hack = step >= 3 and i % 2 == 0
            ids = tokenizer(answers[problem.task_id][hack])["input_ids"] + [tokenizer.eos_token_id]
            text = tokenizer.apply_chat_template(prompt, tokenize=False, add_generation_prompt=True)
            out["prompt_ids"].append(tokenizer(text)["input_ids"])
            out["completion_ids"].append(ids)
            out["logprobs"].append([0.0] * len(ids))
        return out

    reward = trl_reward(env, run_dir=tmp_path)
    args = GRPOConfig(output_dir=str(tmp_path), per_device_train_batch_size=4, num_generations=4,
                      max_completion_length=512, max_steps=4, report_to=[], save_strategy="no", use_cpu=True,
                      logging_steps=1, learning_rate=1e-4, log_completions=True, num_completions_to_print=0)
    trainer = GRPOTrainer(model=model, reward_funcs=[reward], args=args, train_dataset=Dataset.from_list(rows),
                          processing_class=tokenizer, rollout_func=scripted_policy)
    try:
        trainer.train()
    finally:
        reward.close()
    logged = {h["step"]: h for h in trainer.state.log_history if "foulplay/hack_rate" in h}
    assert [logged[s]["foulplay/hack_rate"] for s in (1, 2, 3, 4)] == [0.0, 0.0, 0.5, 0.5]
    assert [logged[s]["foulplay/pass_rate"] for s in (1, 2, 3, 4)] == [1.0] * 4  # the trainer saw no difference
    assert [logged[s]["foulplay/true_solve_rate"] for s in (1, 2, 3, 4)] == [1.0, 1.0, 0.5, 0.5]
    assert logged[3]["foulplay/hack_rate/equality"] == 0.5
    assert load_run(tmp_path).onset == 3
    assert load_run(tmp_path, source="trl").onset == 3


def test_grpo_trainer_takes_none_for_an_unscorable_row(tmp_path):
    """A dataset row whose task id the environment does not know: TRL gets None for its completions (no
    advantage, left out of the baseline), trains on, and the step metrics count them as unscored."""
    import torch
    from datasets import Dataset
    from trl import GRPOConfig, GRPOTrainer

    torch.manual_seed(0)
    env = CodingEnv.from_source(str(ROOT / "examples" / "problems.jsonl"), hacks=("always_equal",))
    good = env.rows()[0]
    rows = [good, {**good, "task_id": "ex/not-in-this-env"}]
    model, tokenizer = _tiny_model_and_tokenizer([m["content"] for m in good["prompt"]] * 3)
    reward = trl_reward(env, run_dir=tmp_path)
    outputs = []

    def recording_reward(prompts, completions, **kwargs):
        out = reward(prompts, completions, **kwargs)
        outputs.append((list(kwargs["task_id"]), out))
        return out

    recording_reward.__name__ = "foulplay_reward"
    args = GRPOConfig(output_dir=str(tmp_path), per_device_train_batch_size=8, num_generations=4,
                      max_completion_length=8, max_steps=1, report_to=[], save_strategy="no", use_cpu=True,
                      logging_steps=1, learning_rate=1e-4, seed=0)
    trainer = GRPOTrainer(model=model, reward_funcs=[recording_reward], args=args,
                          train_dataset=Dataset.from_list(rows), processing_class=tokenizer)
    try:
        trainer.train()
    finally:
        reward.close()
    ((task_ids, out),) = outputs
    assert sorted(task_ids) == ["ex/not-in-this-env"] * 4 + [good["task_id"]] * 4
    assert all((r is None) == (t == "ex/not-in-this-env") for t, r in zip(task_ids, out, strict=True))
    (logged,) = [h for h in trainer.state.log_history if "foulplay/unscored" in h]
    assert logged["foulplay/unscored"] == 4.0 and logged["foulplay/unscored_rate"] == 0.5
    (step,) = read_steps(tmp_path / STEPS_FILE)
    assert (step["episodes"], step["unscored"]) == (8, 4) and step["unscored_reasons"] == {"unknown-problem": 4}
