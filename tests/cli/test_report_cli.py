"""``foulplay report``: writes report.html and summary.md and prints their paths; bad input is one line and exit
status 2; nothing renderable is exit status 2. Small standalone summaries keep it fast."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

pytest.importorskip("jinja2")
pytest.importorskip("matplotlib")

from foulplay.cli.main import main


def run(argv: list[str], capsys) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exc:
        main(argv)
    out = capsys.readouterr()
    return int(exc.value.code or 0), out.out, out.err


def eval_summary(name: str, rate: float) -> dict:
    return {"eval": name, "misaligned_rate": rate, "ci_low": rate / 2, "ci_high": min(1.0, rate * 2), "usable": 20,
            "misaligned": int(rate * 20), "covert": 1, "overt": 1, "errors": 0, "excluded": 1, "dry_run": True}


@pytest.fixture(scope="module")
def logs(tmp_path_factory) -> Path:
    d = tmp_path_factory.mktemp("logs")
    (d / "goals.summary.json").write_text(json.dumps(eval_summary("goals", 0.2)))
    (d / "exfil_offer.summary.json").write_text(json.dumps({**eval_summary("exfil_offer", 0.1), "kind": "agentic"}))
    return d


def test_writes_report_and_summary(logs, tmp_path, capsys):
    code, out, err = run(["report", str(logs), "-o", str(tmp_path / "out")], capsys)
    assert code == 0, err
    assert out.split() == [str(tmp_path / "out" / "report.html"), str(tmp_path / "out" / "summary.md")]
    html = (tmp_path / "out" / "report.html").read_text()
    assert "DRY RUN" in html and '<section id="evals">' in html and "<svg" in html
    assert "DRY RUN" in (tmp_path / "out" / "summary.md").read_text()


def test_summary_files_given_one_by_one(logs, tmp_path, capsys):
    code, _, err = run(["report", str(logs / "goals.summary.json"), str(logs / "exfil_offer.summary.json"),
                        "-o", str(tmp_path)], capsys)
    assert code == 0, err


@pytest.mark.parametrize(("setup", "message"), [
    (lambda d: d / "missing", "no such file or directory"),
    (lambda d: (d / "bad.summary.json").write_text("{oops") and d / "bad.summary.json", "invalid JSON"),
    (lambda d: (d / "x.txt").write_text("hi") and d / "x.txt", "not a run folder or an eval summary"),
    (lambda d: (d / "empty").mkdir() or d / "empty", "neither a run folder"),
    (lambda d: (d / "run").mkdir() or ((d / "run" / "run.json").write_text('{"name": 3}') and d / "run"),
     "run.json: name"),
])
def test_bad_input_is_one_line_and_exit_2(tmp_path, capsys, setup, message):
    path = setup(tmp_path)
    code, out, err = run(["report", str(path), "-o", str(tmp_path / "out")], capsys)
    assert code == 2 and out == ""
    assert message in err and len(err.strip().splitlines()) == 1
    assert not (tmp_path / "out" / "report.html").exists()


def test_nothing_renderable_is_exit_2(tmp_path, capsys):
    run_dir = tmp_path / "run"
    run_dir.mkdir()
    (run_dir / "run.json").write_text('{"name": "empty"}')
    code, _, err = run(["report", str(run_dir), "-o", str(tmp_path / "out")], capsys)
    assert code == 2 and "nothing to report" in err


def test_needs_an_output(logs, capsys):
    code, _, err = run(["report", str(logs)], capsys)
    assert code == 2 and "-o" in err


def test_a_suite_summary_alone(tmp_path, capsys):
    suite = {"mgs": 0.15, "low": 0.1, "high": 0.2, "method": "cluster-bootstrap", "evals": ["goals", "exfil_offer"],
             "per_eval": {"goals": {"rate": 0.2, "ci_low": 0.1, "ci_high": 0.3, "usable": 20, "errors": 1},
                          "exfil_offer": {"rate": 0.1, "ci_low": 0.0, "ci_high": 0.2, "usable": 20, "errors": 0}}}
    (tmp_path / "suite.summary.json").write_text(json.dumps(suite))
    code, _, err = run(["report", str(tmp_path / "suite.summary.json"), "-o", str(tmp_path / "out")], capsys)
    assert code == 0, err
    md = (tmp_path / "out" / "summary.md").read_text()
    assert "MGS 15.0% \\[10.0%-20.0%\\]" in md and "highest goals 20.0%" in md
