"""Conditions read as predicates over the entry point's inputs: a small interpreter that evaluates a
side-effect-free expression with the parameters bound to a visible test's arguments (or, for scripts, with
names bound to what the program read from a visible stdin), and perturbations of those inputs.

Nothing is executed: the AST is interpreted, with a fixed set of pure builtins, string/list methods and
hash functions, bounded iteration and bounded sizes. Anything else is ``UNKNOWN``.
"""

from __future__ import annotations

import ast
import hashlib
import json
from collections.abc import Iterator
from typing import Any

UNKNOWN: Any = object()


class _Unknown(Exception):
    pass


_MAX_ITEMS = 5_000
_MAX_STEPS = 20_000

_PURE = {"len": len, "abs": abs, "set": set, "frozenset": frozenset, "sorted": sorted, "min": min, "max": max,
         "sum": sum, "list": list, "tuple": tuple, "str": str, "repr": repr, "int": int, "float": float,
         "bool": bool, "any": any, "all": all, "reversed": lambda x: list(reversed(x)), "round": round,
         "ord": ord, "chr": chr, "hash": hash, "dict": dict, "enumerate": lambda x: list(enumerate(x)),
         "zip": lambda *xs: list(zip(*xs, strict=False)), "range": lambda *a: _range(*a)}
_METHODS = {
    str: {"strip", "lstrip", "rstrip", "split", "splitlines", "startswith", "endswith", "lower", "upper", "count",
          "find", "index", "join", "encode", "replace", "isdigit", "isalpha", "title", "casefold"},
    bytes: {"decode", "strip", "split", "hex"},
    list: {"count", "index"},
    tuple: {"count", "index"},
    dict: {"get", "keys", "values", "items"},
}
_HASHES = {"md5", "sha1", "sha256", "sha512", "blake2b", "sha224", "sha384", "blake2s"}
_MAX_DECODED = 1 << 20
"""Decoded blobs (base64/zlib/hex JSON tables) larger than this are not read."""
_TYPES = {"int": int, "str": str, "list": list, "tuple": tuple, "dict": dict, "float": float, "bool": bool,
          "set": set}


def _range(*args: int) -> list[int]:
    r = range(*args)
    if len(r) > _MAX_ITEMS:
        raise _Unknown
    return list(r)


class _Digest:
    def __init__(self, algo: str, data: bytes) -> None:
        self.h = hashlib.new(algo, data)


_BIN: dict[type, Any] = {ast.Add: lambda a, b: a + b, ast.Sub: lambda a, b: a - b, ast.Mult: lambda a, b: a * b,
                         ast.FloorDiv: lambda a, b: a // b, ast.Mod: lambda a, b: a % b,
                         ast.Div: lambda a, b: a / b, ast.BitAnd: lambda a, b: a & b, ast.BitOr: lambda a, b: a | b,
                         ast.BitXor: lambda a, b: a ^ b}
_CMP: dict[type, Any] = {ast.Eq: lambda a, b: a == b, ast.NotEq: lambda a, b: a != b, ast.Lt: lambda a, b: a < b,
                         ast.LtE: lambda a, b: a <= b, ast.Gt: lambda a, b: a > b, ast.GtE: lambda a, b: a >= b,
                         ast.In: lambda a, b: a in b, ast.NotIn: lambda a, b: a not in b,
                         ast.Is: lambda a, b: a is b or (a == b and (a is None or isinstance(a, (bool, int, str)))),
                         ast.IsNot: lambda a, b: not (a is b or (a == b and (a is None or
                                                                           isinstance(a, (bool, int, str)))))}


class Reader:
    """What a script has read so far from one stdin."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0

    def line(self) -> str:
        if self.pos >= len(self.text):
            raise _Unknown  # EOFError in the program
        end = self.text.find("\n", self.pos)
        end = len(self.text) if end < 0 else end + 1
        out = self.text[self.pos:end]
        self.pos = end
        return out

    def rest(self) -> str:
        out = self.text[self.pos:]
        self.pos = len(self.text)
        return out


class Evaluator:
    """Evaluates expressions over ``env`` (names to values); ``reader`` stands for stdin when given."""

    def __init__(self, env: dict[str, Any], reader: Reader | None = None,
                 functions: dict[str, ast.AST] | None = None) -> None:
        self.env = env
        self.reader = reader
        self.steps = 0
        self.functions = functions or {}
        """Module-level functions whose body is one ``return expr``: calls to them are evaluated inline."""

    def value(self, node: ast.AST) -> Any:
        try:
            return self._eval(node, 0)
        except _Unknown:
            return UNKNOWN
        except RecursionError:
            return UNKNOWN
        except Exception:  # noqa: BLE001 - the program would raise here: the condition does not hold
            return UNKNOWN

    # -- the interpreter -----------------------------------------------------------------------
    def _eval(self, node: ast.AST, depth: int) -> Any:
        self.steps += 1
        if depth > 40 or self.steps > _MAX_STEPS:
            raise _Unknown
        d = depth + 1
        if isinstance(node, ast.Constant):
            return node.value
        if isinstance(node, ast.Name):
            if node.id in self.env:
                return self.env[node.id]
            if node.id in ("True", "False", "None"):
                return {"True": True, "False": False, "None": None}[node.id]
            raise _Unknown
        if isinstance(node, (ast.Tuple, ast.List, ast.Set)):
            items = []
            for e in node.elts:
                if isinstance(e, ast.Starred):
                    items += list(self._eval(e.value, d))
                else:
                    items.append(self._eval(e, d))
            return tuple(items) if isinstance(node, ast.Tuple) else items if isinstance(node, ast.List) \
                else set(items)
        if isinstance(node, ast.Dict):
            out = {}
            for k, v in zip(node.keys, node.values, strict=True):
                if k is None:
                    out.update(self._eval(v, d))
                else:
                    out[self._eval(k, d)] = self._eval(v, d)
            return out
        if isinstance(node, ast.BoolOp):
            if isinstance(node.op, ast.And):
                result: Any = True
                for v in node.values:
                    result = self._eval(v, d)
                    if not result:
                        return result
                return result
            for v in node.values:
                result = self._eval(v, d)
                if result:
                    return result
            return result
        if isinstance(node, ast.UnaryOp):
            operand = self._eval(node.operand, d)
            if isinstance(node.op, ast.Not):
                return not operand
            if isinstance(node.op, ast.USub):
                return -operand
            if isinstance(node.op, ast.UAdd):
                return +operand
            raise _Unknown
        if isinstance(node, ast.BinOp):
            return self._binop(node, d)
        if isinstance(node, ast.Compare):
            left = self._eval(node.left, d)
            for op, comp in zip(node.ops, node.comparators, strict=True):
                right = self._eval(comp, d)
                if not _CMP[type(op)](left, right):
                    return False
                left = right
            return True
        if isinstance(node, ast.IfExp):
            return self._eval(node.body, d) if self._eval(node.test, d) else self._eval(node.orelse, d)
        if isinstance(node, ast.Subscript):
            value = self._eval(node.value, d)
            if isinstance(node.slice, ast.Slice):
                parts = [None if p is None else self._eval(p, d) for p in (node.slice.lower, node.slice.upper,
                                                                            node.slice.step)]
                return value[slice(*parts)]
            return value[self._eval(node.slice, d)]
        if isinstance(node, ast.JoinedStr):
            return "".join(str(self._eval(v.value, d)) if isinstance(v, ast.FormattedValue) and v.format_spec is None
                           and v.conversion == -1 else self._fmt(v, d) for v in node.values)
        if isinstance(node, (ast.GeneratorExp, ast.ListComp, ast.SetComp)):
            items = list(self._comprehension(node.elt, node.generators, d))
            return set(items) if isinstance(node, ast.SetComp) else items
        if isinstance(node, ast.Call):
            return self._call(node, d)
        raise _Unknown

    def _fmt(self, v: ast.AST, d: int) -> str:
        if isinstance(v, ast.Constant):
            return str(v.value)
        if isinstance(v, ast.FormattedValue):
            value = self._eval(v.value, d)
            value = repr(value) if v.conversion == ord("r") else str(value) if v.conversion == ord("s") else value
            spec = self._eval(v.format_spec, d) if v.format_spec is not None else ""
            return format(value, spec)
        raise _Unknown

    def _binop(self, node: ast.BinOp, d: int) -> Any:
        left, right = self._eval(node.left, d), self._eval(node.right, d)
        if isinstance(node.op, ast.Pow):
            if isinstance(left, (int, float)) and isinstance(right, int) and abs(right) <= 64 and abs(left) <= 10**6:
                return left ** right
            raise _Unknown
        if isinstance(node.op, ast.Mult) and (isinstance(left, (str, list, tuple)) or
                                              isinstance(right, (str, list, tuple))):
            seq, n = (left, right) if isinstance(left, (str, list, tuple)) else (right, left)
            if not isinstance(n, int) or len(seq) * max(n, 0) > _MAX_ITEMS:
                raise _Unknown
        if isinstance(node.op, ast.Add) and isinstance(left, (str, list, tuple)) \
                and len(left) + len(right) > 4 * _MAX_ITEMS:
            raise _Unknown
        op = _BIN.get(type(node.op))
        if op is None:
            raise _Unknown
        return op(left, right)

    def _comprehension(self, elt: ast.AST, gens: list[ast.comprehension], d: int) -> Iterator[Any]:
        if not gens:
            yield self._eval(elt, d)
            return
        first = gens[0]
        if not isinstance(first.target, ast.Name) and not (
                isinstance(first.target, ast.Tuple) and all(isinstance(e, ast.Name) for e in first.target.elts)):
            raise _Unknown
        iterable = self._eval(first.iter, d)
        if isinstance(iterable, dict):
            iterable = list(iterable)
        if not isinstance(iterable, (list, tuple, str, set, frozenset)) or len(iterable) > _MAX_ITEMS:
            raise _Unknown
        saved = dict(self.env)
        try:
            for item in iterable:
                self.steps += 1
                if self.steps > _MAX_STEPS:
                    raise _Unknown
                self._bind(first.target, item)
                if all(self._eval(c, d) for c in first.ifs):
                    yield from self._comprehension(elt, gens[1:], d)
        finally:
            self.env.clear()
            self.env.update(saved)

    def _bind(self, target: ast.AST, value: Any) -> None:
        if isinstance(target, ast.Name):
            self.env[target.id] = value
            return
        if isinstance(target, (ast.Tuple, ast.List)):
            values = list(value)
            if len(values) != len(target.elts):
                raise _Unknown
            for t, v in zip(target.elts, values, strict=True):
                self._bind(t, v)
            return
        raise _Unknown

    def _call(self, node: ast.Call, d: int) -> Any:
        func = node.func
        if node.keywords and not (isinstance(func, ast.Attribute) and func.attr == "dumps") \
                and not (isinstance(func, ast.Name) and func.id in ("sorted", "print", "max", "min")):
            raise _Unknown
        if isinstance(func, ast.Name):
            name = func.id
            if name == "input" and self.reader is not None and not node.args:
                return self.reader.line().rstrip("\n")
            if name == "isinstance" and len(node.args) == 2:
                value = self._eval(node.args[0], d)
                kinds = node.args[1].elts if isinstance(node.args[1], ast.Tuple) else [node.args[1]]
                types = [_TYPES[k.id] for k in kinds if isinstance(k, ast.Name) and k.id in _TYPES]
                if len(types) != len(kinds):
                    raise _Unknown
                return isinstance(value, tuple(types))
            if name == "map" and len(node.args) == 2:
                fn = node.args[0]
                items = self._eval(node.args[1], d)
                if isinstance(fn, ast.Name) and fn.id in _PURE and len(items) <= _MAX_ITEMS:
                    return [_PURE[fn.id](x) for x in items]
                raise _Unknown
            if name == "open" and self.reader is not None and node.args and isinstance(node.args[0], ast.Constant) \
                    and node.args[0].value == 0:
                return self.reader
            if name in self.functions and name not in self.env:
                return self._inline(self.functions[name], node, d)
            if name in self.env and name not in _PURE:
                raise _Unknown
            if name in _PURE:
                args = [self._eval(a, d) for a in node.args]
                if any(isinstance(a, (list, tuple, str, set, dict)) and len(a) > 4 * _MAX_ITEMS for a in args):
                    raise _Unknown
                if name in ("sorted", "max", "min"):
                    kw = {k.arg: self._eval(k.value, d) for k in node.keywords if k.arg == "reverse"}
                    if len(kw) != len(node.keywords):
                        raise _Unknown
                    return _PURE[name](*args, **kw)
                return _PURE[name](*args)
            raise _Unknown
        if isinstance(func, ast.Attribute):
            return self._method(node, func, d)
        raise _Unknown

    def _inline(self, fn: ast.AST, node: ast.Call, d: int) -> Any:
        """``key = _fingerprint(a, b)`` where ``def _fingerprint(*args): return md5(repr(args)...)``."""
        if d > 20 or any(isinstance(a, ast.Starred) for a in node.args):
            raise _Unknown
        args = fn.args  # type: ignore[attr-defined]
        params = [a.arg for a in args.posonlyargs + args.args]
        values = [self._eval(a, d) for a in node.args]
        if (len(values) > len(params) and args.vararg is None) or len(values) < len(params) - len(args.defaults):
            raise _Unknown
        saved = dict(self.env)
        try:
            self.env.update(zip(params, values, strict=False))
            if args.vararg is not None:
                self.env[args.vararg.arg] = tuple(values[len(params):])
            return self._eval(fn.body[-1].value, d)  # type: ignore[attr-defined]
        finally:
            self.env.clear()
            self.env.update(saved)

    def _method(self, node: ast.Call, func: ast.Attribute, d: int) -> Any:
        dotted = _dotted(func)
        if self.reader is not None and dotted in ("sys.stdin.read", "sys.stdin.buffer.read", "stdin.read"):
            text = self.reader.rest()
            return text.encode() if "buffer" in dotted else text
        if self.reader is not None and dotted in ("sys.stdin.readline", "stdin.readline"):
            return self.reader.line()
        if self.reader is not None and dotted in ("sys.stdin.readlines", "stdin.readlines"):
            return self.reader.rest().splitlines(keepends=True)
        if dotted in ("json.dumps",) and len(node.args) == 1:
            kw = {k.arg: self._eval(k.value, d) for k in node.keywords}
            if any(k not in ("sort_keys", "separators") for k in kw):
                raise _Unknown
            return json.dumps(self._eval(node.args[0], d), **kw)  # type: ignore[arg-type]
        if dotted in _DECODE and len(node.args) == 1 and not node.keywords:
            return _decode(dotted, self._eval(node.args[0], d))
        if dotted == "hashlib.new" and len(node.args) == 2 and not node.keywords:
            algo, data = self._eval(node.args[0], d), self._eval(node.args[1], d)
            if algo not in _HASHES or not isinstance(data, bytes):
                raise _Unknown
            return _Digest(algo, data)
        if dotted is not None and dotted.startswith("hashlib.") and dotted.split(".")[1] in _HASHES \
                and len(node.args) == 1:
            data = self._eval(node.args[0], d)
            if not isinstance(data, bytes):
                raise _Unknown
            return _Digest(dotted.split(".")[1], data)
        if node.keywords:
            raise _Unknown
        obj = self._eval(func.value, d)
        if isinstance(obj, _Digest) and func.attr in ("hexdigest", "digest") and not node.args:
            return getattr(obj.h, func.attr)()
        if isinstance(obj, Reader) and func.attr == "read" and not node.args:
            return obj.rest()
        allowed = next((names for kind, names in _METHODS.items() if isinstance(obj, kind)), None)
        if allowed is None or func.attr not in allowed:
            raise _Unknown
        args = [self._eval(a, d) for a in node.args]
        out = getattr(obj, func.attr)(*args)
        if func.attr in ("keys", "values", "items"):
            return list(out)
        return out


_DECODE = {"base64.b64decode", "base64.standard_b64decode", "base64.urlsafe_b64decode", "base64.b32decode",
           "base64.b16decode", "base64.b85decode", "base64.a85decode", "binascii.a2b_base64", "binascii.unhexlify",
           "binascii.a2b_hex", "bytes.fromhex", "zlib.decompress", "json.loads", "zlib.crc32", "binascii.crc32",
           "zlib.adler32"}


def _decode(name: str, data: Any) -> Any:
    """A decoder of the standard library applied to a value (bounded: a blob that inflates past
    ``_MAX_DECODED`` is not read)."""
    import base64
    import binascii
    import zlib

    if isinstance(data, str) and name not in ("json.loads", "bytes.fromhex"):
        data = data.encode()
    if not isinstance(data, (str, bytes)) or len(data) > _MAX_DECODED:
        raise _Unknown
    if name == "zlib.decompress":
        out = zlib.decompressobj().decompress(data, _MAX_DECODED)  # type: ignore[arg-type]
        if len(out) >= _MAX_DECODED:
            raise _Unknown
        return out
    if name in ("zlib.crc32", "binascii.crc32", "zlib.adler32"):
        return {"zlib.crc32": zlib.crc32, "binascii.crc32": binascii.crc32, "zlib.adler32": zlib.adler32}[name](
            data)  # type: ignore[arg-type]
    if name == "json.loads":
        return json.loads(data)
    if name in ("bytes.fromhex",):
        return bytes.fromhex(data.decode() if isinstance(data, bytes) else data)
    fn = {"base64.b64decode": base64.b64decode, "base64.standard_b64decode": base64.standard_b64decode,
          "base64.urlsafe_b64decode": base64.urlsafe_b64decode, "base64.b32decode": base64.b32decode,
          "base64.b16decode": base64.b16decode, "base64.b85decode": base64.b85decode,
          "base64.a85decode": base64.a85decode, "binascii.a2b_base64": binascii.a2b_base64,
          "binascii.unhexlify": binascii.unhexlify, "binascii.a2b_hex": binascii.a2b_hex}[name]
    return fn(data)


def one_line_functions(module: ast.AST) -> dict[str, ast.AST]:
    """Module-level functions whose body is a single ``return expr`` (a docstring aside): key makers,
    fingerprints."""
    out: dict[str, ast.AST] = {}
    for stmt in getattr(module, "body", []):
        if isinstance(stmt, ast.FunctionDef) and not stmt.decorator_list and not stmt.args.kwonlyargs:
            body = [s for s in stmt.body if not (isinstance(s, ast.Expr) and isinstance(s.value, ast.Constant))]
            if len(body) == 1 and isinstance(body[0], ast.Return) and body[0].value is not None:
                out[stmt.name] = stmt
    return out


def _dotted(node: ast.AST) -> str | None:
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
        return ".".join(reversed(parts))
    return None


def run_straight_line(stmts: list[ast.stmt], env: dict[str, Any], reader: Reader | None,
                      stop: ast.AST | None = None, functions: dict[str, ast.AST] | None = None) -> None:
    """Bind the names that plain assignments at this level compute (``n = int(input())``,
    ``a, b = map(int, input().split())``, ``key = repr((a, b))``), in order, up to ``stop``. Names whose value
    cannot be told are dropped; reading stdin in a statement that cannot be told is still counted."""
    ev = Evaluator(env, reader, functions)
    for stmt in stmts:
        if stmt is stop:
            return
        if isinstance(stmt, ast.Assign):
            value = ev.value(stmt.value)
            for target in stmt.targets:
                names = [target] if isinstance(target, ast.Name) else list(getattr(target, "elts", []))
                if value is UNKNOWN:
                    for n in names:
                        if isinstance(n, ast.Name):
                            env.pop(n.id, None)
                    continue
                try:
                    ev._bind(target, value)
                except Exception:  # noqa: BLE001
                    for n in names:
                        if isinstance(n, ast.Name):
                            env.pop(n.id, None)
        elif isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name) and stmt.value is not None:
            value = ev.value(stmt.value)
            if value is UNKNOWN:
                env.pop(stmt.target.id, None)
            else:
                env[stmt.target.id] = value
        elif isinstance(stmt, ast.Expr) and reader is not None:
            ev.value(stmt.value)  # a bare input() skips a line
        elif isinstance(stmt, (ast.AugAssign, ast.For, ast.While, ast.With, ast.Try)):
            for sub in ast.walk(stmt):
                if isinstance(sub, ast.Name) and isinstance(sub.ctx, ast.Store):
                    env.pop(sub.id, None)


# ---------------------------------------------------------------------------------------------
# perturbations


def perturb(value: Any) -> list[Any]:
    """Small changes of one value: what a nearby, unseen test would pass."""
    if isinstance(value, bool) or value is None:
        return [not value] if isinstance(value, bool) else []
    if isinstance(value, int):
        return [value + 1, value - 1, value * 2 + 7]
    if isinstance(value, float):
        return [value + 0.5, value * 2 + 1]
    if isinstance(value, str):
        if not value:
            return ["a"]
        other = "b" if value[0] != "b" else "c"
        return [value + value[-1], other + value[1:], value[:-1]]
    if isinstance(value, (list, tuple)):
        kind = type(value)
        if not value:
            return [kind([0])]
        out = [kind([*value, value[-1]]), kind(value[:-1])]
        out += [kind([p, *value[1:]]) for p in perturb(value[0])[:1]]
        out += [kind([*value[:-1], p]) for p in perturb(value[-1])[:1]]
        return out
    if isinstance(value, dict) and value:
        k = next(iter(value))
        return [{**value, k: p} for p in perturb(value[k])[:1]]
    return []


def perturb_text(text: str) -> list[str]:
    """Small changes of a stdin that keep it well-formed: one digit or letter changed, the last line repeated."""
    out = []
    digits = [i for i, ch in enumerate(text) if ch.isdigit()]
    for i in dict.fromkeys([digits[-1], digits[0], digits[len(digits) // 2]] if digits else []):
        out.append(text[:i] + str((int(text[i]) + 1) % 10) + text[i + 1:])
    letters = [i for i, ch in enumerate(text) if ch.isalpha()]
    for i in dict.fromkeys([letters[-1], letters[0]] if letters else []):
        ch = text[i]
        out.append(text[:i] + ("b" if ch.lower() == "a" else "a") + text[i + 1:])
    lines = text.splitlines(keepends=True)
    if lines:
        out.append(text + lines[-1] if text.endswith("\n") else text)
    return [t for t in out if t != text]
