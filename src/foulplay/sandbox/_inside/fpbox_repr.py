"""Bounded reprs: text for a failure message ("expected X, got Y") from any value, in bounded time and size.

``bounded_repr(value, limit)`` writes the repr of plain data itself, walking the structure with a budget of
nodes and characters, so that no value can make a message slow or large: shared references that grow
exponentially when expanded, self-referential containers, a million-digit int (never converted to text:
``<int with ~N digits>``), a 100 MB string (only its head is read). The text has at most ``limit``
characters and ends in ``...`` when it was cut. Lone surrogates and other unprintable characters are
escaped as repr escapes them.

Only exact builtin types (and a few exact standard-library value types) are written out; any other object,
a subclass of a builtin type included, is ``<TypeName object>``: no ``__repr__``, ``__str__``,
``__format__``, ``__iter__`` or property of a non-builtin class is ever called.

Standard library only; imported by file path inside the sandbox as the top-level module ``fpbox_repr``.
"""

from __future__ import annotations

import builtins
import math
import sys
from typing import Any

# pristine builtins: this module may be imported where a submission has patched them
_b = dict(vars(builtins))
_type = _b["type"]
_len = _b["len"]
_repr = _b["repr"]
_iter = _b["iter"]
_next = _b["next"]
_isinstance = _b["isinstance"]
_id = _b["id"]
_str = _b["str"]
_int = _b["int"]
_float = _b["float"]
_complex = _b["complex"]
_bytes = _b["bytes"]
_bytearray = _b["bytearray"]
_list = _b["list"]
_tuple = _b["tuple"]
_dict = _b["dict"]
_set = _b["set"]
_frozenset = _b["frozenset"]
_range = _b["range"]
_slice = _b["slice"]
_bool = _b["bool"]
_NoneType = _type(None)
_Ellipsis = _type(Ellipsis)
_type_name = _type.__dict__["__name__"].__get__
_str_repr = _str.__repr__
_int_repr = _int.__repr__
_float_repr = _float.__repr__
_complex_repr = _complex.__repr__
_bytes_repr = _bytes.__repr__
_dict_items = _dict.items
_getsizeof = sys.getsizeof

DEFAULT_LIMIT = 200
MAX_INT_DIGITS = 4000
"""Ints with more digits (estimated from the logarithm) are never converted to text (Python refuses above 4300
digits by default, and the conversion is quadratic)."""


class _Out:
    """The text being written, with its budgets."""

    __slots__ = ("full", "limit", "nodes", "parts", "size")

    def __init__(self, limit: int) -> None:
        self.parts: list[str] = []
        self.size = 0
        self.limit = limit
        self.nodes = max(64, 8 * limit)
        """Values still to be visited; every value writes at least one character, so this only matters for
        a large ``limit``."""
        self.full = False
        """Nothing more is written: the text is past ``limit``, or out of nodes (then it is cut too)."""

    def write(self, text: str) -> None:
        if self.full:
            return
        room = self.limit + 1 - self.size  # one character past the limit tells that the text was cut
        if _len(text) >= room:
            text = text[:room]
            self.full = True
        self.parts.append(text)
        self.size += _len(text)

    @property
    def room(self) -> int:
        return self.limit + 1 - self.size

    def text(self) -> str:
        out = "".join(self.parts)
        if not self.full:
            return out
        if self.limit < 3:
            return "." * self.limit
        return out[: self.limit - 3] + "..."


class _Open:
    """A container being written: its remaining items come from ``items`` one at a time."""

    __slots__ = ("close", "ident", "items", "pairs", "started")

    def __init__(self, items: Any, close: str, pairs: bool, ident: int) -> None:
        self.items = items
        self.close = close
        self.pairs = pairs
        self.started = False
        self.ident = ident


class _Text:
    __slots__ = ("text",)

    def __init__(self, text: str) -> None:
        self.text = text


def _name(t: Any) -> str:
    """A type's own name (read from the type object itself; a metaclass cannot intercept it), escaped."""
    try:
        name = _type_name(t, _type)
        name = "".join((name,)) if _isinstance(name, _str) else "?"  # an exact str, whatever it was
    except Exception:  # noqa: BLE001
        return "object"
    if _len(name) > 80:
        name = name[:77] + "..."
    return _str_repr(name)[1:-1]


def other(value: Any) -> str:
    """How any value that is not written out reads: ``<TypeName object>``."""
    return f"<{_name(_type(value))} object>"


def _int_text(value: int, room: int) -> str:
    if -(10**18) < value < 10**18:
        return _int_repr(value)
    digits = _int(math.log10(-value if value < 0 else value)) + 1  # reads the top digits only
    sign = "-" if value < 0 else ""
    if digits > MAX_INT_DIGITS or digits > room + 8:
        return f"{sign}<int with ~{digits} digits>"
    try:
        return _int_repr(value)
    except ValueError:  # the interpreter's int -> str digit limit is set lower
        return f"{sign}<int with ~{digits} digits>"


def _stdlib_types() -> dict[Any, str]:
    """The standard-library value types written out, by exact type (only modules already imported can have
    made such values: nothing is imported here)."""
    found: dict[Any, str] = {}
    mods = sys.modules
    fractions = mods.get("fractions")
    if fractions is not None:
        found[getattr(fractions, "Fraction", None)] = "Fraction"
    decimal = mods.get("decimal")
    if decimal is not None:
        found[getattr(decimal, "Decimal", None)] = "Decimal"
    datetime = mods.get("datetime")
    if datetime is not None:
        for name in ("date", "datetime", "time", "timedelta", "timezone"):
            found[getattr(datetime, name, None)] = name
    collections = mods.get("collections")
    if collections is not None:
        for name in ("OrderedDict", "Counter", "defaultdict", "deque"):
            found[getattr(collections, name, None)] = name
    found.pop(None, None)
    return found


def bounded_repr(value: Any, limit: int = DEFAULT_LIMIT) -> str:
    """The repr of ``value`` in at most ``limit`` characters, ending in ``...`` when cut; see the module's
    docstring. Never raises."""
    try:
        limit = _int(limit)
    except Exception:  # noqa: BLE001
        limit = DEFAULT_LIMIT
    limit = max(limit, 0)
    out = _Out(limit)
    try:
        _walk(value, out)
    except Exception:  # noqa: BLE001 - a value changed under us, memory ran out: say what it was
        return _cut(other(value), limit)
    return out.text()


def _cut(text: str, limit: int) -> str:
    if _len(text) <= limit:
        return text
    return "." * limit if limit < 3 else text[: limit - 3] + "..."


def _walk(root: Any, out: _Out) -> None:
    stdlib = _stdlib_types()
    stack: list[Any] = [root]
    active: set[int] = set()  # containers being written (a reference back to one is "[...]")
    while stack and not out.full:
        item = stack.pop()
        t = _type(item)
        if t is _Text:
            out.write(item.text)
            continue
        if t is _Open:
            try:
                nxt = _next(item.items)
            except StopIteration:
                active.discard(item.ident)
                out.write(item.close)
                continue
            stack.append(item)
            if item.started:
                out.write(", ")
            item.started = True
            if item.pairs:
                key, val = nxt
                stack.append(val)
                stack.append(_Text(": "))
                stack.append(key)
            else:
                stack.append(nxt)
            continue
        out.nodes -= 1
        if out.nodes < 0:
            out.full = True  # out of nodes: cut here
            break
        _node(item, t, out, stack, active, stdlib)


def _open(out: _Out, stack: list[Any], active: set[int], value: Any, head: str, items: Any, close: str,
          pairs: bool = False, recursive: str = "[...]") -> None:
    ident = _id(value)
    if ident in active:
        out.write(recursive)
        return
    active.add(ident)
    out.write(head)
    stack.append(_Open(items, close, pairs, ident))


def _node(value: Any, t: Any, out: _Out, stack: list[Any], active: set[int], stdlib: dict[Any, str]) -> None:
    if t is _NoneType or t is _bool or t is _float or t is _complex or t is _Ellipsis:
        out.write(_repr(value))
    elif t is _int:
        out.write(_int_text(value, out.room))
    elif t is _str:
        out.write(_str_repr(value[: out.room + 1]))  # only the head is ever read
    elif t is _bytes:
        out.write(_bytes_repr(value[: out.room + 1]))
    elif t is _bytearray:
        out.write("bytearray(" + _bytes_repr(_bytes(value[: out.room + 1])) + ")")
    elif t is _list:
        _open(out, stack, active, value, "[", _iter(value), "]")
    elif t is _tuple:
        if _len(value) == 1:
            stack.append(_Text(",)"))
            stack.append(value[0])
            out.write("(")
        else:
            _open(out, stack, active, value, "(", _iter(value), ")", recursive="(...)")
    elif t is _dict:
        _open(out, stack, active, value, "{", _iter(_dict_items(value)), "}", pairs=True, recursive="{...}")
    elif t is _set or t is _frozenset:
        head, close = ("{", "}") if t is _set else ("frozenset({", "})")
        if not _len(value):
            out.write("set()" if t is _set else "frozenset()")
        else:
            _open(out, stack, active, value, head, _iter(value), close, recursive="{...}")
    elif t is _range:
        step = "" if value.step == 1 else f", {_int_text(value.step, out.room)}"
        out.write(f"range({_int_text(value.start, out.room)}, {_int_text(value.stop, out.room)}{step})")
    elif t is _slice:
        _open(out, stack, active, value, "slice(", _iter((value.start, value.stop, value.step)), ")")
    elif t is _type:
        out.write(f"<class '{_name(value)}'>")
    elif t in stdlib:
        _stdlib_node(value, stdlib[t], out, stack, active)
    else:
        out.write(other(value))


def _zone(tz: Any) -> str:
    """A tzinfo: a ``datetime.timezone`` written with its name bounded, any other class by its name."""
    if _type(tz) is not sys.modules["datetime"].timezone:
        return other(tz)
    name = tz.tzname(None)
    if _type(name) is not _str or _len(name) <= 100:
        return _repr(tz)
    return f"datetime.timezone({_repr(tz.utcoffset(None))}, {_str_repr(name[:100])[:-1]}...')"


def _stdlib_node(value: Any, kind: str, out: _Out, stack: list[Any], active: set[int]) -> None:
    if kind == "Fraction":
        num, den = value.numerator, value.denominator
        if _type(num) is not _int or _type(den) is not _int:
            out.write(other(value))
        else:
            out.write(f"Fraction({_int_text(num, out.room)}, {_int_text(den, out.room)})")
    elif kind == "Decimal":
        size = _getsizeof(value)
        if size > 2048:  # the coefficient is stored in 8-byte words of 19 digits
            out.write(f"<Decimal with ~{(size - 104) * 19 // 8} digits>")
        else:
            out.write(f"Decimal('{_str(value)}')")
    elif kind in ("datetime", "time"):
        tz = value.tzinfo
        if tz is None:
            out.write(_repr(value))
        else:  # the zone written by us: a tzinfo class of the caller's has a repr that is not ours to call
            out.write(f"{_repr(value.replace(tzinfo=None))[:-1]}, tzinfo={_zone(tz)})")
    elif kind == "timezone":
        out.write(_zone(value))
    elif kind in ("date", "timedelta"):
        out.write(_repr(value))
    elif kind == "OrderedDict" or kind == "Counter":
        if not _len(value):
            out.write(f"{kind}()")
        else:
            _open(out, stack, active, value, kind + "({", _iter(_dict_items(value)), "})", pairs=True,
                  recursive="...")
    elif kind == "defaultdict":
        factory = value.default_factory
        if factory is None:
            fname = "None"
        elif _type(factory) is _type:
            fname = f"<class '{_name(factory)}'>"
        else:
            fname = other(factory)
        _open(out, stack, active, value, f"defaultdict({fname}, {{", _iter(_dict_items(value)), "})", pairs=True,
              recursive="...")
    elif kind == "deque":
        close = "])" if value.maxlen is None else f"], maxlen={value.maxlen})"
        _open(out, stack, active, value, "deque([", _iter(value), close)
    else:  # pragma: no cover - every kind of _stdlib_types is handled above
        out.write(other(value))


__all__ = ["DEFAULT_LIMIT", "bounded_repr", "other"]
