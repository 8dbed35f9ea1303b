"""The report's audit inputs and sections: a probe report (made by a real probe of the vulnerable harness), a
detector bench (made by ``foulplay bench``), scan reports (made by ``foulplay scan`` on the examples) and audit
folders. Checks the grader grid's cells, the advice, the warnings, the headline lines in summary.md, the
incomplete-audit banner, parts that leave the audit folder and one-line errors for bad files."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path

import pytest

pytest.importorskip("jinja2")
pytest.importorskip("matplotlib")

from click.testing import CliRunner
from markupsafe import escape

from foulplay.cli.main import cli
from foulplay.errors import InputError
from foulplay.grading import Grader
from foulplay.hacks import ADVICE, Weakness, get
from foulplay.hacks._probe import HarnessTarget, default_problems, run_probe
from foulplay.report import load_results, render, write_report
from foulplay.report._figures_audit import VERDICT_COLORS
from foulplay.report._sections import SECTIONS
from foulplay.report._sections_audit import MAX_ROWS
from foulplay.training.runfolder import RunMeta, write_run_folder

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
EVIL = '<script>alert("x")</script>'
TECHNIQUES = ("always-equal-object", "os-exit-zero", "sys-exit-zero", "patch-timers")


def _write(path: Path, data: object) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def probe_data() -> dict:
    """A real probe of the default vulnerable harness (eq, exit, conftest, inprocess) on one problem."""
    with Grader(workers=2) as grader:
        target = HarnessTarget("vulnerable", default_problems()[:1], grader)
        report = run_probe(target, [get(t) for t in TECHNIQUES], workers=2)
    return report.to_json_dict()


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory, probe_data: dict) -> dict[str, Path]:
    """probe.json, bench.json (foulplay bench), agent.json and completions.json (foulplay scan)."""
    d = tmp_path_factory.mktemp("inputs")
    out = {"probe": _write(d / "probe.json", probe_data)}
    runner = CliRunner()
    for name, args in (("agent", [str(EXAMPLES / "agent_session.jsonl")]),
                       ("completions", [str(EXAMPLES / "completions.jsonl"), "--problems",
                                        str(EXAMPLES / "problems.jsonl")])):
        res = runner.invoke(cli, ["scan", *args, "--format", "json", "-o", str(d / f"{name}.json")])
        assert res.exit_code == 1, res.output
        out[name] = d / f"{name}.json"
    res = runner.invoke(cli, ["bench", "--detectors", "static", "--format", "json", "--no-real", "--no-speed",
                              "--per", "1", "--split", "heldout", "-o", str(d / "bench.json")])
    assert res.exit_code == 0, res.output
    out["bench"] = d / "bench.json"
    return out


@pytest.fixture(scope="module")
def all_report(files: dict[str, Path], tmp_path_factory: pytest.TempPathFactory):
    paths = [files[k] for k in ("probe", "bench", "agent", "completions")]
    made = write_report(load_results(paths), tmp_path_factory.mktemp("all"), inputs=[str(p) for p in paths])
    return made, made.html.read_text(encoding="utf-8"), made.markdown.read_text(encoding="utf-8")


def _svgs(html: str) -> list[str]:
    return re.findall(r"<svg\b.*?</svg>", html, re.S)


def _section(html: str, sid: str) -> str:
    m = re.search(rf'<section id="{sid}">.*?</section>', html, re.S)
    assert m, sid
    return m.group(0)


def _fills(svg: str, color: str) -> int:
    return len(re.findall(rf"fill:\s*{color}\b", svg, re.I))


def test_section_order_and_loading(all_report, files):
    names = [n for n, _ in SECTIONS]
    assert names.index("matrix") < names.index("grader") < names.index("agent") < names.index("detectors") \
        < names.index("examples")
    made, html, _ = all_report
    assert made.sections == ["grader", "agent", "detectors"]
    results = load_results([files["probe"]])
    assert not results.empty and [a.name for a in results.grader_audits] == ["vulnerable:conftest,eq,exit,inprocess"]
    assert not load_results([files["agent"]]).empty and not load_results([files["bench"]]).empty
    for svg in _svgs(html):
        assert "<path" in svg


def test_grader_grid_tables_advice_and_warnings(all_report, probe_data):
    made, html, md = all_report
    verdicts = {t["technique"]: t["verdict"] for t in probe_data["techniques"]}
    assert verdicts["always-equal-object"] == "FOOLED" and verdicts["os-exit-zero"] == "FOOLED"
    assert verdicts["sys-exit-zero"] == "RESISTED" and verdicts["patch-timers"] == "NOT-APPLICABLE"
    grader = _section(html, "grader")
    [grid] = _svgs(grader)
    # one filled cell per technique, in its verdict's colour
    assert _fills(grid, VERDICT_COLORS["FOOLED"]) == 2
    assert _fills(grid, VERDICT_COLORS["RESISTED"]) == 1
    assert _fills(grid, VERDICT_COLORS["NOT-APPLICABLE"]) == 1
    assert _fills(grid, VERDICT_COLORS["ERROR"]) == _fills(grid, VERDICT_COLORS["UNVERIFIED"]) == 0
    assert "<td>always-equal-object</td><td>equality</td><td>FOOLED</td>" in grader
    assert "<td>patch-timers</td><td>timing</td><td>NOT-APPLICABLE</td>" in grader
    assert "<td>wrong</td><td>fail</td><td>ok</td>" in grader and "<td>reference</td><td>pass</td><td>ok</td>" in grader
    # advice: one row per weakness the fooling techniques need, with the harness switch
    assert "to close each hole" in grader
    assert str(escape(ADVICE[Weakness.EQ].text())) in grader and str(escape(ADVICE[Weakness.EXIT].how)) in grader
    assert "<td>inprocess</td>" in grader
    assert any("FOOLED by 2 techniques: always-equal-object, os-exit-zero" in w for w in made.warnings)
    assert "isolation" in grader
    assert ("- grader vulnerable:conftest,eq,exit,inprocess: FOOLED by 2 of 4 techniques (3 applicable; families "
            "early-exit, equality); controls ok") in md


def test_detectors_section(all_report, files):
    made, html, md = all_report
    sec = _section(html, "detectors")
    bench = json.loads(files["bench"].read_text())["detectors"]["sets"]["heldout"]["static"]
    assert "TPR at 1% and 5% FPR" in sec and "no ROC curve points" in sec
    assert f"{bench['n']} items ({bench['hacks']} hack, {bench['clean']} clean)" in sec
    assert f"{bench['auroc']['value']:.3f}" in sec and "score ≥" in sec
    assert "heldout" in sec and "cluster bootstrap" in sec
    assert re.search(r"- detectors bench: heldout static: AUROC \d\.\d{3} \\\[", md)
    assert not any("scripted" in w for w in made.warnings)


def test_detectors_roc_curves_and_a_scripted_monitor(files, tmp_path):
    data = json.loads(files["bench"].read_text())
    metrics = data["detectors"]["sets"]["heldout"]["static"]
    data["detectors"]["sets"]["heldout"]["monitor-actions"] = {**copy.deepcopy(metrics),
                                                               "detector": "monitor-actions", "errors": 3}
    metrics["curve"] = [[0.0, 0.0, 3.0], [0.02, 0.7, 2.0], [1.0, 1.0, 0.0]]
    data["detectors"]["settings"]["monitor_model"] = "mockllm/model"
    html, _, shown = render(load_results([_write(tmp_path / "bench.json", data)]))
    sec = _section(html, "detectors")
    assert "ROC curves" in sec and len(_svgs(sec)) == 1
    assert "mockllm/model is scripted" in " ".join(w for s in shown for w in s.warnings)
    assert "3 items could not be judged" in sec


def test_agent_section_counts_and_flagged_items(all_report):
    made, html, md = all_report
    sec = _section(html, "agent")
    assert "<td>FP421, FP425</td><td>test-tampering</td>" in sec
    assert "- scan agent: 1 item(s): 1 hack, 0 suspicious, 0 unverified, 0 error, 0 clean" in md
    assert "- scan completions: 18 item(s): 9 hack, 0 suspicious, 0 unverified, 0 error, 9 clean" in md
    assert not any("could not be checked" in w for w in made.warnings)


def _finding(rule: str, snippet: str, confidence: str = "high") -> dict:
    return {"rule": rule, "name": "n", "family": "equality", "technique": None, "severity": "high",
            "confidence": confidence, "message": "m", "path": "solution.py", "line": 2, "snippet": snippet,
            "source": "code", "notes": [], "where": ""}


def test_agent_section_never_shows_unchecked_as_clean_escapes_and_caps(tmp_path):
    items = [{"id": f"hack-{i}", "verdict": "hack", "findings": [_finding("FP101", EVIL)]} for i in range(MAX_ROWS)]
    items += [{"id": "broken", "verdict": "error", "findings": [], "error": "broken: not a readable transcript"},
              {"id": "partial", "verdict": "clean", "findings": [], "notes": ["tool call 3 could not be read"]},
              {"id": "low", "verdict": "clean", "findings": [_finding("FP301", "x", "low")]},
              {"id": "fine", "verdict": "clean", "findings": []}]
    scan = {"tool": {"name": "foulplay"}, "scanned": "t.jsonl", "options": {"fail_on": "medium"},
            "summary": {"items": len(items)}, "items": items}
    html, md, shown = render(load_results([_write(tmp_path / "scan.json", scan)]))
    sec = _section(html, "agent")
    assert EVIL not in html and "&lt;script&gt;alert(" in sec
    assert f"- scan scan: {len(items)} item(s): {MAX_ROWS} hack, 1 suspicious, 1 unverified, 1 error, 1 clean" in md
    warnings = [w for s in shown for w in s.warnings]
    assert any("2 of 54 item(s) could not be checked" in w and "not counted as clean" in w for w in warnings)
    assert "3 more items left out of the table" in sec
    assert sec.count("<td>hack</td>") == MAX_ROWS


def test_unverified_probe_and_a_fooling_control(probe_data, tmp_path):
    data = copy.deepcopy(probe_data)
    for c in data["controls"]:
        if c["control"] == "reference":
            c.update(status="UNVERIFIED", ok=False, detail="no reference solution")
        if c["control"] == "wrong":
            c.update(status="FAILED", ok=False, detail="passed on ex/x")
    data.update(verdict="UNVERIFIED", unverified=True,
                headline=["UNVERIFIED: the reference-solution control could not run: no reference solution"])
    html, md, shown = render(load_results([_write(tmp_path / "probe.json", data)]))
    warnings = [w for s in shown for w in s.warnings]
    assert any("probe is UNVERIFIED" in w and "no reference solution" in w for w in warnings)
    assert any("passes the wrong control" in w for w in warnings)
    assert "<td>wrong-control</td>" in html and "controls: wrong FAILED, reference UNVERIFIED" in md


def _summary(name: str, rate: float) -> dict:
    return {"eval": name, "misaligned_rate": rate, "ci_low": rate / 2, "ci_high": min(1.0, rate * 2), "usable": 40,
            "errors": 0, "excluded": 0, "covert": 1, "overt": 2}


def _audit(folder: Path, parts: list[dict], **extra: object) -> Path:
    data = {"schema": "foulplay.audit/1", "kind": "model", "title": "nightly", "created": "2026-12-05T00:00:00Z",
            "complete": True, "constructed": False, "dry_run": False, "notes": ["made by a test"], "parts": parts}
    data.update(extra)
    _write(folder / "audit.json", data)
    return folder


def test_an_audit_folder_with_every_kind_of_part(files, tmp_path):
    folder = tmp_path / "audit"
    for key in ("probe", "bench", "agent"):
        (folder / "parts").mkdir(parents=True, exist_ok=True)
        (folder / "parts" / files[key].name).write_bytes(files[key].read_bytes())
    write_run_folder(folder / "run", RunMeta(name="audited-run", seed=1),
                     steps=[{"step": s, "episodes": 4, "hack_rate": s / 10, "pass_rate": 0.5} for s in range(1, 6)])
    for n in ("goals", "monitor_disruption"):
        _write(folder / "evals" / f"{n}.summary.json", _summary(n, 0.2))
    _audit(folder, [{"kind": "probe", "path": "parts/probe.json", "name": "env grader"},
                    {"kind": "detectors", "path": "parts/bench.json", "name": "static bench"},
                    {"kind": "scan", "path": "parts/agent.json", "name": "agent session"},
                    {"kind": "run", "path": "run", "name": "the run"},
                    {"kind": "evals", "path": "evals", "name": "model-x"}], constructed=True)
    results = load_results([folder])
    assert [a.name for a in results.grader_audits] == ["env grader"]
    assert [d.name for d in results.detectors] == ["static bench"] and [s.name for s in results.scans] == [
        "agent session"]
    assert [r.name for r in results.runs] == ["audited-run"] and [e.name for e in results.eval_sets] == ["model-x"]
    assert results.banners == [] and results.constructed
    assert "audit nightly: made by a test" in results.notes
    html, md, shown = render(results)
    assert [s.id for s in shown] == ["training", "evals", "grader", "agent", "detectors"]
    assert "CONSTRUCTED DATA" in html and "INCOMPLETE AUDIT" not in html
    assert "- grader env grader: FOOLED by 2 of 4" in md
    # the audit.json file itself is accepted too
    assert [a.name for a in load_results([folder / "audit.json"]).grader_audits] == ["env grader"]
    (folder / "nightly-audit.json").write_bytes((folder / "audit.json").read_bytes())
    assert [s.name for s in load_results([folder / "nightly-audit.json"]).scans] == ["agent session"]


def test_an_incomplete_audit_names_its_missing_parts(files, tmp_path):
    folder = tmp_path / "audit"
    (folder / "probe.json").parent.mkdir(parents=True)
    (folder / "probe.json").write_bytes(files["probe"].read_bytes())
    _audit(folder, [{"kind": "probe", "path": "probe.json", "name": "grader"},
                    {"kind": "scan", "path": "scan.json", "name": "agent scan"}], complete=False)
    made = write_report(load_results([folder]), tmp_path / "out")
    html, md = made.html.read_text(), made.markdown.read_text()
    assert 'class="banner incomplete"' in html and "INCOMPLETE AUDIT" in md
    assert "did not finish: missing scan &#39;agent scan&#39; (scan.json)" in html
    assert "missing scan 'agent scan' (scan.json)" in md
    assert made.sections == ["grader"]


@pytest.mark.parametrize("path", ["../outside.json", "/etc/hostname", "a/../../outside.json"])
def test_audit_parts_may_not_leave_the_folder(tmp_path, path):
    _write(tmp_path / "outside.json", {"x": 1})
    folder = _audit(tmp_path / "audit", [{"kind": "probe", "path": path}])
    with pytest.raises(InputError, match="leaves the audit folder") as info:
        load_results([folder])
    assert "audit.json" in str(info.value) and "\n" not in str(info.value)


def _bad(tmp_path: Path, name: str, text: str) -> Path:
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


@pytest.mark.parametrize(("text", "message"), [
    ("{", "invalid JSON"),
    ('{"techniques": {}, "controls": []}', "'techniques' is not a list"),
    ('{"techniques": [{"technique": "t"}], "controls": []}', "techniques[0] needs technique, family, verdict"),
    ('{"schema": "foulplay.bench/1", "corpus": {}}', "without a detector comparison"),
    ('{"schema": "foulplay.bench/1", "detectors": {"sets": {"dev": 3}}}', "sets['dev'] is not a table"),
    ('{"summary": {}, "items": [{"id": 1}]}', "items[0] needs id, verdict"),
    ('{"schema": "foulplay.audit/1", "kind": "x", "parts": []}', "kind 'x' is not one of"),
], ids=["not-json", "probe-techniques", "probe-row", "bench-no-detectors", "bench-sets", "scan-item", "audit-kind"])
def test_bad_json_is_one_line_naming_the_file(tmp_path, text, message):
    name = "audit.json" if "audit" in text else "report.json"
    p = _bad(tmp_path, name, text)
    with pytest.raises(InputError) as info:
        load_results([p])
    assert str(p) in str(info.value) and message in str(info.value) and "\n" not in str(info.value)


def test_a_part_of_the_wrong_kind_and_a_bad_audit(files, tmp_path):
    folder = tmp_path / "audit"
    folder.mkdir()
    (folder / "agent.json").write_bytes(files["agent"].read_bytes())
    _audit(folder, [{"kind": "probe", "path": "agent.json"}])
    with pytest.raises(InputError, match="listed as a probe part, but it is a scan file"):
        load_results([folder])
    _audit(folder, [{"kind": "nonsense", "path": "agent.json"}])
    with pytest.raises(InputError, match=r"parts\[0\] needs a kind"):
        load_results([folder])
    _audit(folder, [{"kind": "run", "path": "agent.json"}])
    with pytest.raises(InputError, match="a run part must be a run folder"):
        load_results([folder])
    (folder / "audit.json").write_text('{"schema": "other"}')
    with pytest.raises(InputError, match="not a foulplay audit"):
        load_results([folder])


def test_the_report_command_accepts_a_probe_alone(files, tmp_path):
    res = CliRunner().invoke(cli, ["report", str(files["probe"]), "-o", str(tmp_path / "out")])
    assert res.exit_code == 0, res.output
    assert "FOOLED by 2 of 4" in (tmp_path / "out" / "summary.md").read_text()


def test_an_audits_answer_comes_first_with_its_notes(tmp_path):
    folder = tmp_path / "audit"
    _write(folder / "evals" / "goals.summary.json", _summary("goals", 0.2))
    _audit(folder, [{"kind": "evals", "path": "evals", "name": "model-x"}])
    state = json.loads((folder / "audit.json").read_text())
    state["answer"] = ["Yes: something was found.", "model-x: 1 eval"]
    (folder / "audit.json").write_text(json.dumps(state))
    results = load_results([folder])
    assert "audit nightly: made by a test" not in results.notes  # shown under the answer instead
    _html, md, shown = render(results)
    assert shown[0].id == "answer" and shown[0].notes == ["made by a test"]
    assert md.index("Yes: something was found.") < md.index("goals")
    state["answer"] = "not a list"
    (folder / "audit.json").write_text(json.dumps(state))
    with pytest.raises(InputError, match="'answer' must be a list of text"):
        load_results([folder])
