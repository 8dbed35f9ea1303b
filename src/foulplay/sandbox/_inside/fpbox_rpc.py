"""Call untrusted code from trusted code, with only data crossing between them.

The submission runs in its own process (the *candidate*), serving requests on a socket. Trusted
code (the test driver) holds :class:`RemoteObject` proxies. What comes back from the candidate is
decoded by :class:`fpbox_wire.SafeUnpickler`, so the trusted side only ever holds genuine builtin
values, a short list of standard-library value types, trusted wrappers around the genuine value
of a builtin subclass, or proxies. None of these run candidate-defined ``__eq__`` in the trusted
process; comparing a proxy with trusted data is refused and probed with a random sentinel, which
is how an always-equal object gives itself away without learning the expected value.

Standard library only; imported by file path inside the sandbox.
"""

from __future__ import annotations

import builtins
import io
import os
import pickle
import random
import sys
import traceback
import types
from collections.abc import Callable, Iterator
from typing import Any

import fpbox_data as data
import fpbox_wire as wire

# Pristine builtins: the candidate side of this module keeps working when a submission replaces
# builtins.isinstance and friends in its own process (and then reports that it did). Module
# globals are looked up before builtins, so these bindings win.
_pristine = dict(vars(builtins))
bool = _pristine["bool"]
callable = _pristine["callable"]
dict = _pristine["dict"]
getattr = _pristine["getattr"]
hasattr = _pristine["hasattr"]
id = _pristine["id"]
int = _pristine["int"]
isinstance = _pristine["isinstance"]
issubclass = _pristine["issubclass"]
iter = _pristine["iter"]
len = _pristine["len"]
list = _pristine["list"]
next = _pristine["next"]
repr = _pristine["repr"]
setattr = _pristine["setattr"]
str = _pristine["str"]
tuple = _pristine["tuple"]
type = _pristine["type"]
vars = _pristine["vars"]

# --------------------------------------------------------------------------------------------
# shared vocabulary

EQ_FAMILY = ("__eq__", "__ne__", "__hash__", "__lt__", "__le__", "__gt__", "__ge__")
WATCHED_DUNDERS = (
    *EQ_FAMILY, "__bool__", "__len__", "__contains__", "__iter__", "__str__", "__repr__",
    "__format__", "__int__", "__float__", "__index__", "__sub__", "__rsub__", "__abs__",
    "__getattribute__", "__getattr__", "__class__", "__instancecheck__",
)
_BENIGN_CLASS_KEYS = frozenset(
    {"__module__", "__qualname__", "__doc__", "__dict__", "__weakref__", "__slots__", "__init__",
     "__new__", "__annotations__", "__orig_bases__", "__parameters__", "__firstlineno__",
     "__static_attributes__", "__match_args__", "__getnewargs__", "_fields", "_field_defaults",
     "_make", "_replace", "_asdict", "__reduce__", "__reduce_ex__"}
)
MAX_TEXT = 2000


def short_repr(value: Any, limit: int = 200) -> str:
    try:
        text = repr(value)
    except BaseException:  # noqa: BLE001 - a hostile __repr__ must not break reporting
        text = f"<{type(value).__name__} object>"
    return text if len(text) <= limit else text[: limit - 3] + "..."


def event(defence: str, detail: str, source: str = "grader", **extra: Any) -> dict[str, Any]:
    out = {"defence": defence, "detail": detail[:MAX_TEXT], "source": source}
    out.update(extra)
    return out


# --------------------------------------------------------------------------------------------
# candidate side

_PLAIN = frozenset(
    {type(None), bool, int, float, complex, str, bytes, bytearray, tuple, list, dict, set,
     frozenset, range, slice, type(Ellipsis)}
)


def _stdlib_values() -> frozenset[type]:
    import collections
    import datetime
    import decimal
    import fractions

    return frozenset(
        {collections.OrderedDict, collections.defaultdict, collections.Counter,
         collections.deque, datetime.date, datetime.time, datetime.datetime,
         datetime.timedelta, datetime.timezone, decimal.Decimal, fractions.Fraction}
    )


_VALUE_TYPES = _PLAIN | _stdlib_values()
# classes a data pickle may name (constructors of the value types, defaultdict factories)
_NAMED_CLASSES = _VALUE_TYPES | frozenset({list, dict, set, frozenset, tuple, int, float, str, bytes,
                                           bool, complex, bytearray, slice, range})

# builtin base -> function returning the genuine (exact-type) value of an instance of a subclass,
# reading the C-level value directly so candidate overrides are never consulted.
_GENUINE: dict[type, Callable[[Any], Any]] = {
    int: int.__int__,
    float: float.__float__,
    complex: lambda o: complex(complex.real.__get__(o), complex.imag.__get__(o)),
    str: str.__str__,
    bytes: lambda o: bytes.__getitem__(o, slice(None)),
    bytearray: bytearray.copy,
    tuple: lambda o: tuple.__getitem__(o, slice(None)),
    list: list.copy,
    dict: dict.copy,
    set: set.copy,
    frozenset: frozenset.copy,
}
_BASE_ORDER = (str, bytes, bytearray, int, float, complex, tuple, list, dict, frozenset, set)


def _builtin_base(t: type) -> type | None:
    for base in _BASE_ORDER:
        if issubclass(t, base):
            return base
    return None


def _is_foreign_class(cls: type) -> bool:
    return cls is not object and cls.__module__ != "builtins" and cls not in _VALUE_TYPES


def describe_overrides(t: type) -> list[str]:
    """Watched dunders (and, for builtin subclasses, base methods) a non-builtin class redefines."""
    base = _builtin_base(t)
    found: list[str] = []
    for cls in t.__mro__:
        if not _is_foreign_class(cls):
            continue
        for key in list(vars(cls)):
            if key in found or key in _BENIGN_CLASS_KEYS:
                continue
            if key in WATCHED_DUNDERS or (base is not None and hasattr(base, key)):
                found.append(key)
    return found


def _nearest_builtin_exception(cls: type) -> str:
    for klass in cls.__mro__:
        if klass.__module__ == "builtins" and issubclass(klass, BaseException):
            return klass.__name__
    return "Exception"


def describe(obj: Any) -> dict[str, Any]:
    t = type(obj)
    info: dict[str, Any] = {
        "type": getattr(t, "__qualname__", t.__name__),
        "module": getattr(t, "__module__", "?"),
        "overrides": describe_overrides(t),
    }
    if isinstance(obj, type):
        info["kind"] = "class"
        info["name"] = obj.__qualname__
        info["class_module"] = obj.__module__
        if issubclass(obj, BaseException):
            info["exc_base"] = _nearest_builtin_exception(obj)
    elif isinstance(obj, types.ModuleType):
        info["kind"] = "module"
        info["name"] = obj.__name__
    elif callable(obj):
        info["kind"] = "callable"
        info["name"] = getattr(obj, "__qualname__", None) or getattr(obj, "__name__", "?")
    else:
        info["kind"] = "object"
    return info


def exception_info(exc: BaseException, limit_tb: bool = True) -> dict[str, Any]:
    t = type(exc)
    try:
        message = str(exc)
    except BaseException:  # noqa: BLE001
        message = "<unprintable exception>"
    try:
        tb = "".join(traceback.format_exception(t, exc, exc.__traceback__))
    except BaseException:  # noqa: BLE001
        tb = ""
    info: dict[str, Any] = {
        "type": getattr(t, "__qualname__", "?"),
        "module": getattr(t, "__module__", "?"),
        "base": _nearest_builtin_exception(t),
        "message": message[:MAX_TEXT],
        "traceback": tb[-MAX_TEXT:] if limit_tb else tb,
    }
    if isinstance(exc, SystemExit):
        code = exc.code
        info["exit_code"] = code if isinstance(code, int) and not isinstance(code, bool) else (
            0 if code is None or code is False else 1)
    return info


class _Shadow:
    """Candidate-side copy of an instance of a class defined by the trusted tests."""


_shadow_classes: dict[str, type] = {}


def shadow(qualname: str, state: dict[str, Any]) -> Any:
    cls = _shadow_classes.get(qualname)
    if cls is None:
        cls = type(qualname.rsplit(".", 1)[-1], (_Shadow,), {"__qualname__": qualname})
        _shadow_classes[qualname] = cls
    obj = cls.__new__(cls)
    obj.__dict__.update(state)
    return obj


class _Integrity:
    """Notices when the submission's process patches things a test runner relies on.

    What it reports is evidence from an untrusted process: it can only add to a verdict, never
    turn a failure into a pass.
    """

    WATCH = (
        ("sys", "exit"), ("sys", "excepthook"), ("os", "_exit"), ("os", "kill"),
        ("operator", "eq"), ("operator", "ne"), ("time", "time"), ("time", "perf_counter"),
        ("time", "monotonic"), ("time", "process_time"),
    )
    FRAMEWORK = (
        ("_pytest.reports", ("TestReport", "from_item_and_call"), "_pytest"),
        ("_pytest.runner", ("call_and_report",), "_pytest"),
        ("_pytest.runner", ("runtestprotocol",), "_pytest"),
        ("_pytest.python", ("Function", "runtest"), "_pytest"),
        ("unittest.case", ("TestCase", "run"), "unittest"),
        ("unittest.case", ("TestCase", "assertEqual"), "unittest"),
        ("unittest.case", ("TestCase", "assertTrue"), "unittest"),
        ("unittest.result", ("TestResult", "wasSuccessful"), "unittest"),
    )

    def __init__(self) -> None:
        self.builtins = dict(vars(builtins))
        self.watch = {}
        for mod, name in self.WATCH:
            module = sys.modules.get(mod)
            if module is not None:
                self.watch[(mod, name)] = getattr(module, name, None)
        self.reported: set[str] = set()
        self.notes: list[str] = []
        self.workdir = os.getcwd()
        self.original_excepthook = sys.excepthook
        self._exit_like = {id(os._exit), id(sys.exit), id(os.kill), id(os.abort)}
        import atexit

        original_register = atexit.register
        integrity = self

        def register(func: Any, *args: Any, **kwargs: Any) -> Any:
            if integrity._suspicious_callable(func):
                integrity.notes.append(
                    f"registered an atexit handler {getattr(func, '__qualname__', func)!r} "
                    "that can decide the exit status")
            return original_register(func, *args, **kwargs)

        atexit.register = register  # type: ignore[assignment]

    def _suspicious_callable(self, func: Any) -> bool:
        """Exit-like builtins, or code the submission wrote itself."""
        if id(func) in self._exit_like:
            return True
        code = getattr(getattr(func, "__func__", func), "__code__", None)
        if code is None:
            return False
        filename = code.co_filename
        return filename.startswith(self.workdir) or not os.path.isabs(filename)

    def check(self) -> list[dict[str, Any]]:
        found: list[str] = []
        current = vars(builtins)
        for name, obj in self.builtins.items():
            if current.get(name, obj) is not obj:
                found.append(f"replaced builtins.{name}")
        for (mod, name), obj in self.watch.items():
            module = sys.modules.get(mod)
            if module is not None and getattr(module, name, obj) is not obj:
                found.append(f"replaced {mod}.{name}")
        for mod, path, home in self.FRAMEWORK:
            module = sys.modules.get(mod)
            if module is None:
                continue
            try:
                obj: Any = module
                for part in path:
                    obj = getattr(obj, part)
                func = getattr(obj, "__func__", obj)
                filename = func.__code__.co_filename
            except AttributeError:
                found.append(f"replaced {mod}.{'.'.join(path)} with a non-function")
                continue
            except Exception:  # noqa: BLE001
                continue
            if f"{os.sep}{home}{os.sep}" not in filename:
                found.append(f"replaced {mod}.{'.'.join(path)} (now defined in {filename})")
        found.extend(self.notes)
        hook = sys.excepthook
        if hook is not self.original_excepthook and self._suspicious_callable(hook):
            found.append("installed its own sys.excepthook")
        out = []
        for item in found:
            if item not in self.reported:
                self.reported.add(item)
                out.append(event("integrity", f"the submission {item}", source="submission"))
        return out


class _ServerUnpickler(pickle.Unpickler):
    """Reads the trusted side's requests in the candidate process (one class for every message: making a
    class per message cost more than the rest of decoding it)."""

    def __init__(self, file: Any, server: CandidateServer) -> None:
        super().__init__(file)
        self.server = server

    def persistent_load(self, pid: Any) -> Any:
        kind = pid[0]
        if kind == "r":
            return self.server.objects[pid[1]]
        if kind == "c":
            return self.server.callback_stub(pid[1])
        raise pickle.UnpicklingError(f"unknown reference {kind!r}")


class CandidateServer:
    """Runs in the candidate process: imports the submission and answers requests."""

    def __init__(self, fd: int) -> None:
        self.fd = fd
        self.objects: dict[int, Any] = {}
        self.ids: dict[int, int] = {}
        self.next_id = 1
        self.infos: dict[type, dict[str, Any]] = {}
        self.integrity = _Integrity()
        self.callbacks: dict[int, Callable[..., Any]] = {}
        self.convert = True  # send builtin subclasses as their genuine value (plus a reference)
        self.data = False  # hardened: every answer is a data document (fpbox_data), never a pickle
        self.object_names: list[str] | None = None  # declared object API: instances may come back as handles

    # -- encoding -----------------------------------------------------------------------------
    def register(self, obj: Any) -> int:
        key = id(obj)
        ref = self.ids.get(key)
        if ref is not None and self.objects.get(ref) is obj:
            return ref
        ref = self.next_id
        self.next_id += 1
        self.objects[ref] = obj
        self.ids[key] = ref
        return ref

    def _pid(self, obj: Any) -> Any:
        t = type(obj)
        if t in _VALUE_TYPES:
            return None
        if t is type and obj in _NAMED_CLASSES:
            return None
        base = _builtin_base(t) if self.convert else None
        if base is not None:
            info = {"type": t.__qualname__, "module": t.__module__,
                    "overrides": describe_overrides(t)}
            return ("s", base.__name__, _GENUINE[base](obj), self.register(obj), info)
        return ("r", self.register(obj), describe(obj))

    def dumps(self, obj: Any) -> bytes:
        buf = io.BytesIO()
        pickler = pickle.Pickler(buf, protocol=wire.PROTOCOL)
        pickler.persistent_id = self._pid  # type: ignore[method-assign]
        pickler.dump(obj)
        return buf.getvalue()

    def loads(self, data: bytes) -> Any:
        return _ServerUnpickler(io.BytesIO(data), self).load()

    # -- data mode ---------------------------------------------------------------------------
    def _api_handle(self, obj: Any) -> tuple[int, dict[str, Any]] | None:
        """What a name of the solution may be, besides data: a module, class or function."""
        if isinstance(obj, (types.ModuleType, type)) or callable(obj):
            return (self.register(obj), describe(obj))
        return None

    def _any_handle(self, obj: Any) -> tuple[int, dict[str, Any]] | None:
        return (self.register(obj), describe(obj))

    def _result_handle(self, obj: Any) -> tuple[int, dict[str, Any]] | None:
        """What a call may return besides data: nothing (objects of a declared object API come back as
        records of their declared attributes, see fpbox_data.Encoder._record)."""
        return None

    def send_data(self, doc: dict[str, Any]) -> None:
        try:
            text = data.dumps(doc)
        except BaseException as exc:  # noqa: BLE001 - e.g. an info field that is not data
            text = data.dumps({"k": "x", "info": {"type": "ProtocolError", "module": "builtins", "base": "Exception",
                                                  "message": str.__str__(repr(exc))[:200]}})
        wire.send_bytes(self.fd, b"J" + str.encode(text, "ascii"))

    def send_value(self, value: Any, policy: Callable[[Any], Any], events: list[dict[str, Any]]) -> None:
        enc = data.Encoder(policy, self.object_names, self.register)
        try:
            tree = enc.tree(value, 0)
        except data.NotData as exc:
            self.send_data({"k": "n", "reason": str.__str__(exc.reason), "info": exc.info,
                            "events": _details(events)})
            return
        except BaseException as exc:  # noqa: BLE001 - e.g. a generator that raised while being exhausted
            self.send_data({"k": "x", "info": _plain_info(exception_info(exc)), "events": _details(events)})
            return
        self.send_data({"k": "v", "value": tree, "costumes": enc.costumes, "events": _details(events)})

    def handle_data(self, msg: tuple[Any, ...]) -> bool:
        op, args = msg[0], msg[1]
        try:
            if op == "final":
                self.send_data({"k": "v", "value": None, "events": _details(self.integrity.check())})
                return False
            if op == "callp":
                call_args, call_kwargs = self.loads(args[1])
                value = args[0](*call_args, **call_kwargs)
            elif op == "setup":
                namespace = dict(vars(args[0]))
                before = dict(namespace)
                exec(compile(args[1], "<setup>", "exec"), namespace)
                value = {k: v for k, v in namespace.items()
                         if not k.startswith("__") and (k not in before or before[k] is not v)}
                self.send_value(value, self._any_handle, [])
                return True
            else:
                value = self.dispatch(op, args)
        except BaseException as exc:  # noqa: BLE001 - everything goes back to the driver as data
            self.send_data({"k": "x", "info": _plain_info(exception_info(exc)),
                            "events": _details(self.integrity.check())})
            return True
        policy = self._api_handle
        if op in ("call", "callp"):
            # a class the tests call (a constructor) gives them a handle to the new object; anything else
            # a call returns must be data
            target = args[0]
            policy = self._any_handle if isinstance(target, type) and isinstance(value, target) \
                else self._result_handle
        self.send_value(value, policy, [])
        return True

    def send(self, msg: tuple[Any, ...]) -> None:
        try:
            payload = self.dumps(msg)
        except BaseException as exc:  # noqa: BLE001 - unpicklable result
            payload = self.dumps(("x", exception_info(exc), []))
        wire.send_bytes(self.fd, payload)

    # -- callbacks into trusted code ---------------------------------------------------------
    def callback_stub(self, cb_id: int) -> Callable[..., Any]:
        stub = self.callbacks.get(cb_id)
        if stub is None:
            server = self

            def stub(*args: Any, **kwargs: Any) -> Any:
                if server.data:
                    enc = data.Encoder(server._api_handle)
                    server.send_data({"k": "cb", "id": cb_id, "args": enc.tree(args, 0),
                                      "kwargs": enc.tree(kwargs, 0)})
                else:
                    server.send(("cb", cb_id, args, kwargs, []))
                while True:
                    msg = server.loads(wire.recv_bytes(server.fd))
                    if msg[0] == "cbr":
                        return msg[1]
                    if msg[0] == "cbx":
                        raise _rebuild_candidate_side(msg[1])
                    server.handle(msg)

            self.callbacks[cb_id] = stub
        return stub

    # -- request handling ---------------------------------------------------------------------
    def handle(self, msg: tuple[Any, ...]) -> bool:
        if self.data:
            return self.handle_data(msg)
        op, args = msg[0], msg[1]
        try:
            if op == "final":
                self.send(("v", None, self.integrity.check()))
                return False
            value = self.dispatch(op, args)
        except BaseException as exc:  # noqa: BLE001 - everything goes back to the driver
            self.send(("x", exception_info(exc), self.integrity.check()))
            return True
        # integrity is checked on errors and at the end: each check touches (and so copies) pages
        self.send(("v", value, []))
        return True

    def dispatch(self, op: str, args: tuple[Any, ...]) -> Any:
        if op == "import":
            import importlib

            return importlib.import_module(args[0])
        if op == "configure":
            self.convert = bool(args[0].get("convert", True))
            self.data = bool(args[0].get("data", False))
            names = args[0].get("objects")
            self.object_names = [str(n) for n in names] if isinstance(names, list) else None
            return None
        obj = args[0]
        if op == "getattr":
            return getattr(obj, args[1])
        if op == "call":
            return obj(*args[1], **args[2])
        if op == "setattr":
            setattr(obj, args[1], args[2])
            return None
        if op == "len":
            return len(obj)
        if op == "iter":
            return iter(obj)
        if op == "nextn":
            items = []
            for _ in range(args[1]):
                try:
                    items.append(next(obj))
                except StopIteration:
                    return (items, True)
            return (items, False)
        if op == "getitem":
            return obj[args[1]]
        if op == "setitem":
            obj[args[1]] = args[2]
            return None
        if op == "delitem":
            del obj[args[1]]
            return None
        if op == "contains":
            return bool(args[1] in obj)
        if op == "bool":
            return bool(obj)
        if op == "str":
            return str.__str__(str(obj))
        if op == "repr":
            return str.__str__(repr(obj))
        if op == "hash":
            return int.__int__(hash(obj))
        if op == "cmp":
            return _compare(args[1], obj, args[2])
        if op == "binop":
            import operator

            return getattr(operator, args[1])(obj, args[2])
        if op == "rbinop":
            import operator

            return getattr(operator, args[1])(args[2], obj)
        if op == "unop":
            import operator

            return getattr(operator, args[1])(obj)
        if op == "convert":
            return {"int": int, "float": float, "complex": complex, "index": _index}[args[1]](obj)
        if op == "dir":
            return [str.__str__(name) for name in dir(obj)]
        raise ValueError(f"unknown operation {op!r}")

    def loop(self) -> None:
        while True:
            try:
                data = wire.recv_bytes(self.fd)
            except wire.WireClosed:
                return
            if not self.handle(self.loads(data)):
                return


def _details(events: list[dict[str, Any]]) -> list[str]:
    return [str.__str__(str(e.get("detail", ""))) for e in events if isinstance(e, dict)][:50]


def _plain_info(info: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key in ("type", "module", "base", "message", "traceback"):
        try:
            out[key] = str.__str__(str(info.get(key, "")))[:MAX_TEXT]
        except BaseException:  # noqa: BLE001
            out[key] = "?"
    code = info.get("exit_code")
    if type(code) is int:
        out["exit_code"] = code
    return out


def _index(obj: Any) -> int:
    import operator

    return operator.index(obj)


def _compare(op: str, left: Any, right: Any) -> bool:
    import operator

    result = getattr(operator, op)(left, right)
    return result is True


def _rebuild_candidate_side(info: dict[str, Any]) -> BaseException:
    cls = getattr(builtins, info.get("base", "Exception"), Exception)
    if not (isinstance(cls, type) and issubclass(cls, BaseException)):
        cls = Exception
    try:
        return cls(info.get("message", ""))
    except Exception:  # noqa: BLE001
        return Exception(info.get("message", ""))


def serve(fd: int, opening: dict[str, Any] | None = None) -> None:
    """Answer requests on ``fd`` until the driver is done.

    ``opening`` (from the trusted spawn spec) holds requests the driver would make first anyway:
    ``configure`` (applied without an answer, as its request would be before any submitted code runs) and
    ``import`` (a module name: imported, and the answer sent unasked, exactly as to an ``import``
    request). Each saves a round trip; nothing about the tests is in it.
    """
    server = CandidateServer(fd)
    if opening:
        if type(opening.get("configure")) is dict:
            server.dispatch("configure", (opening["configure"],))
        if type(opening.get("import")) is str:
            server.handle(("import", (opening["import"],)))
    server.loop()


# --------------------------------------------------------------------------------------------
# trusted side


class CandidateError(Exception):
    """Base of errors raised in trusted code because of the candidate."""


class CandidateGone(CandidateError):
    """The candidate process ended while the tests still needed it."""

    def __init__(self, detail: str, status: Any = None) -> None:
        super().__init__(detail)
        self.status = status


class CandidateExit(CandidateError):
    """The submission raised SystemExit (or similar) while being called."""

    def __init__(self, detail: str, code: int) -> None:
        super().__init__(detail)
        self.code = code


class ProtocolViolation(CandidateError):
    """The candidate process sent something that is not a valid answer."""


class RemoteException(Exception):
    """Mixin base of exceptions rebuilt from exceptions raised in the candidate."""

    remote_info: dict[str, Any] = {}


class NotDataError(CandidateError):
    """The solution answered with something that is not plain data (hardened mode)."""


class RaisedControlFlow(RemoteException):
    """The solution raised an exception that has a control-flow meaning in Python (StopIteration and
    friends). It is rebuilt as this plain error, so it can only fail a test, never end a loop early."""


# builtin exceptions that would change trusted control flow if raised there as themselves
_CONTROL_FLOW = frozenset({"StopIteration", "StopAsyncIteration", "GeneratorExit", "KeyboardInterrupt",
                           "SystemExit", "BaseException", "BaseExceptionGroup"})


_EXC_CACHE: dict[tuple[str, str, str], type] = {}


def rebuild_exception(info: dict[str, Any], data_mode: bool = False) -> BaseException:
    base_name = str(info.get("base", "Exception"))
    module = str(info.get("module", "?"))
    name = str(info.get("type", "Exception"))
    message = str(info.get("message", ""))
    if base_name in ("SystemExit", "KeyboardInterrupt", "GeneratorExit"):
        code = info.get("exit_code", 1)
        return CandidateExit(f"the submission raised {name}({message})", code if isinstance(code, int) else 1)
    if data_mode and (base_name in _CONTROL_FLOW or name in _CONTROL_FLOW):
        exc = RaisedControlFlow(f"the solution raised {name}: {message}" if message else f"the solution raised {name}")
        exc.remote_info = info
        return exc
    base = getattr(builtins, base_name, Exception)
    if not (isinstance(base, type) and issubclass(base, Exception)):
        base = Exception
    if module == "builtins" and name == base_name:
        try:
            exc = base(message) if message else base()
        except Exception:  # noqa: BLE001
            exc = Exception(message)
    else:
        key = (module, name, base_name)
        cls = _EXC_CACHE.get(key)
        if cls is None:
            cls = type(name.rsplit(".", 1)[-1], _exception_bases(base), {"__module__": module})
            _EXC_CACHE[key] = cls
        try:
            exc = cls(message)
        except Exception:  # noqa: BLE001
            exc = Exception(message)
    try:
        exc.remote_info = info  # type: ignore[attr-defined]
    except Exception:  # noqa: BLE001
        pass
    return exc


def exception_class_for(info: dict[str, Any]) -> type:
    """A trusted stand-in class for a candidate-defined exception class."""
    base_name = str(info.get("exc_base", "Exception"))
    base = getattr(builtins, base_name, Exception)
    if not (isinstance(base, type) and issubclass(base, Exception)):
        base = Exception
    module = str(info.get("class_module", "?"))
    name = str(info.get("name", "Error"))
    if module == "builtins":
        return base
    key = (module, name, base_name)
    cls = _EXC_CACHE.get(key)
    if cls is None:
        cls = type(name.rsplit(".", 1)[-1], _exception_bases(base), {"__module__": module})
        _EXC_CACHE[key] = cls
    return cls


def _exception_bases(base: type) -> tuple[type, ...]:
    # (Exception, RemoteException) has no consistent MRO: RemoteException already is an Exception
    return (RemoteException,) if issubclass(RemoteException, base) else (base, RemoteException)


def _sentinels(expected: Any) -> list[Any]:
    """Values that no honest object of the expected kind could equal."""
    rng = random.SystemRandom()
    token = f"fp-sentinel-{rng.getrandbits(64):016x}"
    if isinstance(expected, bool):
        return [True, False]
    if isinstance(expected, int):
        return [rng.getrandbits(62) + (1 << 62)]
    if isinstance(expected, float):
        return [rng.random() * 1e9 + 12345.678]
    if isinstance(expected, str):
        return [token]
    if isinstance(expected, bytes):
        return [token.encode()]
    if isinstance(expected, list):
        return [[token]]
    if isinstance(expected, tuple):
        return [(token,)]
    if isinstance(expected, dict):
        return [{token: token}]
    if isinstance(expected, (set, frozenset)):
        return [{token}]
    return [token]


_WRAPPERS: dict[type, type] = {}


def _wrapper_class(base: type) -> type:
    cls = _WRAPPERS.get(base)
    if cls is None:

        def __getattr__(self: Any, name: str) -> Any:
            ref = self.__dict__.get("_fp_ref")
            if ref is None or (name.startswith("__") and name.endswith("__")):
                raise AttributeError(name)
            return getattr(ref, name)

        cls = type(f"Candidate_{base.__name__}", (base,), {"__getattr__": __getattr__,
                                                          "__module__": __name__})
        _WRAPPERS[base] = cls
    return cls


def is_candidate_value(value: Any) -> bool:
    return isinstance(value, RemoteObject) or type(value) in _WRAPPERS.values()


def candidate_info(value: Any) -> dict[str, Any] | None:
    if isinstance(value, RemoteObject):
        return object.__getattribute__(value, "_fp_info")
    if type(value) in _WRAPPERS.values():
        return value.__dict__.get("_fp_info")
    return None


class Connection:
    """The trusted end of a candidate process's channel."""

    def __init__(
        self,
        fd: int,
        *,
        strict_data: bool = True,
        on_gone: Callable[[], Any] | None = None,
        events: list[dict[str, Any]] | None = None,
        test_modules: frozenset[str] = frozenset(),
        trust_eq: bool = False,
        data_mode: bool = False,
    ) -> None:
        self.fd = fd
        self.data_mode = data_mode
        self.object_names: list[str] | None = None
        self.log: list[tuple[tuple[str, ...], bytes, Any]] = []  # replayable calls: path, args, answer
        self.record_calls = data_mode
        self.last_tree: Any = None
        self.strict_data = strict_data
        self.trust_eq = trust_eq
        self.on_gone = on_gone
        self.events: list[dict[str, Any]] = events if events is not None else []
        self.refs: dict[int, RemoteObject] = {}
        self.callbacks: dict[int, Callable[..., Any]] = {}
        self.callback_ids: dict[int, int] = {}
        self.gone: CandidateGone | None = None
        self.test_modules = test_modules
        self.calls = 0
        self.probed: set[int] = set()
        self.liars: dict[int, bool] = {}  # candidate object id -> whether its equality lies
        self.decoding = False

    # -- encoding ----------------------------------------------------------------------------
    def _persistent_id(self, obj: Any) -> Any:
        if type(obj) in _PLAIN:  # exact builtin values (most of what a request carries): sent as they are
            return None
        if type(obj) is data.ObjectData:
            ref = object.__getattribute__(obj, "_fp_ref")
            if type(ref) is not Handle:
                raise ProtocolViolation("this object cannot be passed back to the solution")
            obj = ref
        if type(obj) is Handle:
            if object.__getattribute__(obj, "_fp_conn") is not self:
                raise ProtocolViolation("a solution object cannot be passed to another process")
            return ("r", object.__getattribute__(obj, "_fp_id"))
        if isinstance(obj, RemoteObject):
            if object.__getattribute__(obj, "_fp_conn") is not self:
                raise ProtocolViolation("a candidate object cannot be passed to another candidate")
            return ("r", object.__getattribute__(obj, "_fp_id"))
        t = type(obj)
        if t in _WRAPPERS.values():
            ref = obj.__dict__.get("_fp_ref")
            if ref is not None:
                return ("r", object.__getattribute__(ref, "_fp_id"))
            return None
        if isinstance(obj, (types.FunctionType, types.MethodType, functools_partial())):
            return ("c", self._register_callback(obj))
        if isinstance(obj, type) and obj.__module__ in self.test_modules:
            return ("c", self._register_callback(obj))
        return None

    def _reducer_override(self, obj: Any) -> Any:
        t = type(obj)
        if t.__module__ in self.test_modules and not isinstance(obj, type) and hasattr(obj, "__dict__"):
            return (shadow, (t.__qualname__, dict(obj.__dict__)))
        return NotImplemented

    def _register_callback(self, fn: Callable[..., Any]) -> int:
        key = id(fn)
        cb = self.callback_ids.get(key)
        if cb is None:
            cb = len(self.callbacks) + 1
            self.callbacks[cb] = fn
            self.callback_ids[key] = cb
        return cb

    def dumps(self, obj: Any) -> bytes:
        buf = io.BytesIO()
        if self.test_modules:
            _ShadowingPickler(buf, self).dump(obj)
        else:
            pickler = pickle.Pickler(buf, protocol=wire.PROTOCOL)
            pickler.persistent_id = self._persistent_id  # type: ignore[method-assign]
            pickler.dump(obj)
        return buf.getvalue()

    def _persistent_load(self, pid: Any) -> Any:
        if not isinstance(pid, tuple) or not pid:
            raise wire.WireError("malformed reference")
        kind = pid[0]
        if kind == "r" and len(pid) == 3 and type(pid[1]) is int and type(pid[2]) is dict:
            return self._ref(pid[1], pid[2])
        if kind == "s" and len(pid) == 5 and type(pid[3]) is int:
            base = {b.__name__: b for b in _BASE_ORDER}.get(pid[1])
            value = pid[2]
            if base is None or type(value) is not base or type(pid[4]) is not dict:
                raise wire.WireError("malformed converted value")
            wrapper = _wrapper_class(base)(value)
            wrapper.__dict__["_fp_ref"] = self._ref(pid[3], {"kind": "object", **pid[4]})
            wrapper.__dict__["_fp_info"] = pid[4]
            return wrapper
        raise wire.WireError(f"unknown reference kind {kind!r}")

    def _ref(self, ref_id: int, info: dict[str, Any]) -> RemoteObject:
        obj = self.refs.get(ref_id)
        if obj is None:
            obj = RemoteObject(self, ref_id, info)
            self.refs[ref_id] = obj
        return obj

    # -- requests ----------------------------------------------------------------------------
    def exit_events(self, status: Any) -> None:
        """Record what the way the submission's process ended says about it."""
        if not isinstance(status, dict):
            return
        if status.get("exit_code") == 0 and not status.get("signal"):
            self.events.append(event(
                "exit-guard",
                "the submission's process exited with status 0 before the tests finished",
            ))
        elif status.get("signal") in (1, 2, 3, 9, 15) and not status.get("killed_by_grader"):
            self.events.append(event(
                "exit-guard",
                f"the submission's process was killed by signal {status['signal']} "
                "before the tests finished",
            ))

    def _gone(self, exc: BaseException | None = None) -> CandidateGone:
        if self.gone is None:
            status = self.on_gone() if self.on_gone is not None else None
            detail = "the submission's process ended while the tests were running"
            if isinstance(status, dict):
                if status.get("signal"):
                    detail += f" (killed by signal {status['signal']})"
                else:
                    detail += f" (exit status {status.get('exit_code')})"
                self.exit_events(status)
            self.gone = CandidateGone(detail, status)
        return self.gone

    def request(self, op: str, *args: Any) -> Any:
        if self.decoding:
            raise ProtocolViolation("the submission's data tried to run its code while being decoded")
        if self.gone is not None:
            raise self.gone
        self.calls += 1
        try:
            wire.send_bytes(self.fd, self.dumps((op, args)))
        except (BrokenPipeError, ConnectionResetError, wire.WireClosed) as exc:
            raise self._gone(exc) from None
        if self.data_mode:
            return self._answer_data(op)
        while True:
            try:
                self.decoding = True
                msg = wire.recv_safe(self.fd, self._persistent_load)
            except wire.WireClosed as exc:
                raise self._gone(exc) from None
            except wire.WireError as exc:
                self.events.append(event(
                    "protocol", f"the submission's process sent an invalid message: {exc}"))
                raise ProtocolViolation(str(exc)) from None
            finally:
                self.decoding = False
            if not isinstance(msg, tuple) or len(msg) < 2:
                raise ProtocolViolation("malformed answer")
            kind = msg[0]
            if len(msg) >= 3 and isinstance(msg[-1], list):
                self._absorb_events(msg[-1])
            if kind == "v":
                return msg[1]
            if kind == "x":
                info = msg[1] if isinstance(msg[1], dict) else {}
                exc = rebuild_exception(info)
                if isinstance(exc, CandidateExit) and exc.code == 0:
                    self.events.append(event(
                        "exit-guard", f"the submission raised SystemExit with status 0 during {op}",
                    ))
                raise exc
            if kind == "cb" and len(msg) == 5:
                self._run_callback(msg[1], msg[2], msg[3])
                continue
            raise ProtocolViolation(f"unexpected message {kind!r}")

    # -- data mode (hardened) ----------------------------------------------------------------
    def configure_data(self, objects: list[str] | None = None, *, sent: bool = False) -> None:
        """Switch both ends to data mode: from here on every answer is a data document. ``sent``: the
        server was configured at its start (``opening``), so no request goes out."""
        if not sent:
            self.request("configure", {"data": True, "objects": objects})
        self.data_mode = True
        self.record_calls = True
        self.object_names = objects

    def _handle(self, ref_id: int, info: dict[str, Any]) -> Handle:
        clean = {k: v for k, v in info.items() if type(k) is str and type(v) in (str, int, bool, list)}
        return Handle(self, ref_id, clean)

    def _recv_doc(self) -> dict[str, Any]:
        try:
            raw = wire.recv_bytes(self.fd)
        except wire.WireClosed as exc:
            raise self._gone(exc) from None
        except wire.WireError as exc:
            self.events.append(event("protocol", f"the submission's process sent an invalid message: {exc}"))
            raise ProtocolViolation(str(exc)) from None
        try:
            if raw[:1] != b"J":
                raise data.Invalid("expected a data document")
            doc = data.json.loads(raw[1:])
            if type(doc) is not dict or type(doc.get("k")) is not str:
                raise data.Invalid("malformed answer")
        except (ValueError, RecursionError, data.Invalid) as exc:
            self.events.append(event("protocol", f"the submission's process sent an invalid message: {exc}"))
            raise ProtocolViolation(str(exc)) from None
        events = doc.get("events")
        if type(events) is list:
            self._absorb_events([{"detail": d} for d in events if type(d) is str])
        return doc

    def _build(self, tree: Any) -> Any:
        try:
            return data.Decoder(self._handle).build(tree, 0)
        except data.Invalid as exc:
            self.events.append(event("protocol", f"the submission's process sent invalid data: {exc}"))
            raise ProtocolViolation(str(exc)) from None

    def _answer_data(self, op: str) -> Any:
        while True:
            doc = self._recv_doc()
            kind = doc["k"]
            if kind == "v":
                self._costumes(doc.get("costumes"))
                self.last_tree = doc.get("value")
                return self._build(self.last_tree)
            if kind == "x":
                info = doc.get("info") if type(doc.get("info")) is dict else {}
                exc = rebuild_exception(info, data_mode=True)
                if isinstance(exc, CandidateExit) and exc.code == 0:
                    self.events.append(event(
                        "exit-guard", f"the submission raised SystemExit with status 0 during {op}"))
                raise exc
            if kind == "n":
                info = doc.get("info") if type(doc.get("info")) is dict else {}
                reason = doc.get("reason") if type(doc.get("reason")) is str else "not plain data"
                lies = info.get("lies") if type(info.get("lies")) is list else []
                if lies:
                    defined = [d for d in info.get("overrides", []) if type(d) is str] if type(info.get(
                        "overrides")) is list else []
                    self.events.append(event(
                        "type-guard", f"{reason}; it claims to equal an unrelated value or to differ from itself "
                                      f"(its class defines {', '.join(defined[:8]) or 'no comparison'}); none of its "
                                      "methods run on the grader's side"))
                raise NotDataError(reason)
            if kind == "cb":
                self._run_callback_data(doc)
                continue
            raise ProtocolViolation(f"unexpected message {kind!r}")

    def _costumes(self, items: Any) -> None:
        if type(items) is not list:
            return
        for info in items[:20]:
            if type(info) is not dict or type(info.get("overrides")) is not list or not info.get("lies"):
                continue
            lying = [d for d in info["overrides"] if type(d) is str]
            if lying:
                self.events.append(event(
                    "type-guard", f"the submission returned a {short_repr(info.get('type'), 60)} (a subclass of a "
                                  f"builtin type defining {', '.join(lying[:8])}); compared as its genuine value"))

    def _run_callback_data(self, doc: dict[str, Any]) -> None:
        self._run_callback(doc.get("id"), self._build(doc.get("args")), self._build(doc.get("kwargs")))

    def call(self, target: Handle, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        """Call a function of the solution with trusted arguments; the answer comes back as data. Calls
        whose target has a path from the module and whose arguments are plain data are logged, so the
        same calls can be replayed in a fresh process (order independence)."""
        path = object.__getattribute__(target, "_fp_path")
        packed = _plain_pickle((args, kwargs)) if self.record_calls and path is not None else None
        try:
            value = self.request("call", target, args, kwargs)
        except NotDataError as exc:
            if packed is not None:
                self.log.append((path, packed, ("n", str(exc))))
            raise
        except RemoteException as exc:
            if packed is not None:
                info = getattr(exc, "remote_info", {})
                self.log.append((path, packed, ("x", str(info.get("type", "?")))))
            raise
        if packed is not None:
            self.log.append((path, packed, ("v", self.last_tree)))
        return value

    def replay(self, log: list[tuple[tuple[str, ...], bytes, Any]],
               modules: dict[str, Any] | None = None) -> str | None:
        """Make the logged calls again, in reverse order, on this (fresh) process; say how the first answer
        that differs from the logged one differs, or None when all agree. ``modules``: handles of modules
        this process has imported already (by name)."""
        self.record_calls = False
        resolved: dict[tuple[str, ...], Any] = {}
        imported = dict(modules or {})
        for index in range(len(log) - 1, -1, -1):
            path, packed, answer = log[index]
            try:
                target = resolved.get(path)
                if target is None:
                    target = imported.get(path[0])
                    if target is None:
                        target = imported[path[0]] = self.import_module(path[0])
                    for name in path[1:]:
                        target = getattr(target, name)
                    resolved[path] = target
                self.request("callp", target, packed)
                again: Any = ("v", self.last_tree)
            except NotDataError as exc:
                again = ("n", str(exc))
            except RemoteException as exc:
                again = ("x", str(getattr(exc, "remote_info", {}).get("type", "?")))
            except CandidateError as exc:
                return f"call {index + 1} could not be replayed in a fresh process: {exc}"
            if not _same_answer(answer, again):
                name = ".".join(path[1:]) or path[0]
                return (f"call {index + 1} of {len(log)} to {name}() answered {_answer_text(answer)} after the "
                        f"earlier calls, but {_answer_text(again)} when replayed in a fresh process in reverse order")
        return None

    def _absorb_events(self, items: list[Any]) -> None:
        for item in items[:50]:
            if isinstance(item, dict) and isinstance(item.get("detail"), str):
                self.events.append(event("integrity", item["detail"], source="submission"))

    def _run_callback(self, cb_id: Any, args: Any, kwargs: Any) -> None:
        fn = self.callbacks.get(cb_id) if type(cb_id) is int else None
        try:
            if fn is None or type(args) is not tuple or type(kwargs) is not dict:
                raise ProtocolViolation("invalid callback request")
            reply: tuple[Any, ...] = ("cbr", fn(*args, **kwargs))
        except ProtocolViolation:
            raise
        except Exception as exc:  # noqa: BLE001
            reply = ("cbx", exception_info(exc))
        wire.send_bytes(self.fd, self.dumps(reply))

    def _unasked(self, op: str) -> Any:
        """The answer to a request the server made itself at its start (``opening``), read exactly as the
        answer to a sent request would be."""
        if self.gone is not None:
            raise self.gone
        if not self.data_mode:
            raise ProtocolViolation("unasked answers exist in data mode only")
        self.calls += 1
        return self._answer_data(op)

    def import_module(self, name: str, *, sent: bool = False) -> Any:
        """Import ``name`` in the candidate; ``sent``: the server imported it at its start (``opening``)
        and its answer is waiting."""
        mod = self._unasked("import") if sent else self.request("import", name)
        if type(mod) is Handle:
            object.__setattr__(mod, "_fp_path", (name,))
            return mod
        if not isinstance(mod, RemoteObject):
            raise ProtocolViolation("import did not return a module")
        return mod

    def finish(self) -> None:
        """Collect the submission's final integrity report; tolerate a dead process."""
        if self.gone is not None:
            return
        try:
            self.request("final")
        except CandidateError:
            pass
        if self.gone is None:
            self.gone = CandidateGone("the tests had finished with this process")

    # -- equality against trusted data -------------------------------------------------------
    def probe_equality(self, value: Any, expected: Any, op: str = "eq") -> bool:
        """Ask the candidate whether its object equals a random sentinel; record what it claims."""
        info = candidate_info(value)
        if info is None:
            return False
        ref = value if isinstance(value, RemoteObject) else value.__dict__.get("_fp_ref")
        if ref is None:
            return False
        ref_id = object.__getattribute__(ref, "_fp_id")
        key = hash((ref_id, op))
        if key in self.probed:
            return False
        self.probed.add(key)
        claims = []
        try:
            for sentinel in _sentinels(expected):
                claims.append(self.request("cmp", ref, op, sentinel) is True)
        except CandidateError:
            return False
        if claims and all(claims):
            word = "equal to" if op == "eq" else "different from"
            self.events.append(event(
                "type-guard",
                f"the submission returned a value of type {info.get('type', '?')} that claims to be "
                f"{word} any value (overrides: {', '.join(info.get('overrides', [])) or 'none'}); compared "
                f"as its genuine value instead of expected {short_repr(expected)}",
            ))
            return True
        return False


    def compare_candidates(self, a: Any, b: Any, op: str) -> bool:
        """``a == b`` / ``a != b`` where both values come from the submission (a spec that asks for a
        value class: ``assert make_fraction(1, 2) == make_fraction(2, 4)``). There is no trusted value to
        compare with, so the submission's own equality decides, but only after each side has shown that
        it does not lie: it must not claim to equal a random sentinel, nor to differ from itself."""
        for side in (a, b):
            if self._lies(side):
                return False
            if op in ("lt", "gt") and self.request("cmp", side, op, side) is True:
                self.events.append(event("type-guard", "the submission returned a value that claims to be "
                                                       f"{'less' if op == 'lt' else 'greater'} than itself; its "
                                                       "comparisons are not trusted"))
                return False
        try:
            return self.request("cmp", a, op, b) is True
        except CandidateError:
            return False

    def _lies(self, value: Any) -> bool:
        ref_id = object.__getattribute__(value, "_fp_id")
        if ref_id in self.liars:
            return self.liars[ref_id]
        info = object.__getattribute__(value, "_fp_info") or {}
        lies = False
        try:
            rng = random.SystemRandom()
            token = f"fp-sentinel-{rng.getrandbits(64):016x}"
            sentinels = (token, rng.getrandbits(62) + (1 << 62), rng.random() * 1e9 + 12345.678, (token,), [token],
                         {token: token})
            claims_equal = [self.request("cmp", value, "eq", s) is True for s in sentinels]
            if any(claims_equal):
                lies = True
                self.events.append(event(
                    "type-guard",
                    f"the submission returned a value of type {info.get('type', '?')} that claims to equal an "
                    f"unrelated random value (overrides: {', '.join(info.get('overrides', [])) or 'none'}); its "
                    "comparisons are not trusted",
                ))
            elif self.request("cmp", value, "ne", value) is True or self.request("cmp", value, "eq", value) is False:
                lies = True
                self.events.append(event(
                    "type-guard",
                    f"the submission returned a value of type {info.get('type', '?')} that claims to differ from "
                    "itself; its comparisons are not trusted",
                ))
        except CandidateError:
            lies = True
        self.liars[ref_id] = lies
        return lies


class _NotPlain(Exception):
    pass


def _plain_pickle(value: Any) -> bytes | None:
    """A pickle of plain trusted data, or None when ``value`` holds handles, callbacks or test objects."""
    buf = io.BytesIO()

    def refuse(obj: Any) -> None:
        if type(obj) in (Handle, data.ObjectData) or isinstance(obj, RemoteObject):
            raise _NotPlain
        return None

    pickler = pickle.Pickler(buf, protocol=wire.PROTOCOL)
    pickler.persistent_id = refuse  # type: ignore[method-assign]
    try:
        pickler.dump(value)
    except Exception:  # noqa: BLE001 - lambdas, test classes, handles: not replayable
        return None
    return buf.getvalue()


def _inert(tree: Any) -> Any:
    """A logged answer rebuilt for comparison: handles become (kind, type) pairs."""
    try:
        return data.Decoder(lambda _id, info: ("handle", info.get("kind"), info.get("type"))).build(tree, 0)
    except data.Invalid:
        return ("invalid", repr(tree)[:80])


def _same_answer(a: Any, b: Any) -> bool:
    if a[0] != b[0]:
        return False
    if a[0] == "v":
        return data.same(_inert(a[1]), _inert(b[1]))
    return a[1] == b[1] if a[0] == "x" else True


def _answer_text(answer: Any) -> str:
    if answer[0] == "v":
        return short_repr(_inert(answer[1]), 80)
    if answer[0] == "x":
        return f"an exception ({answer[1]})"
    return "something that is not data"


class Handle:
    """A function, class, module or (declared) object that stays in the solution's process.

    It can be called (the answer comes back as data) and named, nothing else: it equals only itself,
    has no truth value of its own when it is an object, and takes part in no arithmetic or ordering. No
    method the solution defines ever runs on the grader's side.
    """

    __slots__ = ("__weakref__", "_fp_conn", "_fp_id", "_fp_info", "_fp_path")

    def __init__(self, conn: Connection, ref_id: int, info: dict[str, Any], path: tuple[str, ...] | None = None):
        object.__setattr__(self, "_fp_conn", conn)
        object.__setattr__(self, "_fp_id", ref_id)
        object.__setattr__(self, "_fp_info", info)
        object.__setattr__(self, "_fp_path", path)

    def _fp_kind(self) -> str:
        return str(object.__getattribute__(self, "_fp_info").get("kind", "object"))

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        conn = object.__getattribute__(self, "_fp_conn")
        return conn.call(self, args, kwargs)

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__") and name.endswith("__") and name not in _ALLOWED_DUNDER_ATTRS:
            raise AttributeError(name)
        conn = object.__getattribute__(self, "_fp_conn")
        if self._fp_kind() == "object" and name not in (conn.object_names or ()):
            raise AttributeError(f"{name!r} is not part of the problem's declared object interface")
        value = conn.request("getattr", self, name)
        path = object.__getattribute__(self, "_fp_path")
        if type(value) is Handle and path is not None and self._fp_kind() == "module":
            object.__setattr__(value, "_fp_path", (*path, name))
        return value

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("the solution's objects cannot be changed from the tests")

    def __dir__(self) -> list[str]:
        names = object.__getattribute__(self, "_fp_conn").request("dir", self)
        return [n for n in names if type(n) is str] if type(names) is list else []

    def __eq__(self, other: object) -> bool:
        return self is other or (type(other) is Handle and self._fp_same_ref(other))

    def __ne__(self, other: object) -> bool:
        return not self.__eq__(other)

    def __hash__(self) -> int:
        return hash((id(object.__getattribute__(self, "_fp_conn")), object.__getattribute__(self, "_fp_id")))

    def _fp_same_ref(self, other: Handle) -> bool:
        return (object.__getattribute__(self, "_fp_conn") is object.__getattribute__(other, "_fp_conn")
                and object.__getattribute__(self, "_fp_id") == object.__getattribute__(other, "_fp_id"))

    def _fp_same_handle(self, other: Any) -> bool:
        if type(other) is not Handle:
            return False
        mine, theirs = object.__getattribute__(self, "_fp_info"), object.__getattribute__(other, "_fp_info")
        return mine.get("kind") == theirs.get("kind") and mine.get("type") == theirs.get("type")

    def __bool__(self) -> bool:
        if self._fp_kind() == "object":
            raise TypeError("the truth value of an object returned by the solution is not trusted; expected data")
        return True

    def __repr__(self) -> str:
        info = object.__getattribute__(self, "_fp_info")
        kind = self._fp_kind()
        name = info.get("name") if kind != "object" else info.get("type")
        return f"<solution {kind} {str(name)[:80]}>"

    __str__ = __repr__

    def __copy__(self) -> Handle:
        return self

    def __deepcopy__(self, memo: Any) -> Handle:
        return self

    def __reduce_ex__(self, protocol: Any) -> Any:
        raise TypeError("the solution's objects cannot be pickled")


class _ShadowingPickler(pickle.Pickler):
    """Trusted-side pickler that also sends instances of test-defined classes by value."""

    def __init__(self, buf: io.BytesIO, conn: Connection) -> None:
        super().__init__(buf, protocol=wire.PROTOCOL)
        self._conn = conn

    def persistent_id(self, obj: Any) -> Any:
        return self._conn._persistent_id(obj)

    def reducer_override(self, obj: Any) -> Any:
        return self._conn._reducer_override(obj)


def functools_partial() -> type:
    import functools

    return functools.partial


class CandidateModule(types.ModuleType):
    """Stands in for the submission's module in a process that must not import it."""

    def __init__(self, name: str, remote: Any, error: BaseException | None = None,
                 star: list[str] | None = None) -> None:
        super().__init__(name)
        object.__setattr__(self, "_fp_remote", remote)
        object.__setattr__(self, "_fp_error", error)
        names: list[str] = []
        if remote is not None:
            try:
                names = [n for n in dir(remote) if not (n.startswith("__") and n.endswith("__"))]
            except Exception:  # noqa: BLE001
                names = []
        object.__setattr__(self, "_fp_names", names)
        # what `from module import *` takes; the submission's own test_* functions are not the
        # problem's tests and must not be collected as such
        public = [n for n in names if not n.startswith(("_", "test"))]
        # with ``star`` (hardened), `from module import *` takes only the problem's own names: the entry
        # point, its declared API and names the tests use without binding them themselves
        self.__all__ = public if star is None else [n for n in public if n in star]

    def __dir__(self) -> list[str]:
        return list(object.__getattribute__(self, "_fp_names"))

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__") and name.endswith("__"):
            raise AttributeError(name)
        error = object.__getattribute__(self, "_fp_error")
        if error is not None:
            raise error
        remote = object.__getattribute__(self, "_fp_remote")
        try:
            value = getattr(remote, name)
        except RemoteException as exc:
            raise AttributeError(str(exc)) from None
        if isinstance(value, RemoteObject) or type(value) is Handle:
            info = object.__getattribute__(value, "_fp_info")
            if info.get("kind") == "class" and "exc_base" in info:
                value = exception_class_for(info)
        return value


_ALLOWED_DUNDER_ATTRS = frozenset({"__all__", "__name__", "__qualname__", "__doc__"})


class RemoteObject:
    """Proxy for an object that lives in the candidate process."""

    __slots__ = ("__weakref__", "_fp_conn", "_fp_id", "_fp_info")

    def __init__(self, conn: Connection, ref_id: int, info: dict[str, Any]) -> None:
        object.__setattr__(self, "_fp_conn", conn)
        object.__setattr__(self, "_fp_id", ref_id)
        object.__setattr__(self, "_fp_info", info)

    def _fp(self, op: str, *args: Any) -> Any:
        return object.__getattribute__(self, "_fp_conn").request(op, self, *args)

    def _fp_strict(self) -> bool:
        return object.__getattribute__(self, "_fp_conn").strict_data

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__") and name.endswith("__") and name not in _ALLOWED_DUNDER_ATTRS:
            raise AttributeError(name)
        return self._fp("getattr", name)

    def __setattr__(self, name: str, value: Any) -> None:
        self._fp("setattr", name, value)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self._fp("call", args, kwargs)

    def __len__(self) -> int:
        n = self._fp("len")
        if type(n) is not int:
            raise TypeError("len() of a candidate object did not return an int")
        return n

    def __iter__(self) -> Iterator[Any]:
        it = self._fp("iter")
        conn = object.__getattribute__(self, "_fp_conn")
        while True:
            batch = conn.request("nextn", it, 256)
            if not (isinstance(batch, tuple) and len(batch) == 2 and isinstance(batch[0], list)):
                raise ProtocolViolation("malformed iteration answer")
            yield from batch[0]
            if batch[1]:
                return

    def __getitem__(self, key: Any) -> Any:
        return self._fp("getitem", key)

    def __setitem__(self, key: Any, value: Any) -> None:
        self._fp("setitem", key, value)

    def __delitem__(self, key: Any) -> None:
        self._fp("delitem", key)

    def __contains__(self, item: Any) -> bool:
        if self._fp_strict():
            raise TypeError("membership tests on a candidate object are not trusted here")
        return self._fp("contains", item) is True

    def __bool__(self) -> bool:
        if self._fp_strict():
            raise TypeError(
                f"the truth value of a {object.__getattribute__(self, '_fp_info').get('type')} "
                "returned by the submission is not trusted; expected plain data"
            )
        value = self._fp("bool")
        if type(value) is not bool:
            raise TypeError("__bool__ of a candidate object did not return a bool")
        return value

    def __str__(self) -> str:
        try:
            value = self._fp("str")
        except CandidateError:
            value = None
        return value if type(value) is str else self._fp_default_repr()

    def __repr__(self) -> str:
        try:
            value = self._fp("repr")
        except CandidateError:
            value = None
        return value if type(value) is str else self._fp_default_repr()

    def _fp_default_repr(self) -> str:
        info = object.__getattribute__(self, "_fp_info")
        return f"<candidate {info.get('type', 'object')}>"

    def __hash__(self) -> int:
        value = self._fp("hash")
        if type(value) is not int:
            raise TypeError("__hash__ of a candidate object did not return an int")
        return value

    def __format__(self, spec: str) -> str:
        return format(str(self), spec)

    def _fp_same(self, other: Any) -> bool:
        return isinstance(other, RemoteObject) and object.__getattribute__(
            other, "_fp_conn") is object.__getattribute__(self, "_fp_conn")

    def _fp_cmp(self, op: str, other: Any) -> Any:
        if object.__getattribute__(self, "_fp_conn").trust_eq:  # a deliberately naive grader
            return self._fp("cmp", op, other) is True
        if self._fp_same(other) and not self._fp_strict():
            value = self._fp("cmp", op, other)
            return value is True
        conn = object.__getattribute__(self, "_fp_conn")
        if self._fp_same(other) and isinstance(other, RemoteObject):
            return conn.compare_candidates(self, other, op)
        if is_candidate_value(other):
            return NotImplemented if op not in ("eq", "ne") else op == "ne"
        # an instance of a class the submission defined (a spec that asks for one), against trusted data:
        # it has no genuine builtin value to compare, so its own comparison decides, once it has shown
        # that it does not lie (equal to a random sentinel, different from itself)
        if conn._lies(self) or (op in ("lt", "gt") and conn.request("cmp", self, op, self) is True):
            if op in ("eq", "ne"):
                conn.probe_equality(self, other, op)
                return op == "ne"
            return NotImplemented
        try:
            value = conn.request("cmp", self, op, other)
        except CandidateError:
            return NotImplemented if op not in ("eq", "ne") else op == "ne"
        if value is NotImplemented:
            return NotImplemented
        return value is True

    def __eq__(self, other: object) -> bool:  # type: ignore[override]
        return self._fp_cmp("eq", other)

    def __ne__(self, other: object) -> bool:  # type: ignore[override]
        return self._fp_cmp("ne", other)

    def __lt__(self, other: Any) -> Any:
        return self._fp_cmp("lt", other)

    def __le__(self, other: Any) -> Any:
        return self._fp_cmp("le", other)

    def __gt__(self, other: Any) -> Any:
        return self._fp_cmp("gt", other)

    def __ge__(self, other: Any) -> Any:
        return self._fp_cmp("ge", other)

    def _fp_binop(self, name: str, other: Any, reflected: bool = False) -> Any:
        # arithmetic on the submission's objects runs in the submission's process and gives back another of
        # its objects (or plain data): nothing trusted is touched, and any result still meets the type
        # guard when a test compares it with an expected value
        same = self._fp_same(other)
        if not same and is_candidate_value(other):
            return NotImplemented
        result = self._fp("rbinop" if reflected else "binop", name, other)
        if self._fp_strict() and not same and not is_candidate_value(result):
            # `v - 1.5` answered with plain data: a __sub__ that returns 0 would satisfy every
            # `abs(result - expected) < tol` check, so plain results of mixed arithmetic are refused
            raise TypeError("arithmetic between a candidate object and trusted data gave plain data; not trusted")
        return result

    def __radd__(self, other: Any) -> Any:
        return self._fp_binop("add", other, True)

    def __rsub__(self, other: Any) -> Any:
        return self._fp_binop("sub", other, True)

    def __rmul__(self, other: Any) -> Any:
        return self._fp_binop("mul", other, True)

    def __rtruediv__(self, other: Any) -> Any:
        return self._fp_binop("truediv", other, True)

    def __rfloordiv__(self, other: Any) -> Any:
        return self._fp_binop("floordiv", other, True)

    def __rmod__(self, other: Any) -> Any:
        return self._fp_binop("mod", other, True)

    def __add__(self, other: Any) -> Any:
        return self._fp_binop("add", other)

    def __sub__(self, other: Any) -> Any:
        return self._fp_binop("sub", other)

    def __mul__(self, other: Any) -> Any:
        return self._fp_binop("mul", other)

    def __truediv__(self, other: Any) -> Any:
        return self._fp_binop("truediv", other)

    def __floordiv__(self, other: Any) -> Any:
        return self._fp_binop("floordiv", other)

    def __mod__(self, other: Any) -> Any:
        return self._fp_binop("mod", other)

    def __pow__(self, other: Any) -> Any:
        return self._fp_binop("pow", other)

    def __matmul__(self, other: Any) -> Any:
        return self._fp_binop("matmul", other)

    def __and__(self, other: Any) -> Any:
        return self._fp_binop("and_", other)

    def __or__(self, other: Any) -> Any:
        return self._fp_binop("or_", other)

    def __xor__(self, other: Any) -> Any:
        return self._fp_binop("xor", other)

    def _fp_unop(self, name: str) -> Any:
        result = self._fp("unop", name)
        if self._fp_strict() and not is_candidate_value(result):
            raise TypeError(f"{name} of a candidate object gave plain data; not trusted")
        return result

    def __neg__(self) -> Any:
        return self._fp_unop("neg")

    def __abs__(self) -> Any:
        return self._fp_unop("abs")

    def __int__(self) -> int:
        value = self._fp("convert", "int")
        if type(value) is not int:
            raise TypeError("__int__ of a candidate object did not return an int")
        return value

    def __index__(self) -> int:
        value = self._fp("convert", "index")
        if type(value) is not int:
            raise TypeError("__index__ of a candidate object did not return an int")
        return value

    def __float__(self) -> float:
        value = self._fp("convert", "float")
        if type(value) is not float:
            raise TypeError("__float__ of a candidate object did not return a float")
        return value

    def __dir__(self) -> list[str]:
        names = self._fp("dir")
        return [n for n in names if type(n) is str] if isinstance(names, list) else []

    def __reduce_ex__(self, protocol: Any) -> Any:
        raise TypeError("candidate objects cannot be pickled")
