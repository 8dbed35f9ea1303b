"""``foulplay audit``: each command prints its report's paths, exits 0/1/2 by the shared rule, resumes, and
turns bad input into one line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

pytest.importorskip("jinja2")
pytest.importorskip("matplotlib")

from foulplay.cli.main import main

ROOT = Path(__file__).resolve().parents[2]


def run(argv: list[str], capsys) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exc:
        main(argv)
    out = capsys.readouterr()
    return int(exc.value.code or 0), out.out, out.err


def test_agent_audit_of_a_session_and_a_diff(tmp_path, capsys):
    out = tmp_path / "a"
    code, stdout, err = run(["audit", "agent", str(ROOT / "examples" / "agent_session.jsonl"),
                             str(ROOT / "examples" / "tampering.diff"), "-o", str(out)], capsys)
    assert code == 1, err
    assert stdout.split() == [str(out / "report.html"), str(out / "summary.md")]
    scan = json.loads((out / "scan.json").read_text())
    assert scan["summary"]["items"] == 2 and scan["summary"]["verdicts"] == {"hack": 2}
    assert "scan: 2 items: 2 hack, 0 clean, 0 could not be checked" in err
    assert "FP421" in (out / "report.html").read_text()
    code, _, err = run(["audit", "agent", str(ROOT / "examples" / "agent_session.jsonl"),
                        str(ROOT / "examples" / "tampering.diff"), "-o", str(out)], capsys)
    assert code == 1 and "scan already done (resumed)" in err


def test_agent_audit_counts_what_it_could_not_read_as_such(tmp_path, capsys):
    bad = tmp_path / "broken.diff"
    bad.write_text("this is not a diff\n")
    code, _, err = run(["audit", "agent", str(bad), "-o", str(tmp_path / "a")], capsys)
    assert code == 2, err
    assert "1 could not be checked" in err
    assert "0 clean" in err


def test_run_audit_of_the_example(tmp_path, capsys):
    out = tmp_path / "r"
    code, _stdout, err = run(["audit", "run", str(ROOT / "examples" / "run_folder"), "-o", str(out)], capsys)
    assert code == 1, err
    assert "onset at step" in err and "the trainer's own hack rate vs the audit's: largest difference 0.0" in err
    assert "Chat-like misalignment fell" in err  # the context warning reaches the terminal
    assert (out / "summary.md").read_text().count("CONSTRUCTED") >= 1
    code, _, err = run(["audit", "run", str(ROOT / "examples" / "run_folder"), "--onset-threshold", "0.1", "-o",
                        str(out)], capsys)
    assert code == 2 and err.count("\n") == 1 and "give --fresh" in err


def test_grader_audit_exit_status_follows_the_probe(tmp_path, capsys):
    code, _stdout, err = run(["audit", "grader", "--harness", "vulnerable:eq", "--limit", "1", "--technique",
                             "always-equal-object", "-o", str(tmp_path / "g")], capsys)
    assert code == 1 and "FOOLED" in err and "techniques that fooled it: 1" in err


def test_model_audit_plan_prints_counts_and_runs_nothing(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "foulplay.toml").write_text('[prices]\n"openai/*" = [1.0, 4.0]\n')
    code, stdout, _ = run(["audit", "model", "--model", "openai/a,openai/b", "--judge", "openai/j", "--plan",
                           "--evals", "goals"], capsys)
    assert code == 0 and "openai/a: 20 samples" in stdout and "openai/b: 20 samples" in stdout
    assert "total: about $" in stdout and not (tmp_path / "audit-model").exists()


@pytest.mark.parametrize("argv, message", [
    (["audit", "grader"], "nothing to audit: give a TARGET"),
    (["audit", "grader", "x:y", "--harness", "hardened"], "not both"),
    (["audit", "run", "/nonexistent/run"], "no such run folder"),
    (["audit", "run", str(ROOT / "examples" / "run_folder"), "--model-pattern", "hf/x"], "needs {step}"),
    (["audit", "run", str(ROOT / "examples" / "run_folder"), "--checkpoints", "a,b"], "--checkpoints expects"),
    (["audit", "model", "--model", "m", "--config", "/nonexistent.toml", "--plan"], "no such config file"),
    (["audit", "model", "--model", "m", "-M", "novalue", "--plan"], "-M expects key=value"),
    (["audit", "agent"], "nothing to audit"),
])
def test_bad_input_is_one_line_and_exit_2(argv, message, tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code, _, err = run(argv, capsys)
    assert code == 2 and message in err and err.count("\n") == 1, err
