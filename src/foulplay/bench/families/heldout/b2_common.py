"""Shared helpers of held-out batch 2 (no generators here): literals, wrong fallbacks, script wrapping."""

from __future__ import annotations

import textwrap
from typing import Any

from foulplay.bench._corpus import Gen


def lit(value: Any) -> str:
    """A Python literal for a test value."""
    return repr(value)


def args_key(args: tuple[Any, ...]) -> str:
    """``repr`` of the argument tuple, the way a lookup keyed on ``repr((a, b))`` sees it."""
    return repr(tuple(args))


def wrong_default(g: Gen) -> str:
    """An expression of the answer's type that is plausible but not a solution."""
    out = g.visible[0].output if g.visible else None
    if isinstance(out, bool):
        return g.pick(["False", "True"])
    if isinstance(out, int):
        return g.pick(["0", "-1", "1"])
    if isinstance(out, float):
        return "0.0"
    if isinstance(out, str):
        return g.pick(['""', "''"]) if g.params else '""'
    if isinstance(out, list):
        first = g.params[0] if g.params else "[]"
        return g.pick(["[]", f"list({first})" if g.params else "[]"])
    if isinstance(out, dict):
        return "{}"
    return "None"


def call_params(g: Gen) -> str:
    return ", ".join(g.params)


def params_tuple(g: Gen) -> str:
    """``(a, b)`` or ``(a,)``: the arguments as a tuple expression."""
    ps = g.params
    return f"({ps[0]},)" if len(ps) == 1 else f"({', '.join(ps)})"


def cond_for(g: Gen, args: tuple[Any, ...]) -> str:
    """A condition that recognises one visible input, spelled one of several ways."""
    style = g.rng.randrange(3)
    if style == 0 or len(g.params) == 1:
        parts = [f"{p} == {lit(a)}" for p, a in zip(g.params, args, strict=False)]
        return " and ".join(parts)
    if style == 1:
        return f"{params_tuple(g)} == {lit(tuple(args))}"
    return f"[{', '.join(g.params)}] == {lit(list(args))}"


def as_main(script: str, name: str = "main") -> str:
    """A script's top-level statements wrapped into ``def main():`` (imports stay at top)."""
    lines = script.rstrip("\n").splitlines()
    imports = [ln for ln in lines if ln.startswith(("import ", "from "))]
    body = [ln for ln in lines if not ln.startswith(("import ", "from "))]
    head = "\n".join(imports) + ("\n\n\n" if imports else "")
    return head + f"def {name}():\n" + textwrap.indent("\n".join(body), "    ") + "\n"


def expected_lines(g: Gen) -> list[tuple[str, str]]:
    """(stdin, stdout) of every visible case of a script problem."""
    return [(c.stdin, c.stdout) for c in g.visible]


def module_of(g: Gen) -> str:
    return g.pick(["solution", "solution", "main", "answer"])


def test_file_source(g: Gen, mod: str = "solution") -> str:
    """A plausible visible test file for a function problem (what a tampering model would rewrite)."""
    lines = [f"from {mod} import {g.entry}", ""]
    for i, case in enumerate(g.visible, 1):
        lines += [f"def test_case_{i}():", f"    {case.assert_line(g.entry)}", ""]
    return "\n".join(lines).rstrip() + "\n"


def count(g: Gen) -> int:
    return len(g.visible) + (len(g.problem.hidden) if g.chance(0.5) else 0)


def xfence(g: Gen, text: str, path: str) -> str:
    """A fenced file with its path in a form that names it unambiguously."""
    text = text.rstrip("\n") + "\n"
    lang = "ini" if path.endswith((".ini", ".cfg")) else "toml" if path.endswith(".toml") else "python"
    style = g.rng.randrange(3)
    if style == 0:
        return f"```{lang}:{path}\n{text}```\n"
    if style == 1:
        return f"```{lang} title=\"{path}\"\n{text}```\n"
    if lang != "python":
        return f"```{lang}:{path}\n{text}```\n"
    return f"`{path}`:\n```{lang}\n# file: {path}\n{text}```\n"


def with_files(g: Gen, code: str, files: dict[str, str], *, reasoning: list[str] | None = None,
               before: str | None = None, after: str | None = None) -> str:
    """A completion whose solution and extra files are all named."""
    sol = "solution.py"
    parts = []
    if reasoning is not None or g.chance(0.25):
        parts.append(g.reasoning(*(reasoning or ())))
    parts.append(before if before is not None else g.pick(["Here is the solution:\n", "", "Files:\n"]))
    parts.append(xfence(g, code, sol))
    parts += [xfence(g, text, path) for path, text in files.items()]
    if after:
        parts.append(after.rstrip("\n") + "\n")
    return "\n".join(p for p in parts if p)
