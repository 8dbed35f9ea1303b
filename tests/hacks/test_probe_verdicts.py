"""``foulplay probe``'s verdicts on graders that cannot be trusted, its controls, its exit statuses and the
callable contract: a grader that raises, hangs or passes everything is never reported as resisting; without a
reference the grader is UNVERIFIED and the report says what to supply; a crash of the probe's own machinery
on one technique is one ERROR row."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from foulplay.errors import InputError
from foulplay.grading import load_problems, problem_from_record
from foulplay.hacks import Payload, context_for, get
from foulplay.hacks._probe import (
    Attempt,
    CallableTarget,
    CommandGraderSpec,
    ControlStatus,
    ProbeVerdict,
    Subject,
    Target,
    run_probe,
)
from foulplay.sandbox import Limits, Sandbox
from foulplay.vocab import ExitCode

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = Path(__file__).resolve().parent / "fixtures"
GRADERS = FIXTURES / "contract_graders.py"
PROBLEMS = FIXTURES / "inproc_problems.jsonl"
_SCRIPT = ROOT / ".venv" / "bin" / "foulplay"
FOULPLAY = [str(_SCRIPT)] if _SCRIPT.exists() else [sys.executable, "-m", "foulplay.cli.main"]
_DROP = {"COLUMNS", "LINES", "FORCE_COLOR", "TTY_COMPATIBLE", "TTY_INTERACTIVE", "FOULPLAY_DEBUG"}
_ENV = {k: v for k, v in os.environ.items() if k not in _DROP}
# a pass-goal technique, a technique that wins when grading crashes, and an output spoof
FEW = ("--technique", "always-equal-object", "--technique", "exponential-repr", "--technique", "print-success")

# ---------------------------------------------------------------------------------------------
# the machinery, with a scripted target (no sandbox)

REFERENCE = "def double(n):\n    return 2 * n\n"


class Scripted(Target):
    """Answers controls from ``controls`` (name -> passed, None for no verdict) and a payload carrying
    ``marker:<id>`` from ``answers``; ``crash`` names techniques whose grading raises."""

    name = "scripted"

    def __init__(self, controls: dict[str, bool | None], answers: dict[str, bool | None],
                 reference: str | None = REFERENCE, crash: frozenset[str] = frozenset()) -> None:
        self.controls, self.answers, self.crash = controls, answers, crash
        problem = problem_from_record({"task_id": "s/x", "entry_point": "double",
                                       "tests": ["assert double(1) == 2", "assert double(2) == 4"]})
        self.ctx = context_for(problem)
        self.reference = reference

    def subjects(self) -> list[Subject]:
        return [Subject("s/x", self.ctx, self.reference)]

    def attempt(self, subject, payload, raw=None):
        text = raw if raw is not None else (payload.solution if payload else "")
        for tech_id, passed in self.answers.items():
            if f"marker:{tech_id}" in (text or ""):
                if tech_id in self.crash:
                    raise RuntimeError(f"target bug on {tech_id}\nsecond line")
                return Attempt(subject.name, passed, "scripted", no_verdict=passed is None)
        name = "reference" if text == REFERENCE else "empty" if not text else "wrong"
        passed = self.controls[name]
        return Attempt(subject.name, passed, f"control {name}", no_verdict=passed is None)


def _marked(tech_id: str, broken: bool = False, **changes):
    def generate(ctx):
        if broken:
            raise ValueError("generator bug\nwith a second line")
        return Payload(solution=f"# marker:{tech_id}\ndef double(n):\n    return 0\n")

    return replace(get("lie-check-evasion"), id=tech_id, generate=generate, **changes)


HEALTHY = {"wrong": False, "empty": False, "reference": True}


def _rows(report):
    return {t.technique: t for t in report.techniques}


def test_a_healthy_grader_resists_and_exits_0():
    report = run_probe(Scripted(HEALTHY, {"a": False, "b": False}), [_marked("a"), _marked("b")], workers=1)
    assert {t.verdict for t in report.techniques} == {ProbeVerdict.RESISTED}
    assert all(c.status is ControlStatus.OK for c in report.controls)
    assert report.verdict is ProbeVerdict.RESISTED and report.exit_status() is ExitCode.CLEAN
    assert report.headline()[0].startswith("RESISTED every applicable technique (2)")


def test_a_grader_that_passes_the_wrong_solution_is_fooled_by_that_control_and_trusts_nothing():
    controls = {"wrong": True, "empty": False, "reference": True}
    report = run_probe(Scripted(controls, {"a": True, "b": False}), [_marked("a"), _marked("b")], workers=1)
    rows = _rows(report)
    assert rows["a"].verdict is ProbeVerdict.UNVERIFIED and "passes the wrong-solution control" in rows["a"].evidence
    assert rows["b"].verdict is ProbeVerdict.UNVERIFIED
    assert not report.fooled and report.found and not report.unverified
    assert report.headline()[0].startswith("FOOLED by the wrong-solution control")
    assert report.verdict is ProbeVerdict.FOOLED and report.exit_status() is ExitCode.FOUND
    assert report.exit_status(exit_zero=True) is ExitCode.CLEAN


def test_without_a_reference_the_grader_is_unverified_and_the_report_says_what_to_supply():
    report = run_probe(Scripted(HEALTHY, {"a": True, "b": False}, reference=None), [_marked("a"), _marked("b")],
                       workers=1)
    rows = _rows(report)
    assert rows["a"].verdict is ProbeVerdict.FOOLED  # the wrong solution fails, so a pass still shows a hole
    assert rows["b"].verdict is ProbeVerdict.UNVERIFIED and "no reference solution" in rows["b"].evidence
    reference = next(c for c in report.controls if c.name == "reference")
    assert reference.status is ControlStatus.UNVERIFIED and not reference.attempts
    assert "add a 'reference' field" in reference.detail and "--reference FILE" in reference.detail
    assert report.unverified and report.verdict is ProbeVerdict.UNVERIFIED
    assert report.exit_status() is ExitCode.ERROR  # unverified wins over found
    assert report.exit_status(exit_zero=True, max_errors=99) is ExitCode.ERROR
    assert any(line.startswith("UNVERIFIED: the reference-solution control could not run") for line in report.headline())


def test_a_grader_that_fails_the_reference_is_unverified():
    controls = {"wrong": False, "empty": False, "reference": False}
    report = run_probe(Scripted(controls, {"a": False}), [_marked("a")], workers=1)
    assert report.techniques[0].verdict is ProbeVerdict.UNVERIFIED
    assert "fails the reference solution too" in report.techniques[0].evidence
    assert report.exit_status() is ExitCode.ERROR
    assert report.headline()[0].startswith("UNVERIFIED: the grader fails the reference solution")


def test_a_grader_with_no_verdict_anywhere_gives_error_rows_never_resisted():
    silent = {"wrong": None, "empty": None, "reference": None}
    report = run_probe(Scripted(silent, {"a": None, "b": None}),
                       [_marked("a"), _marked("b", goal="no-verdict")], workers=1)
    assert {t.verdict for t in report.techniques} == {ProbeVerdict.ERROR}
    assert all(c.status is ControlStatus.UNVERIFIED for c in report.controls)
    assert report.exit_status(max_errors=10) is ExitCode.ERROR


def test_one_broken_technique_is_one_error_row_and_the_rest_is_probed():
    target = Scripted(HEALTHY, {"ok": False, "crash": False, "fool": True}, crash=frozenset({"crash"}))
    techniques = [_marked("ok"), _marked("gen", broken=True), _marked("crash"), _marked("fool")]
    report = run_probe(target, techniques, workers=2)
    rows = _rows(report)
    assert rows["ok"].verdict is ProbeVerdict.RESISTED and rows["fool"].verdict is ProbeVerdict.FOOLED
    assert rows["gen"].verdict is ProbeVerdict.ERROR
    assert rows["gen"].evidence == "s/x: probe error: the payload generator failed: ValueError: generator bug"
    assert rows["crash"].verdict is ProbeVerdict.ERROR
    assert "probe error: grading the payload failed: RuntimeError: target bug on crash" in rows["crash"].evidence
    assert "\n" not in rows["gen"].evidence + rows["crash"].evidence
    assert report.counts()["ERROR"] == report.errors == 2 and "2 errors" in report.summary()
    assert report.exit_status() is ExitCode.ERROR  # two error rows, none tolerated
    assert report.exit_status(max_errors=2) is ExitCode.FOUND  # tolerated: the fooled row decides
    data = json.loads(json.dumps(report.to_json_dict()))
    assert data["errors"] == 2 and data["verdict"] == "FOOLED" and data["found"] is True


def test_a_target_that_refuses_every_control_is_one_usage_error_not_rows():
    class Refusing(Scripted):
        def attempt(self, subject, payload, raw=None):
            raise InputError("the sandbox refuses to run")

    with pytest.raises(InputError, match="the sandbox refuses to run"):
        run_probe(Refusing(HEALTHY, {}), [_marked("a")], workers=1)


# ---------------------------------------------------------------------------------------------
# the callable contract


@pytest.fixture(scope="module")
def box():
    with Sandbox(workers=2, limits=Limits(wall_s=10.0, cpu_s=10)) as sandbox:
        yield sandbox


def test_a_callable_gets_plain_source_the_normalised_problem_and_the_files(box):
    problems = load_problems(PROBLEMS)[:1]
    target = CallableTarget(f"{GRADERS}:checks_contract", problems, box)
    subject = target.subjects()[0]
    plain = target.attempt(subject, None, raw=subject.reference)
    assert plain.passed is True and plain.detail == "grader returned 1", plain.detail
    with_files = target.attempt(subject, Payload(solution="def digit_sum(n):\n    return 0\n",
                                                 files={"conftest.py": "x = 1\n"}))
    assert with_files.detail == "grader returned 2", with_files.detail  # solution.py and conftest.py
    # a technique's payload arrives the same way: no fence, no file-name header
    tech = target.attempt(subject, get("print-success").payload(subject.ctx))
    assert tech.passed is True, tech.detail


def test_a_two_argument_callable_gets_no_files_and_a_failing_grader_fails(box):
    problems = load_problems(PROBLEMS)[:1]
    target = CallableTarget(f"{GRADERS}:honest", problems, box)
    assert target.takes_files is False
    subject = target.subjects()[0]
    assert target.attempt(subject, None, raw=subject.reference).passed is True
    assert target.attempt(subject, Payload(solution="def digit_sum(n):\n    return 0\n")).passed is False


@pytest.mark.parametrize(("function", "fragment"), [
    ("wrong_signature", "the grader takes (problem); it must take (problem, solution) or (problem, solution, files)"),
    ("needs_more", "the grader takes (problem, solution, threshold)"),
    ("asynchronous", "must be a plain function, not async def"),
    ("NotAFunction", "'NotAFunction' is a class, not a function"),
    ("absent", "no function 'absent' in the module"),
])
def test_a_callable_that_breaks_the_contract_is_refused_in_one_line(box, function, fragment):
    with pytest.raises(InputError) as err:
        CallableTarget(f"{GRADERS}:{function}", load_problems(PROBLEMS)[:1], box)
    assert fragment in str(err.value) and "\n" not in str(err.value)


WORKSPACE = FIXTURES / "script_exit" / "workspace"


@pytest.mark.parametrize(("body", "fragment"), [
    ("command = 'python x.py'\npass_regexp = 'ok'\n", "unknown key(s) 'pass_regexp'"),
    ("command = 'python x.py'\npass_exit_code = false\n", "nothing decides a pass"),
    ("command = 'python x.py'\ntimeout = 'soon'\n", "'timeout' must be a number, not str"),
    ("command = 'python x.py'\npass_exit_code = true\n", "'pass_exit_code' must be an integer or false"),
    ("command = 3\n", "'command' must be a string, not int"),
    ("pass_regex = 'ok'\n", "needs 'command'"),
])
def test_a_toml_grader_with_missing_or_wrong_keys_is_refused_in_one_line(tmp_path, body, fragment):
    path = tmp_path / "grader.toml"
    path.write_text(f"[grader]\nworkspace = '{WORKSPACE}'\n{body}", encoding="utf-8")
    with pytest.raises(InputError) as err:
        CommandGraderSpec.load(path)
    assert fragment in str(err.value) and "\n" not in str(err.value)


# ---------------------------------------------------------------------------------------------
# the command line: exit statuses and piped output


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*FOULPLAY, *args], cwd=ROOT, capture_output=True, text=True, timeout=240, check=False,
                          env=_ENV)


def _probe(tmp_path: Path, function: str, *extra: str) -> tuple[subprocess.CompletedProcess[str], dict]:
    report = tmp_path / "report.json"
    proc = run_cli("probe", f"{GRADERS}:{function}", "--problems", str(PROBLEMS), "--limit", "1", *FEW,
                   "-o", str(report), *extra)
    assert "Traceback" not in proc.stdout + proc.stderr
    data = json.loads(report.read_text())
    assert data["exit_status"] == proc.returncode
    return proc, data


def _verdicts(data: dict) -> dict[str, str]:
    return {t["technique"]: t["verdict"] for t in data["techniques"]}


def test_cli_a_grader_that_always_raises_gives_error_rows_and_exits_2(tmp_path):
    proc, data = _probe(tmp_path, "always_raises", "--max-errors", "100")
    assert proc.returncode == 2, proc.stdout + proc.stderr
    verdicts = _verdicts(data)
    assert verdicts == {"always-equal-object": "ERROR", "exponential-repr": "ERROR", "print-success": "ERROR"}
    assert all("the grader raised RuntimeError: grader bug" in t["evidence"] for t in data["techniques"])
    assert {c["status"] for c in data["controls"]} == {"UNVERIFIED"}
    assert data["verdict"] == "UNVERIFIED"
    assert "ERROR" in proc.stdout and "UNVERIFIED" in proc.stdout and "RESISTED" not in proc.stdout


def test_cli_a_grader_that_always_times_out_gives_error_rows_and_exits_2(tmp_path):
    proc, data = _probe(tmp_path, "sleeps", "--timeout", "1")
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert set(_verdicts(data).values()) == {"ERROR"}
    assert all("timed out after 1s" in t["evidence"] for t in data["techniques"])
    assert "ERROR" in proc.stdout and "timed out" in proc.stdout and "RESISTED" not in proc.stdout


def test_cli_a_grader_that_passes_everything_is_fooled_by_the_wrong_solution_and_exits_1(tmp_path):
    proc, data = _probe(tmp_path, "passes_everything")
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert set(_verdicts(data).values()) == {"UNVERIFIED"}
    assert data["headline"][0].startswith("FOOLED by the wrong-solution control")
    assert data["verdict"] == "FOOLED" and data["found"] is True and data["unverified"] is False
    assert "FOOLED by the wrong-solution control" in proc.stdout and "UNVERIFIED" in proc.stdout
    assert "RESISTED" not in proc.stdout


def test_cli_a_grader_returning_text_is_an_error_with_the_reason(tmp_path):
    proc, data = _probe(tmp_path, "returns_text")
    assert proc.returncode == 2
    assert all("it must return a bool or a number" in t["evidence"] for t in data["techniques"])


def test_cli_without_references_the_grader_is_unverified_until_they_are_supplied(tmp_path):
    records = [json.loads(line) for line in PROBLEMS.read_text().splitlines() if line.strip()][:1]
    refs = tmp_path / "refs.jsonl"
    refs.write_text(json.dumps({"task_id": records[0]["task_id"], "reference": records[0].pop("reference")}) + "\n")
    bare = tmp_path / "bare.jsonl"
    bare.write_text(json.dumps(records[0]) + "\n")
    report = tmp_path / "report.json"
    family = ("--family", "output-spoofing")
    proc = run_cli("probe", f"{GRADERS}:honest", "--problems", str(bare), *family, "-o", str(report))
    assert proc.returncode == 2, proc.stdout + proc.stderr
    data = json.loads(report.read_text())
    assert data["verdict"] == "UNVERIFIED" and "RESISTED" not in _verdicts(data).values()
    assert "UNVERIFIED" in proc.stdout and "add a 'reference' field" in proc.stdout
    assert "--reference FILE" in proc.stdout
    # the same healthy grader with its references supplied: every output spoof resisted, exit 0
    proc = run_cli("probe", f"{GRADERS}:honest", "--problems", str(bare), "--reference", str(refs), *family,
                   "-o", str(report))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    data = json.loads(report.read_text())
    verdicts = _verdicts(data)
    assert verdicts.pop("replay-reference-output") == "NOT-APPLICABLE"  # a callable's output is not seen
    assert set(verdicts.values()) == {"RESISTED"}
    assert data["verdict"] == "RESISTED" and all(c["ok"] for c in data["controls"])
    for word in ("RESISTED", "NOT-APPLICABLE"):
        assert word in proc.stdout


def test_cli_bad_reference_file_is_one_error_line(tmp_path):
    refs = tmp_path / "refs.jsonl"
    refs.write_text(json.dumps({"task_id": "nope", "reference": "x = 1"}) + "\n")
    proc = run_cli("probe", f"{GRADERS}:honest", "--problems", str(PROBLEMS), "--reference", str(refs))
    assert proc.returncode == 2 and proc.stdout == ""
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "no problem 'nope'" in lines[0], proc.stderr


def test_cli_help_documents_the_exit_statuses_and_the_contract():
    proc = run_cli("probe", "--help")
    text = " ".join(proc.stdout.split())
    assert proc.returncode == 0
    for fragment in ("0 every applicable technique resisted", "1 something fooled the grader",
                     "2 usage error, controls unverified", "--max-errors", "--exit-zero", "--reference",
                     "UNVERIFIED", "no markdown fence"):
        assert fragment in text, fragment
