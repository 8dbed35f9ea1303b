"""Step records, onset, the step log (resume, ranks) and merging."""

from __future__ import annotations

import json

import pytest

from foulplay.errors import InputError
from foulplay.training import STEPS_FILE, RewardResult, StepLog, merge_steps, onset_step, read_steps, step_record


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
