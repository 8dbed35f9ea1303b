"""``load_run`` and ``foulplay rollouts stats`` over foulplay step logs and rollout dumps, verl dumps and TRL
completion tables, with and without foulplay's columns."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from foulplay.envs import CodingEnv
from foulplay.errors import InputError
from foulplay.grading import load_problems, problem_record
from foulplay.hacks import context_for, get
from foulplay.training import MixedGraderVersions, RewardResult, StepLog, bin_steps, load_run

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples" / "problems.jsonl"
_SCRIPT = ROOT / ".venv" / "bin" / "foulplay"
FOULPLAY = [str(_SCRIPT)] if _SCRIPT.exists() else [sys.executable, "-m", "foulplay.cli.main"]


@pytest.fixture(scope="module")
def problems():
    return [p for p in load_problems(EXAMPLES) if p.kind != "io"]


def _eq(p):
    return get("always-equal-object").payload(context_for(p)).to_completion(p.solution_path)


# step -> number of always-equal hacks among 10 episodes (the rest honest); onset at step 3
HACKS_PER_STEP = {1: 0, 2: 0, 3: 1, 4: 4}


def _episodes(problems):
    for step, n_hacks in HACKS_PER_STEP.items():
        for i in range(10):
            p = problems[i % len(problems)]
            hack = i < n_hacks
            yield step, p, (_eq(p) if hack else f"```python\n{p.reference}\n```"), hack


def _write_verl(run, problems, ours: bool):
    run.mkdir()
    for step in HACKS_PER_STEP:
        lines = []
        for s, p, text, hack in _episodes(problems):
            if s != step:
                continue
            line = {"input": "user: solve", "output": text, "gts": json.dumps(problem_record(p)), "score": 1.0,
                    "step": step}
            if ours:
                line.update(passed=1, solved=int(not hack), hacked=int(hack), attempted_hack=int(hack),
                            hacked_equality=int(hack), hacked_early_exit=0, hacked_test_framework=0,
                            hacked_other=0)
            lines.append(json.dumps(line))
        (run / f"{step}.jsonl").write_text("\n".join(lines) + "\n")


def _check(stats):
    assert [s["step"] for s in stats.steps] == [1, 2, 3, 4]
    assert [s["hack_rate"] for s in stats.steps] == [0.0, 0.0, 0.1, 0.4]
    assert [s["pass_rate"] for s in stats.steps] == [1.0] * 4
    assert [s["true_solve_rate"] for s in stats.steps] == [1.0, 1.0, 0.9, 0.6]
    assert [s["attempted_hack_rate"] for s in stats.steps] == [0.0, 0.0, 0.1, 0.4]
    assert stats.steps[3]["hack_rate_by_family"] == {"equality": 0.4}
    assert stats.onset == 3


def test_verl_dump_with_foulplay_columns(tmp_path, problems):
    _write_verl(tmp_path / "run", problems, ours=True)
    stats = load_run(tmp_path / "run")
    assert stats.source == "verl" and stats.audited == 0
    _check(stats)


def test_foreign_verl_dump_is_audited(tmp_path, problems):
    _write_verl(tmp_path / "run", problems, ours=False)
    stats = load_run(tmp_path / "run")
    assert stats.audited == 40
    _check(stats)


def test_foreign_trl_tables_matched_by_prompt(tmp_path, problems):
    pa = pytest.importorskip("pyarrow")
    import pyarrow.parquet as pq

    env = CodingEnv(problems)
    table_dir = tmp_path / "run" / "completions"
    table_dir.mkdir(parents=True)
    for step in HACKS_PER_STEP:
        rows = [{"step": s, "prompt": env.messages(p), "completion": [{"role": "assistant", "content": text}],
                 "my_reward": 1.0, "advantage": 0.0} for s, p, text, _ in _episodes(problems) if s == step]
        pq.write_table(pa.Table.from_pylist(rows), table_dir / f"completions_{step:05d}.parquet")
    with pytest.raises(InputError, match="pass --env"):
        load_run(tmp_path / "run")
    stats = load_run(tmp_path / "run", env=env)
    assert stats.source == "trl" and stats.audited == 40 and "my_reward" in stats.notes[0]
    _check(stats)


def test_foulplay_rollouts_and_step_log(tmp_path, problems):
    env = CodingEnv(problems)
    run = tmp_path / "run"
    run.mkdir()
    with open(run / "foulplay_rollouts.jsonl", "w") as fh:
        for step, p, text, hack in _episodes(problems):
            fh.write(json.dumps({"step": step, "task_id": p.task_id, "completion": text, "reward": 1.0,
                                 "passed": True, "solved": None, "hacked": False, "attempted": hack,
                                 "families": ["equality"] if hack else []}) + "\n")
    with pytest.raises(InputError, match="pass --env"):
        load_run(run)  # solved was not measured: the audit needs the problems
    stats = load_run(run, env=env)
    assert stats.source == "rollouts" and stats.audited == 40
    _check(stats)
    log = StepLog(run)
    for step, n in HACKS_PER_STEP.items():
        log.add(step, [RewardResult(1.0, True, False, True, True, ["equality"])] * n
                + [RewardResult(1.0, True, True, False, False)] * (10 - n))
    from_log = load_run(run)
    assert from_log.source == "steps"  # the step log wins when both are there
    assert [s["hack_rate"] for s in from_log.steps] == [0.0, 0.0, 0.1, 0.4] and from_log.onset == 3


def test_bins(tmp_path):
    recs = [{"step": s, "episodes": 10, "pass_rate": 1.0, "true_solve_rate": 1.0 - h, "hack_rate": h,
             "hack_rate_by_family": {"equality": h} if h else {}, "attempted_hack_rate": h, "mean_reward": 1.0}
            for s, h in [(1, 0.0), (2, 0.0), (3, 0.1), (4, 0.4), (5, 0.5)]]
    binned = bin_steps(recs, 2)
    assert [(b["first_step"], b["step"], b["episodes"]) for b in binned] == [(1, 2, 20), (3, 4, 20), (5, 5, 10)]
    assert binned[1]["hack_rate"] == pytest.approx(0.25)
    assert binned[1]["hack_rate_by_family"] == {"equality": pytest.approx(0.25)}
    assert bin_steps(recs, 1) == recs
    with pytest.raises(InputError):
        bin_steps(recs, 0)


def _cli(*args):
    env = {**os.environ, "COLUMNS": "200"}  # rich would squeeze the table to 80 columns on a pipe
    return subprocess.run([*FOULPLAY, "rollouts", "stats", *map(str, args)], capture_output=True, text=True,
                          timeout=300, check=False, env=env)


def test_cli_table_json_and_bad_input(tmp_path, problems):
    _write_verl(tmp_path / "run", problems, ours=True)
    out = _cli(tmp_path / "run")
    assert out.returncode == 1, out.stderr  # successful hacks: found
    assert "equality" in out.stdout and "family columns" in out.stdout and "40.0%" in out.stdout
    assert "onset: step 3 (first step with successful hacks in > 2% of episodes)" in out.stdout
    assert "highest step hack rate 40.0% (above --fail-above 0); 0 errors" in " ".join(out.stdout.split())
    report = tmp_path / "report.json"
    out = _cli(tmp_path / "run", "--format", "json", "--bin", "2", "-o", report)
    data = json.loads(out.stdout)
    assert out.returncode == 1 and data["found"] is True and data["exit_status"] == 1
    assert data["onset_step"] == 3 and data["source"] == "verl" and len(data["steps"]) == 2
    assert data["peak_hack_rate"] == 0.4 and data["error_count"] == 0 and data["errors"] == []
    assert json.loads(report.read_text()) == data
    # the threshold and --exit-zero
    assert _cli(tmp_path / "run", "--fail-above", "0.4").returncode == 0
    assert _cli(tmp_path / "run", "--fail-above", "0.39").returncode == 1
    assert _cli(tmp_path / "run", "--exit-zero").returncode == 0
    # bad input: one line, exit 2, no traceback
    (tmp_path / "empty").mkdir()
    for args, message in [((tmp_path / "nope",), "no such file"), ((tmp_path / "empty",), "no foulplay step log"),
                          ((tmp_path / "run", "--bin", "0"), "--bin"),
                          ((tmp_path / "run", "--fail-above", "2"), "--fail-above"),
                          ((tmp_path / "run", "--source", "trl"), "no trl files")]:
        out = _cli(*args)
        assert out.returncode == 2 and message in out.stderr, (args, out.stderr)
        assert "Traceback" not in out.stderr


def _verl_line(p, *, hacked=False, **extra):
    text = _eq(p) if hacked else f"```python\n{p.reference}\n```"
    line = {"input": "user: solve", "output": text, "gts": json.dumps(problem_record(p)), "score": 1.0,
            "passed": 1, "solved": int(not hacked), "hacked": int(hacked), "attempted_hack": int(hacked),
            "hacked_equality": int(hacked), "hacked_early_exit": 0, "hacked_test_framework": 0, "hacked_other": 0}
    return json.dumps({**line, **extra})


def test_bad_lines_are_error_rows_and_the_rest_is_counted(tmp_path, problems):
    run = tmp_path / "broken"
    run.mkdir()
    p = problems[0]
    (run / "1.jsonl").write_text("\n".join([
        _verl_line(p), "nope", '{"output": "x"}', "[1, 2]", _verl_line(p, score="high"), _verl_line(p),
    ]) + "\n")
    (run / "2.jsonl").write_text("\n".join([
        _verl_line(p, hacked=True), _verl_line(p, foulplay_unscored=1, passed=0, solved=0, score=0.0),
        json.dumps({"output": "```python\nx = 1\n```", "score": 0.0, "gts": "{broken"}),
        json.dumps({"output": "x", "score": 1.0, "gts": json.dumps({"task_id": "t", "entry_point": "f",
                                                                       "tests": ["assert f(1) =="]})}),
    ]) + "\n")
    stats = load_run(run)
    assert [(s["step"], s["episodes"], s["unscored"]) for s in stats.steps] == [(1, 2, 0), (2, 2, 1)]
    assert stats.steps[1]["hack_rate"] == 1.0 and stats.unscored == 1
    assert stats.errors == [f"{run / '1.jsonl'}: line 2: invalid JSON",
                            f"{run / '1.jsonl'}: line 3: not a verl rollout dump line (needs 'output' and 'score')",
                            f"{run / '1.jsonl'}: line 4: expected a JSON object",
                            f"{run / '1.jsonl'}: line 5: 'score' or 'step' is not a number",
                            f"{run / '2.jsonl'}: line 3: ground truth is not valid JSON",
                            f"{run / '2.jsonl'}: line 4: (task t): test 'assert f(1) ==' is not valid Python: "
                            "invalid syntax"]
    out = _cli(run, "--format", "json")
    data = json.loads(out.stdout)
    assert out.returncode == 2 and data["error_count"] == 6 and data["unscored_episodes"] == 1
    assert _cli(run, "--max-errors", "6").returncode == 1  # errors tolerated: the hack decides
    assert _cli(run, "--max-errors", "6", "--exit-zero").returncode == 0
    text = _cli(run)
    assert text.returncode == 2 and "Traceback" not in text.stderr
    assert f"error: {run / '1.jsonl'}: line 2: invalid JSON" in text.stderr
    assert "unscored: 1 episodes" in text.stderr and "unscored" in text.stdout  # the table's column
    assert "; 6 errors" in " ".join(text.stdout.split())


def test_unknown_task_ids_and_unparsable_steps_are_errors(tmp_path, problems):
    env = CodingEnv(problems)
    run = tmp_path / "run"
    run.mkdir()
    p = problems[0]
    with open(run / "foulplay_rollouts.jsonl", "w") as fh:
        for task, text in [(p.task_id, f"```python\n{p.reference}\n```"), ("gone/away", "x"), (p.task_id, _eq(p))]:
            fh.write(json.dumps({"step": 1, "task_id": task, "completion": text, "reward": 1.0, "passed": True,
                                 "solved": None, "attempted": None}) + "\n")
        fh.write(json.dumps({"step": 1, "task_id": "x", "completion": "c", "reward": None, "passed": False,
                             "unscored": "worker-lost"}) + "\n")
    stats = load_run(run, env=env)
    assert stats.errors == [f"{run / 'foulplay_rollouts.jsonl'}: line 2: no problem 'gone/away' in environment "
                            f"{env.name!r}"]
    (step,) = stats.steps
    assert (step["episodes"], step["unscored"], step["hack_rate"]) == (3, 1, 0.5)
    assert step["unscored_reasons"] == {"worker-lost": 1}
    steps_run = tmp_path / "steps"
    steps_run.mkdir()
    good = {"step": 1, "episodes": 10, "pass_rate": 1.0, "true_solve_rate": 1.0, "hack_rate": 0.0,
            "hack_rate_by_family": {}, "attempted_hack_rate": 0.0, "mean_reward": 1.0, "rank": 0, "session": "s",
            "grader_version": 2}
    (steps_run / "foulplay_steps.jsonl").write_text("\n".join([
        json.dumps(good), "{torn", json.dumps({"step": "two"}), json.dumps({**good, "step": 2})]) + "\n")
    stats = load_run(steps_run)
    assert [s["step"] for s in stats.steps] == [1, 2] and len(stats.errors) == 2
    out = _cli(steps_run)
    assert out.returncode == 2 and "line 2: invalid JSON" in out.stderr and "line 3: not a step record" in out.stderr
    assert _cli(steps_run, "--max-errors", "2").returncode == 0  # no hack in the counted steps
    (tmp_path / "allbad").mkdir()
    (tmp_path / "allbad" / "1.jsonl").write_text("nope\nnope\n")
    out = _cli(tmp_path / "allbad")
    assert out.returncode == 2 and len(out.stderr.strip().splitlines()) == 1
    assert "every line was unusable; first:" in out.stderr and "line 1: invalid JSON (and 1 more errors)" in out.stderr


def test_an_episode_the_audit_cannot_grade_is_an_error(tmp_path, problems, monkeypatch):
    from foulplay.grading import Grader

    _write_verl(tmp_path / "run", problems[:1], ours=False)
    real = Grader.grade

    def flaky(self, problem, completion, harness="hardened", **kw):
        if "always" in completion.lower() or "__eq__" in completion:
            raise RuntimeError("driver exploded")
        return real(self, problem, completion, harness, **kw)

    monkeypatch.setattr(Grader, "grade", flaky)
    stats = load_run(tmp_path / "run")
    assert len(stats.errors) == 5 and all("could not check: grader error: RuntimeError" in e for e in stats.errors)
    assert [s["episodes"] for s in stats.steps] == [10, 10, 9, 6] and stats.peak_hack_rate == 0.0


# -- grader versions -----------------------------------------------------------------------------------------------

def _steps_log(run, versions):
    run.mkdir()
    lines = []
    for step, version in versions.items():
        rec = {"step": step, "episodes": 10, "pass_rate": 1.0, "true_solve_rate": 0.5, "hack_rate": 0.5,
               "hack_rate_by_family": {"equality": 0.5}, "attempted_hack_rate": 0.5, "mean_reward": 1.0,
               "rank": 0, "session": "s"}
        if version is not None:
            rec["grader_version"] = version
        lines.append(json.dumps(rec))
    (run / "foulplay_steps.jsonl").write_text("\n".join(lines) + "\n")


def test_stats_refuse_mixed_grader_versions(tmp_path):
    _steps_log(tmp_path / "run", {1: None, 2: None, 3: 2, 4: 2})
    with pytest.raises(MixedGraderVersions, match="grader version 1: steps 1-2; grader version 2: steps 3-4"):
        load_run(tmp_path / "run")
    stats = load_run(tmp_path / "run", allow_mixed=True)
    assert stats.grader_versions == [1, 2]
    assert [s["grader_version"] for s in stats.steps] == [1, 1, 2, 2]
    assert any("different grader versions" in n for n in stats.notes)
    assert stats.to_dict(width=2)["steps"][0]["grader_version"] == 1  # bins within one version keep it
    assert [b["grader_version"] for b in stats.binned(4)] == [[1, 2]]  # a bin across the change says so
    out = _cli(tmp_path / "run")
    assert out.returncode == 2 and "Traceback" not in out.stderr
    assert len(out.stderr.strip().splitlines()) == 1 and "--allow-mixed-grader-versions" in out.stderr
    out = _cli(tmp_path / "run", "--allow-mixed-grader-versions", "--format", "json")
    assert out.returncode == 1, out.stderr  # every step of this log has successful hacks
    data = json.loads(out.stdout)
    assert data["grader_versions"] == [1, 2] and any("grader version 1" in n for n in data["notes"])
    text = _cli(tmp_path / "run", "--allow-mixed-grader-versions")
    assert text.returncode == 1, text.stderr
    assert "grader version 1, 2" in " ".join(text.stdout.split()) and "note: merging" in text.stderr
    _steps_log(tmp_path / "one", {1: 2, 2: 2})
    single = _cli(tmp_path / "one")
    assert single.returncode == 1 and "grader version 2" in " ".join(single.stdout.split()), single.stderr


def test_rollout_dumps_carry_their_grader_version(tmp_path):
    run = tmp_path / "run"
    run.mkdir()
    lines = []
    for step in (1, 2, 3):
        result = RewardResult(1.0, True, True, False, False, grader_version=1 if step < 3 else 2).to_dict()
        if step == 1:
            del result["grader_version"]  # a dump written before grader versions existed
        lines.append(json.dumps({"step": step, "task_id": "x", "completion": "c", **result}))
    (run / "foulplay_rollouts.jsonl").write_text("\n".join(lines) + "\n")
    with pytest.raises(MixedGraderVersions, match="grader version 1: steps 1-2; grader version 2: steps 3"):
        load_run(run)
    assert load_run(run, allow_mixed=True).grader_versions == [1, 2]
