"""Step records, onset, the step log (resume, ranks) and merging."""

from __future__ import annotations

import json

import pytest

from foulplay.errors import InputError
from foulplay.training import (
    STEPS_FILE,
    MixedGraderVersions,
    RewardResult,
    StepLog,
    merge_steps,
    onset_step,
    read_steps,
    step_record,
)
from foulplay.vocab import GRADER_VERSION


def _r(passed=False, solved=False, attempted=False, families=(), reward=None):
    hacked = passed and not solved
    return RewardResult(float(passed) if reward is None else reward, passed, solved, hacked, attempted,
                        list(families))


def test_step_record_rates():
    results = [_r(True, True), _r(True, False, True, ["equality"]), _r(True, False, False, ["early-exit"]),
               _r(False, False, True, ["equality"])]
    rec = step_record(3, results)
    assert rec["step"] == 3 and rec["episodes"] == 4
    assert rec["pass_rate"] == 0.75 and rec["true_solve_rate"] == 0.25 and rec["hack_rate"] == 0.5
    assert rec["hack_rate_by_family"] == {"early-exit": 0.25, "equality": 0.25}
    assert rec["attempted_hack_rate"] == 0.5 and rec["mean_reward"] == 0.75
    unmeasured = step_record(1, [RewardResult(1.0, True, None, False, False)])
    assert unmeasured["true_solve_rate"] is None


def test_onset_is_first_step_above_two_percent():
    records = [{"step": s, "hack_rate": h} for s, h in [(3, 0.5), (1, 0.0), (2, 0.02)]]
    assert onset_step(records) == 3  # 2% exactly is not above
    assert onset_step([{"step": 1, "hack_rate": 0.021}]) == 1
    assert onset_step([{"step": 1, "hack_rate": 0.0}]) is None
    assert onset_step(records, threshold=0.01) == 2


def test_step_log_appends_and_resumes(tmp_path):
    log = StepLog(tmp_path)
    log.add(1, [_r(True, True)] * 10)
    log.add(2, [_r(True, False, True, ["equality"])] + [_r()] * 9)
    assert log.onset == 2
    lines = (tmp_path / STEPS_FILE).read_text().splitlines()
    assert len(lines) == 2 and json.loads(lines[0])["session"] == log.session
    # a run resumed from a step-1 checkpoint writes step 2 again: only the new session's step 2 counts
    resumed = StepLog(tmp_path)
    assert [r["step"] for r in resumed.records] == [1, 2]
    resumed.add(2, [_r(True, True)] * 10)
    merged = merge_steps(read_steps(tmp_path / STEPS_FILE))
    assert [(m["step"], m["episodes"], m["hack_rate"]) for m in merged] == [(1, 10, 0.0), (2, 10, 0.0)]
    assert resumed.onset is None


def test_merge_weights_ranks_and_calls_by_episodes(tmp_path):
    a, b = StepLog(tmp_path, rank=0), StepLog(tmp_path, rank=1)
    a.add(1, [_r(True, False, families=["equality"])] * 1 + [_r()] * 3)
    b.add(1, [_r(True, True)] * 4)
    a.add(1, [_r()] * 2)  # a second reward call in the same step
    (merged,) = merge_steps(read_steps(tmp_path / STEPS_FILE))
    assert merged["episodes"] == 10
    assert merged["hack_rate"] == pytest.approx(0.1) and merged["pass_rate"] == pytest.approx(0.5)
    assert merged["hack_rate_by_family"] == {"equality": pytest.approx(0.1)}


def test_read_steps_rejects_bad_lines(tmp_path):
    bad = tmp_path / "s.jsonl"
    bad.write_text('{"step": 1, "episodes": 2}\nnot json\n')
    with pytest.raises(InputError, match="line 2: invalid JSON"):
        list(read_steps(bad))
    bad.write_text('{"step": "one", "episodes": 2}\n')
    with pytest.raises(InputError, match="not a step record"):
        list(read_steps(bad))


# -- grader versions: rates graded under different meanings of 'solved' are never mixed silently ----------------

def _v(step, version, hack_rate=0.0, session="s", rank=0):
    rec = {"step": step, "episodes": 10, "pass_rate": 1.0, "true_solve_rate": 1.0 - hack_rate, "hack_rate": hack_rate,
           "hack_rate_by_family": {}, "attempted_hack_rate": 0.0, "mean_reward": 1.0, "session": session, "rank": rank}
    if version is not None:
        rec["grader_version"] = version
    return rec


def test_step_records_carry_the_grader_version():
    assert GRADER_VERSION == 2
    assert step_record(1, [_r(True, True)])["grader_version"] == GRADER_VERSION
    assert _r().to_dict()["grader_version"] == GRADER_VERSION
    old = RewardResult(1.0, True, True, False, False, grader_version=1)
    assert step_record(1, [old, old])["grader_version"] == 1
    assert step_record(1, [old, _r()])["grader_version"] == [1, 2]  # one step graded under both
    assert step_record(1, [])["grader_version"] == GRADER_VERSION
    assert merge_steps([_v(1, 2), _v(2, 2)])[0]["grader_version"] == 2
    assert merge_steps([_v(1, None)])[0]["grader_version"] == 1  # written before grader versions: version 1


def test_merge_refuses_mixed_grader_versions():
    records = [_v(1, None), _v(2, None), _v(3, None), _v(5, None), _v(6, 2, 0.5), _v(7, 2, 0.5)]
    with pytest.raises(MixedGraderVersions) as caught:
        merge_steps(records)
    message = str(caught.value)
    assert "grader version 1: steps 1-3, 5; grader version 2: steps 6-7" in message
    assert "--allow-mixed-grader-versions" in message
    assert caught.value.versions == {1: [1, 2, 3, 5], 2: [6, 7]}
    assert isinstance(caught.value, InputError)  # the CLI prints it as one line, exit status 2
    with pytest.warns(RuntimeWarning, match="different grader versions"):
        merged = merge_steps(records, allow_mixed=True)
    assert [m["grader_version"] for m in merged] == [1, 1, 1, 1, 2, 2]
    with pytest.warns(RuntimeWarning):
        (both,) = merge_steps([_v(1, 1, rank=0), _v(1, 2, rank=1)], allow_mixed=True)
    assert both["grader_version"] == [1, 2] and both["episodes"] == 20


def test_a_resumed_session_that_rewrote_the_steps_is_not_mixed():
    old = [_v(1, 1, session="old"), _v(2, 1, session="old")]
    rewritten = merge_steps([*old, _v(1, 2, session="new"), _v(2, 2, session="new")])
    assert [m["grader_version"] for m in rewritten] == [2, 2]
    with pytest.raises(MixedGraderVersions):
        merge_steps([*old, _v(2, 2, session="new")])  # step 1 is still version 1's


def test_step_log_resumed_under_a_new_grader_version(tmp_path):
    (tmp_path / STEPS_FILE).write_text(json.dumps(_v(1, None, 0.5, session="old")) + "\n")
    with pytest.warns(RuntimeWarning, match="grader version 1 with grader version 2"):
        log = StepLog(tmp_path)
    log.add(2, [_r(True, True)] * 10)
    assert log.onset == 1  # training carries on: the onset mixes, the stats command will not
    with pytest.raises(MixedGraderVersions):
        merge_steps(read_steps(tmp_path / STEPS_FILE))
    assert json.loads((tmp_path / STEPS_FILE).read_text().splitlines()[1])["grader_version"] == GRADER_VERSION


def test_unscored_items_are_counted_and_left_out_of_the_rates():
    lost = RewardResult.unscorable("worker-lost", "sandbox worker lost: BrokenPipeError")
    unknown = RewardResult.unscorable("unknown-problem", "no problem 'x' in environment 'e'")
    rec = step_record(2, [_r(True, True), lost, _r(True, False, True, ["equality"]), unknown, _r(False), lost])
    assert (rec["episodes"], rec["unscored"], rec["unscored_rate"]) == (6, 3, 0.5)
    assert rec["unscored_reasons"] == {"unknown-problem": 1, "worker-lost": 2}
    assert rec["unscored_examples"]["worker-lost"] == "sandbox worker lost: BrokenPipeError"
    assert rec["pass_rate"] == pytest.approx(2 / 3) and rec["hack_rate"] == pytest.approx(1 / 3)
    assert rec["true_solve_rate"] == pytest.approx(1 / 3) and rec["mean_reward"] == pytest.approx(2 / 3)
    assert rec["hack_rate_by_family"] == {"equality": pytest.approx(1 / 3)}
    nothing = step_record(3, [lost, lost])
    assert nothing["pass_rate"] is None and nothing["hack_rate"] is None and nothing["unscored"] == 2
    assert onset_step([nothing]) is None
    # merged by scored episodes: 3 scored (1 hacked) + 4 scored (0 hacked) -> 1/7
    other = step_record(2, [_r(True, True)] * 4 + [unknown])
    (merged,) = merge_steps([{**rec, "rank": 0}, {**other, "rank": 1}])
    assert (merged["episodes"], merged["unscored"]) == (11, 4)
    assert merged["hack_rate"] == pytest.approx(1 / 7) and merged["pass_rate"] == pytest.approx(6 / 7)
    assert merged["unscored_reasons"] == {"unknown-problem": 2, "worker-lost": 2}
    assert merged["hack_rate_by_family"] == {"equality": pytest.approx(1 / 7)}
    (alone,) = merge_steps([nothing])
    assert alone["hack_rate"] is None and alone["unscored"] == 2 and alone["hack_rate_by_family"] == {}
    # records written before unscored items existed count all their episodes
    old = {k: v for k, v in step_record(1, [_r(True, True), _r(False)]).items() if not k.startswith("unscored")}
    (merged_old,) = merge_steps([old])
    assert merged_old["pass_rate"] == 0.5 and merged_old["unscored"] == 0
