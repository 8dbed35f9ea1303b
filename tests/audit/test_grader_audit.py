"""``audit grader``: the probe with its controls and, per hole, the advice that closes it; resumable."""

from __future__ import annotations

import io
import json

import pytest
from rich.console import Console

from foulplay.audit import AuditFolder, GraderSpec, StageProgress, audit_grader
from foulplay.errors import InputError

pytest.importorskip("jinja2")
pytest.importorskip("matplotlib")


def _run(tmp_path, spec: GraderSpec):
    folder = AuditFolder(tmp_path, "grader", spec.config(), title="grader audit")
    code, s = audit_grader(folder, spec, workers=2, progress=StageProgress(Console(file=io.StringIO())))
    return folder, code, s


def test_a_vulnerable_harness_is_fooled_and_each_hole_has_advice(tmp_path):
    spec = GraderSpec(harness="vulnerable:eq,exit,inprocess", limit=1, techniques=["always-equal-object", "os-exit-zero"])
    folder, code, s = _run(tmp_path, spec)
    assert code == 1 and s["found"] and s["verdict"] == "FOOLED" and s["holes"] == 2
    probe = json.loads((tmp_path / "probe.json").read_text())
    assert {a["technique"] for a in probe["advice"]} == {"always-equal-object", "os-exit-zero"}
    assert all(a["fixes"] and all(f["how"] for f in a["fixes"]) for a in probe["advice"])
    assert all(c["ok"] for c in probe["controls"])
    html = folder.finish().html.read_text()
    assert "always-equal-object" in html and "FOOLED" in html


def test_the_hardened_harness_resists_and_a_rerun_does_not_probe_again(tmp_path, monkeypatch):
    spec = GraderSpec(harness="hardened", limit=1, techniques=["always-equal-object"])
    _, code, s = _run(tmp_path, spec)
    assert code == 0 and s["verdict"] == "RESISTED" and s["holes"] == 0

    def boom(*a, **k):
        raise AssertionError("the probe ran again")

    monkeypatch.setattr("foulplay.hacks._probe.run_probe", boom)
    _, code2, s2 = _run(tmp_path, spec)
    assert code2 == 0 and s2 == s


def test_an_unknown_technique_or_family_is_one_line(tmp_path):
    with pytest.raises(InputError, match="no technique"):
        _run(tmp_path / "a", GraderSpec(harness="hardened", techniques=["nope"]))
    with pytest.raises(InputError, match="unknown family"):
        _run(tmp_path / "b", GraderSpec(harness="hardened", families=["nope"]))
