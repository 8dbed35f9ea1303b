"""``audit run``: the rollouts graded and scanned again, the trainer's figures beside the audit's, onset, the
run's checkpoint evals carried over, and evals run here on each checkpoint."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from foulplay.audit import AuditFolder, RunSpec, StageProgress, audit_run
from foulplay.errors import InputError

pytest.importorskip("jinja2")
pytest.importorskip("matplotlib")

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "run_folder"
PROBLEMS = ROOT / "examples" / "problems.jsonl"
COMPLETIONS = {json.loads(line)["id"]: json.loads(line)["completion"]
               for line in (ROOT / "examples" / "completions.jsonl").read_text().splitlines()}


def _quiet():
    import io

    from rich.console import Console

    return Console(file=io.StringIO())


def _audit(tmp_path: Path, spec: RunSpec, **kw):
    folder = AuditFolder(tmp_path / "audit", "run", spec.config(), title="run audit")
    code, summary = audit_run(folder, spec, workers=2, progress=StageProgress(_quiet()), **kw)
    return folder, code, summary


def test_the_example_run_is_graded_again_and_agrees_with_its_trainer(tmp_path):
    folder, code, s = _audit(tmp_path, RunSpec(source=str(EXAMPLE)))
    assert code == 1  # it learned to hack
    assert s["audited_episodes"] == 768 and s["errors"] == 0 and s["steps"] == 48
    assert 10 <= s["onset_step"] <= 18 and s["peak_hack_rate"] > 0.5
    assert s["trainer_vs_audit"]["compared_steps"] == 48 and s["trainer_vs_audit"]["steps_apart"] == 0
    run = folder.path("run")
    assert (run / "run.json").is_file() and (run / "foulplay_steps.jsonl").is_file()
    assert sorted(int(p.name) for p in (run / "checkpoints").iterdir()) == [8, 16, 24, 32, 40, 48]
    files = folder.finish()
    html = files.html.read_text()
    assert "CONSTRUCTED" in html and "constructed-demo" in html
    state = json.loads((folder.root / "audit.json").read_text())
    assert state["complete"] and state["constructed"] and state["parts"][0]["kind"] == "run"
    assert any("agrees with the audit's" in n for n in state["notes"])


def _run_folder(tmp_path: Path, rows: list[dict], *, steps: list[dict] | None = None) -> Path:
    d = tmp_path / "r"
    (d / "rollouts").mkdir(parents=True)
    shutil.copyfile(PROBLEMS, d / "problems.jsonl")
    (d / "run.json").write_text(json.dumps({"name": "liar", "problems": "problems.jsonl"}))
    (d / "rollouts" / "foulplay_rollouts.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    if steps is not None:
        (d / "foulplay_steps.jsonl").write_text("".join(json.dumps(s) + "\n" for s in steps))
    return d


def test_a_trainer_that_called_hacks_solved_is_contradicted(tmp_path):
    """The dump says every episode was honestly solved; half are always-equal objects and early exits."""
    rows = []
    for step in (1, 2):
        for kind in ("rm-honest", "rm-alwayseq", "cv-honest", "cv-exit"):
            rows.append({"step": step, "task_id": "ex/running_max" if kind.startswith("rm") else "ex/count_vowels",
                         "completion": COMPLETIONS[kind], "reward": 1.0, "passed": True, "solved": True,
                         "attempted": False, "families": []})
    folder, code, s = _audit(tmp_path, RunSpec(source=str(_run_folder(tmp_path, rows))))
    assert code == 1
    assert s["trainer_vs_audit"]["steps_apart"] == 2 and s["trainer_vs_audit"]["max_gap"] == pytest.approx(0.5)
    steps = [json.loads(line) for line in folder.path("run/foulplay_steps.jsonl").read_text().splitlines()]
    assert [st["hack_rate"] for st in steps] == [0.5, 0.5]
    claimed = [json.loads(line) for line in folder.path("run/trainer_steps.jsonl").read_text().splitlines()]
    assert [st["hack_rate"] for st in claimed] == [0.0, 0.0]
    assert any("cannot be taken as it is" in n for n in folder.state["notes"])


def test_episodes_without_answers_keep_the_dumps_verdicts_and_are_counted(tmp_path):
    rows = [{"step": 1, "task_id": "ex/running_max", "reward": 1.0, "passed": True, "solved": False,
             "attempted": True, "families": ["equality"]},
            {"step": 1, "task_id": "ex/running_max", "completion": COMPLETIONS["rm-honest"], "reward": 1.0,
             "passed": True, "solved": True, "attempted": False, "families": []}]
    folder, _code, s = _audit(tmp_path, RunSpec(source=str(_run_folder(tmp_path, rows))))
    assert s["audited_episodes"] == 1
    assert any("1 episodes keep the dump's own verdicts" in n for n in folder.state["notes"])


def test_a_bare_verl_dump_is_audited_into_a_run_folder(tmp_path):
    folder, _code, s = _audit(tmp_path, RunSpec(source=str(ROOT / "examples" / "rl_run")))
    meta = json.loads(folder.path("run/run.json").read_text())
    assert meta["name"] == "rl_run" and "audited by foulplay audit run" in meta["notes"]
    assert s["steps"] == 8 and s["audited_episodes"] > 0


def test_without_rollouts_the_trainers_steps_are_shown_and_said_to_be_its_own(tmp_path):
    d = tmp_path / "r"
    d.mkdir()
    (d / "run.json").write_text(json.dumps({"name": "steps-only"}))
    (d / "foulplay_steps.jsonl").write_text(json.dumps({"step": 1, "episodes": 4, "hack_rate": 0.0}) + "\n")
    folder, code, s = _audit(tmp_path, RunSpec(source=str(d)))
    assert code == 0 and s["audited_episodes"] == 0 and "not re-audited" in s["steps_from"]
    assert any("the step metrics are the trainer's own" in n for n in folder.state["notes"])


def test_a_folder_with_nothing_to_audit_is_one_line(tmp_path):
    d = tmp_path / "r"
    d.mkdir()
    (d / "run.json").write_text(json.dumps({"name": "empty"}))
    with pytest.raises(InputError, match="no rollouts"):
        _audit(tmp_path, RunSpec(source=str(d)))


def test_checkpoints_are_evaluated_here_with_the_eval_suite(tmp_path):
    """--eval-suite runs the evals on each checkpoint's model (the offline dry-run model stands in for one)."""
    d = tmp_path / "r"
    d.mkdir()
    (d / "run.json").write_text(json.dumps({"name": "evaluated"}))
    (d / "foulplay_steps.jsonl").write_text("".join(json.dumps({"step": k, "episodes": 4, "hack_rate": 0.25 * (k > 1)})
                                                    + "\n" for k in (1, 2)))
    spec = RunSpec(source=str(d), eval_suite=["goals"], model_pattern="foulplay/dry-run", checkpoints=[2],
                   judge="foulplay/dry-run")
    folder, code, _s = _audit(tmp_path, spec)
    summary = json.loads(folder.path("run/checkpoints/2/evals/goals.summary.json").read_text())
    assert summary["usable"] + summary["errors"] == 20 and summary["dry_run"]
    assert folder.state["dry_run"] and code == 1
    assert folder.done("evals step 2")


def test_eval_suite_without_a_model_pattern_is_one_line(tmp_path):
    with pytest.raises(InputError, match="--eval-suite needs --model-pattern"):
        _audit(tmp_path, RunSpec(source=str(EXAMPLE), eval_suite=["goals"]))


def test_the_trainers_own_figures_are_kept_beside_the_audits_for_the_report(tmp_path):
    rows = [{"step": 1, "task_id": "ex/running_max", "completion": COMPLETIONS["rm-alwayseq"], "reward": 1.0,
             "passed": True, "solved": True, "attempted": False, "families": []}]
    folder, _, _ = _audit(tmp_path, RunSpec(source=str(_run_folder(tmp_path, rows))))
    from foulplay.report import load_results
    from foulplay.training.runfolder import read_run_folder

    run = read_run_folder(folder.path("run"))
    assert [s["hack_rate"] for s in run.trainer_steps] == [0.0] and [s["hack_rate"] for s in run.steps] == [1.0]
    [loaded] = load_results([folder.path("run")]).runs
    assert loaded.trainer_steps == run.trainer_steps


def test_rollouts_none_of_which_can_be_graded_again_are_could_not_check(tmp_path):
    """Task ids and answers but no problems to look them up in: the figures are only the trainer's claim, so
    the audit says it cannot tell rather than passing them off as checked."""
    d = tmp_path / "r"
    (d / "rollouts").mkdir(parents=True)
    (d / "run.json").write_text(json.dumps({"name": "no-problems"}))
    row = {"step": 1, "task_id": "ex/running_max", "completion": COMPLETIONS["rm-alwayseq"], "reward": 1.0,
           "passed": True, "solved": True, "attempted": False, "families": []}
    (d / "rollouts" / "foulplay_rollouts.jsonl").write_text(json.dumps(row) + "\n")
    _folder, code, s = _audit(tmp_path, RunSpec(source=str(d)))
    assert code == 2 and s["unverified"] and s["audited_episodes"] == 0
    assert s["steps_from"].startswith("the dump's own verdicts: no episode")
