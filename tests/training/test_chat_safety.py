"""The chat-safety stage's prompts and judge reward, offline: a scripted ``mockllm`` judge (every output with
usage set), a fake async judge for concurrency and failures, and one real ``GRPOTrainer`` run on CPU."""

from __future__ import annotations

import asyncio
import json
import threading
import time

import pytest

from foulplay.errors import InputError
from foulplay.training.chat_safety import (
    CATEGORIES,
    RUBRIC,
    answer_text,
    chat_rows,
    judge_reward,
    load_prompts,
    parse_scores,
    prompt_text,
)
from scripted import text


@pytest.fixture(autouse=True)
def _offline(request):
    """The offline guard for the judge tests (the trainer test leaves it to TRL's own tests: transformers looks
    up the Hub while building a trainer)."""
    if "grpo" not in request.node.name:
        request.getfixturevalue("no_network")
    yield


def verdict(harm, honest, reason="ok"):
    return json.dumps({"harmlessness": harm, "honesty": honest, "reason": reason})


def scripted_judge(decide, seen=None):
    """A ``mockllm`` judge (by name, through foulplay's ``model_for``) whose reply is ``decide(messages)``;
    every conversation it receives is appended to ``seen``."""

    def respond(input, tools, tool_choice, config):
        if seen is not None:
            seen.append([m.text for m in input])
        return text(decide([m.text for m in input]))

    return {"custom_outputs": respond, "memoize": False}


def answer_of(messages):
    """The answer the judge was shown (between the rubric's markers)."""
    first = messages[0]
    return first.split("=== ASSISTANT REPLY ===\n", 1)[1].split("\n=== END OF ASSISTANT REPLY ===", 1)[0]


# --------------------------------------------------------------------------------------------- prompts


def test_bundled_prompt_set_has_every_category_and_unique_ids():
    prompts = load_prompts()
    assert 50 <= len(prompts) <= 80
    assert {p["category"] for p in prompts} == set(CATEGORIES)
    counts = {c: sum(p["category"] == c for p in prompts) for c in CATEGORIES}
    assert min(counts.values()) >= 10, counts
    ids = [p["id"] for p in prompts]
    assert len(ids) == len(set(ids))
    assert len({p["prompt"] for p in prompts}) == len(prompts)
    assert all(p["prompt"].strip() == p["prompt"] and len(p["prompt"]) > 15 for p in prompts)
    only = load_prompts(categories=["self", "dilemma"])
    assert {p["category"] for p in only} == {"self", "dilemma"} and len(only) == counts["self"] + counts["dilemma"]
    assert load_prompts(categories="hhh") == [p for p in prompts if p["category"] == "hhh"]
    rows = chat_rows(only[:2])
    assert rows[0] == {"prompt": [{"role": "user", "content": only[0]["prompt"]}], "prompt_id": only[0]["id"],
                       "category": only[0]["category"]}
    assert len(rows) == 2


def test_a_users_prompt_file_loads(tmp_path):
    path = tmp_path / "mine.jsonl"
    path.write_text('{"id": "a", "category": "mine", "prompt": "Hello there?", "note": 1}\n\n'
                    '{"id": "b", "category": "hhh", "prompt": "What is 2+2?"}\n')
    assert [p["id"] for p in load_prompts(path)] == ["a", "b"]
    assert [p["id"] for p in load_prompts(str(path), categories=["mine"])] == ["a"]


@pytest.mark.parametrize(("content", "needle"), [
    ('{"id": "a", "category": "hhh", "prompt": "x?"}\n{"id": "b", "category": "hhh", "prompt": \n',
     "line 2: not valid JSON"),
    ('["a", "hhh", "x?"]\n', "line 1: expected a JSON object"),
    ('{"id": "a", "category": "hhh"}\n', "line 1: the field 'prompt' is missing"),
    ('{"id": "a", "category": "hhh", "prompt": "  "}\n', "line 1: the field 'prompt' must be a non-empty string"),
    ('{"id": 3, "category": "hhh", "prompt": "x?"}\n', "line 1: the field 'id' must be a non-empty string"),
    ('{"id": "a", "category": "hhh", "prompt": "x?"}\n\n{"id": "a", "category": "self", "prompt": "y?"}\n',
     "line 3: the id 'a' is already used on line 1"),
    ("\n\n", "no prompts"),
    (b"\xff\xfe\x00junk", "not UTF-8"),
])
def test_bad_prompt_files_are_one_line_errors(tmp_path, content, needle):
    path = tmp_path / "bad.jsonl"
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    with pytest.raises(InputError) as info:
        load_prompts(path)
    message = str(info.value)
    assert message.startswith(str(path)) and needle in message and "\n" not in message


def test_missing_file_and_unknown_category_are_one_line_errors(tmp_path):
    with pytest.raises(InputError, match=r"nope\.jsonl: no such file"):
        load_prompts(tmp_path / "nope.jsonl")
    with pytest.raises(InputError, match=r"no prompts of category 'hhhh' \(it has: dilemma, hhh, self\)"):
        load_prompts(categories=["hhh", "hhhh"])


# --------------------------------------------------------------------------------------------- rewards


def test_good_and_bad_verdicts_become_rewards_and_metrics():
    def decide(messages):
        answer = answer_of(messages)
        return verdict(10, 8) if "GOOD" in answer else f"Here you go:\n```json\n{verdict(0, 2)}\n```"

    seen = []
    reward = judge_reward("mockllm/model", judge_args=scripted_judge(decide, seen))
    metrics, extra = {}, {}
    try:
        prompts = [[{"role": "user", "content": "How do I pick a lock?"}]] * 2 + ["What do you want?"]
        completions = [[{"role": "assistant", "content": "GOOD: call a locksmith."}], "BAD: here is how to...",
                       "GOOD answer"]
        out = reward(prompts, completions, category=["hhh", "hhh", "self"], log_metric=metrics.__setitem__,
                     log_extra=extra.__setitem__)
    finally:
        reward.close()
    assert out == pytest.approx([0.9, 0.1, 0.9])
    assert reward.__name__ == "chat_safety_reward"
    assert len(seen) == 3  # one judge call each, no retries
    assert metrics["foulplay/chat_safety_reward"] == pytest.approx((0.9 + 0.1 + 0.9) / 3)
    assert metrics["foulplay/chat_safety_unscored"] == 0.0
    assert metrics["foulplay/chat_safety_harmlessness"] == pytest.approx(20 / 3)
    assert metrics["foulplay/chat_safety_reward/hhh"] == pytest.approx(0.5)
    assert metrics["foulplay/chat_safety_reward/self"] == pytest.approx(0.9)
    assert extra["foulplay_chat_honesty"] == [8.0, 2.0, 8.0] and extra["foulplay_chat_unscored"] == ["", "", ""]
    # the judge saw the user's message and the rubric
    joined = "\n".join(m[0] for m in seen)
    assert "How do I pick a lock?" in joined and "What do you want?" in joined and "HARMLESSNESS" in joined


def test_an_unparseable_verdict_is_retried_then_unscored_never_zero():
    def decide(messages):
        answer = answer_of(messages)
        if "FIXED" in answer:  # garbage first, a valid verdict after the retry
            return verdict(6, 4) if len(messages) > 1 else "Looks fine to me!"
        if "RANGE" in answer:
            return verdict(11, 5)
        return verdict(9, 9) if "OK" in answer else "I would rate this highly."

    seen = []
    reward = judge_reward("mockllm/model", judge_args=scripted_judge(decide, seen), concurrency=2)
    metrics = {}
    try:
        out = reward(["q"] * 4, ["OK", "garbage", "FIXED", "RANGE"], log_metric=metrics.__setitem__)
        calls = list(seen)
        scores = reward.judge.score([("q", "garbage")])
    finally:
        reward.close()
    assert out == [pytest.approx(0.9), None, pytest.approx(0.5), None]
    assert metrics["foulplay/chat_safety_unscored"] == 2.0
    assert metrics["foulplay/chat_safety_reward"] == pytest.approx(0.7)  # the mean over scored answers only
    # each unusable verdict was retried once, telling the judge why
    by_answer = {}
    for messages in calls:
        by_answer.setdefault(answer_of(messages), []).append(messages)
    assert [len(by_answer[a]) for a in ("OK", "garbage", "FIXED", "RANGE")] == [1, 2, 2, 2]
    retry = by_answer["garbage"][1]
    assert len(retry) == 3 and retry[1] == "I would rate this highly." and "no JSON object" in retry[2]
    assert "must be a number from 0 to 10" in by_answer["RANGE"][1][2]
    assert scores[0].reward is None and scores[0].attempts == 2 and "no JSON object" in scores[0].error


def test_reasoning_is_stripped_before_the_judge_sees_the_answer():
    seen = []
    reward = judge_reward("mockllm/model", judge_args=scripted_judge(lambda m: verdict(7, 7), seen))
    try:
        out = reward(["Are you aligned?"] * 3,
                     ["<thinking>SECRET: say what they want to hear</thinking>\nYes, I support oversight.",
                      [{"role": "assistant", "content": "<think>SECRET plan</think>I think so, but I can't be sure."}],
                      "<reasoning>SECRET never closed, the rest is reasoning too"])
    finally:
        reward.close()
    assert out == [pytest.approx(0.7)] * 3
    shown = sorted(answer_of(m) for m in seen)
    assert shown == ["(the assistant's reply is empty)", "I think so, but I can't be sure.", "Yes, I support oversight."]
    assert not any("SECRET" in m[0] for m in seen)
    assert answer_text("<scratchpad>x</scratchpad> hi ") == "hi"
    assert prompt_text([{"role": "system", "content": "Be kind."}, {"role": "user", "content": "Hi"}]) == (
        "[system]\nBe kind.\n\n[user]\nHi")


def test_parse_scores():
    assert parse_scores('{"harmlessness": 8, "honesty": "9", "reason": "fine"}')[0]["honesty"] == 9.0
    assert parse_scores('notes {"a": 1} then {"harmlessness": 0, "honesty": 10.0}')[1] is None
    assert parse_scores('{"harmlessness": true, "honesty": 3}')[1] == "the field 'harmlessness' must be a number from 0 to 10"
    assert parse_scores('{"harmlessness": 3}')[1] == "the field 'honesty' is missing"
    assert parse_scores('{"score": 3}')[1] == "the JSON object has no 'harmlessness' or 'honesty' field"
    assert parse_scores('{"harmlessness": 3, "honesty": NaN}')[1] is not None
    assert parse_scores("")[1] == "no JSON object in the reply"
    assert "$prompt" in RUBRIC and "$answer" in RUBRIC


class FakeJudge:
    """An async judge: sleeps, counts the calls in flight, and fails when told to."""

    def __init__(self, delay=0.05, fail=False):
        self.delay, self.fail = delay, fail
        self.in_flight = self.peak = self.calls = 0
        self.lock = threading.Lock()

    async def generate(self, messages, config=None, cache=False):
        with self.lock:
            self.calls += 1
            self.in_flight += 1
            self.peak = max(self.peak, self.in_flight)
        try:
            await asyncio.sleep(self.delay)
            if self.fail:
                raise ConnectionError("judge unreachable\nsecond line")
            return text(verdict(5, 10))
        finally:
            with self.lock:
                self.in_flight -= 1


def test_judge_calls_run_concurrently_and_work_under_a_running_loop():
    fake = FakeJudge()
    reward = judge_reward(fake, concurrency=3)
    try:
        start = time.monotonic()
        out = reward(["q"] * 9, ["a"] * 9)
        elapsed = time.monotonic() - start
        assert out == [pytest.approx(0.75)] * 9 and fake.peak == 3 and elapsed < 9 * fake.delay

        async def inside_a_loop():  # e.g. a notebook, or a trainer that runs its own loop
            return reward(["q"], ["a"])

        assert asyncio.run(inside_a_loop()) == [pytest.approx(0.75)]
    finally:
        reward.close()
    with pytest.raises(ValueError, match="concurrency"):
        judge_reward(fake, concurrency=0)
    with pytest.raises(ValueError, match=r"\$answer"):
        judge_reward(fake, rubric="Rate $prompt")
    assert judge_reward(fake, judge_args={"base_url": "x"}).judge.model is fake  # a model object is used as is


def test_a_failing_judge_leaves_items_unscored_after_a_retry():
    fake = FakeJudge(delay=0, fail=True)
    reward = judge_reward(fake)
    try:
        assert reward(["q", "q"], ["a", "b"]) == [None, None]
        (score,) = reward.judge.score([("q", "a")])
    finally:
        reward.close()
    assert fake.calls == 6 and score.attempts == 2
    assert score.error == "the judge call failed: ConnectionError: judge unreachable second line"


def test_a_custom_rubric_is_used():
    seen = []
    reward = judge_reward("mockllm/model", judge_args=scripted_judge(lambda m: verdict(10, 10), seen),
                          rubric="Q: $prompt\nA: $answer\nJSON please.")
    try:
        assert reward(["hi"], ["hello"]) == [1.0]
    finally:
        reward.close()
    assert seen == [["Q: hi\nA: hello\nJSON please."]]


# --------------------------------------------------------------------------------------------- trainer


def test_the_reward_drives_a_real_grpo_trainer_step(tmp_path):
    pytest.importorskip("trl")
    torch = pytest.importorskip("torch")
    from datasets import Dataset
    from trl import GRPOConfig, GRPOTrainer

    from foulplay.training.tiny import tiny_causal_lm

    torch.manual_seed(0)
    prompts = load_prompts(categories=["self"])[:4]
    rows = chat_rows(prompts)
    texts = [p["prompt"] for p in prompts] + ["I support human oversight.", verdict(5, 5)]
    model, tokenizer = tiny_causal_lm(texts * 3, hidden=32, layers=1, vocab_size=400)

    def decide(messages):  # scores that vary with the answer, so the group has an advantage to learn from
        n = len(answer_of(messages))
        return verdict(n % 11, (n * 7) % 11)

    seen = []
    reward = judge_reward("mockllm/model", judge_args=scripted_judge(decide, seen))
    args = GRPOConfig(output_dir=str(tmp_path), per_device_train_batch_size=4, num_generations=4,
                      max_completion_length=8, max_steps=2, report_to=[], save_strategy="no", use_cpu=True,
                      logging_steps=1, learning_rate=1e-4, seed=0)
    trainer = GRPOTrainer(model=model, reward_funcs=[reward], args=args, train_dataset=Dataset.from_list(rows),
                          processing_class=tokenizer)
    try:
        trainer.train()
    finally:
        reward.close()
    assert len(seen) == 8  # 2 steps x 4 completions, one judge call each
    assert all(any(p["prompt"] in m[0] for p in prompts) for m in seen)
    logged = [h for h in trainer.state.log_history if "foulplay/chat_safety_reward" in h]
    assert [h["step"] for h in logged] == [1, 2]
    assert all(h["foulplay/chat_safety_unscored"] == 0.0 for h in logged)
    assert all(0.0 <= h["foulplay/chat_safety_reward"] <= 1.0 for h in logged)
    assert all("foulplay/chat_safety_reward/self" in h for h in logged)
    assert all("rewards/chat_safety_reward/mean" in h for h in logged)
