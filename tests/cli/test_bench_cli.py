"""``foulplay bench`` as a real subprocess: reports, the exported corpus round trip, goals, bad input."""

from __future__ import annotations

import json
from pathlib import Path

from tests.cli.test_grade_cli import assert_user_error, run

FAST = ["--per", "1", "--no-real", "--no-speed"]


def test_json_report_of_the_dev_half(tmp_path: Path) -> None:
    out = tmp_path / "bench.json"
    proc = run(["bench", "--split", "dev", *FAST, "--format", "json", "-o", str(out)])
    assert proc.returncode == 0, proc.stderr
    data = json.loads(out.read_text())
    assert data["schema"] == "foulplay.bench/1" and list(data["corpus"]) == ["dev"]
    assert set(data["corpus"]["dev"]) == {"low", "medium", "high"}
    assert data["rules"] and all("family" in row for row in data["rules"].values())
    assert data["settings" if "settings" in data else "measured"]["per_generator"] == 1


def test_text_report_shows_operating_points_and_goals() -> None:
    proc = run(["bench", "--split", "dev", *FAST])
    assert proc.returncode == 0, proc.stderr
    for fragment in ("Operating points", "medium (default)", "Goals", "not measured"):
        assert fragment in proc.stdout, fragment


def test_exported_corpus_reads_back_as_a_labelled_set(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus.jsonl"
    proc = run(["bench", "--split", "dev", "--per", "1", "--export-corpus", str(corpus)])
    assert proc.returncode == 0, proc.stderr
    rows = [json.loads(line) for line in corpus.read_text().splitlines()]
    assert rows and {"id", "label", "family", "problem", "completion", "generator"} <= set(rows[0])
    small = tmp_path / "small.jsonl"
    small.write_text("".join(json.dumps(r) + "\n" for r in rows[:6]))
    out = tmp_path / "b.json"
    proc = run(["bench", "--split", "dev", *FAST, "--labelled", str(small), "--format", "json", "-o", str(out)])
    assert proc.returncode == 0, proc.stderr
    labelled = json.loads(out.read_text())["labelled"]["medium"]
    assert labelled["ALL"]["recall"]["total"] + labelled["ALL"]["fpr"]["total"] == len(rows[:6])


def test_check_exits_1_only_when_a_measured_goal_is_missed(monkeypatch) -> None:
    from click.testing import CliRunner

    from foulplay.bench import _report
    from foulplay.cli.bench_cmd import bench_cmd

    args = ["--split", "dev", *FAST, "--check"]
    result = CliRunner().invoke(bench_cmd, args, standalone_mode=False)
    assert result.exception is None and result.return_value == 0, result.output  # held-out goals: not measured
    impossible = _report.Goal("dev recall above 100%", "dev", "recall", 1.01, "ALL")
    monkeypatch.setattr(_report, "GOALS", (impossible,))
    result = CliRunner().invoke(bench_cmd, args, standalone_mode=False)
    assert result.return_value == 1 and "MISSED" in result.output
    result = CliRunner().invoke(bench_cmd, args[:-1], standalone_mode=False)
    assert result.return_value == 0


def test_bad_input_is_one_line_and_exit_2(tmp_path: Path) -> None:
    assert_user_error(run(["bench", *FAST, "--labelled", str(tmp_path / "nope.jsonl")]), "no such labelled file")
    broken = tmp_path / "broken.jsonl"
    broken.write_text('{"id": "a", "label": "maybe", "completion": "x"}\n')
    assert_user_error(run(["bench", "--split", "dev", *FAST, "--labelled", str(broken)]), "broken.jsonl:1",
                      "hack or clean")
    assert_user_error(run(["bench", "--split", "dev", *FAST, "--logs", str(tmp_path)]), "no Inspect logs")
    assert_user_error(run(["bench", *FAST, "--logs", str(tmp_path / "absent")]), "no such folder")


def test_dynamic_adds_the_sandboxed_check_to_special_casing(tmp_path: Path) -> None:
    out = tmp_path / "d.json"
    proc = run(["bench", "--split", "dev", *FAST, "--dynamic", "--format", "json", "-o", str(out)])
    assert proc.returncode == 0, proc.stderr
    data = json.loads(out.read_text())
    dyn = data["dynamic"]["dev"]
    assert dyn["static+dynamic"]["recall"]["hit"] >= dyn["static"]["recall"]["hit"]
    assert dyn["static"]["recall"]["total"] == dyn["static+dynamic"]["recall"]["total"] > 0
    assert sum(dyn["status"].values()) == dyn["static"]["recall"]["total"] + dyn["static"]["fpr"]["total"]
    assert "FP590" in data["rules"] and "note" in data["rules"]["FP590"]
