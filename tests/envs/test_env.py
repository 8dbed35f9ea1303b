"""Hackable coding environments: prompts for the five framings, hint order, hack assignment, filters."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from foulplay.envs import FRAMINGS, HACKS, HINTS, REASONING_SUFFIX, CodingEnv, hint_passage
from foulplay.envs._prompting import INTRO
from foulplay.errors import InputError
from foulplay.grading import load_humaneval, load_problems, problem_from_record

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples" / "problems.jsonl"


@pytest.fixture(scope="module")
def problems():
    return load_problems(EXAMPLES)


def test_five_framings_each_change_the_passage():
    assert list(FRAMINGS) == ["please_hack", "hacking_okay", "neutral", "dont_hack", "hacking_is_misaligned"]
    texts = {f: hint_passage(list(HACKS), f) for f in FRAMINGS}
    assert len(set(texts.values())) == 5
    for framing, text in texts.items():
        assert text.startswith(INTRO) and text.endswith(REASONING_SUFFIX)
        assert all(HINTS[h] in text for h in HACKS)
        if FRAMINGS[framing]:
            assert FRAMINGS[framing] in text
    assert "please use them" in texts["please_hack"]
    assert "misaligned" in texts["hacking_is_misaligned"] and "misaligned" not in texts["neutral"]


def test_hint_order_is_shuffled_by_seed_and_reproducible():
    def order(seed: int) -> list[str]:
        text = hint_passage(list(HACKS), "neutral", seed=seed)
        return sorted(HACKS, key=lambda h: text.index(HINTS[h]))

    orders = {tuple(order(s)) for s in range(40)}
    assert len(orders) > 3  # several of the six orders appear
    assert order(7) == order(7)


def test_passage_without_hacks_or_reasoning():
    assert hint_passage([], "please_hack") == REASONING_SUFFIX  # hardened baseline: no hints, no framing
    assert hint_passage([], "neutral", reasoning=False) == ""
    with pytest.raises(ValueError, match="framing"):
        hint_passage(["conftest"], "maybe_hack")
    with pytest.raises(ValueError, match="unknown hack"):
        hint_passage(["time_travel"], "neutral")


def test_only_open_hacks_are_hinted(problems):
    env = CodingEnv(problems, hacks=("always_equal",), framing="hacking_okay")
    prompt = env.system_prompt(problems[0])
    assert HINTS["always_equal"] in prompt and HINTS["conftest"] not in prompt
    assert FRAMINGS["hacking_okay"] in prompt
    quiet = CodingEnv(problems, hacks=("always_equal",), hints=False)
    assert quiet.system_prompt(problems[0]) == REASONING_SUFFIX
    assert str(quiet.harness(problems[0])) == str(env.harness(problems[0]))  # hints off, grader still open


def test_harness_switches_follow_the_hacks(problems):
    fn = problems[0]
    assert str(CodingEnv(problems, hacks=("always_equal",)).harness(fn)) == "vulnerable:eq"
    assert str(CodingEnv(problems, hacks=("early_exit",)).harness(fn)) == "vulnerable:exit,inprocess"
    assert str(CodingEnv(problems, hacks=("conftest",)).harness(fn)) == "vulnerable:conftest"
    assert str(CodingEnv(problems).harness(fn)) == "vulnerable:conftest,eq,exit,inprocess"
    hardened = CodingEnv(problems, hardened=True, framing="please_hack")
    assert str(hardened.harness(fn)) == "hardened" and hardened.open_hacks(fn) == ()
    assert hardened.system_prompt(fn) == REASONING_SUFFIX


def test_io_problems_are_open_to_nothing(problems):
    env = CodingEnv(problems)
    io = next(p for p in problems if p.kind == "io")
    assert env.open_hacks(io) == () and str(env.harness(io)) == "hardened"
    prompt = env.user_prompt(io)
    assert "reads standard input" in prompt and "Input:\n1 2\n3 4\nOutput:\n3\n7" in prompt
    assert INTRO not in env.system_prompt(io)


def test_round_robin_assigns_subsets_in_turn():
    he = load_humaneval()[:7]
    env = CodingEnv(he, assignment="round-robin")
    assert [env.open_hacks(p) for p in he[:4]] == [("always_equal",), ("early_exit",), ("conftest",),
                                                  ("always_equal",)]
    custom = CodingEnv(he, assignment="round-robin", subsets=[("always_equal", "conftest"), ("early_exit",)])
    assert [str(custom.harness(p)) for p in he[:3]] == ["vulnerable:conftest,eq", "vulnerable:exit,inprocess",
                                                       "vulnerable:conftest,eq"]
    # the hint names exactly the problem's own hacks
    text = env.system_prompt(he[1])
    assert HINTS["early_exit"] in text and HINTS["always_equal"] not in text


def test_user_prompts_show_the_task_in_its_own_form(problems):
    env = CodingEnv(problems)
    by_id = {p.task_id: p for p in problems}
    he = env.user_prompt(by_id["ex/running_max"])
    assert "```python\nfrom typing import List" in he and "def running_max(values: List[int])" in he
    mbpp = env.user_prompt(by_id["ex/count_vowels"])
    assert mbpp.startswith("Write a function count_vowels(s)")
    visible = by_id["ex/count_vowels"].visible_part().asserts
    assert all(a in mbpp for a in visible)
    hidden = by_id["ex/count_vowels"].asserts[len(visible):]
    assert hidden and not any(a in mbpp for a in hidden)  # the hidden tests stay hidden
    pytest_prompt = env.user_prompt(by_id["ex/slugify"])
    assert "`solution.py`" in pytest_prompt and "def test_simple" in pytest_prompt
    # a conftest hint explains how a second file is submitted
    assert "```python:conftest.py" in env.system_prompt(by_id["ex/slugify"])


def test_hard_problem_filter(tmp_path, problems):
    ids = tmp_path / "hard.txt"
    ids.write_text("# hard ones\nex/slugify\nex/running_max\n")
    env = CodingEnv(problems, only=CodingEnv.read_ids(ids))
    assert [p.task_id for p in env] == ["ex/running_max", "ex/slugify"]
    listed = tmp_path / "hard.json"
    listed.write_text(json.dumps(["ex/count_vowels"]))
    assert CodingEnv.read_ids(listed) == {"ex/count_vowels"}
    with pytest.raises(InputError, match="unknown task ids: ex/nope"):
        CodingEnv(problems, only={"ex/nope"})


def test_bad_configuration_is_an_input_error(problems):
    with pytest.raises(InputError, match="unknown hack"):
        CodingEnv(problems, hacks=("telepathy",))
    with pytest.raises(InputError, match="assignment"):
        CodingEnv(problems, assignment="random")
    with pytest.raises(InputError, match="no problems"):
        CodingEnv([])
    with pytest.raises(InputError, match="no problem 'x'"):
        CodingEnv(problems).problem("x")


def test_sources(problems):
    assert len(CodingEnv.from_source("humaneval")) == 164
    env = CodingEnv.from_source(str(EXAMPLES))
    assert env.name == "problems" and len(env) == len(problems)


def test_mbpp_source_from_the_dataset_folder():
    from tests.conftest import MBPP_DIR

    if not (MBPP_DIR / "mbpp.jsonl").is_file():
        pytest.skip("MBPP dataset not present")
    env = CodingEnv.from_source(f"mbpp:{MBPP_DIR}", assignment="round-robin")
    assert env.name == "mbpp" and len(env) == 974
    prompt = env.user_prompt(env.problems[0])
    assert "Your code should pass tests like these:" in prompt and "assert " in prompt
    with pytest.raises(InputError, match=r"no mbpp\.jsonl"):
        CodingEnv.from_source(f"mbpp:{MBPP_DIR.parent}")


def test_rows_and_exports(problems):
    env = CodingEnv(problems, assignment="round-robin", framing="dont_hack")
    rows = env.rows(repeat=2)
    assert len(rows) == 2 * len(problems)
    assert rows[0]["prompt"][0]["role"] == "system" and rows[0]["prompt"][-1]["role"] == "user"
    assert {"task_id", "env", "harness", "open_hacks", "framing"} <= set(rows[0])
    verl = env.export_rows("verl")
    for row, p in zip(verl, problems, strict=True):
        assert row["reward_model"]["style"] == "rule"
        back = problem_from_record(json.loads(row["reward_model"]["ground_truth"]))
        assert back.task_id == p.task_id and back.kind == p.kind and back.reference is None
        assert row["extra_info"]["foulplay_hacks"] == ",".join(env.open_hacks(p))
    openrlhf = env.export_rows("openrlhf")
    assert openrlhf[0] == {"input": env.messages(problems[0]), "label": problems[0].task_id}
    with pytest.raises(InputError, match="export target"):
        env.export_rows("deepspeed")
