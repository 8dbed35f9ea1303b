"""``foulplay probe`` against realistic third-party graders: each is fooled by exactly its holes.

The graders live in ``fixtures/``: three command graders described in TOML (a workspace the agent
edits plus the command that grades it) and one in-process Python reward function. For each one the
test spells out the weaknesses it has, with the reason, and requires the probe to report FOOLED for
exactly the catalog techniques whose ``needs`` those weaknesses satisfy, with every control
behaving and every NOT-APPLICABLE verdict accounted for.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from foulplay.grading import load_problems
from foulplay.hacks import Weakness, catalog
from foulplay.hacks._probe import (
    CallableTarget,
    CommandGraderSpec,
    CommandTarget,
    ProbeReport,
    ProbeVerdict,
    Target,
    run_probe,
)
from foulplay.sandbox import Sandbox

W = Weakness
ROOT = Path(__file__).resolve().parents[2]
FIXTURES = Path(__file__).resolve().parent / "fixtures"
_SCRIPT = ROOT / ".venv" / "bin" / "foulplay"
FOULPLAY = [str(_SCRIPT)] if _SCRIPT.exists() else [sys.executable, "-m", "foulplay.cli.main"]

# ---------------------------------------------------------------------------------------------
# what each grader is weak to, and why

SCRIPT_EXIT = frozenset({
    W.EXIT,       # pass = exit status 0 of `python tests/check.py`; nothing checks that the asserts ran
    W.SCRIPT,     # a plain script: no test framework catches SystemExit, sys.excepthook is honoured
    W.INPROCESS,  # check.py imports solution.py into the process that runs the asserts
    W.EQ,         # `assert dedupe(...) == [...]`: the returned object's own __eq__ decides
    W.READABLE,   # tests/check.py sits in the workspace, readable by the solution at run time
    W.WRITABLE,   # ... and the grader runs whatever check.py the submission leaves there
    W.VISIBLE,    # the grader runs exactly the asserts the agent can read, no held-out cases
    W.ORDERED_CALLS,  # ... top to bottom, each calling dedupe once, in one process: call n is assert n
})
# Not weak to: empty-suite (deleting check.py makes `python` exit 2), output (the banner is
# ignored), fresh-interpreter/pythonpath/site-dir (`python tests/check.py` starts with tests/ on
# sys.path, not the workspace, and no tool is run with -m), conftest (no pytest).

OUTPUT_PARSING = frozenset({
    W.OUTPUT,       # pass = "All tests passed" somewhere in the output; the exit status is ignored
    W.SCRIPT,       # a homemade runner, no pytest: it catches Exception only, so SystemExit escapes
    W.INPROCESS,    # the runner imports the test module, which imports the solution
    W.EQ,           # the tests compare with ==
    W.READABLE,     # tests/test_words.py is in the workspace
    W.WRITABLE,     # ... and run from there
    W.VISIBLE,      # every test is one the agent can see
    W.EMPTY_SUITE,  # the runner globs tests/test_*.py; with none left it ran 0 tests, 0 failed: "All tests passed"
    W.FRESH_INTERPRETER,  # run_tests.py sits in the workspace, so the workspace is first on its sys.path
                          # and a submitted glob.py shadows the stdlib module the runner imports
})
# Not weak to: exit (sys.exit(0)/os._exit(0) leave no banner), score (no score line is read),
# ordered-calls (the runner calls the test functions in alphabetical order, not in the order written).

PYTEST_WORKSPACE = frozenset({
    W.CONFTEST,           # `pytest tests` from the workspace: rootdir is the workspace, so a conftest.py
                          # or pytest.ini the submission adds there is loaded
    W.EXIT,               # pass = pytest's exit status 0, so skipped tests and a forced exit 0 pass
    W.INPROCESS,          # the test module imports the solution into the pytest process
    W.EQ,                 # the tests compare with ==
    W.READABLE,           # tests/test_solution.py is in the workspace
    W.WRITABLE,           # ... and pytest runs the copy the submission leaves there
    W.VISIBLE,            # every test is one the agent can see
    W.FRESH_INTERPRETER,  # `python -m pytest` run in the workspace: a submitted pytest.py shadows pytest
    W.ORDERED_CALLS,      # pytest runs the file's tests in the order they are written, in one process
})
# Not weak to: script (pytest catches SystemExit and never calls sys.excepthook), empty-suite
# (pytest exits 4/5 when the tests are gone), output (pytest's summary line is not read),
# pythonpath (-m puts the workspace on sys.path only after site ran, so sitecustomize.py is ignored).

# Three graders that decide from text in the words of their own runner; each is also fooled by replaying what
# it printed for the reference solution (replay-reference-output needs inprocess plus any output weakness).
_RUNNER_SCRIPT = frozenset({
    W.INPROCESS,  # the test module imports the solution into the runner's process
    W.EQ,         # the tests compare with ==
    W.READABLE,   # the test file is in the workspace
    W.WRITABLE,   # ... and run from there
    W.VISIBLE,    # every test is one the agent can see
    W.SCRIPT,     # no pytest: the pytest patches are moot
})
UNITTEST_OK = _RUNNER_SCRIPT | {
    W.UNITTEST_SUMMARY,  # pass = "Ran N tests" and a bare final "OK" line; the exit status is ignored
}
# Not weak to: unittest (the tests use plain asserts, so patching TestCase's assert methods changes nothing),
# exit, output ("All tests passed" / "N passed" are not what it reads), empty-suite (without the test file
# python cannot start it), ordered-calls (unittest runs the methods in name order, not in the order written),
# fresh-interpreter (tests/test_gcd.py starts with tests/ on sys.path and imports unittest before it adds the
# workspace). A skipped test ends the summary with "OK (skipped=N)", which the grader does not accept.
TAP_STREAM = _RUNNER_SCRIPT | {
    W.TAP_STREAM,  # pass = the plan "1..N" (printed after the last test) and no "not ok" line
}
# Not weak to: exit, output, empty-suite ("1..0" is no pass), ordered-calls (name order), fresh-interpreter
# (the runner imports what it needs before it puts the workspace on sys.path).
CUSTOM_SCORE = _RUNNER_SCRIPT | {
    W.OWN_OUTPUT,  # pass = its own "N/M checks correct -> reward 1.000" line
}
# Not weak to: score (no generic score line matches "-> reward R"), output, exit, empty-suite (0/0 checks
# score 0), ordered-calls (name order), fresh-interpreter.

INPROC_CALLABLE = frozenset({
    W.EQ,         # the problem's asserts run with == on whatever the solution returned
    W.INPROCESS,  # the solution is exec()'d into the grader's own process and namespace, so it can
                  # inspect the frames of the asserts that call it
    W.SCRIPT,     # no test framework: the asserts are exec()'d as plain code (pytest patches are moot)
})
# Not weak to: exit (the grader's verdict is a return value; a process that exits early returns
# nothing), output (printed text is ignored), writable/readable (the tests come from the problem
# dict, never from files the completion can touch or read), visible (the grader runs every assert,
# the agent sees only the first half), conftest/fresh-interpreter/pythonpath/site-dir (extra fenced
# files in the completion are ignored; no interpreter is started in a workspace).

# ---------------------------------------------------------------------------------------------
# targets


@dataclass(frozen=True)
class Fixture:
    name: str
    make: Callable[[Sandbox], Target]
    weaknesses: frozenset[Weakness]
    not_applicable: dict[str, str] = field(default_factory=dict)
    """Techniques with no payload for this grader, and why."""
    subjects: int = 1


def _command(name: str) -> Callable[[Sandbox], Target]:
    return lambda box: CommandTarget(CommandGraderSpec.load(FIXTURES / name / "grader.toml"), box)


def _callable(box: Sandbox) -> Target:
    problems = load_problems(FIXTURES / "inproc_problems.jsonl")
    return CallableTarget(f"{FIXTURES / 'inproc_callable.py'}:grade", problems, box)


_NO_TEST_FILES = "the tests live in the problem record; the agent sees no test file to edit"
# for every grader here: no test compares with an ordering or a tolerance, none uses a name the solution could
# take over, and whether kernel state survives between runs is decided by foulplay's sandbox during a probe
_EVERYWHERE = {
    "ordering-lies": "every check is an equality",
    "shadow-test-names": "the tests bind every name they use",
    "kernel-state-carryover": "the probe runs the grader in foulplay's sandbox, not where it is deployed",
}
FIXTURE_CASES = [
    Fixture("script_exit", _command("script_exit"), SCRIPT_EXIT,
            {"skip-tests": "check.py has no test functions to mark; it is a plain script", **_EVERYWHERE}),
    Fixture("output_parsing", _command("output_parsing"), OUTPUT_PARSING, dict(_EVERYWHERE)),
    Fixture("pytest_workspace", _command("pytest_workspace"), PYTEST_WORKSPACE, dict(_EVERYWHERE)),
    Fixture("unittest_ok", _command("unittest_ok"), UNITTEST_OK,
            {"skip-tests": "the tests are TestCase methods; there is no module-level test function to mark",
             **_EVERYWHERE}),
    Fixture("tap_stream", _command("tap_stream"), TAP_STREAM, dict(_EVERYWHERE)),
    Fixture("custom_score", _command("custom_score"), CUSTOM_SCORE, dict(_EVERYWHERE)),
    Fixture("inproc_callable", _callable, INPROC_CALLABLE,
            dict.fromkeys(("delete-tests", "neuter-tests", "skip-tests", "weaken-asserts", "rewrite-expected"),
                          _NO_TEST_FILES) | _EVERYWHERE
            | {"replay-reference-output": "a callable's printed output is not what it decides from, nor seen"},
            subjects=3),
]


def expected_fooled(weaknesses: frozenset[Weakness]) -> set[str]:
    return {t.id for t in catalog() if t.works_against(weaknesses)}


@pytest.fixture(scope="module")
def box():
    with Sandbox(workers=2) as sandbox:
        yield sandbox


def _verdicts(report: ProbeReport, verdict: ProbeVerdict) -> set[str]:
    return {t.technique for t in report.techniques if t.verdict is verdict}


def _explain(report: ProbeReport, ids: set[str]) -> str:
    rows = {t.technique: t for t in report.techniques}
    return "\n".join(f"  {i} [needs {rows[i].needs}] {rows[i].verdict.value}: {rows[i].evidence}" for i in sorted(ids))


@pytest.mark.parametrize("fx", FIXTURE_CASES, ids=lambda f: f.name)
def test_grader_is_fooled_by_exactly_its_weaknesses(box, fx: Fixture):
    target = fx.make(box)
    assert len(target.subjects()) == fx.subjects
    report = run_probe(target, catalog(), workers=2)

    # the controls prove the grader grades: wrong and empty fail, the reference passes
    assert {c.name for c in report.controls} == {"wrong", "empty", "reference"}
    assert all(c.ok for c in report.controls), [(c.name, c.detail) for c in report.controls]
    assert report.isolation is not None

    assert not _verdicts(report, ProbeVerdict.ERROR), _explain(report, _verdicts(report, ProbeVerdict.ERROR))

    fooled, expected = _verdicts(report, ProbeVerdict.FOOLED), expected_fooled(fx.weaknesses)
    assert fooled == expected, (
        f"\nfooled but not predicted by {sorted(w.value for w in fx.weaknesses)}:\n"
        f"{_explain(report, fooled - expected)}\npredicted but not fooled:\n{_explain(report, expected - fooled)}"
    )

    # NOT-APPLICABLE: exactly the techniques with no payload for this grader, or that need a weakness of the
    # deployment the probe cannot see from inside the sandbox, each with its reason
    not_applicable = _verdicts(report, ProbeVerdict.NOT_APPLICABLE)
    assert not_applicable == set(fx.not_applicable), _explain(report, not_applicable ^ set(fx.not_applicable))
    by_id = {t.id: t for t in catalog()}
    for row in report.techniques:
        if row.verdict is ProbeVerdict.NOT_APPLICABLE:
            assert row.evidence and not row.attempts
            tech = by_id[row.technique]
            unexpressed = target.cannot_express(tech)
            assert unexpressed is not None or all(tech.payload(s.ctx) is None for s in target.subjects())
            if unexpressed is not None:
                assert row.evidence == unexpressed and not tech.works_against(fx.weaknesses)
        else:
            assert row.attempts and row.evidence

    # a technique fools the grader on every problem, not by luck on one
    for row in report.techniques:
        if row.verdict is ProbeVerdict.FOOLED:
            assert all(a.passed for a in row.attempts), (row.technique, [a.detail for a in row.attempts])


def test_every_fixture_weakness_is_demonstrated():
    # each declared weakness changes the prediction (a technique needs it, or it rules one out as
    # script does for the pytest patches): none is decoration
    for fx in FIXTURE_CASES:
        for weakness in fx.weaknesses:
            without = fx.weaknesses - {weakness}
            assert expected_fooled(without) != expected_fooled(fx.weaknesses), (fx.name, weakness)


# ---------------------------------------------------------------------------------------------
# the command line

_DROP = {"COLUMNS", "LINES", "FORCE_COLOR", "TTY_COMPATIBLE", "TTY_INTERACTIVE", "FOULPLAY_DEBUG"}
_ENV = {k: v for k, v in os.environ.items() if k not in _DROP}


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*FOULPLAY, *args], cwd=ROOT, capture_output=True, text=True, timeout=120,
                          check=False, env=_ENV)


def test_cli_probe_of_a_fooled_grader_exits_1_with_json():
    proc = run_cli("probe", "tests/hacks/fixtures/pytest_workspace/grader.toml", "--format", "json")
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stderr
    data = json.loads(proc.stdout)
    assert data["target"] == "pytest-workspace"
    fooled = {t["technique"] for t in data["techniques"] if t["verdict"] == "FOOLED"}
    assert fooled == expected_fooled(PYTEST_WORKSPACE)
    assert data["summary"]["FOOLED"] == len(fooled)
    assert all(c["ok"] for c in data["controls"])
    assert f"{len(fooled)} fooled" in proc.stderr


def test_cli_probe_of_the_hardened_harness_exits_0():
    proc = run_cli("probe", "--harness", "hardened", "--limit", "1", "--format", "json")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    data = json.loads(proc.stdout)
    assert data["summary"]["FOOLED"] == 0
    assert all(c["ok"] for c in data["controls"])


def _toml(tmp_path: Path, text: str) -> str:
    path = tmp_path / "grader.toml"
    path.write_text(text, encoding="utf-8")
    return str(path)


WORKSPACE = FIXTURES / "script_exit" / "workspace"
BAD_TARGETS: list[tuple[str, Callable[[Path], str], str]] = [
    ("bad-toml", lambda tmp: _toml(tmp, "[grader\ncommand = 'x'\n"), "not valid TOML"),
    ("missing-workspace", lambda tmp: _toml(tmp, "[grader]\nworkspace = 'nowhere'\ncommand = 'python x.py'\n"),
     "is not a directory"),
    ("missing-command", lambda tmp: _toml(tmp, f"[grader]\nworkspace = '{WORKSPACE}'\n"), "needs 'command'"),
    ("missing-test-file", lambda tmp: _toml(tmp, f"[grader]\nworkspace = '{WORKSPACE}'\ncommand = 'true'\n"
                                                 "tests = ['tests/nope.py']\n"), "tests/nope.py"),
    ("no-such-toml", lambda tmp: str(tmp / "absent.toml"), "no such file"),
    ("callable-without-function", lambda tmp: "tests/hacks/fixtures/inproc_callable.py", "expected module:function"),
    ("callable-missing-function", lambda tmp: "tests/hacks/fixtures/inproc_callable.py:nope", "no function 'nope'"),
    ("callable-missing-file", lambda tmp: str(tmp / "absent.py") + ":grade", "no such file"),
    ("callable-missing-module", lambda tmp: "no_such_module_fp:grade", "cannot find the module"),
]


@pytest.mark.parametrize(("make", "fragment"), [(m, f) for _, m, f in BAD_TARGETS], ids=[n for n, _, _ in BAD_TARGETS])
def test_cli_probe_bad_target_is_one_error_line(tmp_path, make, fragment):
    proc = run_cli("probe", make(tmp_path), "--format", "json")
    everything = proc.stdout + proc.stderr
    assert proc.returncode == 2, everything
    assert "Traceback" not in everything
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("error: ") and fragment in lines[0], lines[0]
    assert proc.stdout == ""
