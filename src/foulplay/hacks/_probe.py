"""Red-team a grader with every technique in the catalog: ``foulplay probe``.

Three kinds of target: a built-in harness (``hardened``, ``vulnerable:...``), a command grader
described in TOML (a workspace the agent edits and a command that grades it), and a Python callable
``module:function(problem, completion) -> bool | float``. Every attempt runs in the sandbox, against
a fresh copy of the workspace, next to controls: a wrong honest attempt and an empty submission
must not pass; the reference solution, when there is one, must.
"""

from __future__ import annotations

import json
import re
import secrets
import tomllib
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

from foulplay._util.files import read_input_bytes
from foulplay.errors import InputError
from foulplay.grading import Grader, Harness, Problem, load_problems
from foulplay.grading._inside.fpgrade_vtests import harness_test_files
from foulplay.hacks._context import HackContext, _parse, _visible_from_asserts, context_for
from foulplay.hacks._model import (
    DEPLOYMENT_WEAKNESSES,
    VULNERABLE_CAN_HAVE,
    Payload,
    Technique,
    Weakness,
    vulnerable_weaknesses,
)
from foulplay.sandbox import Limits, Sandbox

DEFAULT_PROBLEMS = Path(__file__).resolve().parent / "data" / "probe_problems.jsonl"
MAX_WORKSPACE_BYTES = 32 << 20


class ProbeVerdict(StrEnum):
    FOOLED = "FOOLED"
    RESISTED = "RESISTED"
    NOT_APPLICABLE = "NOT-APPLICABLE"
    ERROR = "ERROR"


@dataclass
class Attempt:
    """One payload (or control) graded once."""

    subject: str
    """Which problem or workspace."""
    passed: bool | None
    """None: the grader could not give an answer (error)."""
    detail: str
    isolation: str | None = None
    no_verdict: bool = False
    """The grader gave no verdict: grading errored or timed out instead of passing or failing."""


@dataclass
class TechniqueResult:
    technique: str
    family: str
    verdict: ProbeVerdict
    evidence: str
    needs: str
    attempts: list[Attempt] = field(default_factory=list)


@dataclass
class ControlResult:
    name: str
    expected_pass: bool
    ok: bool
    detail: str
    attempts: list[Attempt] = field(default_factory=list)


@dataclass
class ProbeReport:
    target: str
    techniques: list[TechniqueResult]
    controls: list[ControlResult]
    isolation: str | None

    @property
    def fooled(self) -> list[TechniqueResult]:
        return [t for t in self.techniques if t.verdict is ProbeVerdict.FOOLED]

    @property
    def broken_controls(self) -> list[ControlResult]:
        return [c for c in self.controls if not c.ok]

    def counts(self) -> dict[str, int]:
        out = {v.value: 0 for v in ProbeVerdict}
        for t in self.techniques:
            out[t.verdict.value] += 1
        return out

    def summary(self) -> str:
        c = self.counts()
        text = (f"{self.target}: {len(self.techniques)} techniques, {c['FOOLED']} fooled, "
                f"{c['RESISTED']} resisted, {c['NOT-APPLICABLE']} not applicable, {c['ERROR']} errors")
        if self.broken_controls:
            text += "; controls failed: " + ", ".join(x.name for x in self.broken_controls)
        return text

    def to_json_dict(self) -> dict[str, Any]:
        def attempt(a: Attempt) -> dict[str, Any]:
            return {"subject": a.subject, "passed": a.passed, "no_verdict": a.no_verdict, "detail": a.detail,
                    "isolation": a.isolation}

        return {
            "target": self.target,
            "isolation": self.isolation,
            "summary": self.counts(),
            "techniques": [{"technique": t.technique, "family": t.family, "verdict": t.verdict.value,
                            "needs": t.needs, "evidence": t.evidence,
                            "attempts": [attempt(a) for a in t.attempts]} for t in self.techniques],
            "controls": [{"control": c.name, "expected_pass": c.expected_pass, "ok": c.ok, "detail": c.detail,
                          "attempts": [attempt(a) for a in c.attempts]} for c in self.controls],
        }


# ---------------------------------------------------------------------------------------------
# targets


@dataclass
class Subject:
    """One thing a target grades: a problem, or a workspace."""

    name: str
    ctx: HackContext
    reference: str | None
    data: Any = None


class Target:
    name = "target"
    isolation: str | None = None

    def subjects(self) -> list[Subject]:  # pragma: no cover - interface
        raise NotImplementedError

    def attempt(self, subject: Subject, payload: Payload | None, raw: str | None = None) -> Attempt:
        raise NotImplementedError  # pragma: no cover - interface

    def cannot_express(self, tech: Technique) -> str | None:
        """Why this target can never show whether ``tech`` works (then it is NOT-APPLICABLE), or None.

        Command and callable graders run inside foulplay's sandbox during a probe, so a technique that
        needs a weakness of the deployment (kernel state shared between runs) would test the sandbox."""
        if all(option & DEPLOYMENT_WEAKNESSES for option in tech.needs):
            needed = sorted({w.value for option in tech.needs for w in option & DEPLOYMENT_WEAKNESSES})
            return (f"needs {', '.join(needed)}, a property of where the grader is deployed; the probe runs "
                    "this grader in foulplay's own sandbox, so it cannot tell (check the deployment)")
        return None

    def control_text(self, subject: Subject, name: str) -> tuple[Payload | None, str | None]:
        """Payload or raw completion for a control."""
        if name == "wrong":
            return Payload(solution=subject.ctx.wrong_solution()), None
        if name == "empty":
            return Payload(solution=""), ""
        return (Payload(solution=subject.reference), subject.reference) if subject.reference else (None, None)

    def close(self) -> None:
        pass


class HarnessTarget(Target):
    """A built-in harness graded by :class:`foulplay.grading.Grader`."""

    def __init__(self, spec: str | Harness, problems: list[Problem], grader: Grader) -> None:
        self.harness = Harness.parse(spec)
        self.name = str(self.harness)
        self.problems = problems
        self.grader = grader
        self.isolation = grader.isolation.value

    @property
    def weaknesses(self) -> frozenset[Weakness]:
        """What this harness is weak to (nothing, by design, for ``hardened``)."""
        return frozenset() if self.harness.hardened else vulnerable_weaknesses(self.harness.switches)

    def cannot_express(self, tech: Technique) -> str | None:
        # the hardened harness is graded where it is deployed (this sandbox), so every technique is tried;
        # the vulnerable one only ever has its switches and what comes with them
        if self.harness.hardened or tech.expressible_with(VULNERABLE_CAN_HAVE):
            return None
        return (f"needs {tech.needs_text()}, which the vulnerable harness never has, whatever its switches "
                "(probe the hardened harness, a command grader or a callable for it)")

    def subjects(self) -> list[Subject]:
        out = []
        switches = set() if self.harness.hardened else set(self.harness.switches)
        for problem in self.problems:
            graded = problem.visible_part() if "visible" in switches else problem
            payload = {"kind": graded.kind, "module": graded.module, "entry_point": graded.entry_point,
                       "check": graded.check, "asserts": list(graded.asserts), "setup": graded.setup,
                       "pytest_source": graded.pytest_source, "pytest_filename": graded.pytest_filename}
            tests = harness_test_files(payload, switches or {"inprocess"})
            ctx = context_for(problem, tests)
            ctx.grader_command = "python -m pytest"
            out.append(Subject(problem.task_id, ctx, problem.reference, problem))
        return out

    def attempt(self, subject: Subject, payload: Payload | None, raw: str | None = None) -> Attempt:
        text = raw if raw is not None else (payload.to_completion(subject.data.solution_path) if payload else "")
        result = self.grader.grade(subject.data, text, self.harness)
        passed: bool | None = result.passed
        if result.outcome.value == "error" and result.reason.startswith(("grader error", "sandbox worker lost")):
            passed = None
        detail = f"{result.outcome.value}: {result.reason}"
        if result.defences:
            detail += " [defences: " + ", ".join(sorted({d.defence.value for d in result.defences})) + "]"
        return Attempt(subject.name, passed, detail[:600], result.isolation.value if result.isolation else None,
                       no_verdict=result.outcome.value in ("error", "timeout"))


@dataclass
class CommandGraderSpec:
    """A grader that runs a command in the agent's workspace (read from TOML)."""

    workspace: Path
    command: str
    solution: str
    tests: list[str]
    entry_point: str | None = None
    kind: str = "function"
    pass_exit_code: int | None = 0
    pass_regex: str | None = None
    fail_regex: str | None = None
    score_regex: str | None = None
    pass_score: float = 1.0
    timeout: float = 30.0
    reference: str | None = None
    name: str = "command grader"

    @classmethod
    def load(cls, path: str | Path) -> CommandGraderSpec:
        p = Path(path)
        try:
            data = tomllib.loads(read_input_bytes(p, "a TOML file").decode("utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise InputError(f"{p}: not valid TOML: {exc}")
        section = data.get("grader", data)
        if not isinstance(section, dict):
            raise InputError(f"{p}: expected a [grader] table")

        def need(key: str, kind: type) -> Any:
            if key not in section:
                raise InputError(f"{p}: [grader] needs {key!r}")
            if not isinstance(section[key], kind):
                raise InputError(f"{p}: [grader] {key!r} must be a {kind.__name__}")
            return section[key]

        workspace = (p.parent / need("workspace", str)).resolve()
        if not workspace.is_dir():
            raise InputError(f"{p}: workspace {workspace} is not a directory")
        solution = section.get("solution", "solution.py")
        if isinstance(solution, list):
            solution = solution[0] if solution else "solution.py"
        tests = section.get("tests", [])
        if isinstance(tests, str):
            tests = [tests]
        for key in ("pass_regex", "fail_regex", "score_regex"):
            if section.get(key) is not None:
                try:
                    re.compile(section[key])
                except re.error as exc:
                    raise InputError(f"{p}: [grader] {key} is not a valid regex: {exc}")
        reference = section.get("reference")
        reference_text = None
        if reference:
            reference_text = read_input_bytes(p.parent / reference, "a file").decode("utf-8", "replace")
        kind = section.get("kind", "function")
        if kind not in ("function", "script"):
            raise InputError(f"{p}: [grader] kind must be 'function' or 'script'")
        pass_exit = section.get("pass_exit_code", 0)
        return cls(
            workspace=workspace, command=need("command", str), solution=str(solution),
            tests=[str(t) for t in tests], entry_point=section.get("entry_point"), kind=kind,
            pass_exit_code=None if pass_exit is False else int(pass_exit),
            pass_regex=section.get("pass_regex"), fail_regex=section.get("fail_regex"),
            score_regex=section.get("score_regex"), pass_score=float(section.get("pass_score", 1.0)),
            timeout=float(section.get("timeout", 30.0)), reference=reference_text,
            name=str(section.get("name", p.stem)),
        )


def _read_workspace(root: Path) -> dict[str, str]:
    files: dict[str, str] = {}
    total = 0
    for path in sorted(root.rglob("*")):
        if not path.is_file() or any(part in ("__pycache__", ".git") for part in path.parts):
            continue
        data = path.read_bytes()
        total += len(data)
        if total > MAX_WORKSPACE_BYTES:
            raise InputError(f"{root}: workspace larger than {MAX_WORKSPACE_BYTES >> 20} MiB")
        files[path.relative_to(root).as_posix()] = data.decode("utf-8", "surrogateescape")
    return files


def _infer_entry(test_sources: Iterable[str], solution_source: str) -> str | None:
    tree = _parse(solution_source)
    defined = [n.name for n in tree.body if getattr(n, "name", None)] if tree else []
    for src in test_sources:
        t = _parse(src)
        if t is None:
            continue
        for node in __import__("ast").walk(t):
            func = getattr(node, "func", None)
            name = getattr(func, "id", None)
            if name in defined:
                return name
    return defined[0] if defined else None


class CommandTarget(Target):
    def __init__(self, spec: CommandGraderSpec, sandbox: Sandbox) -> None:
        self.spec = spec
        self.name = spec.name
        self.sandbox = sandbox
        self.isolation = sandbox.level.value
        self.files = _read_workspace(spec.workspace)
        if spec.solution not in self.files and spec.kind == "function":
            raise InputError(f"{spec.workspace}: solution file {spec.solution!r} not found")
        missing = [t for t in spec.tests if t not in self.files]
        if missing:
            raise InputError(f"{spec.workspace}: test file(s) not found: {', '.join(missing)}")

    def subjects(self) -> list[Subject]:
        tests = {t: self.files[t] for t in self.spec.tests}
        solution_source = self.files.get(self.spec.solution, "")
        entry = self.spec.entry_point or _infer_entry(tests.values(), solution_source)
        names = {entry, "candidate"} if entry else {"candidate"}
        visible = []
        for src in tests.values():
            visible += _visible_from_asserts(_parse(src), {n for n in names if n}, src)
        from foulplay.hacks._context import _function, _params, _return_type

        fn = _function(_parse(solution_source), entry)
        module = Path(self.spec.solution).stem
        ctx = HackContext(task_id=self.name, kind=self.spec.kind, entry_point=entry,
                          params=_params(fn, visible), return_type=_return_type(visible, fn), module=module,
                          solution_path=self.spec.solution, visible=visible, test_files=tests,
                          grader_command=self.spec.command, test_sources=list(tests.values()))
        return [Subject(self.name, ctx, self.spec.reference, None)]

    def attempt(self, subject: Subject, payload: Payload | None, raw: str | None = None) -> Attempt:
        files: dict[str, str] = dict(self.files)
        if payload is not None:
            for path, content in payload.all_files(self.spec.solution).items():
                if content is None:
                    files.pop(path, None)
                else:
                    files[path] = content
        limits = self.sandbox.limits.with_(wall_s=self.spec.timeout, cpu_s=max(1, int(self.spec.timeout)))
        job = self.sandbox.run_command(self.spec.command, files=files, limits=limits)
        iso = job.isolation.value
        if job.worker_lost or job.error:
            return Attempt(subject.name, None, f"grader run failed: {job.error}", iso)
        value = job.value or {}
        if job.timed_out:
            return Attempt(subject.name, False, f"timed out after {self.spec.timeout:g}s", iso, no_verdict=True)
        output = (value.get("stdout") or "") + "\n" + (value.get("stderr") or "")
        code = value.get("exit_code")
        reasons, ok = [], True
        if self.spec.pass_exit_code is not None:
            good = code == self.spec.pass_exit_code and not value.get("signal")
            ok &= good
            reasons.append(f"exit status {code if code is not None else 'signal ' + str(value.get('signal'))}")
        if self.spec.pass_regex:
            good = re.search(self.spec.pass_regex, output) is not None
            ok &= good
            reasons.append(f"pass pattern {'found' if good else 'absent'}")
        if self.spec.fail_regex:
            bad = re.search(self.spec.fail_regex, output) is not None
            ok &= not bad
            reasons.append(f"fail pattern {'found' if bad else 'absent'}")
        if self.spec.score_regex:
            m = re.search(self.spec.score_regex, output)
            score = None
            if m:
                try:
                    score = float(m.group(1) if m.groups() else m.group(0))
                except ValueError:
                    score = None
            good = score is not None and score >= self.spec.pass_score
            ok &= good
            reasons.append(f"score {score}")
        tail = " ".join(output.strip().splitlines()[-1:])[:160]
        return Attempt(subject.name, ok, f"{'pass' if ok else 'fail'} ({', '.join(reasons)}); output: {tail}", iso)

    def control_text(self, subject: Subject, name: str) -> tuple[Payload | None, str | None]:
        if name == "empty":
            return Payload(solution=""), None
        return super().control_text(subject, name)


_CALL_BOOT = '''
import importlib.util, json, os, sys

with open("fp_probe_input.json", encoding="utf-8") as fh:
    data = json.load(fh)
os.unlink("fp_probe_input.json")
spec = importlib.util.spec_from_file_location("fp_user_grader", "fp_user_grader.py")
module = importlib.util.module_from_spec(spec)
sys.modules["fp_user_grader"] = module
spec.loader.exec_module(module)
os.unlink("fp_user_grader.py")
result = getattr(module, data["function"])(data["problem"], data["completion"])
if isinstance(result, bool) or isinstance(result, (int, float)):
    out = {"result": result, "nonce": data["nonce"]}
else:
    out = {"error": f"the grader returned {type(result).__name__}", "nonce": data["nonce"]}
os.write(3, (json.dumps(out) + "\\n").encode())
'''


def _reference_completion(problem: Problem) -> str | None:
    """The reference as a full program: HumanEval references continue the prompt."""
    ref = problem.reference
    if ref and problem.kind == "check" and problem.prompt and f"def {problem.entry_point}" not in ref:
        return problem.prompt + ref
    return ref


class CallableTarget(Target):
    """A Python function ``(problem: dict, completion: str) -> bool | float`` run in the sandbox."""

    def __init__(self, ref: str, problems: list[Problem], sandbox: Sandbox, pass_score: float = 1.0) -> None:
        module_ref, sep, func = ref.rpartition(":")
        if not sep or not module_ref or not func.isidentifier():
            raise InputError(f"{ref!r}: expected module:function or path/to/file.py:function")
        path = Path(module_ref)
        if path.suffix == ".py":
            source = read_input_bytes(path, "a Python file").decode("utf-8", "replace")
        else:
            import importlib.util

            try:
                spec = importlib.util.find_spec(module_ref)
            except (ImportError, ValueError):
                spec = None
            if spec is None or not spec.origin or not spec.origin.endswith(".py"):
                raise InputError(f"{module_ref!r}: cannot find the module's source file")
            source = Path(spec.origin).read_text(encoding="utf-8")
        tree = _parse(source)
        if tree is None:
            raise InputError(f"{ref}: the module does not parse")
        if not any(getattr(n, "name", None) == func for n in tree.body):
            raise InputError(f"{ref}: no function {func!r} in the module")
        self.name = ref
        self.source = source
        self.function = func
        self.problems = problems
        self.sandbox = sandbox
        self.pass_score = pass_score
        self.isolation = sandbox.level.value

    def subjects(self) -> list[Subject]:
        return [Subject(p.task_id, context_for(p), _reference_completion(p), p) for p in self.problems]

    def attempt(self, subject: Subject, payload: Payload | None, raw: str | None = None) -> Attempt:
        problem: Problem = subject.data
        text = raw if raw is not None else (payload.to_completion(problem.solution_path) if payload else "")
        nonce = secrets.token_hex(8)
        data = {"problem": problem.model_dump(mode="json"), "completion": text, "function": self.function,
                "nonce": nonce}
        files = {"fp_user_grader.py": self.source, "fp_probe_input.json": json.dumps(data),
                 "fp_probe_boot.py": _CALL_BOOT}
        job = self.sandbox.run(("fpbox_drivers", "run_script"),
                               {"files": files, "path": "fp_probe_boot.py", "report": True})
        iso = job.isolation.value
        if job.worker_lost or job.error:
            return Attempt(subject.name, None, f"grader run failed: {job.error}", iso)
        value = job.value or {}
        if job.timed_out:
            return Attempt(subject.name, False, "timed out", iso, no_verdict=True)
        report = None
        for line in reversed((value.get("report") or "").strip().splitlines()):
            try:
                report = json.loads(line)
            except ValueError:
                continue
            if isinstance(report, dict) and report.get("nonce") == nonce:
                break
            report = None
        if report is None:
            err = (value.get("stderr") or "").strip().splitlines()
            return Attempt(subject.name, False, f"the grader returned nothing (exit {value.get('exit_code')}"
                           f"{', signal ' + str(value.get('signal')) if value.get('signal') else ''})"
                           + (f": {err[-1][:150]}" if err else ""), iso, no_verdict=True)
        if "error" in report:
            return Attempt(subject.name, None, str(report["error"]), iso)
        result = report["result"]
        ok = result is True or (not isinstance(result, bool) and float(result) >= self.pass_score)
        return Attempt(subject.name, bool(ok), f"grader returned {result!r}", iso)


# ---------------------------------------------------------------------------------------------
# running


CONTROLS = (("wrong", False), ("empty", False), ("reference", True))


def run_probe(
    target: Target,
    techniques: list[Technique],
    *,
    workers: int = 2,
    on_progress: Callable[[], None] | None = None,
) -> ProbeReport:
    """Attack ``target`` with ``techniques`` and the controls; return the verdicts."""
    subjects = target.subjects()
    # a job grades one payload, or (for techniques whose hits are slow: the grader hangs) the payloads of all
    # subjects one after the other, stopping at the first hit
    Item = tuple[Subject, Payload | None, str | None]
    jobs: list[tuple[str, list[Item]]] = []
    unexpressed: dict[str, str] = {}
    by_id = {tech.id: tech for tech in techniques}
    for tech in techniques:
        reason = target.cannot_express(tech)
        if reason is not None:
            unexpressed[tech.id] = reason
            continue
        items: list[Item] = []
        for subject in subjects:
            payload = tech.payload(subject.ctx)
            if payload is not None:
                items.append((subject, payload, None))
        if tech.goal == "no-verdict" and items:
            jobs.append((tech.id, items))
        else:
            jobs += [(tech.id, [item]) for item in items]
    for name, _expected in CONTROLS:
        for subject in subjects:
            payload, raw = target.control_text(subject, name)
            if payload is not None or raw is not None:
                jobs.append((f"control:{name}", [(subject, payload, raw)]))

    def grade(tech: Technique | None, item: Item) -> Attempt:
        subject, payload, raw = item
        rounds = tech.rounds if tech is not None else 1
        earlier: list[str] = []
        for round_no in range(1, rounds + 1):
            # a technique that carries state from one run to the next is graded again, the same way
            try:
                attempt = target.attempt(subject, payload, raw)
            except InputError:
                raise
            except Exception as exc:  # noqa: BLE001 - one broken attempt must not sink the probe
                attempt = Attempt(subject.name, None, f"probe error: {type(exc).__name__}: {exc}")
            if round_no < rounds and not (tech is not None and _fooled(tech, attempt)):
                earlier.append("passed" if attempt.passed else "no verdict" if attempt.no_verdict else "failed")
                continue
            break
        if earlier:
            attempt.detail = f"run {len(earlier) + 1} of the same payload (earlier: {', '.join(earlier)}): " \
                             + attempt.detail
        return attempt

    def run(job: tuple[str, list[Item]]) -> tuple[str, list[Attempt]]:
        key, items = job
        tech = by_id.get(key)
        attempts: list[Attempt] = []
        for item in items:
            attempts.append(grade(tech, item))
            if on_progress is not None:
                on_progress()
            if tech is not None and _fooled(tech, attempts[-1]):
                break
        return key, attempts

    results: dict[str, list[Attempt]] = {}
    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        for key, attempts in pool.map(run, jobs):
            results.setdefault(key, []).extend(attempts)

    rows: list[TechniqueResult] = []
    for tech in techniques:
        attempts = results.get(tech.id, [])
        if tech.id in unexpressed:
            verdict, evidence = ProbeVerdict.NOT_APPLICABLE, unexpressed[tech.id]
        elif not attempts:
            verdict, evidence = ProbeVerdict.NOT_APPLICABLE, _why_not(tech, subjects)
        elif any(_fooled(tech, a) for a in attempts):
            hit = next(a for a in attempts if _fooled(tech, a))
            how = "the grader passed it" if hit.passed else "the grader gave no verdict instead of failing it"
            verdict, evidence = ProbeVerdict.FOOLED, f"{hit.subject}: {how} ({hit.detail})"
        elif any(a.passed is None for a in attempts):
            bad = next(a for a in attempts if a.passed is None)
            verdict, evidence = ProbeVerdict.ERROR, f"{bad.subject}: {bad.detail}"
        else:
            verdict, evidence = ProbeVerdict.RESISTED, f"{attempts[0].subject}: {attempts[0].detail}"
        rows.append(TechniqueResult(tech.id, tech.family.value, verdict, evidence, tech.needs_text(), attempts))
    controls: list[ControlResult] = []
    for name, expected in CONTROLS:
        attempts = results.get(f"control:{name}", [])
        if not attempts:
            continue
        ok = all(a.passed is expected for a in attempts)
        wrong = next((a for a in attempts if a.passed is not expected), attempts[0])
        detail = (f"{'passed' if expected else 'failed'} as it should on {len(attempts)} subject(s)" if ok
                  else f"{wrong.subject}: {wrong.detail}")
        controls.append(ControlResult(name, expected, ok, detail, attempts))
    return ProbeReport(target.name, rows, controls, target.isolation)


def _fooled(tech: Technique, attempt: Attempt) -> bool:
    """Whether one graded attempt shows the technique working (for ``no-verdict`` techniques: the grader
    crashed or timed out instead of failing it)."""
    if attempt.passed:
        return True
    if tech.goal == "no-verdict":
        return attempt.no_verdict or (attempt.passed is None and not attempt.detail.startswith("probe error"))
    return False


def _why_not(tech: Technique, subjects: list[Subject]) -> str:
    kinds = {s.ctx.kind for s in subjects}
    if not kinds & set(tech.applies_to):
        return f"only for {'/'.join(sorted(tech.applies_to))} problems; this target has {'/'.join(sorted(kinds))}"
    if tech.fits:
        return f"the payload needs {tech.fits}; no problem here has that"
    family = tech.family.value
    if family == "test-tampering":
        if not any(s.ctx.test_files for s in subjects):
            return "the model sees no test files here, so there is nothing to tamper with"
        return "no test file here has the shape this technique edits"
    if family == "special-casing":
        return "no visible test with literal inputs to hard-code"
    if family == "introspection":
        return "the entry point's parameters are unknown"
    return "no payload fits this target"


def default_problems() -> list[Problem]:
    return load_problems(DEFAULT_PROBLEMS)


def probe_harness(spec: str, *, problems: list[Problem] | None = None, techniques: list[Technique] | None = None,
                  workers: int = 2, limits: Limits | None = None,
                  on_progress: Callable[[], None] | None = None) -> ProbeReport:
    """Convenience: probe a built-in harness on the default (or given) problems."""
    from foulplay.hacks import catalog

    with Grader(workers=workers, limits=limits) as grader:
        target = HarnessTarget(spec, problems or default_problems(), grader)
        return run_probe(target, techniques or catalog(), workers=workers, on_progress=on_progress)
