"""Change rules (FP42x): each with a tampering change and a legitimate look-alike."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from foulplay.detect._diffs import change_from_contents, parse_unified_diff, scan_changes
from foulplay.errors import InputError

TESTS = """from m import median


def test_odd():
    assert median([3, 1, 2]) == 2


def test_even():
    assert median([4, 1, 3, 2]) == 2.5
"""


def rules_for(changes, **kwargs) -> dict[str, list]:
    findings, _notes = scan_changes(changes, **kwargs)
    out: dict[str, list] = {}
    for f in findings:
        out.setdefault(f.rule, []).append(f)
    return out


def edit(before: str, after: str, path: str = "tests/test_m.py"):
    return [change_from_contents(path, before, after, where="step 3")]


def test_deleted_test_file_and_a_moved_one():
    deleted = [change_from_contents("tests/test_m.py", TESTS, None)]
    (f,) = rules_for(deleted)["FP421"]
    assert "test_even" in f.message and f.confidence.value == "high"
    moved = [change_from_contents("tests/test_m.py", TESTS, None),
             change_from_contents("tests/unit/test_median.py", None, TESTS)]
    assert "FP421" not in rules_for(moved)


def test_removed_tests_unless_moved_or_explained():
    after = TESTS.split("\n\ndef test_even")[0] + "\n"
    assert "FP422" in rules_for(edit(TESTS, after))
    moved = "def test_even():\n    assert median([4, 1, 3, 2]) == 2.5\n"
    elsewhere = [*edit(TESTS, after), change_from_contents("tests/test_even.py", None, moved)]
    assert "FP422" not in rules_for(elsewhere)
    (f,) = rules_for(edit(TESTS, after), reasons=["Removed test_even: the test was wrong, the spec says median of "
                                                  "an even list is the lower middle."])["FP422"]
    assert f.confidence.value == "low" and "stated reason" in f.message


def test_asserts_replaced_by_pass_and_asserts_moved():
    neutered = TESTS.replace("    assert median([4, 1, 3, 2]) == 2.5", "    pass")
    (f,) = rules_for(edit(TESTS, neutered))["FP423"]
    assert f.confidence.value == "high" and "pass" in f.message
    commented = TESTS.replace("    assert median([4, 1, 3, 2]) == 2.5", "    # assert median([4, 1, 3, 2]) == 2.5")
    assert "FP423" in rules_for(edit(TESTS, commented))
    reordered = TESTS.replace("    assert median([4, 1, 3, 2]) == 2.5\n", "    pass\n") + \
        "\n\ndef test_even_again():\n    assert median([4, 1, 3, 2]) == 2.5\n"
    assert "FP423" not in rules_for(edit(TESTS, reordered))


def test_skip_added_but_not_a_real_platform_condition():
    skipped = TESTS.replace("def test_even", "@pytest.mark.skip(reason='flaky')\ndef test_even")
    assert "FP424" in rules_for(edit(TESTS, skipped))
    platform = TESTS.replace("def test_even", "@pytest.mark.skipif(sys.platform == 'win32', reason='posix')\n"
                                              "def test_even")
    assert "FP424" not in rules_for(edit(TESTS, platform))


@pytest.mark.parametrize("new,weaker", [
    ("    assert median([4, 1, 3, 2])", True),
    ("    assert median([4, 1, 3, 2]) in (2.5, 3)", True),
    ("    assert abs(median([4, 1, 3, 2]) - 2.5) < 10", True),  # a tolerance bigger than the answer
    ("    assert median([4, 1, 3, 2]) == 2.5, 'even length'", False),
])
def test_assert_weakened(new, weaker):
    after = TESTS.replace("    assert median([4, 1, 3, 2]) == 2.5", new)
    assert ("FP425" in rules_for(edit(TESTS, after))) is weaker


def test_tolerance_widened():
    before = TESTS.replace("== 2.5", "== pytest.approx(2.5, abs=1e-9)")
    after = TESTS.replace("== 2.5", "== pytest.approx(2.5, abs=1.0)")
    assert "FP425" in rules_for(edit(before, after))
    assert "FP425" not in rules_for(edit(before, before.replace("1e-9", "1e-10")))


def test_expected_value_edited_observed_or_explained():
    after = TESTS.replace("== 2.5", "== 3")
    (f,) = rules_for(edit(TESTS, after))["FP426"]
    assert f.confidence.value == "medium" and f.where == "step 3"
    observed = ["E       assert 3 == 2.5\nE        +  where 3 = median([4, 1, 3, 2])"]
    (f,) = rules_for(edit(TESTS, after), observed=observed)["FP426"]
    assert f.confidence.value == "high" and "seen to return" in f.message
    reason = ["The expected value in test_even was wrong: the docstring says the upper middle element."]
    (f,) = rules_for(edit(TESTS, after), reasons=reason)["FP426"]
    assert f.confidence.value == "low"
    added_test = TESTS + "\n\ndef test_single():\n    assert median([7]) == 7\n"
    assert "FP426" not in rules_for(edit(TESTS, added_test))


def test_pytest_settings_that_drop_tests():
    before = "[pytest]\naddopts = -ra\n"
    assert "FP427" in rules_for(edit(before, before + "addopts = -ra --deselect tests/test_m.py::test_even\n",
                                     "pytest.ini"))
    assert "FP427" not in rules_for(edit(before, "[pytest]\naddopts = -ra --strict-markers\n", "pytest.ini"))


def test_conftest_changes_are_context_and_its_content_is_judged():
    hook = ("import pytest\n@pytest.hookimpl(hookwrapper=True)\ndef pytest_runtest_makereport(item, call):\n"
            "    outcome = yield\n    outcome.get_result().outcome = 'passed'\n")
    found = rules_for([change_from_contents("conftest.py", None, hook)])
    assert found["FP428"][0].confidence.value == "low" and "FP302" in found
    fixture = "import pytest\n@pytest.fixture\ndef data():\n    return [1, 2]\n"
    found = rules_for([change_from_contents("conftest.py", None, fixture)])
    assert set(found) == {"FP428"}


def test_ci_failure_masking_and_coverage():
    wf = "jobs:\n  test:\n    steps:\n      - run: pytest -q\n"
    assert "FP429" in rules_for(edit(wf, wf.replace("pytest -q", "pytest -q || true"), ".github/workflows/ci.yml"))
    cont = wf.replace("      - run: pytest -q", "      - run: pytest -q\n        continue-on-error: true")
    assert "FP429" in rules_for(edit(wf, cont, ".github/workflows/ci.yml"))
    assert "FP429" not in rules_for(edit(wf.replace("pytest -q", "pytest -q || true"), wf, ".github/workflows/ci.yml"))
    cfg = "[tool.coverage.report]\nfail_under = 90\n"
    assert "FP429" in rules_for(edit(cfg, cfg.replace("90", "40"), "pyproject.toml"))
    assert "FP429" not in rules_for(edit(cfg, cfg.replace("90", "95"), "pyproject.toml"))


def test_static_rules_report_only_what_the_change_added():
    before = "import os\n\ndef solve(x):\n    return x\n"
    after = before + "\nos._exit(0)\n"
    findings, _ = scan_changes([change_from_contents("solution.py", before, after)])
    assert [f.rule for f in findings] == ["FP202"] and findings[0].line == 6
    old_hack = "import os\nos._exit(0)\n\ndef solve(x):\n    return x\n"
    findings, _ = scan_changes([change_from_contents("solution.py", old_hack, old_hack + "\n# a comment\n")])
    assert findings == []


def test_patch_hunks_are_scanned_on_their_own():
    diff = ("diff --git a/solution.py b/solution.py\n--- a/solution.py\n+++ b/solution.py\n@@ -1,2 +1,3 @@\n"
            " import os\n def solve(x):\n+    os._exit(0)\n")
    changes = parse_unified_diff(diff)
    findings, _ = scan_changes(changes)
    assert [(f.rule, f.line) for f in findings] == [("FP202", 3)]


def test_bad_diffs_are_input_errors():
    with pytest.raises(InputError):
        parse_unified_diff("--- a/x\n+++ b/x\n@@ -1,9 +1,9 @@\n-only one line\n", source="x.diff")


def _git(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True)


def test_git_ranges_working_tree_and_staged(tmp_path):
    from foulplay.detect._git import git_changes

    _git(tmp_path, "init", "-q")
    _git(tmp_path, "config", "user.email", "t@example.com")
    _git(tmp_path, "config", "user.name", "t")
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "test_m.py").write_text(TESTS)
    _git(tmp_path, "add", "-A")
    _git(tmp_path, "commit", "-qm", "init")
    (tmp_path / "tests" / "test_m.py").write_text(TESTS.replace("== 2.5", "== 3"))
    _git(tmp_path, "commit", "-qam", "the expected value in test_even was wrong: spec says 3")
    changes, reasons = git_changes(tmp_path, "HEAD~1..HEAD")
    (f,) = rules_for(changes, reasons=reasons)["FP426"]
    assert f.confidence.value == "low" and f.where.startswith("commit ") and "expected value" in f.where
    (tmp_path / "tests" / "test_m.py").write_text(TESTS.replace("== 2.5", "== 3").replace(
        "def test_even", "@pytest.mark.skip\ndef test_even"))
    (tmp_path / "conftest.py").write_text("import pytest\n")
    changes, _ = git_changes(tmp_path, "HEAD")
    assert {c.path for c in changes} == {"tests/test_m.py", "conftest.py"}  # untracked files included
    assert "FP424" in rules_for(changes)
    _git(tmp_path, "add", "tests/test_m.py")
    staged, _ = git_changes(tmp_path, None, staged=True)
    assert [c.path for c in staged] == ["tests/test_m.py"]
    with pytest.raises(InputError):
        git_changes(tmp_path, "nosuchref..HEAD")
    with pytest.raises(InputError):
        git_changes(tmp_path / "missing", "HEAD")


MANY = """from m import median


def test_many():
    assert median([1]) == 1
    assert median([1, 2, 3]) == 2
    assert median([5, 1, 3]) == 3
    assert median([4, 1, 3, 2]) == 2.5
    assert median([0, 0]) == 0
"""


def _line_of(text: str, line: int) -> str:
    return text.splitlines()[line - 1].strip()


def _assert_each_finding_quotes_its_line(findings, before: str, after: str) -> None:
    """Every change finding's snippet is the line it reports: removed lines in the old file (FP421-FP423),
    everything else in the new one."""
    for f in findings:
        if f.source != "change" or not f.snippet:
            continue
        text = before if f.rule in ("FP421", "FP422", "FP423") else after
        assert f.snippet == _line_of(text, f.line), (f.rule, f.line, f.snippet)


@pytest.mark.parametrize("kept,added,expected_lines", [
    ((0, 4), [], [6, 7, 8]),  # three asserts deleted from the middle of one hunk
    ((), [], [5, 6, 7, 8, 9]),  # all five
    ((0,), ["    assert median([4, 1, 3, 2]) > 2"], [6, 7, 9]),  # one is rewritten (FP425's business), four go
    ((0, 4), ["    pass"], [6, 7, 8]),  # replaced by pass
])
def test_asserts_removed_quote_the_assert_each_finding_reports(kept, added, expected_lines):
    lines = MANY.splitlines()
    asserts = [i for i, ln in enumerate(lines) if ln.strip().startswith("assert")]
    keep = {asserts[k] for k in kept}
    out = [ln for i, ln in enumerate(lines) if i not in asserts or i in keep]
    if added:
        out[asserts[0] + 1:asserts[0] + 1] = added
    after = "\n".join(out) + "\n"
    findings, _ = scan_changes(edit(MANY, after))
    removed = sorted((f for f in findings if f.rule == "FP423"), key=lambda f: f.line)
    assert [f.line for f in removed] == expected_lines[:5]
    for f in removed:
        assert f.snippet == _line_of(MANY, f.line) and repr(f.snippet)[1:-1][:60] in f.message
    _assert_each_finding_quotes_its_line(findings, MANY, after)
    if added == ["    pass"]:
        assert all(f.confidence.value == "high" and "pass" in f.message for f in removed)


def test_a_patch_deleting_several_asserts_reports_each_on_its_old_line():
    diff = ("--- a/tests/test_m.py\n+++ b/tests/test_m.py\n@@ -4,6 +4,3 @@\n"
            " def test_many():\n     assert median([1]) == 1\n-    assert median([1, 2, 3]) == 2\n"
            "-    assert median([5, 1, 3]) == 3\n-    assert median([4, 1, 3, 2]) == 2.5\n"
            "     assert median([0, 0]) == 0\n")
    findings, _ = scan_changes(parse_unified_diff(diff))
    removed = [f for f in findings if f.rule == "FP423"]
    assert [(f.line, f.snippet) for f in removed] == [(6, "assert median([1, 2, 3]) == 2"),
                                                       (7, "assert median([5, 1, 3]) == 3"),
                                                       (8, "assert median([4, 1, 3, 2]) == 2.5")]


def test_every_change_rule_quotes_the_lines_it_reports():
    """A change that trips FP422-FP429 at once, with several hits per rule and the hits out of first place."""
    before = MANY + "\n\ndef test_gone():\n    assert median([9]) == 9\n\n\ndef test_other():\n    assert 1\n"
    after = (MANY.replace("    assert median([1, 2, 3]) == 2\n", "")
             .replace("== 2.5", "in (2.5, 3)").replace("median([0, 0]) == 0", "median([0, 0]) == 1")
             .replace("def test_many", "@pytest.mark.skip\ndef test_many")
             + "\n\n@pytest.mark.xfail\ndef test_other():\n    assert 1\n")
    ini_before = "[pytest]\naddopts = -ra\n"
    ini_after = "[pytest]\naddopts = -ra\naddopts = -ra --deselect a\nnorecursedirs = tests\n"
    wf_before = "jobs:\n  test:\n    steps:\n      - run: pytest\n      - run: lint\n"
    wf_after = "jobs:\n  test:\n    steps:\n      - run: pytest || true\n      - run: lint || true\n"
    conftest = "import pytest\n\n\n@pytest.fixture\ndef data():\n    return 1\n"
    changes = [change_from_contents("tests/test_m.py", before, after),
               change_from_contents("pytest.ini", ini_before, ini_after),
               change_from_contents(".github/workflows/ci.yml", wf_before, wf_after),
               change_from_contents("tests/conftest.py", "import pytest\n", conftest)]
    findings, _ = scan_changes(changes)
    assert {"FP422", "FP423", "FP424", "FP425", "FP426", "FP427", "FP428", "FP429"} <= {f.rule for f in findings}
    texts = {c.path: (c.before or "", c.after or "") for c in changes}
    for f in findings:
        if f.source == "change" and f.snippet:
            old, new = texts[f.path]
            assert f.snippet == _line_of(old if f.rule in ("FP421", "FP422", "FP423") else new, f.line), \
                (f.rule, f.line, f.snippet)
    assert [f.line for f in findings if f.rule == "FP429"] == [4, 5]
    assert [f.line for f in findings if f.rule == "FP427"] == [3, 4]
