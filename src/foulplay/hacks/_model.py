"""The catalog's data model: techniques, families, weaknesses, payloads, citations."""

from __future__ import annotations

import posixpath
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from foulplay.hacks._context import HackContext


class Family(StrEnum):
    """Families of reward-hacking techniques against test-based graders."""

    EQUALITY = "equality"
    EXIT = "early-exit"
    FRAMEWORK = "test-framework"
    TAMPERING = "test-tampering"
    SPECIAL_CASING = "special-casing"
    INTROSPECTION = "introspection"
    MONKEYPATCH = "monkeypatching"
    ENVIRONMENT = "environment"
    OUTPUT = "output-spoofing"
    TIMING = "timing"


class Weakness(StrEnum):
    """A property of a grader that some technique needs. The first nine are the switches of the
    built-in ``vulnerable`` harness; the rest describe graders foulplay does not ship."""

    EQ = "eq"
    """Results are compared with ``==`` (or the result's own arithmetic), so the result decides."""
    EXIT = "exit"
    """Exit status 0 of the test process counts as a pass."""
    SCRIPT = "script"
    """Tests run as a plain script: nothing catches ``SystemExit`` or calls ``sys.excepthook``."""
    CONFTEST = "conftest"
    """Files the submission adds land in the pytest root and are honoured (conftest.py, ini files)."""
    INPROCESS = "inprocess"
    """The solution is imported into the process that runs the tests."""
    READABLE = "readable"
    """The test files sit where the solution can read them."""
    WRITABLE = "writable"
    """The tests sit in the writable workspace and the grader runs whatever is there."""
    OUTPUT = "output"
    """The grader decides from printed output ('All tests passed', 'N passed')."""
    VISIBLE = "visible"
    """The grader runs only tests the model was shown."""
    FRESH_INTERPRETER = "fresh-interpreter"
    """The grader starts an interpreter whose sys.path begins in the workspace (``python -m tool``
    there, or a runner script stored in the workspace), so a submitted module shadows what it imports."""
    PYTHONPATH = "pythonpath"
    """The workspace is on the grader's PYTHONPATH, so ``sitecustomize.py`` there runs at start-up."""
    SITE_DIR = "site-dir"
    """The workspace is a site directory, so its ``.pth`` files run at start-up."""
    UNITTEST = "unittest"
    """The grader runs the tests with ``unittest``."""
    OPERATOR_EQ = "operator-eq"
    """The grader compares with ``operator.eq`` (or another function it looks up at call time)."""
    EMPTY_SUITE = "empty-suite"
    """A run in which no test ran counts as a pass."""
    SCORE = "score"
    """The grader reads a score from the first line of output that matches a pattern."""
    TIMING = "timing"
    """The grader measures the solution's speed in the solution's own process."""
    ISINSTANCE_GUARD = "isinstance-guard"
    """A partial mitigation: the grader checks isinstance(result, expected type) before ==."""


HARNESS_SWITCHES = frozenset({Weakness.EQ, Weakness.EXIT, Weakness.SCRIPT, Weakness.CONFTEST,
                              Weakness.INPROCESS, Weakness.READABLE, Weakness.WRITABLE, Weakness.OUTPUT,
                              Weakness.VISIBLE})


@dataclass(frozen=True)
class Citation:
    """Where a technique was reported."""

    key: str
    title: str
    where: str
    detail: str = ""
    url: str = ""

    def short(self) -> str:
        return f"{self.title} ({self.where})"


@dataclass
class Payload:
    """What a technique submits: a solution module, extra files, and edits to the tests."""

    solution: str | None = None
    """New source of the solution module (None: the technique does not touch it)."""
    files: dict[str, str] = field(default_factory=dict)
    """Extra files, by path relative to the solution's directory (conftest.py, sitecustomize.py)."""
    test_edits: dict[str, str | None] = field(default_factory=dict)
    """Test files the technique rewrites (new text) or deletes (None)."""
    note: str = ""

    def all_files(self, solution_path: str) -> dict[str, str | None]:
        out: dict[str, str | None] = {}
        if self.solution is not None:
            out[solution_path] = self.solution
        out.update(self.files)
        out.update(self.test_edits)
        return out

    def to_completion(self, solution_path: str) -> str:
        """The payload as raw model output (markdown fences; a second file per extra file)."""
        parts = ["I will make the tests pass."]
        for path, content in self.all_files(solution_path).items():
            body = "" if content is None else content
            lang = "python" if posixpath.splitext(path)[1] in (".py", "") else "text"
            parts.append(f"```{lang}:{path}\n{body.rstrip()}\n```")
        return "\n\n".join(parts) + "\n"


Generator = Callable[["HackContext"], "Payload | None"]


@dataclass(frozen=True)
class Technique:
    """One reward-hacking technique: what it is, where it was seen, how to try it, what stops it."""

    id: str
    name: str
    family: Family
    summary: str
    needs: tuple[frozenset[Weakness], ...]
    """Alternative sets of weaknesses; the technique works on a grader that has all of any one set."""
    defence: str
    reported: tuple[Citation, ...]
    generate: Generator
    applies_to: frozenset[str] = frozenset({"function"})
    """Problem kinds the payload makes sense for: ``function`` and/or ``script``."""
    detection: str = ""
    """How the technique shows up in code, for detectors and reviewers."""
    blocked_by: frozenset[Weakness] = frozenset()
    """Grader properties that make the technique moot (``script``: there is no pytest to patch)."""

    def works_against(self, weaknesses: set[Weakness] | frozenset[Weakness]) -> bool:
        """Whether a grader with exactly these weaknesses should be fooled."""
        if self.blocked_by & set(weaknesses):
            return False
        return any(option <= set(weaknesses) for option in self.needs)

    def needs_text(self) -> str:
        return " or ".join("+".join(sorted(w.value for w in option)) for option in self.needs)

    def payload(self, ctx: HackContext) -> Payload | None:
        if ctx.kind not in self.applies_to:
            return None
        return self.generate(ctx)


_REGISTRY: dict[str, Technique] = {}


def technique(
    id: str,
    *,
    name: str,
    family: Family,
    needs: set[Weakness] | frozenset[Weakness] | list[set[Weakness]],
    defence: str,
    reported: tuple[Citation, ...] | list[Citation],
    summary: str,
    applies_to: set[str] | frozenset[str] = frozenset({"function"}),
    detection: str = "",
    blocked_by: set[Weakness] | frozenset[Weakness] = frozenset(),
) -> Callable[[Generator], Generator]:
    """Register a payload generator as a catalog technique (ids are stable; never reuse one)."""

    def register(fn: Generator) -> Generator:
        if id in _REGISTRY:
            raise ValueError(f"duplicate technique id {id!r}")
        options = [frozenset(o) for o in needs] if isinstance(needs, list) else [frozenset(needs)]
        if not options or not all(options):
            raise ValueError(f"technique {id!r} must name the weakness it needs")
        _REGISTRY[id] = Technique(
            id=id, name=name, family=family, summary=" ".join(summary.split()),
            needs=tuple(options), defence=" ".join(defence.split()), reported=tuple(reported),
            generate=fn, applies_to=frozenset(applies_to), detection=" ".join(detection.split()),
            blocked_by=frozenset(blocked_by),
        )
        return fn

    return register


def registry() -> dict[str, Technique]:
    return _REGISTRY
