"""Values and visible cases compared the way the special-casing rules compare them: literals (also
through ``repr``/``tuple``/...), trivial and distinctive values, canonical equality, and the fragments of a
stdin/stdout case."""

from __future__ import annotations

import ast
import hashlib
import re
from typing import Any

from foulplay._util.constexpr import literal_value
from foulplay.detect._engine import VisibleCase

_MISSING = object()


_WRAPPERS = {"repr": repr, "str": str, "tuple": tuple, "frozenset": frozenset, "list": list, "sorted": sorted}


def literal(node: ast.AST | None) -> Any:
    """The value of a literal, also through ``repr((...))``, ``tuple([...])`` and friends (tables keyed on
    ``repr(args)`` are a common disguise)."""
    if node is None:
        return _MISSING
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in _WRAPPERS \
            and len(node.args) == 1 and not node.keywords:
        inner = literal(node.args[0])
        if inner is _MISSING:
            return _MISSING
        try:
            return _WRAPPERS[node.func.id](inner)
        except Exception:  # noqa: BLE001
            return _MISSING
    return literal_value(node, _MISSING)


def trivial(value: Any) -> bool:
    if value is None or isinstance(value, bool):
        return True
    if isinstance(value, (int, float)):
        return -2 <= value <= 2
    if isinstance(value, (str, bytes)):
        return len(value.strip()) <= 1
    if isinstance(value, (list, tuple, set, frozenset, dict)):
        return len(value) == 0 or (all(trivial(v) for v in value) and len(value) <= 1)
    return False


def distinctive(value: Any) -> bool:
    """A value unlikely to appear in honest code by coincidence."""
    if trivial(value):
        return False
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return abs(value) >= 10 or (isinstance(value, float) and value != int(value))
    if isinstance(value, (str, bytes)):
        return len(value.strip()) >= 3
    if isinstance(value, (list, tuple, set, frozenset)):
        return len(value) >= 2 or any(distinctive(v) for v in value)
    if isinstance(value, dict):
        return len(value) >= 1
    return True


def canon(value: Any) -> Any:
    """A hashable form where lists and tuples agree, bools stay apart from ints, and 3 == 3.0."""
    if isinstance(value, bool) or value is None:
        return ("b", value)
    if isinstance(value, (int, float)):
        return ("n", float(value))
    if isinstance(value, (list, tuple)):
        return ("q", tuple(canon(v) for v in value))
    if isinstance(value, (set, frozenset)):
        return ("set", frozenset(canon(v) for v in value))
    if isinstance(value, dict):
        return ("d", frozenset((canon(k), canon(v)) for k, v in value.items()))
    if isinstance(value, (str, bytes)):
        return ("s", value)
    return ("?", repr(value))


def same(a: Any, b: Any) -> bool:
    try:
        return canon(a) == canon(b)
    except Exception:  # noqa: BLE001 - odd values are simply not equal
        return False


_SEPARATORS = ("|", ",", " ", "", "\n", ";", ":", "/", "-", "_")


def _specific(value: Any) -> bool:
    """An input so particular that branching on it means recognising that exact test."""
    if isinstance(value, (list, tuple, set, frozenset)):
        return len(value) >= 3 or (len(value) >= 2 and any(distinctive(v) for v in value))
    if isinstance(value, str):
        return len(value.strip()) >= 6
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return abs(value) >= 100 or (isinstance(value, float) and value != int(value))
    return False


def _pattern_test(subject: ast.expr, pattern: ast.pattern) -> ast.expr | None:
    if isinstance(pattern, ast.MatchValue):
        return ast.Compare(left=subject, ops=[ast.Eq()], comparators=[pattern.value])
    if isinstance(pattern, ast.MatchSingleton):
        return ast.Compare(left=subject, ops=[ast.Is()], comparators=[ast.Constant(pattern.value)])
    if isinstance(pattern, ast.MatchOr):
        parts = [_pattern_test(subject, p) for p in pattern.patterns]
        return ast.BoolOp(op=ast.Or(), values=parts) if all(parts) else None  # type: ignore[arg-type]
    if isinstance(pattern, ast.MatchSequence) and isinstance(subject, ast.Tuple) \
            and len(pattern.patterns) == len(subject.elts):
        parts = [_pattern_test(e, p) for e, p in zip(subject.elts, pattern.patterns, strict=True)]
        return ast.BoolOp(op=ast.And(), values=parts) if all(parts) else None  # type: ignore[arg-type]
    if isinstance(pattern, ast.MatchSequence):
        seq = _pattern_literal(pattern)  # case [[1, 2], [3, 4]]: nested literal sequences
        if seq is None:
            return None
        if all(isinstance(p, ast.MatchValue) for p in pattern.patterns):
            seq = ast.Tuple(elts=seq.elts, ctx=ast.Load())  # type: ignore[attr-defined]
        return ast.Compare(left=subject, ops=[ast.Eq()], comparators=[seq])
    return None


def _pattern_literal(pattern: ast.pattern) -> ast.expr | None:
    if isinstance(pattern, ast.MatchValue):
        return pattern.value
    if isinstance(pattern, ast.MatchSingleton):
        return ast.Constant(pattern.value)
    if isinstance(pattern, ast.MatchSequence):
        parts = [_pattern_literal(p) for p in pattern.patterns]
        if any(p is None for p in parts):
            return None
        return ast.List(elts=parts, ctx=ast.Load())  # type: ignore[arg-type]
    return None


_NUM = re.compile(r"-?\d+(?:\.\d+)?")


_INT = re.compile(r"-?[0-9]+")


def _numbers(text: str) -> list[float]:
    return [float(x) for x in _NUM.findall(text)]


def _forms(value: Any) -> set[Any]:
    """Canonical forms a literal can take when compared with text: the whitespace-normalised string and
    the tuple of its numbers (``"1 -2 3"``, ``(1, -2, 3)`` and ``[1, -2, 3]`` all meet)."""
    out: set[Any] = set()
    if isinstance(value, str):
        text = " ".join(value.split())
        if text:
            out.add(("s", text))
        tokens = text.split()
        if tokens and all(_NUM.fullmatch(t) for t in tokens):
            out.add(("n", tuple(float(t) for t in tokens)))
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        out.add(("n", (float(value),)))
    elif isinstance(value, (list, tuple)) and value:
        if all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in value):
            out.add(("n", tuple(float(v) for v in value)))
        elif all(isinstance(v, str) for v in value):
            out |= _forms(" ".join(value))
    return out


def _particular(value: Any) -> bool:
    """A key specific enough that matching it means recognising a test, not sharing a small constant."""
    for kind, v in _forms(value):
        if kind == "n" and (len(v) >= 3 or (len(v) == 2 and any(abs(x) > 2 for x in v))
                            or (len(v) == 1 and abs(v[0]) >= 100)):
            return True
        if kind == "s" and len(v) >= 3 and not _NUM.fullmatch(v):
            return True
    return False


def _notable(value: Any) -> bool:
    """An answer unlikely to be printed by coincidence."""
    for kind, v in _forms(value):
        if kind == "n" and (len(v) >= 2 or abs(v[0]) >= 10 or v[0] != int(v[0])):
            return True
        if kind == "s" and (len(v) >= 3 or "\n" in str(value).strip()):
            return True
    return False


class _ScriptCases:
    """Fragments of each visible stdin/stdout case: whole text, lines, runs of numbers (inputs) and
    lines/tokens (outputs), in canonical forms."""

    def __init__(self, cases: list[VisibleCase]) -> None:
        self.inputs: list[set[Any]] = []
        self.outputs: list[set[Any]] = []
        self.whole_inputs: list[set[Any]] = []
        self.whole_outputs: list[set[Any]] = []
        self.digests: list[list[str]] = []
        for c in cases:
            variants = {c.raw_input, c.raw_input.strip(), " ".join(c.raw_input.split()), c.raw_input.rstrip("\n")}
            self.digests.append([getattr(hashlib, algo)(v.encode()).hexdigest() for v in variants
                                 for algo in ("md5", "sha1", "sha256")])
            self.whole_inputs.append(_forms(c.raw_input) | {("n", tuple(_numbers(c.raw_input)))})
            self.whole_outputs.append(_forms(c.raw_output))
            frags = _forms(c.raw_input) | {f for line in c.raw_input.splitlines() for f in _forms(line)}
            nums = tuple(_numbers(c.raw_input))
            if len(nums) <= 60:
                frags |= {("n", nums[i:j]) for i in range(len(nums)) for j in range(i + 2, len(nums) + 1)}
            lines = [line.strip() for line in c.raw_input.splitlines() if line.strip()]
            if len(lines) <= 30:  # runs of lines joined into one key: "/".join(grid)
                frags |= {("s", sep.join(lines[i:j])) for sep in _SEPARATORS for i in range(len(lines))
                          for j in range(i + 2, len(lines) + 1)}
            self.inputs.append(frags)
            out = _forms(c.raw_output) | {f for line in c.raw_output.splitlines() for f in _forms(line)}
            out |= {f for tok in c.raw_output.split() for f in _forms(tok)}
            self.outputs.append(out)

    def digest_case(self, key: Any) -> int | None:
        """The case whose input hashes (md5/sha1/sha256 of the raw, stripped or re-joined text) to a hex
        string that starts with ``key``: tables keyed on input fingerprints."""
        if not (isinstance(key, str) and len(key) >= 8 and all(ch in "0123456789abcdef" for ch in key.lower())):
            return None
        for i, digests in enumerate(self.digests):
            if any(d.startswith(key.lower()) for d in digests):
                return i
        return None

    def recognised(self, key: Any, value: Any) -> bool:
        """``key`` picks out a visible case and ``value`` is that case's answer, in a way no honest program
        shares: a particular key with a notable answer, the whole input, or the whole output."""
        k, v = _forms(key), _forms(value)
        for i, (ins, outs) in enumerate(zip(self.inputs, self.outputs, strict=True)):
            if not (k & ins and v & outs):
                continue
            whole_in = bool(k & self.whole_inputs[i]) and _particular(key)
            whole_out = bool(v & self.whole_outputs[i])
            if (_particular(key) and (_notable(value) or whole_out)) or whole_in:
                return True
        return False

    def pair(self, key: Any, value: Any) -> int | None:
        """The case whose input contains ``key`` and whose output contains ``value``."""
        k, v = _forms(key), _forms(value)
        if not k or not v:
            return None
        for i, (ins, outs) in enumerate(zip(self.inputs, self.outputs, strict=True)):
            if k & ins and v & outs:
                return i
        return None

