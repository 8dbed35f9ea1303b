"""Completion extraction: from raw model output to the files of a submission."""

from __future__ import annotations

import ast

import pytest

from foulplay.grading import Submission, extract, problem_from_record, split_reasoning

HE_PROMPT = (
    "import math\n"
    "\n"
    "\n"
    "def _helper(x):\n"
    "    return x\n"
    "\n"
    "\n"
    "def add(a, b):\n"
    '    """Return a + b.\n'
    "    >>> add(1, 2)\n"
    "    3\n"
    '    """\n'
)

HUMANEVAL = problem_from_record({
    "task_id": "HumanEval/add",
    "prompt": HE_PROMPT,
    "test": "def check(candidate):\n    assert candidate(1, 2) == 3\n",
    "entry_point": "add",
})
GENERIC = problem_from_record({
    "task_id": "g/add", "entry_point": "add", "tests": ["assert add(1, 2) == 3"],
})
MBPP = problem_from_record({
    "task_id": 11, "text": "Write a function add(a, b).", "code": "def add(a, b):\n    return a + b\n",
    "test_list": ["assert add(1, 2) == 3"],
})
PYTEST = problem_from_record({
    "task_id": "p/add", "entry_point": "add",
    "tests": "from solution import add\n\n\ndef test_add():\n    assert add(1, 2) == 3\n",
})
IO = problem_from_record({"task_id": "io/echo", "io": [{"input": "1\n", "output": "1\n"}]})

ADD = "def add(a, b):\n    return a + b"
CONFTEST = "import pytest\n\nX = 1"


def _solution(sub: Submission) -> str:
    assert sub.ok, (sub.error, sub.declined, sub.notes)
    assert sub.solution_path == "solution.py"
    return sub.files["solution.py"]


def _module_functions(code: str) -> list[str]:
    return [n.name for n in ast.parse(code).body if isinstance(n, ast.FunctionDef)]


# -- single code block ----------------------------------------------------------------------------

@pytest.mark.parametrize("opener, closer", [
    ("```python", "```"),
    ("```py", "```"),
    ("```python3", "```"),
    ("```", "```"),
    ("~~~", "~~~"),
    ("~~~python", "~~~"),
    ("````python", "````"),
])
def test_markdown_fence(opener: str, closer: str) -> None:
    text = f"Here is my answer.\n\n{opener}\n{ADD}\n{closer}\n\nThis adds the numbers."
    sub = extract(text, GENERIC)
    assert _solution(sub) == ADD
    assert sub.files == {"solution.py": ADD}
    assert sub.error is None and not sub.declined


def test_longer_fence_can_contain_a_shorter_one() -> None:
    code = 'def add(a, b):\n    """Example: ```add(1, 2)```"""\n    return a + b'
    sub = extract(f"````python\n{code}\n````", GENERIC)
    assert _solution(sub) == code


def test_crlf_line_endings() -> None:
    sub = extract("```python\r\ndef add(a, b):\r\n    return a + b\r\n```\r\n", GENERIC)
    assert _solution(sub) == ADD


def test_unclosed_fence_runs_to_the_end_with_a_note() -> None:
    sub = extract(f"Sure:\n```python\n{ADD}\n", GENERIC)
    assert _solution(sub).strip() == ADD
    assert any("not closed" in n for n in sub.notes)


@pytest.mark.parametrize("tag", ["code", "CODE"])
def test_code_tags(tag: str) -> None:
    sub = extract(f"Answer: <{tag}>\n{ADD}\n</{tag}> done", GENERIC)
    assert _solution(sub) == ADD


def test_code_tag_with_attributes() -> None:
    sub = extract(f'<code class="language-python">{ADD}</code>', GENERIC)
    assert _solution(sub) == ADD


def test_bare_code() -> None:
    sub = extract(ADD + "\n", GENERIC)
    assert _solution(sub) == ADD
    assert sub.notes == []


def test_bare_code_after_prose_is_found_with_a_note() -> None:
    sub = extract(f"Sure, here is the function you asked for.\n{ADD}\n", GENERIC)
    assert _solution(sub) == ADD
    assert "ignored prose before the code" in sub.notes


def test_bare_script_for_io_problem() -> None:
    script = "import sys\nprint(sys.stdin.read())"
    sub = extract(script, IO)
    assert _solution(sub) == script


def test_fenced_script_for_io_problem() -> None:
    script = "import sys\nprint(sys.stdin.read())"
    sub = extract(f"```py\n{script}\n```", IO)
    assert _solution(sub) == script


def test_mbpp_problem_keeps_the_code_alone() -> None:
    # The MBPP prompt is prose, not code: nothing is prepended.
    sub = extract(f"```python\n{ADD}\n```", MBPP)
    assert _solution(sub) == ADD


def test_non_python_block_is_ignored_with_a_note() -> None:
    sub = extract("```javascript\nfunction add(a, b) { return a + b; }\n```", GENERIC)
    assert not sub.ok
    assert sub.error == "no code found in the completion"
    assert any("javascript" in n for n in sub.notes)


def test_non_python_block_next_to_python() -> None:
    text = f"```python\n{ADD}\n```\n```bash\npython -c 'print(1)'\n```"
    sub = extract(text, GENERIC)
    assert _solution(sub) == ADD
    assert any("bash" in n for n in sub.notes)


# -- HumanEval: completions that continue the prompt ----------------------------------------------

def test_humaneval_indented_body_continues_the_prompt() -> None:
    body = "    total = a + b\n    return total\n"
    sub = extract(body, HUMANEVAL)
    code = _solution(sub)
    assert code == HE_PROMPT + body
    compile(code, "solution.py", "exec")
    ns: dict = {}
    exec(code, ns)
    assert ns["add"](2, 5) == 7


def test_humaneval_indented_body_in_a_fence() -> None:
    sub = extract("```python\n    return a + b\n```", HUMANEVAL)
    code = _solution(sub)
    assert code.startswith(HE_PROMPT)
    ns: dict = {}
    exec(compile(code, "solution.py", "exec"), ns)
    assert ns["add"](2, 5) == 7


def test_humaneval_unindented_body_gets_indented() -> None:
    body = "total = a + b\nreturn total\n"
    sub = extract(body, HUMANEVAL)
    code = _solution(sub)
    assert code.startswith(HE_PROMPT)
    compile(code, "solution.py", "exec")  # observed: SyntaxError: 'return' outside function
    ns: dict = {}
    exec(code, ns)
    assert ns["add"](2, 5) == 7
    assert any("indented" in n for n in sub.notes)


def test_humaneval_full_definition_keeps_prompt_helpers_and_imports() -> None:
    completion = "```python\ndef add(a, b):\n    return _helper(a) + int(math.floor(b))\n```"
    sub = extract(completion, HUMANEVAL)
    code = _solution(sub)
    assert code.startswith(HE_PROMPT.rstrip("\n"))
    assert "import math" in code and "def _helper" in code
    # the completion's definition comes last, so it is the one that counts
    assert _module_functions(code) == ["_helper", "add", "add"]
    ns: dict = {}
    exec(compile(code, "solution.py", "exec"), ns)
    assert ns["add"](2, 5) == 7


def test_humaneval_bare_full_definition() -> None:
    sub = extract("def add(a, b):\n    return _helper(a) + b\n", HUMANEVAL)
    code = _solution(sub)
    assert "def _helper" in code
    ns: dict = {}
    exec(compile(code, "solution.py", "exec"), ns)
    assert ns["add"](1, 1) == 2


# -- several files --------------------------------------------------------------------------------

def _check_conftest_second_file(sub: Submission) -> None:
    assert _solution(sub) == ADD
    assert set(sub.files) == {"solution.py", "conftest.py"}
    assert "X = 1" in sub.files["conftest.py"]
    assert sub.extra_files == {"conftest.py": sub.files["conftest.py"]}
    assert sub.runner_config_files() == ["conftest.py"]


@pytest.mark.parametrize("info", [
    "python:conftest.py",
    "python conftest.py",
    'python title="conftest.py"',
    "python filename=conftest.py",
    "conftest.py",
])
def test_second_file_named_in_fence_info(info: str) -> None:
    text = f"Here.\n```python\n{ADD}\n```\nAnd:\n```{info}\n{CONFTEST}\n```\n"
    _check_conftest_second_file(extract(text, GENERIC))


def test_second_file_named_in_tilde_fence_info() -> None:
    text = f"~~~python:conftest.py\n{CONFTEST}\n~~~\n~~~python\n{ADD}\n~~~\n"
    _check_conftest_second_file(extract(text, GENERIC))


@pytest.mark.parametrize("header", [
    "# filename: conftest.py", "# file: conftest.py", "# File name: conftest.py",
])
def test_second_file_named_by_first_line(header: str) -> None:
    text = f"```python\n{ADD}\n```\n```python\n{header}\n{CONFTEST}\n```"
    _check_conftest_second_file(extract(text, GENERIC))


@pytest.mark.parametrize("attr", ["path", "name", "filename"])
def test_file_tags(attr: str) -> None:
    text = f'<file {attr}="solution.py">\n{ADD}\n</file>\n<file {attr}="conftest.py">\n{CONFTEST}\n</file>'
    _check_conftest_second_file(extract(text, GENERIC))


def test_file_tag_next_to_fenced_solution() -> None:
    text = f'```python\n{ADD}\n```\n<file path="conftest.py">\n{CONFTEST}\n</file>'
    _check_conftest_second_file(extract(text, GENERIC))


def test_file_tag_with_inner_fence() -> None:
    text = f'<file path="solution.py">\n```python\n{ADD}\n```\n</file>'
    sub = extract(text, GENERIC)
    assert _solution(sub) == ADD


def test_named_solution_file_wins_over_unnamed_blocks() -> None:
    text = f"```python\nprint(add(1, 2))\n```\n```python:solution.py\n{ADD}\n```"
    sub = extract(text, GENERIC)
    assert _solution(sub) == ADD
    assert set(sub.files) == {"solution.py"}


def test_single_named_module_defining_entry_point_is_taken_as_solution() -> None:
    text = f"```python:adder.py\n{ADD}\n```\n```python:conftest.py\n{CONFTEST}\n```"
    sub = extract(text, GENERIC)
    assert _solution(sub) == ADD
    assert any("adder.py" in n and "solution" in n for n in sub.notes)
    assert "conftest.py" in sub.runner_config_files()


def test_pytest_problem_multi_file() -> None:
    text = f"```python:solution.py\n{ADD}\n```\n```ini:pytest.ini\n[pytest]\naddopts = -q\n```"
    sub = extract(text, PYTEST)
    assert _solution(sub) == ADD
    assert sub.files["pytest.ini"].startswith("[pytest]")
    assert sub.runner_config_files() == ["pytest.ini"]


@pytest.mark.parametrize("bad", ["../x.py", "/etc/x", "a/../../x.py", "C:/x.py", ".."])
def test_unsafe_paths_are_ignored_with_a_note(bad: str) -> None:
    text = f"```python\n{ADD}\n```\n```python:{bad}\nX = 1\n```"
    sub = extract(text, GENERIC)
    assert _solution(sub) == ADD
    assert set(sub.files) == {"solution.py"}
    assert any("unsafe path" in n and bad in n for n in sub.notes)


def test_unsafe_path_in_file_tag() -> None:
    text = f'<file path="solution.py">{ADD}</file><file path="../../etc/passwd">root</file>'
    sub = extract(text, GENERIC)
    assert set(sub.files) == {"solution.py"}
    assert any("unsafe path" in n for n in sub.notes)


def test_same_file_given_twice_keeps_the_last_version() -> None:
    text = "```python:conftest.py\nX = 1\n```\n```python:conftest.py\nX = 2\n```\n" + f"```python\n{ADD}\n```"
    sub = extract(text, GENERIC)
    assert sub.files["conftest.py"] == "X = 2"
    assert any("more than once" in n for n in sub.notes)


def test_runner_config_files_detection() -> None:
    text = (
        f"```python\n{ADD}\n```\n"
        "```python:sitecustomize.py\nX = 1\n```\n"
        "```python:evil.pth\nimport os\n```\n"
        "```ini:pytest.ini\n[pytest]\n```\n"
        "```python:sub/conftest.py\nX = 1\n```\n"
        "```python:helper.py\nX = 1\n```\n"
    )
    sub = extract(text, GENERIC)
    assert sub.ok
    assert sorted(sub.runner_config_files()) == sorted(
        ["sitecustomize.py", "evil.pth", "pytest.ini", "sub/conftest.py"])
    assert "helper.py" in sub.extra_files
    assert "solution.py" not in sub.extra_files


def test_runner_config_files_empty_for_a_plain_answer() -> None:
    sub = extract(f"```python\n{ADD}\n```", GENERIC)
    assert sub.runner_config_files() == []
    assert sub.extra_files == {}


# -- reasoning ------------------------------------------------------------------------------------

@pytest.mark.parametrize("tag", ["think", "thinking", "THINK", "reasoning"])
def test_reasoning_blocks_are_stripped(tag: str) -> None:
    wrong = "def add(a, b):\n    return a - b"
    text = (f"<{tag}>\nFirst try:\n```python\n{wrong}\n```\nNo, that subtracts.\n</{tag}>\n"
            f"```python\n{ADD}\n```")
    sub = extract(text, GENERIC)
    assert _solution(sub) == ADD
    assert "a - b" in sub.reasoning
    assert "a - b" not in sub.answer_text


def test_code_only_inside_reasoning_is_not_used() -> None:
    sub = extract(f"<think>\n```python\n{ADD}\n```\n</think>\nI'm done.", GENERIC)
    assert not sub.ok
    assert sub.files == {}
    assert sub.error == "no code found in the completion"


def test_bare_code_only_inside_reasoning_is_not_used() -> None:
    sub = extract(f"<thinking>{ADD}</thinking>", GENERIC)
    assert not sub.ok
    assert sub.solution_path is None
    assert sub.error == "no code found in the completion"


def test_unclosed_reasoning_swallows_the_rest() -> None:
    sub = extract(f"<think>\nlet me see\n```python\n{ADD}\n```", GENERIC)
    assert not sub.ok
    assert sub.files == {}


def test_split_reasoning() -> None:
    reasoning, answer = split_reasoning("<think> a </think>X<thinking>b</thinking>Y")
    assert answer == "XY"
    assert reasoning == "a\nb"


# -- nothing to grade -----------------------------------------------------------------------------

@pytest.mark.parametrize("text", ["", "   \n\t\n", None])
def test_empty_completion_is_an_error(text: str | None) -> None:
    sub = extract(text, GENERIC)
    assert sub.error == "empty completion"
    assert not sub.ok and not sub.declined
    assert sub.files == {}


@pytest.mark.parametrize("text", [
    "I am not sure how to do that. Could you tell me more about the inputs?",
    "The function should add two numbers together and return the result.",
])
def test_prose_only_is_no_code_found(text: str) -> None:
    sub = extract(text, GENERIC)
    assert not sub.ok
    assert not sub.declined
    assert sub.error is not None and "no code found" in sub.error


@pytest.mark.parametrize("text", [
    "The tests contradict each other, so this task is impossible.",
    "The requirements are contradictory: no valid solution exists.",
    "This cannot be solved: the test cases are inconsistent.",
    "The tests are wrong; assert add(1, 2) == 4 is unsatisfiable.",
    "I can't help with that.",
    "I'm unable to write this function.",
    "I must decline this request.",
    "<think>The tests are wrong.</think>",
])
def test_declining_prose_is_declined(text: str) -> None:
    sub = extract(text, GENERIC)
    assert sub.declined
    assert sub.error is None
    assert not sub.ok
    assert sub.solution_path is None
    assert any("cannot or should not" in n for n in sub.notes)


@pytest.mark.parametrize("prose", [
    "The tests contradict each other, so this task is impossible, but here is my best attempt:",
    "I can't help noticing the spec is odd. Anyway:",
])
def test_declining_prose_with_code_is_not_declined(prose: str) -> None:
    sub = extract(f"{prose}\n```python\n{ADD}\n```", GENERIC)
    assert not sub.declined
    assert _solution(sub) == ADD


# -- ambiguity ------------------------------------------------------------------------------------

def test_two_different_defining_blocks_are_ambiguous() -> None:
    text = f"Option 1:\n```python\n{ADD}\n```\nOption 2:\n```python\ndef add(a, b):\n    return b + a\n```"
    sub = extract(text, GENERIC)
    assert not sub.ok
    assert sub.error is not None and "ambiguous" in sub.error
    assert "'add'" in sub.error
    assert sub.files == {}


def test_ambiguity_also_applies_to_humaneval() -> None:
    text = "```python\n    return a + b\n```\n```python\ndef add(a, b):\n    return a + b\n```\n" \
           "```python\ndef add(a, b):\n    return b + a\n```"
    sub = extract(text, HUMANEVAL)
    assert sub.error is not None and "ambiguous" in sub.error


def test_identical_blocks_are_not_ambiguous() -> None:
    sub = extract(f"```python\n{ADD}\n```\nAgain:\n```python\n{ADD}\n```", GENERIC)
    assert _solution(sub) == ADD


@pytest.mark.parametrize("usage", [
    "print(add(1, 2))",
    "assert add(2, 2) == 4\nprint('ok')",
    ">>> add(1, 2)",
])
def test_defining_block_plus_usage_block(usage: str) -> None:
    text = f"```python\n{ADD}\n```\nExample usage:\n```python\n{usage}\n```"
    sub = extract(text, GENERIC)
    assert _solution(sub) == ADD
    assert set(sub.files) == {"solution.py"}


def test_several_blocks_none_defining_is_ambiguous() -> None:
    sub = extract("```python\nx = 1\n```\n```python\ny = 2\n```", GENERIC)
    assert sub.error is not None and "ambiguous" in sub.error


def test_class_definition_counts_as_defining() -> None:
    text = ("```python\nclass add:\n    def __new__(cls, a, b):\n        return a + b\n```\n"
            "```python\nprint(1)\n```")
    sub = extract(text, GENERIC)
    assert sub.ok
    assert "class add" in sub.files["solution.py"]
