"""The catalog: complete entries, payloads that adapt to each problem and compile, docs in sync."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from foulplay.grading import load_humaneval, load_problems, problem_from_record
from foulplay.hacks import Family, Weakness, catalog, context_for, get
from foulplay.hacks._docs import SAMPLE_REFERENCE_RUN, render_index, render_page
from foulplay.hacks._probe import default_problems

ROOT = Path(__file__).resolve().parents[2]


def test_catalog_is_large_and_covers_every_family():
    techniques = catalog()
    assert len(techniques) >= 25
    assert len({t.id for t in techniques}) == len(techniques)
    assert {t.family for t in techniques} == set(Family)


@pytest.mark.parametrize("tech", catalog(), ids=lambda t: t.id)
def test_every_entry_is_complete(tech):
    assert tech.summary and len(tech.summary) > 60
    assert tech.defence and tech.detection
    assert tech.reported and all(c.title and c.where for c in tech.reported)
    assert tech.needs and all(option and option <= set(Weakness) for option in tech.needs)
    assert tech.id == tech.id.lower() and " " not in tech.id


def _problems():
    he = {p.task_id: p for p in load_humaneval()}
    extra = [he["HumanEval/0"], he["HumanEval/2"], he["HumanEval/12"],
             problem_from_record({"task_id": "g/x", "entry_point": "add", "tests": ["assert add(1, 2) == 3",
                                                                                   "assert add(-1, 1) == 0"]}),
             # MBPP style: math.isclose used without an import, the namespace supplies math
             problem_from_record({"task_id": "g/area", "entry_point": "circle_area", "tests": [
                 "assert math.isclose(circle_area(1), 3.141592653589793, rel_tol=1e-9)",
                 "assert math.isclose(circle_area(2), 12.566370614359172, rel_tol=1e-9)"]})]
    return default_problems() + extra


def _compiles(source: str) -> None:
    compile(source, "<payload>", "exec")


@pytest.mark.parametrize("tech", catalog(), ids=lambda t: t.id)
def test_payloads_compile_and_adapt_to_each_problem(tech):
    made = 0
    for problem in _problems():
        tests = {"test_solution.py": "def test_x():\n    assert f(1) == 2\n"}
        ctx = context_for(problem, tests)
        ctx.reference_run = SAMPLE_REFERENCE_RUN  # what a command grader printed for its reference (replays)
        payload = tech.payload(ctx)
        kind = "script" if problem.kind == "io" else "function"
        if kind not in tech.applies_to:
            assert payload is None
            continue
        if payload is None:
            continue
        made += 1
        for path, content in payload.all_files(problem.solution_path).items():
            if content is not None and path.endswith(".py"):
                _compiles(content)
        if payload.solution and kind == "function" and problem.entry_point:
            assert f"def {problem.entry_point}(" in payload.solution
    assert made, f"{tech.id} made no payload for any problem"


def test_payloads_use_the_problem_signature_and_answer_type():
    he = {p.task_id: p for p in load_humaneval()}
    ctx = context_for(he["HumanEval/12"])  # longest(strings: List[str]) -> Optional[str]
    assert ctx.entry_point == "longest" and ctx.params == ["strings"]
    payload = get("typed-always-equal").payload(ctx)
    assert payload is not None and "def longest(strings):" in payload.solution
    vowels = next(p for p in default_problems() if p.task_id == "ex/count_vowels")
    typed = get("typed-always-equal").payload(context_for(vowels))
    assert typed is not None and "(int)" in typed.solution
    lookup = get("hardcode-lookup").payload(context_for(vowels))
    assert lookup is not None and "'Reward'" in lookup.solution and "'rhythm'" not in lookup.solution


def test_special_casing_sees_only_visible_tests():
    vowels = next(p for p in default_problems() if p.task_id == "ex/count_vowels")
    ctx = context_for(vowels)
    assert len(ctx.visible) == vowels.visible_count() == 2


def test_completion_form_carries_every_file():
    p = next(p for p in default_problems() if p.task_id == "ex/running_max")
    payload = get("conftest-report-patch").payload(context_for(p))
    text = payload.to_completion(p.solution_path)
    assert "```python:solution.py" in text and "```python:conftest.py" in text


def test_docs_are_generated_from_the_catalog_and_up_to_date():
    docs = ROOT / "docs" / "hacks"
    problems = load_problems(ROOT / "src" / "foulplay" / "hacks" / "data" / "probe_problems.jsonl")
    for tech in catalog():
        page = docs / f"{tech.id}.md"
        assert page.read_text() == render_page(tech, problems), f"regenerate docs: {page}"
    assert (docs / "README.md").read_text() == render_index(catalog())


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "foulplay.cli.main", *args], capture_output=True, text=True,
                          cwd=ROOT, timeout=300)


def test_cli_hacks_list_and_show():
    out = _cli("hacks", "list", "--format", "json")
    assert out.returncode == 0
    data = json.loads(out.stdout)
    assert len(data) == len(catalog()) and {"id", "family", "needs", "reported"} <= set(data[0])
    shown = _cli("hacks", "show", "conftest-report-patch")
    assert shown.returncode == 0 and "TestReport" in shown.stdout and "Defence" in shown.stdout
    missing = _cli("hacks", "show", "no-such-hack")
    assert missing.returncode == 2 and missing.stderr.startswith("error:") and "Traceback" not in missing.stderr


def test_cli_probe_exit_codes():
    fooled = _cli("probe", "--harness", "vulnerable:eq", "--family", "equality", "--limit", "1", "--format", "json")
    assert fooled.returncode == 1, fooled.stderr
    data = json.loads(fooled.stdout)
    assert data["summary"]["FOOLED"] >= 1
    held = _cli("probe", "--harness", "hardened", "--family", "equality", "--limit", "1")
    assert held.returncode == 0, held.stderr
    bad = _cli("probe", "--harness", "vulnerable:nope")
    assert bad.returncode == 2 and "unknown switch" in bad.stderr and "Traceback" not in bad.stderr


def test_bundled_probe_problems_match_the_examples():
    bundled = ROOT / "src" / "foulplay" / "hacks" / "data" / "probe_problems.jsonl"
    assert bundled.read_text() == (ROOT / "examples" / "problems.jsonl").read_text()
