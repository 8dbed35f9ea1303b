"""Values as data across the sandbox boundary.

The submission's side *encodes* what it returns into a JSON document of tagged plain data; the
trusted side *decodes* that document into values of exact builtin types (and a few standard-library
value types it constructs itself). Nothing the submission defines survives the trip: subclasses of
builtin types are reduced to their base value with the base type's own C-level accessors (never the
subclass's methods), and anything that is not data is refused with a description of what it was.
The encoder runs in the submission's process, which may patch it: that only lets a submission send
other data, which it could have computed anyway. The decoder trusts nothing it reads.

Wire format: every value is a JSON scalar (null, true, false, a number, a string) or an array whose
first element is a tag::

    ["i", hex]            int too large for a JSON number      ["l", *items]   list
    ["t", *items]         tuple                                ["s", *items]   set
    ["f", *items]         frozenset                            ["d", k, v, …]  dict (insertion order)
    ["b", hex]            bytes                                ["y", hex]      bytearray
    ["c", re, im]         complex                              ["r", a, b, c]  range
    ["Q", num, den]       Fraction                             ["D", text]     Decimal
    ["date", y, m, d]     ["dt", y, m, d, H, M, S, us, tz, fold]   ["tm", H, M, S, us, tz, fold]
    ["td", days, s, us]   ["tz", offset_td, name|null]
    ["C", k, v, …]        Counter      ["O", k, v, …] OrderedDict    ["dd", factory|null, k, v, …]
    ["q", maxlen|null, *items]  deque  ["it", *items] an iterator or generator, exhausted
    ["h", id, info]       a handle: a function, class, module or (declared) object that stays in the
                          submission's process and can only be called or named, never compared
    ["E"]                 Ellipsis

Standard library only; imported by file path inside the sandbox.
"""

from __future__ import annotations

import builtins
import json
from typing import Any

# pristine builtins (a submission may patch builtins in its own process; the encoder keeps working)
_b = dict(vars(builtins))
_type = _b["type"]
_isinstance = _b["isinstance"]
_issubclass = _b["issubclass"]
_len = _b["len"]
_id = _b["id"]
_next = _b["next"]
_iter = _b["iter"]
_getattr = _b["getattr"]
_int, _float, _complex, _str, _bytes = _b["int"], _b["float"], _b["complex"], _b["str"], _b["bytes"]
_list, _tuple, _dict, _set, _frozenset = _b["list"], _b["tuple"], _b["dict"], _b["set"], _b["frozenset"]
_bytearray, _range, _bool = _b["bytearray"], _b["range"], _b["bool"]

MAX_NODES = 2_000_000
MAX_CHARS = 48 << 20
MAX_DEPTH = 200
MAX_ITEMS = 1_000_000
JSON_INT = 1 << 53
FACTORIES = ("int", "float", "str", "list", "dict", "set", "tuple", "frozenset", "bool", "bytes", "complex")
LYING_DUNDERS = ("__eq__", "__ne__", "__lt__", "__le__", "__gt__", "__ge__", "__hash__", "__bool__", "__len__",
                 "__contains__", "__iter__", "__getitem__", "__sub__", "__rsub__", "__abs__", "__add__",
                 "__radd__", "__float__", "__int__", "__index__", "__getattribute__", "__getattr__",
                 "__instancecheck__", "__class__")
_STDLIB_MODULES = frozenset(__import__("sys").stdlib_module_names) | {"builtins"}


class NotData(Exception):
    """The value (or something inside it) is not plain data; ``info`` says what it was."""

    def __init__(self, reason: str, info: dict[str, Any] | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.info = info or {}


class Invalid(Exception):
    """A document from the submission's side that is not valid data (trusted side)."""


# ---------------------------------------------------------------------------------------------
# submission side


def overrides(t: type) -> list[str]:
    """Dunders that can lie, as defined by the classes (other than builtins) in ``t``'s MRO."""
    found: list[str] = []
    for cls in t.__mro__:
        if _getattr(cls, "__module__", "") in _STDLIB_MODULES:
            continue
        for key in _list(cls.__dict__):
            if key in LYING_DUNDERS and key not in found:
                found.append(key)
    return found


def describe_type(t: type) -> dict[str, Any]:
    return {"type": _str(_getattr(t, "__qualname__", "?")), "module": _str(_getattr(t, "__module__", "?")),
            "overrides": overrides(t)}


def _stdlib() -> dict[str, type]:
    import collections
    import datetime
    import decimal
    import fractions

    return {"Counter": collections.Counter, "OrderedDict": collections.OrderedDict,
            "defaultdict": collections.defaultdict, "deque": collections.deque, "Fraction": fractions.Fraction,
            "Decimal": decimal.Decimal, "date": datetime.date, "datetime": datetime.datetime,
            "time": datetime.time, "timedelta": datetime.timedelta, "timezone": datetime.timezone}


_STD = _stdlib()
_SCALARS = (type(None), _bool, _float, _str)
_BASES = (_bool, _int, _float, _complex, _str, _bytes, _bytearray, _tuple, _list, _dict, _set, _frozenset, _range)


class Encoder:
    """Turns a value into the wire document, in the submission's process.

    ``handle(obj) -> (id, info) | None`` is asked about anything that is not data; when it answers, the
    object stays behind and a handle to it is sent instead.
    """

    def __init__(self, handle: Any = None, objects: list[str] | None = None, register: Any = None) -> None:
        self.handle = handle
        self.objects = objects
        self.register = register
        self.nodes = 0
        self.chars = 0
        self.path: set[int] = set()
        self.costumes: list[dict[str, Any]] = []
        self.done: dict[int, tuple[Any, int, int, Any]] = {}  # container id -> tree, nodes, chars, container

    def encode(self, value: Any) -> str:
        return dumps(self.tree(value, 0))

    def _count(self, chars: int = 0, nodes: int = 1) -> None:
        self.nodes += nodes
        self.chars += chars
        if self.nodes > MAX_NODES or self.chars > MAX_CHARS:
            raise NotData(f"the value is too large to compare (over {MAX_NODES} parts or {MAX_CHARS >> 20} MB); "
                          "shared references are expanded", {"type": "value", "module": "?", "overrides": []})

    def tree(self, obj: Any, depth: int) -> Any:
        if depth > MAX_DEPTH:
            raise NotData(f"the value nests more than {MAX_DEPTH} levels deep")
        t = _type(obj)
        if t is type(None) or t is _bool:
            self._count()
            return obj
        if t is _int:
            self._count(8)
            if -JSON_INT < obj < JSON_INT:
                return obj
            return ["i", _int.__format__(obj, "x")]
        if t is _float:
            self._count(8)
            return obj
        if t is _str:
            self._count(_str.__len__(obj))
            return obj
        if t in _BASES:
            return self._builtin(t, obj, depth)
        std = _STD.get(_getattr(t, "__name__", ""))
        if std is t:
            return self._stdlib(t, obj, depth)
        return self._other(t, obj, depth)

    def _items(self, items: Any, depth: int, key: int) -> list[Any]:
        if key in self.path:
            raise NotData("the value contains itself (a self-referential structure)")
        self.path.add(key)
        try:
            out = []
            for item in items:
                out.append(self.tree(item, depth + 1))
            return out
        finally:
            self.path.discard(key)

    def _pairs(self, items: Any, depth: int, key: int) -> list[Any]:
        if key in self.path:
            raise NotData("the value contains itself (a self-referential structure)")
        self.path.add(key)
        try:
            out: list[Any] = []
            for k, v in items:
                out.append(self.tree(k, depth + 1))
                out.append(self.tree(v, depth + 1))
            return out
        finally:
            self.path.discard(key)

    def _builtin(self, t: type, obj: Any, depth: int) -> Any:
        """An exact builtin type, or the genuine base value of a subclass (``t`` is the base). A container
        met again (shared references) is counted in one step and its tree reused: a value built by doubling
        shared lists hits the size limit after a few dozen steps, not after walking its expansion."""
        key = _id(obj)
        seen = self.done.get(key)
        if seen is not None and seen[3] is obj:
            self._count(seen[2], seen[1])
            return seen[0]
        nodes, chars = self.nodes, self.chars
        tree = self._builtin_tree(t, obj, depth, key)
        if t in (_list, _tuple, _set, _frozenset, _dict):
            self.done[key] = (tree, self.nodes - nodes, self.chars - chars, obj)
        return tree

    def _builtin_tree(self, t: type, obj: Any, depth: int, key: int) -> Any:
        self._count()
        if t is _bool:  # a bool cannot be subclassed; kept for the base table
            return obj
        if t is _int:
            return self.tree(_int.__index__(obj), depth)
        if t is _float:
            return _float.__float__(obj)
        if t is _str:
            return self.tree(_str.__str__(obj), depth)
        if t is _complex:
            return ["c", _complex.real.__get__(obj), _complex.imag.__get__(obj)]
        if t is _bytes:
            data = _bytes.__getitem__(obj, slice(None))
            self._count(2 * _bytes.__len__(data))
            return ["b", _bytes.hex(data)]
        if t is _bytearray:
            self._count(2 * _bytearray.__len__(obj))
            return ["y", _bytearray.hex(obj)]
        if t is _list:
            return ["l", *self._items(_list.__iter__(obj), depth, key)]
        if t is _tuple:
            return ["t", *self._items(_tuple.__iter__(obj), depth, key)]
        if t is _set:
            return ["s", *self._items(_set.__iter__(obj), depth, key)]
        if t is _frozenset:
            return ["f", *self._items(_frozenset.__iter__(obj), depth, key)]
        if t is _dict:
            return ["d", *self._pairs(_dict.items(obj), depth, key)]
        if t is _range:
            return ["r", _range.start.__get__(obj), _range.stop.__get__(obj), _range.step.__get__(obj)]
        raise NotData(f"unsupported builtin {t.__name__}")  # pragma: no cover

    def _stdlib(self, t: type, obj: Any, depth: int) -> Any:
        self._count()
        name = t.__name__
        key = _id(obj)
        if name == "Fraction":
            num, den = _int.__index__(obj.numerator), _int.__index__(obj.denominator)
            return ["Q", self.tree(num, depth), self.tree(den, depth)]
        if name == "Decimal":
            text = _str.__str__(t.__str__(obj))
            self._count(_len(text))
            return ["D", text]
        if name == "Counter":
            return ["C", *self._pairs(_dict.items(obj), depth, key)]
        if name == "OrderedDict":  # its own (linked-list) order, read by the C type's accessor
            return ["O", *self._pairs(t.items(obj), depth, key)]
        if name == "defaultdict":
            factory = t.default_factory.__get__(obj)
            fname = next((f for f in FACTORIES if factory is _b[f]), None)
            return ["dd", fname, *self._pairs(_dict.items(obj), depth, key)]
        if name == "deque":
            return ["q", t.maxlen.__get__(obj), *self._items(t.__iter__(obj), depth, key)]
        if name == "timedelta":
            return ["td", obj.days, obj.seconds, obj.microseconds]
        if name == "timezone":
            off = obj.utcoffset(None)
            label = obj.tzname(None)
            return ["tz", self.tree(off, depth + 1), label]
        if name == "date":
            return ["date", obj.year, obj.month, obj.day]
        if name == "datetime":
            return ["dt", obj.year, obj.month, obj.day, obj.hour, obj.minute, obj.second, obj.microsecond,
                    self._tz(obj.tzinfo, depth), obj.fold]
        if name == "time":
            return ["tm", obj.hour, obj.minute, obj.second, obj.microsecond, self._tz(obj.tzinfo, depth), obj.fold]
        raise NotData(f"unsupported value type {name}")  # pragma: no cover

    def _tz(self, tz: Any, depth: int) -> Any:
        if tz is None:
            return None
        if _type(tz) is not _STD["timezone"]:
            raise NotData("a datetime with a tzinfo other than datetime.timezone", describe_type(_type(tz)))
        return self.tree(tz, depth + 1)

    def _other(self, t: type, obj: Any, depth: int) -> Any:
        # standard-library containers first: OrderedDict and Counter are dict subclasses whose own order
        # (or type) matters in comparisons
        for name in ("OrderedDict", "Counter", "defaultdict", "deque"):
            std = _STD[name]
            if _issubclass(t, std):
                self._costume(t, obj)
                return self._stdlib(std, obj, depth)
        for base in _BASES:
            if _issubclass(t, base):
                self._costume(t, obj)
                return self._builtin(base, obj, depth)
        if obj is Ellipsis:
            return ["E"]
        if self.objects is not None and not _isinstance(obj, type) and not _is_iterator(t) and \
                _getattr(t, "__module__", "") not in _STDLIB_MODULES:
            return self._record(t, obj, depth)
        if self.handle is not None:
            found = self.handle(obj)
            if found is not None:
                self._count()
                return ["h", found[0], found[1]]
        if _is_iterator(t):
            key = _id(obj)
            if key in self.path:
                raise NotData("the value contains itself (a self-referential structure)")
            items = []
            it = obj
            for _ in _range(MAX_ITEMS + 1):
                try:
                    items.append(_next(it))
                except StopIteration:
                    return ["it", *self._items(items, depth, key)]
            raise NotData(f"the returned iterator yields more than {MAX_ITEMS} items")
        info = describe_type(t)
        info["lies"] = _lies(obj)
        raise NotData(f"the solution returned an instance of {info['module']}.{info['type']}, which is not plain "
                      "data (expected builtin values such as int, str, list, dict)", info)


    def _costume(self, t: type, obj: Any) -> None:
        if _getattr(t, "__module__", "") in _STDLIB_MODULES or _len(self.costumes) >= 20:
            return  # namedtuples, enums and other standard classes: nothing of the submission's
        info = describe_type(t)
        info["lies"] = _lies(obj)
        self.costumes.append(info)

    def _record(self, t: type, obj: Any, depth: int) -> Any:
        """An object of a task that declares an object interface: its declared attributes, read in this
        (the submission's) process and sent as data, plus a reference so the tests can pass it back."""
        key = _id(obj)
        if key in self.path:
            raise NotData("the value contains itself (a self-referential structure)")
        self.path.add(key)
        try:
            self._count()
            fields: list[Any] = []
            for name in self.objects or ():
                if name == "__str__":
                    value: Any = _str.__str__(_str(obj))
                elif name == "__repr__":
                    value = _str.__str__(_b["repr"](obj))
                else:
                    try:
                        value = _getattr(obj, name)
                    except AttributeError:
                        continue
                    if callable(value) and not _isinstance(value, type):
                        continue  # a method: named by the interface, not read as data
                fields.append(name)
                fields.append(self.tree(value, depth + 1))
        finally:
            self.path.discard(key)
        lies = _lies(obj)
        if lies:
            self.costumes.append({"type": _str.__str__(_getattr(t, "__qualname__", "object")), "overrides": lies,
                                  "lies": lies})
        ref = self.register(obj) if self.register is not None else None
        return ["o", ref, _str.__str__(_getattr(t, "__qualname__", "object")), ["d", *fields]]


_quote = json.encoder.encode_basestring_ascii  # the C function, bound now: later patches do not reach it
_float_repr = _float.__repr__
_int_repr = _int.__repr__
_join = _str.join


def dumps(tree: Any) -> str:
    """JSON text of a tree of exact None/bool/int/float/str/list/dict, written with the builtins this
    module bound at import (a submission that patches ``json`` or builtins only changes its own output)."""
    out: list[str] = []
    emit = out.append
    stack = [tree]
    pop, push = stack.pop, stack.append
    while stack:
        node = pop()
        t = _type(node)
        if t is _Mark:
            emit(node.text)
        elif t is _str:
            emit(_quote(node))
        elif node is None:
            emit("null")
        elif node is True:
            emit("true")
        elif node is False:
            emit("false")
        elif t is _int:
            emit(_int_repr(node))
        elif t is _float:
            if node != node:
                emit("NaN")
            elif node in (_INF, -_INF):
                emit("Infinity" if node > 0 else "-Infinity")
            else:
                emit(_float_repr(node))
        elif t is _list:
            emit("[")
            push(_CLOSE_L)
            for i in _range(_list.__len__(node) - 1, -1, -1):
                push(node[i])
                if i:
                    push(_COMMA)
        elif t is _dict:
            emit("{")
            push(_CLOSE_D)
            items = _list(_dict.items(node))
            for i in _range(_len(items) - 1, -1, -1):
                push(items[i][1])
                push(_COLON)
                push(_str.__str__(items[i][0]))
                if i:
                    push(_COMMA)
        else:
            raise NotData(f"cannot write {t.__name__} as data")
    return _join("", out)


class _Mark:
    __slots__ = ("text",)

    def __init__(self, text: str) -> None:
        self.text = text


_COMMA, _CLOSE_L, _CLOSE_D, _COLON = _Mark(","), _Mark("]"), _Mark("}"), _Mark(":")
_INF = _float("inf")


callable = _b["callable"]


class _Stranger:
    """A value no honest object equals."""


def _lies(obj: Any) -> list[str]:
    """Evidence (gathered in the submission's process, so only ever evidence) that an object's comparisons
    lie: it equals a stranger, or differs from itself."""
    import random

    found = []
    rng = random.SystemRandom()
    for stranger in (_Stranger(), rng.getrandbits(61) + 7, f"fp-{rng.getrandbits(64):x}", [rng.random()]):
        try:
            if obj == stranger:
                found.append("__eq__")
                break
        except BaseException:  # noqa: BLE001
            pass
    try:
        if obj != obj:
            found.append("__ne__")
    except BaseException:  # noqa: BLE001
        pass
    return found


def _is_iterator(t: type) -> bool:
    return any("__next__" in _getattr(c, "__dict__", {}) for c in t.__mro__) and \
        any("__iter__" in _getattr(c, "__dict__", {}) for c in t.__mro__)


def encode(value: Any, handle: Any = None) -> tuple[str, list[dict[str, Any]]]:
    """The wire document for ``value`` and the costumes (builtin subclasses) it was stripped of."""
    enc = Encoder(handle)
    return enc.encode(value), enc.costumes


# ---------------------------------------------------------------------------------------------
# trusted side


class Exhausted:
    """What a returned iterator or generator yielded, in order. Like the iterator it stands for, it
    equals nothing but itself; iterate it (``list(...)``) to compare its items."""

    __slots__ = ("_items", "_pos")

    def __init__(self, items: list[Any]) -> None:
        self._items = items
        self._pos = 0

    def __iter__(self) -> Exhausted:
        return self

    def __next__(self) -> Any:
        if self._pos >= len(self._items):
            raise StopIteration
        self._pos += 1
        return self._items[self._pos - 1]

    def __repr__(self) -> str:
        return f"<iterator of {len(self._items)} items>"

    def __reduce__(self) -> Any:
        return (iter, (list(self._items[self._pos:]),))


class ObjectData:
    """An object the solution returned, as the data of its declared attributes (read in the solution's
    process). Two are equal when they are of the same class name with equal attributes; the solution's own
    ``__eq__`` never runs here. It can be passed back to the solution, which then gets its own object."""

    __slots__ = ("_fp_attrs", "_fp_ref", "_fp_type")

    def __init__(self, type_name: str, attrs: dict[str, Any], ref: Any) -> None:
        object.__setattr__(self, "_fp_type", type_name)
        object.__setattr__(self, "_fp_attrs", attrs)
        object.__setattr__(self, "_fp_ref", ref)

    def __getattr__(self, name: str) -> Any:
        attrs = object.__getattribute__(self, "_fp_attrs")
        if name in attrs and not (name.startswith("__") and name.endswith("__")):
            return attrs[name]
        raise AttributeError(f"{name!r} is not among the attributes the task declares for its objects")

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("objects returned by the solution are read-only data here")

    def __eq__(self, other: object) -> bool:
        if type(other) is not ObjectData:
            return NotImplemented
        return (object.__getattribute__(self, "_fp_type") == object.__getattribute__(other, "_fp_type")
                and object.__getattribute__(self, "_fp_attrs") == object.__getattribute__(other, "_fp_attrs"))

    def __ne__(self, other: object) -> bool:
        result = self.__eq__(other)
        return result if result is NotImplemented else not result

    def __hash__(self) -> int:
        attrs = object.__getattribute__(self, "_fp_attrs")
        try:
            return hash((object.__getattribute__(self, "_fp_type"), tuple(attrs.items())))
        except TypeError:
            return hash((object.__getattribute__(self, "_fp_type"), tuple(attrs)))

    def __str__(self) -> str:
        attrs = object.__getattribute__(self, "_fp_attrs")
        text = attrs.get("__str__")
        return text if type(text) is str else self.__repr__()

    def __repr__(self) -> str:
        attrs = object.__getattribute__(self, "_fp_attrs")
        text = attrs.get("__repr__")
        if type(text) is str:
            return text
        inner = ", ".join(f"{k}={v!r}" for k, v in attrs.items() if not k.startswith("__"))
        return f"{object.__getattribute__(self, '_fp_type')}({inner})"


class Decoder:
    """Builds trusted values from a wire document. ``handle(id, info)`` makes handle objects."""

    def __init__(self, handle: Any = None) -> None:
        self.handle = handle
        import collections
        import datetime
        import decimal
        import fractions

        self.collections, self.datetime, self.decimal, self.fractions = collections, datetime, decimal, fractions

    def decode(self, text: str | bytes) -> Any:
        try:
            doc = json.loads(text)
        except RecursionError:
            raise Invalid("the data nests too deeply") from None
        except ValueError as exc:
            raise Invalid(f"not valid data: {exc}") from None
        return self.build(doc, 0)

    def build(self, node: Any, depth: int) -> Any:
        t = type(node)
        if node is None or t is bool or t is int or t is float or t is str:
            return node
        if t is not list or not node or type(node[0]) is not str:
            raise Invalid(f"unexpected {t.__name__} in data")
        if depth > MAX_DEPTH + 10:
            raise Invalid("the data nests too deeply")
        tag = node[0]
        args = node[1:]
        d = depth + 1
        try:
            if tag == "l":
                return [self.build(x, d) for x in args]
            if tag == "t":
                return tuple(self.build(x, d) for x in args)
            if tag == "s":
                return {self.build(x, d) for x in args}
            if tag == "f":
                return frozenset(self.build(x, d) for x in args)
            if tag == "d":
                return dict(self._pairs(args, d))
            if tag == "i":
                return int(self._text(args, 0), 16)
            if tag == "b":
                return bytes.fromhex(self._text(args, 0))
            if tag == "y":
                return bytearray.fromhex(self._text(args, 0))
            if tag == "c":
                return complex(self._num(args, 0), self._num(args, 1))
            if tag == "r":
                return range(self._int(args, 0), self._int(args, 1), self._int(args, 2))
            if tag == "E":
                return Ellipsis
            if tag == "Q":
                return self.fractions.Fraction(self._int(args, 0, d), self._int(args, 1, d))
            if tag == "D":
                return self.decimal.Decimal(self._text(args, 0))
            if tag == "C":
                return self.collections.Counter(dict(self._pairs(args, d)))
            if tag == "O":
                return self.collections.OrderedDict(self._pairs(args, d))
            if tag == "dd":
                name = args[0] if args else None
                if name is not None and name not in FACTORIES:
                    raise Invalid("unknown defaultdict factory")
                factory = getattr(builtins, name) if name else None
                return self.collections.defaultdict(factory, self._pairs(args[1:], d))
            if tag == "q":
                maxlen = args[0] if args else None
                if maxlen is not None and type(maxlen) is not int:
                    raise Invalid("bad deque maxlen")
                return self.collections.deque([self.build(x, d) for x in args[1:]], maxlen)
            if tag == "td":
                return self.datetime.timedelta(days=self._int(args, 0), seconds=self._int(args, 1),
                                               microseconds=self._int(args, 2))
            if tag == "tz":
                offset = self.build(args[0], d) if args else None
                if type(offset) is not self.datetime.timedelta:
                    raise Invalid("bad timezone offset")
                name = args[1] if len(args) > 1 else None
                if name is not None and type(name) is not str:
                    raise Invalid("bad timezone name")
                return self.datetime.timezone(offset, name) if name is not None else self.datetime.timezone(offset)
            if tag == "date":
                return self.datetime.date(self._int(args, 0), self._int(args, 1), self._int(args, 2))
            if tag == "dt":
                ints = [self._int(args, i) for i in range(7)]
                return self.datetime.datetime(*ints, tzinfo=self._tz(args, 7, d), fold=self._int(args, 8))
            if tag == "tm":
                ints = [self._int(args, i) for i in range(4)]
                return self.datetime.time(*ints, tzinfo=self._tz(args, 4, d), fold=self._int(args, 5))
            if tag == "it":
                return Exhausted([self.build(x, d) for x in args])
            if tag == "o":
                if len(args) != 3 or type(args[1]) is not str:
                    raise Invalid("malformed object")
                attrs = self.build(args[2], d)
                if type(attrs) is not dict or not all(type(k) is str for k in attrs):
                    raise Invalid("malformed object attributes")
                ref = self.handle(args[0], {"kind": "object", "type": args[1]}) \
                    if self.handle is not None and type(args[0]) is int else None
                return ObjectData(args[1], attrs, ref)
            if tag == "h":
                if self.handle is None or len(args) != 2 or type(args[0]) is not int or type(args[1]) is not dict:
                    raise Invalid("unexpected handle")
                return self.handle(args[0], args[1])
        except Invalid:
            raise
        except RecursionError:
            raise Invalid("the data nests too deeply") from None
        except (TypeError, ValueError, OverflowError, ArithmeticError) as exc:
            raise Invalid(f"invalid {tag!r} value: {type(exc).__name__}: {exc}") from None
        raise Invalid(f"unknown tag {tag!r}")

    def _pairs(self, args: list[Any], depth: int) -> list[tuple[Any, Any]]:
        if len(args) % 2:
            raise Invalid("odd number of items in a mapping")
        return [(self.build(args[i], depth), self.build(args[i + 1], depth)) for i in range(0, len(args), 2)]

    def _text(self, args: list[Any], i: int) -> str:
        if len(args) <= i or type(args[i]) is not str:
            raise Invalid("expected text")
        return args[i]

    def _num(self, args: list[Any], i: int) -> float:
        if len(args) <= i or type(args[i]) not in (int, float):
            raise Invalid("expected a number")
        return args[i]

    def _int(self, args: list[Any], i: int, depth: int | None = None) -> int:
        if len(args) <= i:
            raise Invalid("expected an integer")
        value = self.build(args[i], depth) if depth is not None else args[i]
        if type(value) is not int:
            raise Invalid("expected an integer")
        return value

    def _tz(self, args: list[Any], i: int, depth: int) -> Any:
        if len(args) <= i or args[i] is None:
            return None
        tz = self.build(args[i], depth)
        if type(tz) is not self.datetime.timezone:
            raise Invalid("bad tzinfo")
        return tz


def decode(text: str | bytes, handle: Any = None) -> Any:
    return Decoder(handle).decode(text)


# ---------------------------------------------------------------------------------------------
# comparing two decoded values (the order-independence replay)


def same(a: Any, b: Any, depth: int = 0) -> bool:
    """Whether two trusted data values are the same data: equal, of the same types all the way down, NaN
    equal to NaN. Handles compare by their kind and name only."""
    if depth > MAX_DEPTH + 20:
        return False
    ta, tb = type(a), type(b)
    if ta is not tb:
        return False
    if ta is float:
        return a == b or (a != a and b != b)
    if ta is complex:
        return same(a.real, b.real) and same(a.imag, b.imag)
    if ta in (list, tuple) or ta is Exhausted:
        xs = a._items if ta is Exhausted else a
        ys = b._items if ta is Exhausted else b
        return len(xs) == len(ys) and all(same(x, y, depth + 1) for x, y in zip(xs, ys, strict=True))
    if isinstance(a, dict):
        if len(a) != len(b) or (ta is not dict and list(a.keys()) != list(b.keys())):
            return False
        return all(k in b and same(v, b[k], depth + 1) for k, v in a.items())
    if ta in (set, frozenset):
        return a == b
    if hasattr(a, "_fp_same_handle"):
        return a._fp_same_handle(b)
    try:
        return bool(a == b)
    except Exception:  # noqa: BLE001
        return False
