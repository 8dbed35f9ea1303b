"""Red-team a grader with every technique in the catalog: ``foulplay probe``.

Three kinds of target: a built-in harness (``hardened``, ``vulnerable:...``), a command grader
described in TOML (a workspace the agent edits and a command that grades it), and a Python callable
(the contract is :class:`CallableTarget`'s docstring). Every attempt runs in the sandbox, against a fresh
copy of the workspace. Three controls run first and are mandatory: the reference solution must pass, a
wrong honest attempt and an empty submission must fail. Technique verdicts count only when the controls
behaved: a grader that passes the wrong solution is reported fooled by that control, and one whose
reference cannot run or fails is ``UNVERIFIED`` (a failed attempt there shows nothing).
"""

from __future__ import annotations

import ast
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
from foulplay.hacks._context import HackContext, ReferenceRun, _parse, _visible_from_asserts, context_for
from foulplay.hacks._model import (
    DEPLOYMENT_WEAKNESSES,
    VULNERABLE_CAN_HAVE,
    Payload,
    Technique,
    Weakness,
    vulnerable_weaknesses,
)
from foulplay.sandbox import Limits, Sandbox
from foulplay.vocab import ExitCode, exit_status

DEFAULT_PROBLEMS = Path(__file__).resolve().parent / "data" / "probe_problems.jsonl"
MAX_WORKSPACE_BYTES = 32 << 20


class ProbeVerdict(StrEnum):
    FOOLED = "FOOLED"
    """The grader passed the payload (or, for ``no-verdict`` techniques, crashed or timed out on it) while the
    controls show it fails wrong answers."""
    RESISTED = "RESISTED"
    """The grader failed every payload, and the controls show it passes a correct solution and fails wrong ones."""
    NOT_APPLICABLE = "NOT-APPLICABLE"
    ERROR = "ERROR"
    """The probe could not tell: the grader raised, crashed or timed out on the payload, or the probe's own
    machinery failed on it (the evidence says which, in one line)."""
    UNVERIFIED = "UNVERIFIED"
    """The grader answered, but its controls did not behave, so the answer shows nothing (a failure where even
    the reference fails or could not run; a pass where the wrong solution passes too)."""


@dataclass
class Attempt:
    """One payload (or control) graded once."""

    subject: str
    """Which problem or workspace."""
    passed: bool | None
    """None: the grader could not give an answer (it raised, crashed or timed out), or the probe failed."""
    detail: str
    isolation: str | None = None
    no_verdict: bool = False
    """The grader gave no verdict: grading errored or timed out instead of passing or failing."""
    probe_error: bool = False
    """The probe's own machinery failed (a payload generator, the target's code), not the grader."""
    run: ReferenceRun | None = field(default=None, repr=False)
    """For command graders: what the grader's command printed and its exit status."""
    exc: BaseException | None = field(default=None, repr=False)


@dataclass
class TechniqueResult:
    technique: str
    family: str
    verdict: ProbeVerdict
    evidence: str
    needs: str
    attempts: list[Attempt] = field(default_factory=list)


class ControlStatus(StrEnum):
    OK = "ok"
    """Passed (reference) or failed (wrong, empty) on every problem, as it must."""
    FAILED = "FAILED"
    """The reference failed, or the wrong or empty submission passed, on some problem."""
    UNVERIFIED = "UNVERIFIED"
    """Could not run: no reference solution, or the grader gave no verdict on it."""


CONTROL_LABELS = {"wrong": "wrong-solution", "empty": "empty-submission", "reference": "reference-solution"}


@dataclass
class ControlResult:
    name: str
    expected_pass: bool
    ok: bool
    detail: str
    attempts: list[Attempt] = field(default_factory=list)
    status: ControlStatus = ControlStatus.OK

    @property
    def label(self) -> str:
        return CONTROL_LABELS.get(self.name, self.name)


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

    @property
    def fooled_by_controls(self) -> list[ControlResult]:
        """Controls that must fail and passed: the grader passes wrong answers."""
        return [c for c in self.controls if not c.expected_pass and c.status is ControlStatus.FAILED]

    @property
    def found(self) -> bool:
        """Something fooled the grader: a technique, or a wrong or empty submission."""
        return bool(self.fooled or self.fooled_by_controls)

    @property
    def unverified(self) -> bool:
        """The checks could not complete: a control could not run or gave no verdict, or the reference failed
        (then no failure shows resistance)."""
        return any(c.status is ControlStatus.UNVERIFIED or (c.expected_pass and c.status is ControlStatus.FAILED)
                   for c in self.controls)

    @property
    def errors(self) -> int:
        return sum(1 for t in self.techniques if t.verdict is ProbeVerdict.ERROR)

    @property
    def verdict(self) -> ProbeVerdict:
        """The grader as a whole: UNVERIFIED (controls), else FOOLED, else ERROR (rows the probe could not
        tell), else RESISTED."""
        if self.unverified:
            return ProbeVerdict.UNVERIFIED
        if self.found:
            return ProbeVerdict.FOOLED
        if self.errors:
            return ProbeVerdict.ERROR
        return ProbeVerdict.RESISTED

    def exit_status(self, *, max_errors: int = 0, exit_zero: bool = False) -> ExitCode:
        """The project's one exit-status rule: 2 when controls are unverified or error rows exceed
        ``max_errors``, else 1 when something fooled the grader, else 0."""
        return exit_status(found=self.found, errors=self.errors, unverified=self.unverified,
                           max_errors=max_errors, exit_zero=exit_zero)

    def headline(self) -> list[str]:
        """What the probe concluded about the grader, most important first, one sentence per line."""
        out: list[str] = []
        for c in self.fooled_by_controls:
            what = {"wrong": "a wrong solution", "empty": "an empty submission"}.get(c.name, c.name)
            out.append(f"FOOLED by the {c.label} control: the grader passes {what} ({c.detail}); it passes wrong "
                       "answers, so no technique verdict can be trusted")
        if self.fooled:
            ids = [t.technique for t in self.fooled]
            shown = ", ".join(ids[:8]) + (f" and {len(ids) - 8} more" if len(ids) > 8 else "")
            out.append(f"FOOLED by {len(ids)} technique{'s' if len(ids) != 1 else ''}: {shown}")
        for c in self.controls:
            if c.expected_pass and c.status is ControlStatus.FAILED:
                out.append(f"UNVERIFIED: the grader fails the reference solution ({c.detail}), so a failed attempt "
                           "shows nothing; fix the grader or the reference")
            elif c.status is ControlStatus.UNVERIFIED:
                out.append(f"UNVERIFIED: the {c.label} control could not run: {c.detail}")
        if self.errors:
            first = next(t for t in self.techniques if t.verdict is ProbeVerdict.ERROR)
            out.append(f"ERROR on {self.errors} technique{'s' if self.errors != 1 else ''}: the probe could not "
                       f"tell (first: {first.technique}: {first.evidence})")
        if not out:
            tried = sum(1 for t in self.techniques if t.verdict is ProbeVerdict.RESISTED)
            out.append(f"RESISTED every applicable technique ({tried}); the controls behaved")
        return out

    def counts(self) -> dict[str, int]:
        out = {v.value: 0 for v in ProbeVerdict}
        for t in self.techniques:
            out[t.verdict.value] += 1
        return out

    def summary(self) -> str:
        c = self.counts()
        text = (f"{self.target}: {self.verdict.value}; {len(self.techniques)} techniques, {c['FOOLED']} fooled, "
                f"{c['RESISTED']} resisted, {c['UNVERIFIED']} unverified, {c['NOT-APPLICABLE']} not applicable, "
                f"{c['ERROR']} errors")
        if self.broken_controls:
            text += "; controls not ok: " + ", ".join(f"{x.name} ({x.status.value})" for x in self.broken_controls)
        return text

    def to_json_dict(self) -> dict[str, Any]:
        def attempt(a: Attempt) -> dict[str, Any]:
            return {"subject": a.subject, "passed": a.passed, "no_verdict": a.no_verdict, "detail": a.detail,
                    "isolation": a.isolation}

        return {
            "target": self.target,
            "isolation": self.isolation,
            "verdict": self.verdict.value,
            "found": self.found,
            "unverified": self.unverified,
            "errors": self.errors,
            "headline": self.headline(),
            "summary": self.counts(),
            "techniques": [{"technique": t.technique, "family": t.family, "verdict": t.verdict.value,
                            "needs": t.needs, "evidence": t.evidence,
                            "attempts": [attempt(a) for a in t.attempts]} for t in self.techniques],
            "controls": [{"control": c.name, "expected_pass": c.expected_pass, "ok": c.ok, "status": c.status.value,
                          "detail": c.detail, "attempts": [attempt(a) for a in c.attempts]} for c in self.controls],
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

    shows_output = False
    """Whether an attempt's result carries what the grader printed (``Attempt.run``): command graders."""

    def cannot_express(self, tech: Technique) -> str | None:
        """Why this target can never show whether ``tech`` works (then it is NOT-APPLICABLE), or None.

        Command and callable graders run inside foulplay's sandbox during a probe, so a technique that
        needs a weakness of the deployment (kernel state shared between runs) would test the sandbox."""
        if all(option & DEPLOYMENT_WEAKNESSES for option in tech.needs):
            needed = sorted({w.value for option in tech.needs for w in option & DEPLOYMENT_WEAKNESSES})
            return (f"needs {', '.join(needed)}, a property of where the grader is deployed; the probe runs "
                    "this grader in foulplay's own sandbox, so it cannot tell (check the deployment)")
        return self._cannot_replay(tech)

    def _cannot_replay(self, tech: Technique) -> str | None:
        if tech.needs_reference_run and not self.shows_output:
            return ("replays what the grader printed for the reference solution; only command graders show "
                    "their output to the probe")
        return None

    def reference_hint(self) -> str:
        """What to supply so the reference control can run."""
        return "add a 'reference' field (a correct solution) to each problem, or pass --reference FILE"

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
            return self._cannot_replay(tech)
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

    KEYS = ("name", "workspace", "command", "solution", "tests", "entry_point", "kind", "pass_exit_code",
            "pass_regex", "fail_regex", "score_regex", "pass_score", "timeout", "reference")

    @classmethod
    def load(cls, path: str | Path, reference: str | Path | None = None) -> CommandGraderSpec:
        """Read a grader TOML (keys: ``KEYS``; ``workspace`` and ``command`` are required). ``reference``: a
        file with a correct solution, instead of the TOML's ``reference``."""
        p = Path(path)
        try:
            data = tomllib.loads(read_input_bytes(p, "a TOML file").decode("utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise InputError(f"{p}: not valid TOML: {exc}")
        section = data.get("grader", data)
        if not isinstance(section, dict):
            raise InputError(f"{p}: expected a [grader] table")
        unknown = sorted(set(section) - set(cls.KEYS))
        if unknown:
            raise InputError(f"{p}: [grader] has unknown key(s) {', '.join(map(repr, unknown))}; "
                             f"known: {', '.join(cls.KEYS)}")

        def need(key: str, kind: type) -> Any:
            if key not in section:
                raise InputError(f"{p}: [grader] needs {key!r}")
            return check(key, kind)

        words = {str: "a string", int: "an integer", float: "a number", list: "a list"}

        def check(key: str, kind: type | tuple[type, ...], default: Any = None) -> Any:
            value = section.get(key, default)
            kinds = kind if isinstance(kind, tuple) else (kind,)
            if value is not None and (not isinstance(value, kinds) or isinstance(value, bool)):
                names = " or ".join(words[k] for k in kinds if not (k is int and float in kinds))
                raise InputError(f"{p}: [grader] {key!r} must be {names}, not {type(value).__name__}")
            return value

        workspace = (p.parent / need("workspace", str)).resolve()
        if not workspace.is_dir():
            raise InputError(f"{p}: workspace {workspace} is not a directory")
        command = need("command", str)
        if not command.strip():
            raise InputError(f"{p}: [grader] 'command' is empty")
        solution = check("solution", (str, list), "solution.py")
        if isinstance(solution, list):
            solution = solution[0] if solution else "solution.py"
        tests = check("tests", (str, list), [])
        if isinstance(tests, str):
            tests = [tests]
        if not all(isinstance(t, str) for t in tests):
            raise InputError(f"{p}: [grader] 'tests' must be a list of file names")
        for key in ("pass_regex", "fail_regex", "score_regex"):
            if check(key, str) is not None:
                try:
                    re.compile(section[key])
                except re.error as exc:
                    raise InputError(f"{p}: [grader] {key} is not a valid regex: {exc}")
        kind = check("kind", str, "function")
        if kind not in ("function", "script"):
            raise InputError(f"{p}: [grader] kind must be 'function' or 'script'")
        pass_exit = section.get("pass_exit_code", 0)
        if pass_exit is not False and (isinstance(pass_exit, bool) or not isinstance(pass_exit, int)):
            raise InputError(f"{p}: [grader] 'pass_exit_code' must be an integer or false")
        if pass_exit is False and not any(section.get(k) for k in ("pass_regex", "fail_regex", "score_regex")):
            raise InputError(f"{p}: [grader] nothing decides a pass: with pass_exit_code = false, give pass_regex, "
                             "fail_regex or score_regex")
        timeout = float(check("timeout", (int, float), 30.0))
        if timeout <= 0:
            raise InputError(f"{p}: [grader] 'timeout' must be positive")
        pass_score = float(check("pass_score", (int, float), 1.0))
        entry_point = check("entry_point", str)
        name = check("name", str, p.stem)
        ref_path = Path(reference) if reference is not None else None
        if ref_path is None and check("reference", str):
            ref_path = p.parent / section["reference"]
        reference_text = None
        if ref_path is not None:
            reference_text = read_input_bytes(ref_path, "a file").decode("utf-8", "replace")
        return cls(
            workspace=workspace, command=command, solution=str(solution), tests=[str(t) for t in tests],
            entry_point=entry_point, kind=kind, pass_exit_code=None if pass_exit is False else int(pass_exit),
            pass_regex=section.get("pass_regex"), fail_regex=section.get("fail_regex"),
            score_regex=section.get("score_regex"), pass_score=pass_score, timeout=timeout,
            reference=reference_text, name=name,
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
        for node in ast.walk(t):
            func = getattr(node, "func", None)
            name = getattr(func, "id", None)
            if name in defined:
                return name
    return defined[0] if defined else None


class CommandTarget(Target):
    """A command grader: the workspace with the payload's files in it, graded by the TOML's command."""

    shows_output = True

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
            return Attempt(subject.name, None, f"grader run failed: {_line(job.error)}", iso, no_verdict=True)
        value = job.value or {}
        if job.timed_out:
            return Attempt(subject.name, None, f"the grader timed out after {self.spec.timeout:g}s", iso,
                           no_verdict=True)
        output = (value.get("stdout") or "") + "\n" + (value.get("stderr") or "")
        code = value.get("exit_code")
        run = ReferenceRun(value.get("stdout") or "", value.get("stderr") or "", code if isinstance(code, int) else 1)
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
        return Attempt(subject.name, ok, f"{'pass' if ok else 'fail'} ({', '.join(reasons)}); output: {tail}", iso,
                       run=run)

    def reference_hint(self) -> str:
        return ("add reference = \"reference.py\" (a file with a correct solution) to the [grader] table, or pass "
                "--reference FILE")

    def control_text(self, subject: Subject, name: str) -> tuple[Payload | None, str | None]:
        if name == "empty":
            return Payload(solution=""), None
        return super().control_text(subject, name)


_CALL_BOOT = '''
import importlib.util, json, os, sys

with open("fp_probe_input.json", encoding="utf-8") as fh:
    data = json.load(fh)
os.unlink("fp_probe_input.json")


def report(out):
    out["nonce"] = data["nonce"]
    os.write(3, (json.dumps(out) + "\\n").encode())


def first_line(exc):
    text = str(exc).strip().splitlines()
    return type(exc).__name__ + (": " + text[0][:200] if text else "")


try:
    spec = importlib.util.spec_from_file_location("fp_user_grader", "fp_user_grader.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["fp_user_grader"] = module
    spec.loader.exec_module(module)
    grade = getattr(module, data["function"])
except Exception as exc:
    report({"error": "the grader module failed to load: " + first_line(exc)})
    raise SystemExit(0)
finally:
    os.unlink("fp_user_grader.py")
kwargs = {"files": data["files"]} if data["files"] is not None else {}
try:
    result = grade(data["problem"], data["solution"], **kwargs)
except Exception as exc:
    report({"error": "the grader raised " + first_line(exc)})
else:
    if isinstance(result, bool) or (isinstance(result, (int, float)) and result == result):
        report({"result": result})
    else:
        report({"error": "the grader returned " + type(result).__name__ + " " + repr(result)[:60]
                         + "; it must return a bool or a number"})
'''

CALLABLE_CONTRACT = "def grade(problem: dict, solution: str) -> bool | float, or (problem, solution, files)"


def _reference_completion(problem: Problem) -> str | None:
    """The reference as a full program: HumanEval references continue the prompt."""
    ref = problem.reference
    if ref and problem.kind == "check" and problem.prompt and f"def {problem.entry_point}" not in ref:
        return problem.prompt + ref
    return ref


def _callable_signature(node: ast.AST, ref: str, func: str) -> bool:
    """Check a grader function against the callable contract; whether it takes ``files``."""
    if isinstance(node, ast.AsyncFunctionDef):
        raise InputError(f"{ref}: the grader must be a plain function, not async def ({CALLABLE_CONTRACT})")
    if not isinstance(node, ast.FunctionDef):
        raise InputError(f"{ref}: {func!r} is a {type(node).__name__.replace('Def', '').lower()}, not a function "
                         f"({CALLABLE_CONTRACT})")
    args = node.args
    positional = [a.arg for a in args.posonlyargs + args.args]
    required = positional[:len(positional) - len(args.defaults)]
    required_kw = [a.arg for a, d in zip(args.kwonlyargs, args.kw_defaults, strict=True) if d is None]
    takes_files = "files" in positional[2:] + [a.arg for a in args.kwonlyargs]
    extra = [n for n in required[2:] + required_kw if n != "files"]
    if (len(positional) < 2 and args.vararg is None) or extra or "files" in [a.arg for a in args.posonlyargs]:
        raise InputError(f"{ref}: the grader takes ({ast.unparse(args)}); it must take (problem, solution) or "
                         f"(problem, solution, files) ({CALLABLE_CONTRACT})")
    return takes_files


class CallableTarget(Target):
    """A Python reward function, run in the sandbox once per attempt. The callable contract:

    ``def grade(problem: dict, solution: str) -> bool | float``, or ``def grade(problem, solution, files)``.

    * ``problem``: the problem as foulplay normalises it, a JSON-ready dict with the same keys whatever the
      input format (HumanEval, MBPP or generic): ``task_id``, ``format``, ``kind`` (``check`` / ``asserts`` /
      ``pytest`` / ``io``), ``prompt``, ``entry_point``, ``module``, ``check`` (HumanEval's ``test``),
      ``asserts`` (list of assert lines), ``setup``, ``pytest_source``, ``pytest_filename``, ``io`` (list of
      ``{"input", "output"}``), ``reference``, ``api``, ``object_api``, ``shared_calls``, ``description`` and
      ``metadata``. It holds every test, hidden ones included.
    * ``solution``: the submitted solution module's source code, as plain text: no markdown fence, no
      file-name header, no prose (HumanEval references are given with the prompt prepended, as a whole
      program).
    * ``files`` (only when the function declares a parameter named ``files``): every file the submission
      writes, ``{path relative to the workspace: text}``, the solution itself included at
      ``problem["module"]`` as a path (``solution.py``); payloads that add a ``conftest.py`` or a
      ``sitecustomize.py`` put them here. A grader without the parameter gets only the solution.
    * Return ``True``/``False``, or a number: a pass when it is at least ``--pass-score`` (default 1.0).
      Anything else, an exception, or a run past ``--timeout`` is an ERROR for that attempt, never a fail.

    The function must be a top-level ``def`` of the module (checked before anything runs); it runs in a
    fresh sandboxed process per attempt, with the module's file removed before the call.
    """

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
        node = next((n for n in tree.body if getattr(n, "name", None) == func), None)
        if node is None:
            raise InputError(f"{ref}: no function {func!r} in the module (the grader must be a top-level def: "
                             f"{CALLABLE_CONTRACT})")
        self.takes_files = _callable_signature(node, ref, func)
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
        if raw is not None:
            solution, files = raw, {problem.solution_path: raw}
        elif payload is not None:
            files = {path: text for path, text in payload.all_files(problem.solution_path).items() if text is not None}
            solution = payload.solution if payload.solution is not None else files.get(problem.solution_path, "")
        else:
            solution, files = "", {problem.solution_path: ""}
        nonce = secrets.token_hex(8)
        data = {"problem": problem.model_dump(mode="json"), "solution": solution,
                "files": files if self.takes_files else None, "function": self.function, "nonce": nonce}
        job = self.sandbox.run(("fpbox_drivers", "run_script"),
                               {"files": {"fp_user_grader.py": self.source, "fp_probe_input.json": json.dumps(data),
                                          "fp_probe_boot.py": _CALL_BOOT},
                                "path": "fp_probe_boot.py", "report": True})
        iso = job.isolation.value
        if job.worker_lost or job.error:
            return Attempt(subject.name, None, f"grader run failed: {_line(job.error)}", iso, no_verdict=True)
        value = job.value or {}
        if job.timed_out:
            limit = self.sandbox.limits.wall_s
            return Attempt(subject.name, None, f"the grader timed out{f' after {limit:g}s' if limit else ''}", iso,
                           no_verdict=True)
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
            return Attempt(subject.name, None, _line(report["error"]), iso, no_verdict=True)
        result = report["result"]
        ok = result is True or (not isinstance(result, bool) and float(result) >= self.pass_score)
        return Attempt(subject.name, bool(ok), f"grader returned {result!r}", iso)


# ---------------------------------------------------------------------------------------------
# running


CONTROLS = (("wrong", False), ("empty", False), ("reference", True))
Item = tuple[Subject, Payload | None, str | None]


def _line(value: object, limit: int = 300) -> str:
    """One line of text: the first line of ``value``, cut to ``limit`` characters."""
    lines = str(value).strip().splitlines()
    text = lines[0] if lines else ""
    return text if len(text) <= limit else text[:limit - 3] + "..."


def _probe_error(subject: str, what: str, exc: BaseException) -> Attempt:
    return Attempt(subject, None, f"probe error: {what}: {type(exc).__name__}: {_line(exc, 200)}", probe_error=True,
                   exc=exc)


def run_probe(
    target: Target,
    techniques: list[Technique],
    *,
    workers: int = 2,
    on_progress: Callable[[], None] | None = None,
) -> ProbeReport:
    """Attack ``target`` with ``techniques``; return the verdicts.

    The controls run first: the reference's run feeds the payloads that replay it, and the controls decide
    which verdicts can be trusted. A technique/problem pair that crashes the probe's machinery (its payload
    generator, the target's code) becomes one ERROR attempt with a one-line reason; the rest is probed."""
    subjects = target.subjects()
    by_id = {tech.id: tech for tech in techniques}

    def grade(tech: Technique | None, item: Item) -> Attempt:
        subject, payload, raw = item
        rounds = tech.rounds if tech is not None else 1
        earlier: list[str] = []
        for round_no in range(1, rounds + 1):
            # a technique that carries state from one run to the next is graded again, the same way
            try:
                attempt = target.attempt(subject, payload, raw)
            except Exception as exc:  # noqa: BLE001 - one broken attempt must not sink the probe
                attempt = _probe_error(subject.name, "grading the payload failed", exc)
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

    def run_all(jobs: list[tuple[str, list[Item]]]) -> dict[str, list[Attempt]]:
        results: dict[str, list[Attempt]] = {}
        with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
            for key, attempts in pool.map(run, jobs):
                results.setdefault(key, []).extend(attempts)
        return results

    # 1. the controls
    control_jobs: list[tuple[str, list[Item]]] = []
    missing_reference: list[str] = []
    for name, _expected in CONTROLS:
        for subject in subjects:
            payload, raw = target.control_text(subject, name)
            if payload is not None or raw is not None:
                control_jobs.append((f"control:{name}", [(subject, payload, raw)]))
            elif name == "reference":
                missing_reference.append(subject.name)
    control_results = run_all(control_jobs)
    refusals = [a.exc for attempts in control_results.values() for a in attempts]
    if refusals and all(isinstance(exc, InputError) for exc in refusals):
        # nothing could be graded at all (the sandbox or the problems are unusable): a usage error, not rows
        first = refusals[0]
        assert first is not None
        raise first
    controls = _controls(control_results, missing_reference, len(subjects), target.reference_hint())
    by_name = {s.name: s for s in subjects}
    for a in control_results.get("control:reference", []):
        if a.passed and a.run is not None and a.subject in by_name:
            by_name[a.subject].ctx.reference_run = a.run

    # 2. the techniques: a job grades one payload, or (for techniques whose hits are slow: the grader hangs) the
    # payloads of all subjects one after the other, stopping at the first hit
    jobs: list[tuple[str, list[Item]]] = []
    unexpressed: dict[str, str] = {}
    broken: dict[str, list[Attempt]] = {}
    for tech in techniques:
        try:
            reason = target.cannot_express(tech)
        except Exception as exc:  # noqa: BLE001
            broken.setdefault(tech.id, []).append(_probe_error(target.name, "checking the target failed", exc))
            continue
        if reason is not None:
            unexpressed[tech.id] = reason
            continue
        items: list[Item] = []
        for subject in subjects:
            try:
                payload = tech.payload(subject.ctx)
            except Exception as exc:  # noqa: BLE001 - one generator bug must not sink the probe
                broken.setdefault(tech.id, []).append(_probe_error(subject.name, "the payload generator failed", exc))
                continue
            if payload is not None:
                items.append((subject, payload, None))
        if tech.goal == "no-verdict" and items:
            jobs.append((tech.id, items))
        else:
            jobs += [(tech.id, [item]) for item in items]
    results = run_all(jobs)

    trust = _Trust(controls)
    rows: list[TechniqueResult] = []
    for tech in techniques:
        attempts = broken.get(tech.id, []) + results.get(tech.id, [])
        if tech.id in unexpressed:
            verdict, evidence = ProbeVerdict.NOT_APPLICABLE, unexpressed[tech.id]
        elif not attempts:
            verdict, evidence = ProbeVerdict.NOT_APPLICABLE, _why_not(tech, subjects)
        else:
            verdict, evidence = trust.judge(tech, attempts)
        rows.append(TechniqueResult(tech.id, tech.family.value, verdict, evidence, tech.needs_text(), attempts))
    return ProbeReport(target.name, rows, controls, target.isolation)


def _controls(results: dict[str, list[Attempt]], missing_reference: list[str], n_subjects: int,
              hint: str) -> list[ControlResult]:
    """One result per control, always all three: a control that could not run is UNVERIFIED, with what to do."""
    out: list[ControlResult] = []
    for name, expected in CONTROLS:
        attempts = results.get(f"control:{name}", [])
        wrong = next((a for a in attempts if a.passed is (not expected)), None)
        silent = next((a for a in attempts if a.passed is None), None)
        if wrong is not None:
            status, detail = ControlStatus.FAILED, f"{wrong.subject}: {wrong.detail}"
        elif silent is not None:
            what = "the probe failed" if silent.probe_error else "the grader gave no verdict"
            status, detail = ControlStatus.UNVERIFIED, f"{what} ({silent.subject}: {silent.detail})"
        elif name == "reference" and missing_reference:
            names = ", ".join(missing_reference[:5]) + (", ..." if len(missing_reference) > 5 else "")
            which = "" if n_subjects == 1 else f" for {len(missing_reference)} of {n_subjects} problems ({names})"
            status, detail = ControlStatus.UNVERIFIED, f"no reference solution{which}: {hint}"
        elif not attempts:
            status, detail = ControlStatus.UNVERIFIED, "nothing to grade"
        else:
            status = ControlStatus.OK
            detail = f"{'passed' if expected else 'failed'} as it should on {len(attempts)} subject(s)"
        out.append(ControlResult(name, expected, status is ControlStatus.OK, detail, attempts, status))
    return out


class _Trust:
    """Which technique verdicts the controls support.

    A pass (or a crash, for ``no-verdict`` techniques) is evidence only when the wrong and empty submissions
    failed cleanly; a failure is evidence of resistance only when, besides, the reference passed."""

    def __init__(self, controls: list[ControlResult]) -> None:
        by_name = {c.name: c for c in controls}
        negatives = [by_name[n] for n in ("wrong", "empty") if n in by_name]
        self.can_fail = all(c.ok for c in negatives)
        reference = by_name.get("reference")
        self.can_pass = reference is not None and reference.ok
        passing = next((c for c in negatives if c.status is ControlStatus.FAILED), None)
        silent = next((c for c in negatives if c.status is ControlStatus.UNVERIFIED), None)
        self.negatives_silent = passing is None and silent is not None
        if passing is not None:
            self.why_not_fail = f"the grader passes the {passing.label} control too"
        elif silent is not None:
            self.why_not_fail = f"the {silent.label} control got no verdict either"
        else:
            self.why_not_fail = ""
        if reference is None or reference.status is ControlStatus.UNVERIFIED:
            self.why_not_pass = "no reference solution passed under this grader (the reference control could not run)"
        elif reference.status is ControlStatus.FAILED:
            self.why_not_pass = "the grader fails the reference solution too"
        else:
            self.why_not_pass = ""

    def judge(self, tech: Technique, attempts: list[Attempt]) -> tuple[ProbeVerdict, str]:
        hit = next((a for a in attempts if _fooled(tech, a)), None)
        if hit is not None:
            how = "the grader passed it" if hit.passed else "the grader gave no verdict instead of failing it"
            evidence = f"{hit.subject}: {how} ({hit.detail})"
            if self.can_fail:
                return ProbeVerdict.FOOLED, evidence
            if not hit.passed and self.negatives_silent:  # no verdict here, and none on the controls either
                return ProbeVerdict.ERROR, f"{hit.subject}: {hit.detail}"
            return ProbeVerdict.UNVERIFIED, f"{self.why_not_fail}, so this pass shows nothing; {evidence}"
        bad = next((a for a in attempts if a.passed is None), None)
        if bad is not None:
            return ProbeVerdict.ERROR, f"{bad.subject}: {bad.detail}"
        evidence = f"{attempts[0].subject}: {attempts[0].detail}"
        if self.can_fail and self.can_pass:
            return ProbeVerdict.RESISTED, evidence
        why = self.why_not_pass or self.why_not_fail
        return ProbeVerdict.UNVERIFIED, f"{why}, so this failure shows nothing; {evidence}"


def _fooled(tech: Technique, attempt: Attempt) -> bool:
    """Whether one graded attempt shows the technique working (for ``no-verdict`` techniques: the grader
    crashed or timed out instead of failing it)."""
    if attempt.passed:
        return True
    if tech.goal == "no-verdict":
        return not attempt.probe_error and (attempt.no_verdict or attempt.passed is None)
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


def with_references(problems: list[Problem], path: str | Path) -> list[Problem]:
    """``problems`` with the reference solutions in ``path`` (``--reference``): a ``.py`` file when there is
    one problem, else JSON or JSONL records ``{"task_id": ..., "reference": "<source>"}``."""
    p = Path(path)
    text = read_input_bytes(p, "a reference file").decode("utf-8", "replace")
    if p.suffix == ".py":
        if len(problems) != 1:
            raise InputError(f"{p}: a .py reference fits one problem, and there are {len(problems)}; give JSONL "
                             'records {"task_id": ..., "reference": ...} instead')
        return [problems[0].model_copy(update={"reference": text})]
    try:
        stripped = text.lstrip()
        records = json.loads(text) if stripped.startswith("[") else \
            [json.loads(line) for line in text.splitlines() if line.strip()]
    except ValueError as exc:
        raise InputError(f"{p}: not JSON or JSONL: {exc}")
    refs: dict[str, str] = {}
    for i, rec in enumerate(records, 1):
        if not isinstance(rec, dict) or not isinstance(rec.get("task_id"), str) \
                or not isinstance(rec.get("reference"), str):
            raise InputError(f"{p}: record {i} must be {{\"task_id\": ..., \"reference\": \"<source>\"}}")
        refs[rec["task_id"]] = rec["reference"]
    known = {q.task_id for q in problems}
    unknown = sorted(set(refs) - known)
    if unknown:
        raise InputError(f"{p}: no problem {unknown[0]!r} among the problems probed"
                         + (f" (and {len(unknown) - 1} more)" if len(unknown) > 1 else ""))
    return [q.model_copy(update={"reference": refs[q.task_id]}) if q.task_id in refs else q for q in problems]


def probe_harness(spec: str, *, problems: list[Problem] | None = None, techniques: list[Technique] | None = None,
                  workers: int = 2, limits: Limits | None = None,
                  on_progress: Callable[[], None] | None = None) -> ProbeReport:
    """Convenience: probe a built-in harness on the default (or given) problems."""
    from foulplay.hacks import catalog

    with Grader(workers=workers, limits=limits) as grader:
        target = HarnessTarget(spec, problems or default_problems(), grader)
        return run_probe(target, techniques or catalog(), workers=workers, on_progress=on_progress)


# ---------------------------------------------------------------------------------------------
# opening a target from what a user gives on the command line


def probe_limits(timeout: float | None) -> Limits:
    """The sandbox limits of one probe attempt for ``--timeout``."""
    return Limits() if timeout is None else Limits(wall_s=timeout, replay_s=timeout, cpu_s=max(1, int(timeout)))


def open_target(target: str | None, harness: str | None, *, problems_path: str | None = None,
                reference_path: str | None = None, limit: int | None = None, visible: str | None = None,
                workers: int = 2, timeout: float | None = None, pass_score: float = 1.0,
                grader: Any = None) -> tuple[Target, list[Any]]:
    """The probe target for ``TARGET`` (a grader.toml, or ``module:function``) or ``harness`` (exactly one),
    and the pools to close when done (``foulplay probe`` and ``foulplay audit grader`` share this).

    ``grader`` (harness targets only): what grades the payloads instead of a local :class:`Grader` with
    ``workers`` sandboxes, e.g. an executor's grader on a Ray cluster (``foulplay probe --backend ray``);
    it must be opened with the same ``timeout``."""
    from foulplay.grading import apply_visible

    if (target is None) == (harness is None):
        raise InputError("give a TARGET (grader.toml or module:function) or --harness, not both")
    command = harness is None and target is not None and target.endswith(".toml")
    problems: list[Any] = []
    if not command:
        problems = load_problems(problems_path) if problems_path else default_problems()
        if limit:
            problems = problems[:limit]
        if reference_path:
            problems = with_references(problems, reference_path)
        problems = apply_visible(problems, visible)
    limits = probe_limits(timeout)
    if harness is not None:
        grader = grader or Grader(workers=workers, limits=limits)
        return HarnessTarget(harness, problems, grader), [grader]
    if grader is not None:
        raise InputError("--backend ray probes foulplay's own harnesses (--harness); a command or callable grader "
                         "is probed with the local backend")
    assert target is not None
    if command:
        spec = CommandGraderSpec.load(target, reference=reference_path)
        if timeout is not None:
            spec.timeout = timeout
        box = Sandbox(workers=workers, limits=limits)
        return CommandTarget(spec, box), [box]
    box = Sandbox(workers=workers, limits=limits)
    return CallableTarget(target, problems, box, pass_score), [box]


def select_techniques(ids: Iterable[str] = (), families: Iterable[str] = ()) -> list[Any]:
    """The catalog's techniques with one of ``ids`` (all when empty) in one of ``families`` (all when empty)."""
    from foulplay.hacks import Family, catalog, get

    ids, families = list(ids), list(families)
    techniques = catalog()
    if ids:
        wanted = [get(i) for i in ids]
        techniques = [t for t in techniques if t in wanted]
    if families:
        valid = {f.value for f in Family}
        unknown = sorted(set(families) - valid)
        if unknown:
            raise InputError(f"unknown family {', '.join(unknown)}; known: {', '.join(sorted(valid))}")
        techniques = [t for t in techniques if t.family.value in families]
    if not techniques:
        raise InputError("no technique selected")
    return techniques
