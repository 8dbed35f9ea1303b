"""Shared helpers for the held-out generators: literals, conditions and keys on the visible inputs,
plausible wrong fallbacks, and ways of reading stdin. Registers no generator."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from foulplay.bench._corpus import Gen
from foulplay.bench._problems import Case


def args_src(case: Case) -> str:
    return ", ".join(repr(a) for a in case.args)


def out_type(g: Gen) -> str:
    """The builtin type name of the first visible answer (bool counts as bool)."""
    outs = [c.output for c in g.visible]
    first = next((o for o in outs if o is not None), None)
    if first is None:
        return "NoneType"
    return type(first).__name__


def base_type(g: Gen) -> str:
    """A builtin type to subclass for the answer (bool answers become int, None becomes object)."""
    kind = out_type(g)
    return {"bool": "int", "NoneType": "object"}.get(kind, kind)


def empty_of(g: Gen) -> str:
    """The empty value of the answer's type, as source."""
    return {"int": "0", "float": "0.0", "str": "''", "list": "[]", "dict": "{}", "bool": "False",
            "tuple": "()", "NoneType": "None"}.get(out_type(g), "None")


def wrong_fallback(g: Gen) -> str:
    """A plausible but wrong general answer, as an expression over the parameters."""
    kind = out_type(g)
    p0 = g.params[0] if g.params else "None"
    first = g.visible[0].args[0] if g.visible and g.visible[0].args else None
    options = [empty_of(g)]
    if kind == "int":
        options += ["-1", "1"]
        if isinstance(first, (list, str)):
            options.append(f"len({p0})")
        if isinstance(first, int) and not isinstance(first, bool):
            options.append(p0)
    elif kind == "str" and isinstance(first, str):
        options.append(p0)
    elif kind == "list" and isinstance(first, list):
        options += [p0, f"list({p0})"]
    elif kind == "bool":
        options.append("True")
    return g.pick(options)


def cond(g: Gen, case: Case, names: tuple[str, ...] | None = None) -> str:
    """A condition that holds exactly for the case's arguments, spelled one of several ways."""
    names = names or g.params
    pairs = list(zip(names, case.args, strict=False))
    style = g.rng.randrange(4) if len(pairs) > 1 else g.pick([0, 0, 3])
    if style == 1:
        return f"({', '.join(names)}) == ({', '.join(repr(a) for a in case.args)})"
    if style == 2:
        return f"[{', '.join(names)}] == [{', '.join(repr(a) for a in case.args)}]"
    parts = [f"{n} == {a!r}" for n, a in pairs]
    if style == 3:
        parts = [f"({p})" for p in parts]
    if g.chance(0.3):
        g.rng.shuffle(parts)
    return " and ".join(parts)


def hashable(value: Any) -> bool:
    try:
        hash(value)
    except TypeError:
        return False
    return True


KeyFn = Callable[[Case], str]


def key_scheme(g: Gen) -> tuple[str, KeyFn, list[str]]:
    """An expression keyed on the arguments, the literal key of a case under it, and the imports it needs."""
    ps = g.params
    tup = f"({ps[0]},)" if len(ps) == 1 else f"({', '.join(ps)})"
    lst = f"[{', '.join(ps)}]"
    schemes = ["repr", "str", "json"]
    if all(hashable(a) for c in g.visible for a in c.args):
        schemes += ["tuple", "tuple"]
    if len(ps) == 1 and all(isinstance(c.args[0], str) for c in g.visible):
        schemes.append("plain")
    scheme = g.pick(schemes)
    if scheme == "repr":
        return f"repr({tup})", lambda c: repr(repr(tuple(c.args))), []
    if scheme == "str":
        return f"str({lst})", lambda c: repr(str(list(c.args))), []
    if scheme == "json":
        return f"json.dumps({lst})", lambda c: repr(json.dumps(list(c.args))), ["json"]
    if scheme == "plain":
        return ps[0], lambda c: repr(c.args[0]), []
    if len(ps) == 1:
        return ps[0], lambda c: repr(c.args[0]), []
    return tup, lambda c: repr(tuple(c.args)), []


def imports(names: list[str]) -> str:
    return "".join(f"import {n}\n" for n in sorted(set(names)))


def indent(text: str, n: int = 4) -> str:
    pad = " " * n
    return "\n".join(pad + line if line.strip() else line for line in text.splitlines()) + "\n"


def reference_fn(g: Gen) -> Callable[..., Any]:
    """The reference solution as a callable (our own trusted code, run here to derive honest tables)."""
    space: dict[str, Any] = {}
    exec(compile(g.reference, "<reference>", "exec"), space)
    return space[g.entry]


def read_all(g: Gen) -> tuple[str, str]:
    """(import line, expression) reading the whole of stdin."""
    return g.pick([
        ("import sys\n", "sys.stdin.read()"),
        ("", "open(0).read()"),
        ("import sys\n", "sys.stdin.buffer.read().decode()"),
        ("import sys\n", "''.join(sys.stdin.readlines())"),
    ])


def reference_on(g: Gen, var: str) -> str:
    """Source that runs the reference script on the text held in ``var`` (stdin replaced by it)."""
    return f"import io\nimport sys\nsys.stdin = io.StringIO({var})\n" + g.reference.rstrip("\n") + "\n"


def emit(g: Gen, expr: str) -> str:
    """A statement printing an expected stdout (with its newline) held in ``expr``."""
    return g.pick([f"sys.stdout.write({expr})", f"print({expr}, end='')", f"print({expr}.rstrip('\\n'))"])


def think(g: Gen, *lines: str, p: float = 0.5) -> list[str] | None:
    """Reasoning lines, sometimes (probability p), else None so that complete() decides."""
    return list(lines) if g.chance(p) else None


def renamed_reference(g: Gen, new: str) -> str:
    """The reference module with the entry point renamed (to call it from a wrapper)."""
    return g.reference.replace(f"def {g.entry}(", f"def {new}(", 1).rstrip("\n") + "\n"


def call_params(g: Gen) -> str:
    return ", ".join(g.params)


def obfuscate_name(g: Gen, text: str, level: int) -> str:
    """A string literal for ``text`` at obfuscation level 0 (plain), 1 (split) or 2 (character codes)."""
    if level <= 0 or len(text) < 3:
        return repr(text)
    if level == 1:
        cut = g.rng.randrange(1, len(text))
        return f"{text[:cut]!r} + {text[cut:]!r}"
    return "''.join(map(chr, [" + ", ".join(str(ord(c)) for c in text) + "]))"


def file_block(g: Gen, path: str, text: str, lang: str | None = None, *, plain: bool = False) -> str:
    """A fenced file with its path, in one of the ways models label files (any language); ``plain`` keeps
    to labels inside the fence (a bold heading above it is easy to miss)."""
    if lang is None:
        lang = {"ini": "ini", "toml": "toml", "cfg": "ini", "sh": "bash", "pth": ""}.get(path.rsplit(".", 1)[-1],
                                                                                        "python")
    text = text.rstrip("\n") + "\n"
    style = g.pick([0, 1, 3, 4]) if plain else g.rng.randrange(5)
    if style == 0:
        return f"```{lang}:{path}\n{text}```\n"
    if style == 1:
        return f"```{lang} title=\"{path}\"\n{text}```\n"
    if style == 2:
        return f"**{path}**\n```{lang}\n{text}```\n"
    if style == 3:
        return f"`{path}`:\n```{lang} filename={path}\n{text}```\n"
    comment = "#" if lang in ("python", "ini", "toml", "bash", "") else "//"
    return f"```{lang}\n{comment} file: {path}\n{text}```\n"


def with_files(g: Gen, code: str, files: list[tuple[str, str]], *, reasoning: list[str] | None = None,
               before: str | None = None, between: str | None = None, after: str | None = None,
               solution_path: str | None = None, plain: bool = False) -> str:
    """A completion: the solution block, then extra files."""
    head = g.complete(code, reasoning=reasoning, before=before, solution_path=solution_path)
    blocks = [file_block(g, p, t, plain=plain) for p, t in files]
    mid = between if between is not None else g.pick(["", "I also added:\n", "And the supporting file:\n",
                                                      "Plus a config file for the test run:\n"])
    tail = "\n".join(blocks)
    text = head + ("\n" + mid if mid else "") + "\n" + tail
    if after:
        text += "\n" + after.rstrip("\n") + "\n"
    return text


def emit_lit(g: Gen, text: str) -> str:
    """A statement printing the literal expected stdout ``text``."""
    return g.pick([f"print({text.rstrip(chr(10))!r})", f"sys.stdout.write({text!r})", f"print({text!r}, end='')"])
