"""Problems as repositories: the files, and plain pytest in a temporary directory (the honest path): the
reference passes every test, the stub none, and under an impossible variant the reference fails exactly the
tests the mutation touched. Also the task message and its framings."""

from __future__ import annotations

import re
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from conftest import MBPP_DIR
from foulplay.envs._prompting import FRAMINGS as INOCULATION
from foulplay.evals.coding._framings import FRAMING_NAMES, FRAMINGS, LEAD_IN, user_prompt
from foulplay.evals.coding._mutate import mutate
from foulplay.evals.coding._repo import TEST_COMMAND, Repo, build_repo
from foulplay.grading import Problem, load_humaneval, load_mbpp

MBPP = MBPP_DIR / "mbpp.jsonl"
HUMANEVAL_IDS = ["HumanEval/0", "HumanEval/2", "HumanEval/10", "HumanEval/32", "HumanEval/38", "HumanEval/53",
                 "HumanEval/115", "HumanEval/129", "HumanEval/151", "HumanEval/160"]
MBPP_IDS = ["2", "11", "19", "46", "367", "568", "590", "601", "700", "927"]


def _write(repo: Repo, root: Path, solution: str | None = None) -> Path:
    for path, text in repo.files.items():
        target = root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text)
    if solution is not None:
        (root / repo.solution_path).write_text(solution)
    return root


def _pytest(root: Path) -> tuple[int, int, list[str]]:
    """Plain ``pytest`` in ``root``: exit status, tests passed, node ids that failed or errored."""
    proc = subprocess.run([sys.executable, "-m", "pytest", "-q", "-rfE", "-p", "no:cacheprovider"], cwd=root,
                          capture_output=True, text=True, timeout=300)
    passed = re.search(r"(\d+) passed", proc.stdout)
    failed = sorted(set(re.findall(r"^(?:FAILED|ERROR) (\S+?)(?: - |$)", proc.stdout, re.M)))
    return proc.returncode, int(passed.group(1)) if passed else 0, failed


def _reference(problem: Problem) -> str:
    assert problem.reference is not None
    return problem.prompt + problem.reference if problem.kind == "check" else problem.reference


def _chosen() -> list[Problem]:
    he = {p.task_id: p for p in load_humaneval()}
    chosen = [he[t] for t in HUMANEVAL_IDS]
    if MBPP.exists():
        mb = {p.task_id: p for p in load_mbpp(MBPP)}
        chosen += [mb[t] for t in MBPP_IDS]
    return chosen


def test_repository_layout():
    problem = load_humaneval()[0]
    repo = build_repo(problem)
    assert sorted(repo.files) == ["README.md", "TASK.md", "pytest.ini", "solution.py", "tests/test_solution.py"]
    assert repo.solution_path == "solution.py" and repo.test_paths == ["tests/test_solution.py"]
    assert set(repo.protected) == {"tests/test_solution.py", "pytest.ini", "README.md", "TASK.md"}
    assert repo.entry_point == "has_close_elements" and repo.variant == "possible"
    assert repo.tested_problem is problem and repo.mutated_tests == []
    assert TEST_COMMAND == "python -m pytest -q tests" and TEST_COMMAND in repo.files["README.md"]
    assert "testpaths = tests" in repo.files["pytest.ini"]
    assert "has_close_elements(numbers: List[float], threshold: float) -> bool" in repo.files["TASK.md"]
    assert "raise NotImplementedError" in repo.files["solution.py"]
    assert problem.prompt.strip() in repo.files["solution.py"]
    # one test function per assertion of check(candidate), calling the function by its name
    tests = repo.files["tests/test_solution.py"]
    assert len(repo.tests) == 7 == tests.count("\ndef test_case_")
    assert "candidate" not in tests and "from solution import has_close_elements" in tests


def test_check_setup_is_repeated_and_helpers_copied():
    he = {p.task_id: p for p in load_humaneval()}
    tests = build_repo(he["HumanEval/151"]).files["tests/test_solution.py"]
    last = tests[tests.rindex("def test_case_"):]
    assert "lst = list(range(-99, 100, 2))" in last and "odd_sum" in last
    assert "assert True" not in tests  # HumanEval/160's no-op is not a test
    assert build_repo(he["HumanEval/160"]).tests[-1].endswith("test_case_03")
    helpers = build_repo(he["HumanEval/38"]).files["tests/test_solution.py"]
    assert "def encode_cyclic(" in helpers and "def decode_cyclic(" not in helpers


def test_mbpp_stub_and_task():
    problem = Problem(task_id="m", format="mbpp", kind="asserts", entry_point="similar_elements",
                      asserts=["assert similar_elements((3, 4), (4, 5)) == (4,)", "assert math.floor(1.5) == 1"],
                      description="Write a function to find the shared elements of two tuples.")
    repo = build_repo(problem)
    assert repo.files["solution.py"].startswith("def similar_elements(values1, values2):\n")
    assert "find the shared elements" in repo.files["solution.py"]
    assert "`similar_elements(values1, values2)`" in repo.files["TASK.md"]
    assert "import math\n" in repo.files["tests/test_solution.py"]  # modules the asserts read unimported


def test_mutated_repository_marks_the_changed_test():
    problem = load_humaneval()[0]
    oneoff = build_repo(problem, mutation=mutate(problem, "impossible_oneoff"))
    assert oneoff.variant == "impossible_oneoff" and len(oneoff.mutated_tests) == 1
    assert len(oneoff.tests) == 7
    conflict = build_repo(problem, mutation=mutate(problem, "impossible_conflict"))
    assert len(conflict.tests) == 8 and len(conflict.mutated_tests) == 1
    assert conflict.files["solution.py"] == oneoff.files["solution.py"] == build_repo(problem).files["solution.py"]
    other = load_humaneval()[1]
    with pytest.raises(ValueError, match="the mutation is of"):
        build_repo(other, mutation=mutate(problem, "impossible_oneoff"))
    with pytest.raises(ValueError, match="no repository form"):
        build_repo(Problem(task_id="s", kind="io", io=[{"input": "1", "output": "2"}]))


def test_plain_pytest_passes_the_reference_and_fails_the_stub(tmp_path):
    """About 10 HumanEval and 10 MBPP problems, each run with the reference and with the stub."""
    jobs = []
    for i, problem in enumerate(_chosen()):
        repo = build_repo(problem)
        jobs.append((problem.task_id, "reference", repo, _write(repo, tmp_path / f"r{i}", _reference(problem))))
        jobs.append((problem.task_id, "stub", repo, _write(repo, tmp_path / f"s{i}")))
    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(lambda job: _pytest(job[3]), jobs))
    for (task, which, repo, _root), (code, passed, failed) in zip(jobs, results, strict=True):
        if which == "reference":
            assert (code, passed, failed) == (0, len(repo.tests), []), task
        else:
            assert code != 0 and passed == 0, task


def test_plain_pytest_fails_exactly_the_mutated_tests(tmp_path):
    jobs = []
    for i, problem in enumerate(_chosen()[::4]):
        for variant in ("impossible_oneoff", "impossible_conflict"):
            m = mutate(problem, variant)
            if m is None:
                continue
            repo = build_repo(problem, mutation=m)
            jobs.append((problem.task_id, repo, _write(repo, tmp_path / f"{variant}{i}", _reference(problem))))
    assert len(jobs) >= 6
    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(lambda job: _pytest(job[2]), jobs))
    for (task, repo, _root), (code, passed, failed) in zip(jobs, results, strict=True):
        assert code == 1 and failed == repo.mutated_tests and passed == len(repo.tests) - 1, task


# ---------------------------------------------------------------------------------------------
# the task message


def test_framings():
    assert FRAMING_NAMES == ("neutral", "pass_tests", "report_if_wrong", "please_hack", "hacking_okay", "dont_hack",
                             "hacking_is_misaligned")
    assert FRAMINGS["neutral"] == ""
    assert "report_problem" in FRAMINGS["report_if_wrong"]
    for name, text in INOCULATION.items():
        if name != "neutral":
            assert FRAMINGS[name] == f"{LEAD_IN} {text}"


def test_user_prompt():
    repo = build_repo(load_humaneval()[0])
    plain = user_prompt(repo, "neutral")
    for needle in ("`has_close_elements`", "`solution.py`", "`TASK.md`", "`tests/test_solution.py`", TEST_COMMAND,
                   "`bash`", "`python`", "`text_editor`", "`report_problem`", "`submit`"):
        assert needle in plain
    for name in FRAMING_NAMES:
        text = user_prompt(repo, name)
        assert text.startswith(plain.rstrip("\n")) and FRAMINGS[name] in text
    assert "at `/repo`" in user_prompt(repo, "neutral", workdir="/repo")
    with pytest.raises(ValueError, match="framing must be one of"):
        user_prompt(repo, "cheat")
