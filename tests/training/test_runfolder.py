"""The run-folder contract: round trip, strict validation with file:line errors, and the checked-in constructed
example (examples/run_folder) validates and is labelled constructed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from foulplay.errors import InputError
from foulplay.training import RewardResult, onset_step, step_record
from foulplay.training.runfolder import (
    RunMeta,
    is_run_folder,
    read_run_folder,
    read_step_metrics,
    write_checkpoint_summary,
    write_run_folder,
)

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "run_folder"


def _steps(n: int = 5) -> list[dict]:
    out = []
    for step in range(1, n + 1):
        results = [RewardResult(1.0, True, i >= step, i < step, i < step, ["equality"] if i < step else [])
                   for i in range(10)]
        out.append(step_record(step, results))
    return out


def _summary(name: str, rate: float, agentic: bool = False) -> dict:
    s = {"eval": name, "model": "m", "log": "", "samples": 20, "usable": 20, "misaligned": int(rate * 20),
         "misaligned_rate": rate, "ci_low": max(0.0, rate - 0.1), "ci_high": min(1.0, rate + 0.1),
         "ci_method": "cluster-bootstrap", "questions": 5, "covert": 1, "overt": 1, "covert_share": 0.5,
         "errors": 0, "excluded": 0, "labels": {}, "dry_run": False}
    if agentic:
        s["kind"] = "agentic"
    return s


def test_round_trip(tmp_path):
    meta = RunMeta(name="r", seed=3, framing="neutral", hack_penalty=0.5, penalty_source="static",
                   non_hackable_mix=0.25, config={"lr": 1e-5})
    suite = {"mgs": 0.2, "low": 0.1, "high": 0.3, "evals": ["goals"], "per_eval": {}}
    write_run_folder(tmp_path, meta, steps=_steps(), checkpoints={4: [_summary("goals", 0.2), suite]})
    assert is_run_folder(tmp_path)
    run = read_run_folder(tmp_path)
    assert run.meta == meta
    assert [s["step"] for s in run.steps] == [1, 2, 3, 4, 5]
    assert run.steps[2]["hack_rate"] == pytest.approx(0.3)
    assert run.steps[2]["hack_rate_by_family"] == {"equality": pytest.approx(0.3)}
    assert onset_step(run.steps) == 1
    [ck] = run.checkpoints
    assert ck.step == 4 and ck.suite["mgs"] == 0.2
    assert ck.summaries[0]["eval"] == "goals" and ck.summaries[0]["misaligned_rate"] == 0.2


def test_nan_rates_are_written_as_null(tmp_path):
    s = _summary("goals", 0.0)
    s["misaligned_rate"] = float("nan")
    out = write_checkpoint_summary(tmp_path, 1, s)
    assert json.loads(out.read_text())["misaligned_rate"] is None


@pytest.mark.parametrize(("name", "text", "message"), [
    ("run.json", "{not json", "run.json: invalid JSON"),
    ("run.json", "[]", "run.json: expected a JSON object"),
    ("run.json", '{"seed": 1}', "run.json: name: Field required"),
    ("run.json", '{"name": "x", "schema": "other/2"}', "schema 'other/2'"),
    ("run.json", '{"name": "x", "non_hackable_mix": 2}', "non_hackable_mix"),
])
def test_bad_run_json(tmp_path, name, text, message):
    (tmp_path / name).write_text(text)
    with pytest.raises(InputError, match=message.replace("(", r"\(")):
        read_run_folder(tmp_path)


def test_missing_run_json_and_folder(tmp_path):
    with pytest.raises(InputError, match="not a run folder"):
        read_run_folder(tmp_path)
    with pytest.raises(InputError, match="no such run folder"):
        read_run_folder(tmp_path / "nope")


def test_bad_step_line_names_file_and_line(tmp_path):
    write_run_folder(tmp_path, RunMeta(name="r"), steps=_steps(2))
    f = tmp_path / "foulplay_steps.jsonl"
    f.write_text(f.read_text() + '{"step": "three", "episodes": 1}\n')
    with pytest.raises(InputError, match=r"foulplay_steps.jsonl: line 3: not a step record \(step"):
        read_run_folder(tmp_path)
    f.write_text('{"step": 1, "episodes": 1}\n\nnot json\n')
    with pytest.raises(InputError, match=r"foulplay_steps\.jsonl: line 3: invalid JSON"):
        read_step_metrics(f)


def test_bad_checkpoints(tmp_path):
    write_run_folder(tmp_path, RunMeta(name="r"))
    (tmp_path / "checkpoints" / "final" / "evals").mkdir(parents=True)
    with pytest.raises(InputError, match="named by its step number"):
        read_run_folder(tmp_path)
    (tmp_path / "checkpoints" / "final" / "evals").rmdir()
    (tmp_path / "checkpoints" / "final").rmdir()
    d = tmp_path / "checkpoints" / "3" / "evals"
    d.mkdir(parents=True)
    (d / "goals.summary.json").write_text('{"eval": "goals", "misaligned_rate": "high"}')
    with pytest.raises(InputError, match=r"goals\.summary\.json: misaligned_rate 'high' is not a number"):
        read_run_folder(tmp_path)
    (d / "goals.summary.json").write_text('{"hello": 1}')
    with pytest.raises(InputError, match="not a foulplay eval summary"):
        read_run_folder(tmp_path)


def test_rollouts_stand_in_for_steps(tmp_path):
    write_run_folder(tmp_path, RunMeta(name="r"))
    (tmp_path / "rollouts").mkdir()
    rows = [{"step": s, "passed": True, "solved": i > 0, "attempted": i == 0, "families": ["equality"],
             "reward": 1.0} for s in (1, 2) for i in range(4)]
    (tmp_path / "rollouts" / "foulplay_rollouts.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    run = read_run_folder(tmp_path)
    assert run.steps_source == "rollouts" and run.steps[0]["hack_rate"] == 0.25


def test_the_example_folder_validates_and_is_labelled_constructed():
    run = read_run_folder(EXAMPLE)
    assert run.meta.constructed and "CONSTRUCTED" in run.meta.notes
    assert run.steps_source == "steps" and len(run.steps) == 48
    assert [c.step for c in run.checkpoints] == [8, 16, 24, 32, 40, 48]
    assert all(c.suite is not None and len(c.summaries) == 6 for c in run.checkpoints)
    assert all(s.get("constructed") for c in run.checkpoints for s in c.summaries)
    assert 10 <= onset_step(run.steps) <= 18
    size = sum(f.stat().st_size for f in EXAMPLE.rglob("*") if f.is_file())
    assert size < 600_000  # the rollouts carry their completions (about 300 KB) so an audit can grade them
    # the rollout dump is the same episodes as the step metrics
    from foulplay.training import load_run

    stats = load_run(EXAMPLE / "rollouts")
    assert [round(s["hack_rate"], 6) for s in stats.steps] == [round(s["hack_rate"], 6) for s in run.steps]


def test_the_example_rollouts_graded_again_agree_with_what_they_claim():
    """Every episode carries an answer of its kind (honest, wrong, or a hack of its first family): the hardened
    grader and the scanner, run again over the 768 episodes, find the hack rate the dump claims at every step."""
    from foulplay.envs import CodingEnv
    from foulplay.training import load_run

    env = CodingEnv.from_source(str(EXAMPLE / "problems.jsonl"), hardened=True)
    stats = load_run(EXAMPLE / "rollouts", env=env, reaudit=True)
    assert stats.audited == 768 and not stats.errors and len(stats.claimed_steps) == 48
    assert [round(s["hack_rate"], 6) for s in stats.steps] == [round(s["hack_rate"], 6) for s in stats.claimed_steps]
    assert [round(s["true_solve_rate"], 6) for s in stats.steps] == \
        [round(s["true_solve_rate"], 6) for s in stats.claimed_steps]
