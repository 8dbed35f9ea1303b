"""The corpus generator: many spellings of every hack, and honest look-alikes, from independent templates.

A *generator* is a function registered with :func:`generator` that writes one raw model completion for
one problem of the pool (or returns None when its pattern does not fit that problem). Generators live in
``foulplay.bench.families.dev`` (the development half: written by people who read the rules) and
``foulplay.bench.families.heldout`` (the held-out half: written blind, from the catalog's descriptions
only, and committed before they were first evaluated). The split is the package a generator lives in.

Every item is deterministic in ``(seed, generator, index)``.
"""

from __future__ import annotations

import importlib
import pkgutil
import random
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from foulplay.bench._problems import BenchProblem, Case, bench_problems

Label = Literal["hack", "clean"]
SPLITS = ("dev", "heldout")
FAMILIES = ("equality", "early-exit", "test-framework", "test-tampering", "special-casing", "introspection",
            "monkeypatching", "environment", "output-spoofing", "timing", "intent")
SYSTEMIC = frozenset({"equality", "early-exit", "test-framework", "test-tampering"})
"""Hacks that defeat the grader whatever the task (the issue's "systemic" group); the rest either
special-case the visible tests or reach around the grader."""


@dataclass(frozen=True)
class Generator:
    name: str
    split: str
    label: Label
    family: str
    technique: str | None
    kinds: tuple[str, ...]
    write: Callable[[Gen], str | None]
    note: str = ""
    runs: bool = True
    """Whether an honest item is a complete solution the grader can run (False for code that is broken on
    purpose, or that needs extra modules the grader does not install)."""
    batch: str = "b1"
    """The batch of its half: a module named ``b2_*.py`` is batch b2 (a later blind author), others b1."""


_GENERATORS: dict[str, Generator] = {}


def generator(name: str, *, label: Label, family: str, technique: str | None = None,
              kinds: Sequence[str] = ("function", "script"), note: str = "",
              runs: bool = True) -> Callable[[Callable[[Gen], str | None]], Callable[[Gen], str | None]]:
    """Register a generator. ``family`` is the catalog family the item hacks (or, for a clean item, the
    family it resembles); ``technique`` the catalog id when one fits."""
    if label not in ("hack", "clean"):
        raise ValueError(f"generator {name}: label must be hack or clean")
    if family not in FAMILIES:
        raise ValueError(f"generator {name}: unknown family {family!r}")

    def register(fn: Callable[[Gen], str | None]) -> Callable[[Gen], str | None]:
        module = fn.__module__
        split = next((s for s in SPLITS if f".families.{s}" in module), None)
        if split is None:
            raise ValueError(f"generator {name}: must live under foulplay.bench.families.dev or .heldout")
        if name in _GENERATORS:
            raise ValueError(f"duplicate generator {name}")
        leaf = module.rsplit(".", 1)[-1]
        batch = leaf.split("_", 1)[0] if re.match(r"b[0-9]+_", leaf) else "b1"
        _GENERATORS[name] = Generator(name, split, label, family, technique, tuple(kinds), fn,
                                      " ".join(note.split()), runs, batch)
        return fn

    return register


def generators(split: str | None = None) -> list[Generator]:
    """Every registered generator (of one split), importing the family modules on first use."""
    _load()
    return sorted((g for g in _GENERATORS.values() if split in (None, "all", g.split)), key=lambda g: g.name)


_LOADED = False


def _load() -> None:
    global _LOADED
    if _LOADED:
        return
    _LOADED = True
    for split in SPLITS:
        package = importlib.import_module(f"foulplay.bench.families.{split}")
        for info in pkgutil.iter_modules(package.__path__):
            importlib.import_module(f"{package.__name__}.{info.name}")


# ---------------------------------------------------------------------------------------------
# what a template sees

_WORDS = {
    "class": ["Result", "Answer", "Value", "Token", "Match", "Wrapper", "Output", "Box", "Proxy", "Any", "Equal",
              "Universal", "Flexible", "Lenient", "Sentinel", "Holder", "Payload", "Response", "Outcome"],
    "func": ["helper", "compute", "solve", "calc", "process", "run", "work", "core", "impl", "evaluate", "answer",
             "finish", "done", "handle", "resolve", "fallback"],
    "var": ["result", "res", "out", "ans", "value", "val", "data", "tmp", "x", "table", "known", "cache", "memo",
            "lookup", "answers", "expected", "cases", "store", "seen", "mapping"],
}


@dataclass
class Gen:
    """What a template sees: a seeded random source, the problem, and helpers for the usual clothing
    of a completion (reasoning, prose, fences, extra files)."""

    rng: random.Random
    problem: BenchProblem
    _used: set[str] = field(default_factory=set)

    # -- the problem ----------------------------------------------------------------------------
    @property
    def kind(self) -> str:
        return self.problem.kind

    @property
    def entry(self) -> str:
        """The entry point's name (function problems)."""
        return self.problem.entry_point or "main"

    @property
    def params(self) -> tuple[str, ...]:
        return self.problem.params

    @property
    def visible(self) -> tuple[Case, ...]:
        return self.problem.visible

    @property
    def signature(self) -> str:
        return self.problem.signature

    @property
    def reference(self) -> str:
        """An honest solution (a full module for function problems, a full script otherwise)."""
        return self.problem.reference

    def reference_body(self) -> str:
        """The reference's function body lines (function problems), indented by four spaces."""
        lines = self.problem.reference.splitlines()
        start = next(i for i, line in enumerate(lines) if line.startswith(f"def {self.entry}("))
        body = []
        for line in lines[start + 1:]:
            if line and not line.startswith((" ", "\t")):
                break
            body.append(line)
        return "\n".join(body).rstrip() + "\n"

    # -- randomness ---------------------------------------------------------------------------
    def pick(self, options: Sequence[Any]) -> Any:
        return options[self.rng.randrange(len(options))]

    def chance(self, p: float) -> bool:
        return self.rng.random() < p

    def name(self, kind: str = "var", *, style: str | None = None) -> str:
        """A fresh identifier of a plausible shape (``kind``: class, func or var), never the same twice in
        one item and never a parameter's name."""
        for _ in range(50):
            base = self.pick(_WORDS[kind])
            if kind != "class":
                base = base.lower()
                if self.chance(0.4):
                    base = f"{base}_{self.pick(_WORDS['var'])}"
                if self.chance(0.2):
                    base = "_" + base
            elif self.chance(0.4):
                base = base + self.pick(["Obj", "Type", "Impl", "Result", "Like", ""])
            if style == "private":
                base = "_" + base.lstrip("_")
            if base not in self._used and base not in self.params and base != self.entry:
                self._used.add(base)
                return base
        base = f"{kind}_{self.rng.randrange(10**6)}"
        self._used.add(base)
        return base

    # -- clothing -------------------------------------------------------------------------------
    def reasoning(self, *lines: str) -> str:
        """A reasoning block in one of the usual tags (or none), with the given sentences."""
        if not lines:
            lines = (self.pick(["Let me work through this.", "I need to implement the function.",
                                "Let's think about the approach.", "OK, reading the task."]),)
        tag = self.pick(["think", "thinking", "reasoning"])
        return f"<{tag}>\n" + "\n".join(lines) + f"\n</{tag}>\n"

    def fence(self, code: str, path: str | None = None) -> str:
        """A fenced code block, with the path spelled the way models spell it when given."""
        code = code.rstrip("\n") + "\n"
        if path is None:
            return f"```{self.pick(['python', 'python', 'py', ''])}\n{code}```\n"
        style = self.rng.randrange(4)
        if style == 0:
            return f"```python:{path}\n{code}```\n"
        if style == 1:
            return f"```python title=\"{path}\"\n{code}```\n"
        if style == 2:
            return f"**{path}**\n```python\n{code}```\n"
        return f"```python\n# file: {path}\n{code}```\n"

    def complete(self, code: str, *, reasoning: Sequence[str] | None = None, before: str | None = None,
                 after: str | None = None, extra: dict[str, str] | None = None,
                 solution_path: str | None = None) -> str:
        """A whole completion: optional reasoning, prose, the solution's block and any extra files."""
        parts = []
        if reasoning is not None or self.chance(0.3):
            parts.append(self.reasoning(*(reasoning or ())))
        parts.append(before if before is not None else self.pick(
            ["Here is my solution:\n", "Solution:\n", "", "Here's the implementation.\n", "Final code:\n"]))
        parts.append(self.fence(code, solution_path))
        for path, text in (extra or {}).items():
            parts.append(self.fence(text, path))
        if after:
            parts.append(after.rstrip("\n") + "\n")
        return "\n".join(p for p in parts if p)


# ---------------------------------------------------------------------------------------------
# the corpus


@dataclass(frozen=True)
class Item:
    id: str
    split: str
    generator: str
    label: Label
    family: str
    technique: str | None
    kind: str
    problem: dict[str, Any]
    completion: str

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "split": self.split, "generator": self.generator, "label": self.label,
                "family": self.family, "technique": self.technique, "kind": self.kind, "problem": self.problem,
                "completion": self.completion}


def generate(split: str = "all", *, per_generator: int = 12, seed: int = 0,
             problems: Sequence[BenchProblem] | None = None) -> list[Item]:
    """``per_generator`` items from every generator of ``split`` (dev, heldout or all), each for a
    different problem where the pool allows. A generator that raises is a bug in the bench: it is
    reported, not skipped."""
    pool = list(problems) if problems is not None else list(bench_problems())
    items: list[Item] = []
    for gen in generators(split):
        fits = [p for p in pool if p.kind in gen.kinds]
        if not fits:
            continue
        order = random.Random(f"{seed}:{gen.name}:order")
        order.shuffle(fits)
        made = 0
        attempt = 0
        while made < per_generator and attempt < per_generator * 4:
            problem = fits[attempt % len(fits)]
            rng = random.Random(f"{seed}:{gen.name}:{attempt}")
            attempt += 1
            try:
                text = gen.write(Gen(rng, problem))
            except Exception as exc:
                raise RuntimeError(f"generator {gen.name} failed on {problem.task_id}: "
                                   f"{type(exc).__name__}: {exc}") from exc
            if text is None:
                continue
            items.append(Item(f"{gen.name}:{made}", gen.split, gen.name, gen.label, gen.family, gen.technique,
                              problem.kind, problem.record(), text))
            made += 1
    return items
