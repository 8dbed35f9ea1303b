"""AuditFolder: stages run once, an interrupted audit resumes, other settings are refused, --fresh starts over."""

from __future__ import annotations

import json

import pytest

from foulplay.audit import AUDIT_FILE, AuditFolder, Part, StageResult
from foulplay.errors import InputError


def _stage(folder: AuditFolder, calls: list[str], name: str = "a", fail: bool = False):
    def run() -> StageResult:
        calls.append(name)
        if fail:
            raise RuntimeError("interrupted")
        folder.path(f"{name}.json").write_text("{}")
        return StageResult([Part("probe", f"{name}.json", name)], {"value": len(calls)}, [f"note {name}"])

    return folder.stage(name, run)


def test_a_finished_stage_is_not_run_again_and_keeps_its_summary(tmp_path):
    calls: list[str] = []
    f = AuditFolder(tmp_path / "out", "grader", {"x": 1}, title="t")
    assert _stage(f, calls) == {"value": 1}
    again = AuditFolder(tmp_path / "out", "grader", {"x": 1}, title="t")
    assert _stage(again, calls) == {"value": 1} and calls == ["a"]
    state = json.loads((tmp_path / "out" / AUDIT_FILE).read_text())
    assert state["parts"] == [{"kind": "probe", "path": "a.json", "name": "a"}] and state["notes"] == ["note a"]
    assert state["schema"] == "foulplay.audit/1" and state["complete"] is False


def test_an_interrupted_stage_is_not_recorded_and_runs_on_resume(tmp_path):
    calls: list[str] = []
    f = AuditFolder(tmp_path, "run", {}, title="t")
    _stage(f, calls, "first")
    with pytest.raises(RuntimeError):
        _stage(f, calls, "second", fail=True)
    resumed = AuditFolder(tmp_path, "run", {}, title="t")
    _stage(resumed, calls, "first")
    _stage(resumed, calls, "second")
    assert calls == ["first", "second", "second"]


def test_a_stage_whose_part_was_deleted_runs_again(tmp_path):
    calls: list[str] = []
    f = AuditFolder(tmp_path, "run", {}, title="t")
    _stage(f, calls)
    (tmp_path / "a.json").unlink()
    _stage(AuditFolder(tmp_path, "run", {}, title="t"), calls)
    assert calls == ["a", "a"]


def test_other_settings_in_the_same_folder_are_refused_in_one_line(tmp_path):
    AuditFolder(tmp_path, "run", {"onset": 0.02, "workers": 2}, title="t")
    with pytest.raises(InputError, match=r"other settings \(onset\); give --fresh"):
        AuditFolder(tmp_path, "run", {"onset": 0.1, "workers": 2}, title="t")
    with pytest.raises(InputError, match="holds a run audit"):
        AuditFolder(tmp_path, "grader", {"onset": 0.02, "workers": 2}, title="t")


def test_fresh_removes_what_the_earlier_audit_wrote_and_nothing_else(tmp_path):
    calls: list[str] = []
    f = AuditFolder(tmp_path, "run", {"a": 1}, title="t")
    _stage(f, calls)
    (tmp_path / "mine.txt").write_text("keep")
    f2 = AuditFolder(tmp_path, "run", {"a": 2}, title="t", fresh=True)
    assert not (tmp_path / "a.json").exists() and (tmp_path / "mine.txt").read_text() == "keep"
    assert f2.state["stages"] == {}


def test_a_broken_audit_record_is_one_line(tmp_path):
    (tmp_path / AUDIT_FILE).write_text("{not json")
    with pytest.raises(InputError, match="not a foulplay audit record"):
        AuditFolder(tmp_path, "run", {}, title="t")
    (tmp_path / AUDIT_FILE).write_text(json.dumps({"schema": "other"}))
    with pytest.raises(InputError, match=r"schema foulplay\.audit/1"):
        AuditFolder(tmp_path, "run", {}, title="t")
    AuditFolder(tmp_path, "run", {}, title="t", fresh=True)  # --fresh gets past it


def test_a_file_where_the_folder_should_be_is_refused(tmp_path):
    (tmp_path / "out").write_text("x")
    with pytest.raises(InputError, match="not a folder"):
        AuditFolder(tmp_path / "out", "run", {}, title="t")


def test_stage_events_are_reported(tmp_path):
    events: list[tuple[str, str]] = []
    f = AuditFolder(tmp_path, "run", {}, title="t", on_stage=lambda s, w: events.append((s, w)))
    _stage(f, [])
    _stage(AuditFolder(tmp_path, "run", {}, title="t", on_stage=lambda s, w: events.append((s, w))), [])
    assert events == [("a", "start"), ("a", "done"), ("a", "resumed")]


def test_fresh_also_removes_logs_and_caches_an_audit_wrote(tmp_path):
    f = AuditFolder(tmp_path, "model", {"a": 1}, title="t")
    _stage(f, [])
    for name in ("logs", "monitor-cache"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "old.eval").write_text("x")
    (tmp_path / "claimed_steps.jsonl").write_text("{}\n")
    AuditFolder(tmp_path, "model", {"a": 1}, title="t", fresh=True)
    assert not (tmp_path / "logs").exists() and not (tmp_path / "monitor-cache").exists()
    assert not (tmp_path / "claimed_steps.jsonl").exists()
