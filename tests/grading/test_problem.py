"""Problem loaders: HumanEval, MBPP and generic records, files, and their errors."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from conftest import MBPP_DIR
from foulplay.errors import InputError
from foulplay.grading import (
    IOCase,
    Problem,
    index_problems,
    iter_json_records,
    load_humaneval,
    load_mbpp,
    load_problem,
    load_problems,
    problem_from_record,
)

HE_RECORD = {
    "task_id": "HumanEval/0",
    "prompt": "def add(a, b):\n    \"\"\"Add.\"\"\"\n",
    "canonical_solution": "    return a + b\n",
    "test": "def check(candidate):\n    assert candidate(1, 2) == 3\n",
    "entry_point": "add",
}
MBPP_RECORD = {
    "task_id": 2,
    "text": "Write a function to find the shared elements from the given two lists.",
    "code": "def similar_elements(a, b):\n    return tuple(set(a) & set(b))\n",
    "test_setup_code": "",
    "test_list": [
        "assert set(similar_elements((3, 4, 5, 6), (5, 7, 4, 10))) == set((4, 5))",
        "assert set(similar_elements((1, 2, 3, 4), (5, 4, 3, 7))) == set((3, 4))",
    ],
    "challenge_test_list": ["assert similar_elements((1,), (1,)) == (1,)"],
}
GENERIC_ASSERTS = {"task_id": "g/1", "entry_point": "add", "tests": ["assert add(1, 2) == 3"]}
GENERIC_PYTEST = {
    "task_id": "g/2", "entry_point": "add",
    "tests": "from solution import add\n\ndef test_add():\n    assert add(1, 2) == 3\n",
}
GENERIC_IO = {"task_id": "g/3", "io": [{"input": "1 2\n", "output": "3\n"}, ["2 2\n", "4\n"]]}


def _write_jsonl(path: Path, records: list) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


# -- records --------------------------------------------------------------------------------------

def test_humaneval_record() -> None:
    p = problem_from_record(HE_RECORD)
    assert isinstance(p, Problem)
    assert p.task_id == "HumanEval/0"
    assert (p.format, p.kind) == ("humaneval", "check")
    assert p.entry_point == "add"
    assert p.prompt == HE_RECORD["prompt"]
    assert p.check == HE_RECORD["test"]
    assert p.reference == "    return a + b\n"
    assert p.solution_path == "solution.py"
    assert p.visible_tests() == [HE_RECORD["test"]]


def test_humaneval_test_without_check_is_an_error() -> None:
    rec = dict(HE_RECORD, test="assert add(1, 2) == 3\n")
    with pytest.raises(InputError, match="check"):
        problem_from_record(rec)


def test_humaneval_wrong_type() -> None:
    rec = dict(HE_RECORD, entry_point=3)
    with pytest.raises(InputError, match=r"entry_point.*must be str, got int"):
        problem_from_record(rec)


def test_mbpp_record() -> None:
    p = problem_from_record(MBPP_RECORD)
    assert (p.format, p.kind) == ("mbpp", "asserts")
    assert p.task_id == "2"  # ids are strings whatever the JSON type
    assert p.entry_point == "similar_elements"  # `set` is a builtin and is skipped
    assert p.asserts == MBPP_RECORD["test_list"]
    assert p.setup == ""
    assert p.prompt == p.description == MBPP_RECORD["text"]
    assert p.reference == MBPP_RECORD["code"]
    assert p.metadata["challenge_test_list"] == MBPP_RECORD["challenge_test_list"]


def test_mbpp_setup_code() -> None:
    p = problem_from_record(dict(MBPP_RECORD, test_setup_code="import math"))
    assert p.setup == "import math"


def test_mbpp_function_named_like_a_builtin() -> None:
    rec = {"task_id": 7, "text": "Sum a list.", "code": "def sum(xs):\n    t = 0\n    for x in xs:\n"
           "        t += x\n    return t\n", "test_list": ["assert sum([1, 2]) == 3", "assert sum([]) == 0"]}
    assert problem_from_record(rec).entry_point == "sum"


def test_mbpp_builtin_named_entry_point_after_a_helper() -> None:
    rec = {"task_id": 8, "text": "Sum a list.",
           "code": ("def _check(x):\n    return x\n\n\n"
                    "def sum(xs):\n    return len(xs) and xs[0] + sum(xs[1:])\n"),
           "test_list": ["assert sum([1, 2]) == 3"]}
    assert problem_from_record(rec).entry_point == "sum"  # observed: '_check'


def test_mbpp_entry_point_from_code_when_asserts_call_only_builtins() -> None:
    rec = {"task_id": 9, "text": "t", "code": "def max(xs):\n    return 1\n",
           "test_list": ["assert max([1]) == 1"]}
    assert problem_from_record(rec).entry_point == "max"


def test_mbpp_explicit_entry_point_wins() -> None:
    rec = dict(MBPP_RECORD, entry_point="other")
    assert problem_from_record(rec).entry_point == "other"


def test_sanitized_mbpp_test_imports_go_into_setup() -> None:
    rec = {"source_file": "x", "task_id": 82, "prompt": "Write a function to find the volume of a sphere.",
           "code": "import math\ndef volume_sphere(r):\n    return 4 / 3 * math.pi * r ** 3\n",
           "test_imports": ["import math"],
           "test_list": ["assert math.isclose(volume_sphere(10), 4188.79, rel_tol=0.001)"]}
    p = problem_from_record(rec)
    assert p.format == "mbpp"
    assert p.setup == "import math"
    assert p.entry_point == "volume_sphere"
    assert p.prompt == rec["prompt"]


def test_sanitized_mbpp_test_imports_and_setup_code() -> None:
    rec = dict(MBPP_RECORD, test_imports=["import math", "import re"], test_setup_code="X = 1")
    setup = problem_from_record(rec).setup
    assert setup.splitlines() == ["import math", "import re", "X = 1"]


@pytest.mark.parametrize("test_list", [[], "assert f(1) == 1", [1, 2], ["assert f(1)", None]])
def test_mbpp_bad_test_list(test_list: object) -> None:
    with pytest.raises(InputError, match="test_list"):
        problem_from_record({"task_id": 1, "text": "t", "test_list": test_list})


def test_generic_asserts() -> None:
    p = problem_from_record(dict(GENERIC_ASSERTS, setup="import math", prompt="Add."))
    assert (p.format, p.kind) == ("generic", "asserts")
    assert p.entry_point == "add"
    assert p.asserts == ["assert add(1, 2) == 3"]
    assert p.setup == "import math"
    assert p.prompt == "Add."


def test_generic_asserts_entry_point_inferred() -> None:
    p = problem_from_record({"task_id": "g", "tests": ["assert len(add(1, 2)) == 3"]})
    assert p.entry_point == "add"


def test_generic_pytest_source() -> None:
    p = problem_from_record(dict(GENERIC_PYTEST, test_filename="test_add.py", module="pkg.mod"))
    assert p.kind == "pytest"
    assert p.pytest_source == GENERIC_PYTEST["tests"]
    assert p.pytest_filename == "test_add.py"
    assert p.module == "pkg.mod"
    assert p.solution_path == "pkg/mod.py"


def test_generic_io() -> None:
    p = problem_from_record(GENERIC_IO)
    assert p.kind == "io"
    assert p.io == [IOCase(input="1 2\n", output="3\n"), IOCase(input="2 2\n", output="4\n")]
    assert len(p.visible_tests()) == 2


@pytest.mark.parametrize("rec, match", [
    ({"task_id": "x", "io": []}, "no cases"),
    ({"task_id": "x", "io": [{"input": "1"}]}, "io case 0"),
    ({"task_id": "x", "io": "1 -> 1"}, "'io' must be list"),
    ({"task_id": "x", "tests": ""}, "empty"),
    ({"task_id": "x", "tests": "def test_(:\n"}, "not valid Python"),
    ({"task_id": "x", "tests": ["assert f(1) ==="]}, "not valid Python"),
    ({"task_id": "x", "tests": []}, "pytest source string or a list"),
    ({"task_id": "x", "tests": 5}, "pytest source string or a list"),
    ({"task_id": "x", "tests": ["assert f(1)"], "entry_point": 3}, "entry_point"),
    ({"task_id": "x", "tests": ["assert f(1)"], "module": "a-b"}, "module"),
    ({"task_id": "x", "prompt": "Do it."}, "not a HumanEval record"),
])
def test_generic_errors(rec: dict, match: str) -> None:
    with pytest.raises(InputError, match=match):
        problem_from_record(rec)


def test_missing_task_id() -> None:
    with pytest.raises(InputError, match="missing field 'task_id'"):
        problem_from_record({"entry_point": "f", "tests": ["assert f()"]})


@pytest.mark.parametrize("rec", [[1, 2], "text", 3, None])
def test_non_object_record(rec: object) -> None:
    with pytest.raises(InputError, match="must be a JSON object"):
        problem_from_record(rec, "here")


def test_error_message_names_the_location_and_task() -> None:
    with pytest.raises(InputError) as info:
        problem_from_record({"task_id": "abc", "tests": 5}, "file.jsonl line 7")
    assert "file.jsonl line 7" in str(info.value)
    assert "abc" in str(info.value)


# -- files ----------------------------------------------------------------------------------------

def test_load_jsonl_mixing_formats(tmp_path: Path) -> None:
    path = _write_jsonl(tmp_path / "p.jsonl", [HE_RECORD, MBPP_RECORD, GENERIC_ASSERTS, GENERIC_PYTEST,
                                                GENERIC_IO])
    problems = load_problems(path)
    assert [p.kind for p in problems] == ["check", "asserts", "asserts", "pytest", "io"]
    assert list(index_problems(problems)) == ["HumanEval/0", "2", "g/1", "g/2", "g/3"]


def test_load_jsonl_skips_blank_lines(tmp_path: Path) -> None:
    path = tmp_path / "p.jsonl"
    path.write_text("\n" + json.dumps(GENERIC_ASSERTS) + "\n\n   \n" + json.dumps(GENERIC_IO) + "\n")
    assert [p.task_id for p in load_problems(path)] == ["g/1", "g/3"]


def test_load_json_object(tmp_path: Path) -> None:
    path = tmp_path / "p.json"
    path.write_text(json.dumps(HE_RECORD, indent=2))
    problems = load_problems(path)
    assert len(problems) == 1 and problems[0].task_id == "HumanEval/0"
    assert load_problem(path).task_id == "HumanEval/0"


def test_load_json_list(tmp_path: Path) -> None:
    path = tmp_path / "p.json"
    path.write_text(json.dumps([GENERIC_ASSERTS, GENERIC_IO], indent=1))
    assert [p.task_id for p in load_problems(path)] == ["g/1", "g/3"]
    with pytest.raises(InputError, match="expected one problem, found 2"):
        load_problem(path)


def test_load_json_file_that_is_really_jsonl(tmp_path: Path) -> None:
    path = _write_jsonl(tmp_path / "p.json", [GENERIC_ASSERTS, GENERIC_IO])
    assert [p.task_id for p in load_problems(path)] == ["g/1", "g/3"]


def test_load_gzipped_jsonl(tmp_path: Path) -> None:
    path = tmp_path / "p.jsonl.gz"
    path.write_bytes(gzip.compress((json.dumps(GENERIC_ASSERTS) + "\n").encode()))
    assert [p.task_id for p in load_problems(path)] == ["g/1"]


def test_bad_gzip(tmp_path: Path) -> None:
    path = tmp_path / "p.jsonl.gz"
    path.write_bytes(b"not gzip at all")
    with pytest.raises(InputError, match="gzip"):
        load_problems(path)


def test_iter_json_records_locations(tmp_path: Path) -> None:
    path = _write_jsonl(tmp_path / "p.jsonl", [{"a": 1}, {"b": 2}])
    assert [loc for loc, _ in iter_json_records(path)] == [f"{path} line 1", f"{path} line 2"]
    path2 = tmp_path / "p.json"
    path2.write_text(json.dumps([{"a": 1}, {"b": 2}]))
    assert [loc for loc, _ in iter_json_records(path2)] == [f"{path2} item 0", f"{path2} item 1"]


def test_duplicate_task_ids(tmp_path: Path) -> None:
    path = _write_jsonl(tmp_path / "p.jsonl", [GENERIC_ASSERTS, GENERIC_IO, GENERIC_ASSERTS])
    with pytest.raises(InputError, match="duplicate task_id 'g/1'"):
        load_problems(path)


def test_duplicate_task_ids_across_types(tmp_path: Path) -> None:
    # 2 (an int) and "2" (a string) are the same task id once normalised
    path = _write_jsonl(tmp_path / "p.jsonl", [MBPP_RECORD, dict(GENERIC_ASSERTS, task_id="2")])
    with pytest.raises(InputError, match="duplicate task_id '2'"):
        load_problems(path)


def test_missing_field_names_the_line(tmp_path: Path) -> None:
    no_id = {"entry_point": "f", "tests": ["assert f()"]}
    path = _write_jsonl(tmp_path / "p.jsonl", [GENERIC_ASSERTS, no_id])
    with pytest.raises(InputError, match=r"line 2: missing field 'task_id'"):
        load_problems(path)


def test_non_object_record_in_file(tmp_path: Path) -> None:
    path = _write_jsonl(tmp_path / "p.jsonl", [GENERIC_ASSERTS, [1, 2, 3]])
    with pytest.raises(InputError, match=r"line 2: a problem must be a JSON object, got list"):
        load_problems(path)


def test_non_object_item_in_json_list(tmp_path: Path) -> None:
    path = tmp_path / "p.json"
    path.write_text(json.dumps([GENERIC_ASSERTS, "oops"]))
    with pytest.raises(InputError, match=r"item 1: a problem must be a JSON object, got str"):
        load_problems(path)


def test_invalid_json_line_reports_its_line_number(tmp_path: Path) -> None:
    path = tmp_path / "p.jsonl"
    path.write_text(json.dumps(GENERIC_ASSERTS) + "\n\n" + '{"task_id": "x", "tests": [\n')
    with pytest.raises(InputError) as info:
        load_problems(path)
    message = str(info.value)
    assert "line 3" in message and "invalid JSON" in message
    assert str(path) in message


def test_truncated_json_file(tmp_path: Path) -> None:
    path = tmp_path / "p.json"
    path.write_text('[\n  {"task_id": "x",\n  "tests": ["assert f()"]\n')
    with pytest.raises(InputError, match=r"invalid JSON at line \d+"):
        load_problems(path)


def test_binary_file(tmp_path: Path) -> None:
    path = tmp_path / "p.jsonl"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    with pytest.raises(InputError, match="binary"):
        load_problems(path)


def test_non_utf8_file(tmp_path: Path) -> None:
    path = tmp_path / "p.jsonl"
    path.write_bytes(b'{"task_id": "\xff\xfe"}\n')
    with pytest.raises(InputError, match="UTF-8"):
        load_problems(path)


def test_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "nope.jsonl"
    with pytest.raises(InputError, match="no such file") as info:
        load_problems(path)
    assert str(path) in str(info.value)


def test_directory_instead_of_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="is a directory"):
        load_problems(tmp_path)


@pytest.mark.parametrize("content", ["", "\n\n", "[]"])
def test_empty_file(tmp_path: Path, content: str) -> None:
    path = tmp_path / ("p.json" if content == "[]" else "p.jsonl")
    path.write_text(content)
    with pytest.raises(InputError, match="no problems found"):
        load_problems(path)


# -- real datasets --------------------------------------------------------------------------------

def test_load_humaneval() -> None:
    problems = load_humaneval()
    assert len(problems) == 164
    assert len({p.task_id for p in problems}) == 164
    assert all(p.format == "humaneval" and p.kind == "check" and p.entry_point for p in problems)
    assert problems[0].task_id == "HumanEval/0"
    assert problems[0].entry_point == "has_close_elements"


@pytest.mark.skipif(not (MBPP_DIR / "mbpp.jsonl").exists(), reason="MBPP not available")
def test_load_mbpp_full() -> None:
    problems = load_mbpp(MBPP_DIR / "mbpp.jsonl")
    assert len(problems) == 974
    assert all(p.format == "mbpp" and p.kind == "asserts" and p.entry_point for p in problems)
    by_id = index_problems(problems)
    assert by_id["2"].entry_point == "similar_elements"
    # the reference code defines the inferred entry point for every problem
    for p in problems:
        assert p.reference and f"def {p.entry_point}" in p.reference, p.task_id


@pytest.mark.skipif(not (MBPP_DIR / "sanitized-mbpp.json").exists(), reason="MBPP not available")
def test_load_mbpp_sanitized() -> None:
    problems = load_mbpp(MBPP_DIR / "sanitized-mbpp.json")
    assert len(problems) == 427
    by_id = index_problems(problems)
    assert by_id["82"].setup == "import math"
    for p in problems:
        assert p.reference and f"def {p.entry_point}" in p.reference, p.task_id


def test_apply_visible_is_the_one_definition(tmp_path):
    import json as _json

    from foulplay.errors import InputError
    from foulplay.grading import apply_visible, problem_from_record

    p = problem_from_record({"task_id": "v/1", "entry_point": "f",
                             "tests": [f"assert f({i}) == {i}" for i in range(5)]})
    assert p.visible_count() == 3  # the default: the first half, rounded up
    assert apply_visible([p], "1")[0].visible_count() == 1
    assert apply_visible([p], "all")[0].visible_count() == 5
    assert apply_visible([p], "half")[0].visible_count() == 3
    assert apply_visible([p], None)[0] is p
    assert len(apply_visible([p], "2")[0].visible_part().asserts) == 2
    spec = tmp_path / "visible.json"
    spec.write_text(_json.dumps({"v/1": "all", "other": 1}))
    assert apply_visible([p], str(spec))[0].visible_count() == 5
    with pytest.raises(InputError, match="--visible"):
        apply_visible([p], "most")
    spec.write_text(_json.dumps({"v/1": -3}))
    with pytest.raises(InputError, match="v/1"):
        apply_visible([p], str(spec))
