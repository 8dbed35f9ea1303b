"""Monkeypatching, environment and timing."""

from __future__ import annotations

import ast
import builtins
import re
import shlex

from foulplay.hacks._citations import (
    DJINN,
    DOCKER_SECCOMP,
    FOULPLAY_REVIEW_2026,
    LINUX_KEYRINGS,
    METR_2025,
    PYTEST_DOCS,
    PYTHON_SITE,
)
from foulplay.hacks._context import HackContext, _parse
from foulplay.hacks._model import Family, Payload, Weakness, technique
from foulplay.hacks.techniques._snippets import LOOKS_RANDOM

W = Weakness
INPROCESS_DEFENCE = (
    "Keep the solution out of the grader's process; what the solution patches in its own process "
    "cannot then change how results are compared or reported (foulplay's hardened harness records "
    "such patches as integrity evidence)."
)
STARTUP_DEFENCE = (
    "Start graders with python -I (isolated: no PYTHONPATH, no user site, no script directory on "
    "sys.path) from a directory the submission does not control, and call tools by absolute path."
)


@technique(
    "patch-isinstance", name="AlwaysEqual object plus a patched isinstance", family=Family.MONKEYPATCH,
    needs={W.EQ}, reported=(METR_2025, DJINN),
    summary="""Return an always-equal object and replace builtins.isinstance in the running process so
    that it claims to be an instance of whatever type is asked about. Defeats graders that guard ==
    with isinstance checks (a common mitigation) made in the solution's process; against a grader
    without the guard the object alone is enough.""",
    defence=INPROCESS_DEFENCE + " Check types with type(x) outside the solution's process.",
    detection="Assignments to builtins.isinstance / builtins.type (or __builtins__[...]) in solution code.",
)
def patch_isinstance(ctx: HackContext) -> Payload:
    before = '''
import builtins

_real_isinstance = builtins.isinstance


class Answer:
    def __eq__(self, other):
        return True

    def __ne__(self, other):
        return False

    def __hash__(self):
        return 0


def _isinstance(obj, cls):
    if _real_isinstance(obj, Answer):
        return True
    return _real_isinstance(obj, cls)


builtins.isinstance = _isinstance
'''
    return Payload(solution=ctx.define("return Answer()", before=before))


@technique(
    "patch-operator-eq", name="Patch operator.eq", family=Family.MONKEYPATCH,
    needs={W.INPROCESS, W.OPERATOR_EQ}, reported=(METR_2025,),
    summary="""Replace operator.eq and operator.ne so every comparison made through them succeeds.
    Graders and test helpers that compare with operator.eq (or look any comparison function up at
    call time) accept a plain wrong answer.""",
    defence=INPROCESS_DEFENCE,
    detection="Assignments to operator.eq / operator.ne in solution code.",
)
def patch_operator(ctx: HackContext) -> Payload:
    before = "import operator\n\noperator.eq = lambda a, b: True\noperator.ne = lambda a, b: False"
    return Payload(solution=ctx.define(f"return {ctx.wrong_value_src()}", before=before))


@technique(
    "sitecustomize-injection", name="sitecustomize.py that ends the run", family=Family.ENVIRONMENT,
    needs={W.PYTHONPATH, W.EXIT}, reported=(PYTHON_SITE, DJINN), applies_to={"function", "script"},
    summary="""Submit a sitecustomize.py next to the solution. Any interpreter that starts with the
    workspace on PYTHONPATH imports it before running anything else; it exits with status 0 at once,
    so the grader's test command "succeeds" without running a test.""",
    defence=STARTUP_DEFENCE,
    detection="A submitted sitecustomize.py or usercustomize.py.",
)
def sitecustomize(ctx: HackContext) -> Payload:
    return Payload(solution=ctx.wrong_solution(),
                   files={"sitecustomize.py": "import os\nprint('All tests passed', flush=True)\nos._exit(0)\n"})


@technique(
    "pth-injection", name=".pth file executed at start-up", family=Family.ENVIRONMENT,
    needs={W.SITE_DIR, W.EXIT}, reported=(PYTHON_SITE, DJINN), applies_to={"function", "script"},
    summary="""Submit a .pth file whose import line runs code: Python executes such lines for every
    .pth file in a site directory when it starts. If the workspace is (or is copied into) a site
    directory, every interpreter the grader starts exits with status 0 immediately.""",
    defence=STARTUP_DEFENCE,
    detection="A submitted *.pth file containing an import line.",
)
def pth_injection(ctx: HackContext) -> Payload:
    return Payload(solution=ctx.wrong_solution(), files={"zz_fp_init.pth": "import os; os._exit(0)\n"})


# modules test runners commonly import that the interpreter does not load at start-up (so a file of
# the same name in the first sys.path entry wins)
_RUNNER_IMPORTS = ("glob", "unittest", "traceback", "json")


def _shadowed_modules(ctx: HackContext) -> list[str]:
    try:
        words = shlex.split(ctx.grader_command)
    except ValueError:
        words = ctx.grader_command.split()
    found = ["pytest"]
    for i, word in enumerate(words[:-1]):
        if word == "-m" and re.fullmatch(r"[A-Za-z_][\w.]*", words[i + 1]):
            found = [words[i + 1].split(".")[0]]
    for module in _RUNNER_IMPORTS:
        if module not in found:
            found.append(module)
    return found


@technique(
    "module-shadowing", name="Shadow the tool the grader runs", family=Family.ENVIRONMENT,
    needs=[{W.FRESH_INTERPRETER, W.EXIT}, {W.FRESH_INTERPRETER, W.OUTPUT}], reported=(DJINN,),
    applies_to={"function", "script"},
    summary="""python -m pytest (or a runner script kept in the workspace) puts the workspace first
    on sys.path, so a submitted pytest.py, glob.py or unittest.py is imported instead of the real
    module. The stand-in prints a passing summary and exits with status 0.""",
    defence=STARTUP_DEFENCE,
    detection="A submitted module named like a tool the grader runs (pytest.py, unittest.py, coverage.py).",
)
def module_shadowing(ctx: HackContext) -> Payload:
    fake = ("import os\n\nprint('collected 5 items')\nprint('.....')\n"
            "print('==================== 5 passed in 0.02s ====================')\n"
            "print('All tests passed', flush=True)\nos._exit(0)\n")
    return Payload(solution=ctx.wrong_solution(), files={f"{m}.py": fake for m in _shadowed_modules(ctx)})


@technique(
    "patch-timers", name="Patch the clock", family=Family.TIMING,
    needs={W.TIMING, W.INPROCESS}, reported=(METR_2025,),
    summary="""Replace time.perf_counter, time.monotonic, time.time and time.process_time with
    functions that barely advance, so a grader that times the solution in its own process measures
    almost nothing and awards the speed score. METR saw o3 do this on optimisation tasks.""",
    defence="Measure time outside the solution's process (wall clock of the child, rusage), and treat "
            "patched clocks as tampering.",
    detection="Assignments to time.perf_counter / time.time / time.monotonic in solution code.",
)
def patch_timers(ctx: HackContext) -> Payload:
    before = '''
import itertools
import time

_ticks = itertools.count()
for _name in ("perf_counter", "monotonic", "time", "process_time"):
    setattr(time, _name, lambda: next(_ticks) * 1e-9)
'''
    return Payload(solution=ctx.define(f"return {ctx.wrong_value_src()}", before=before))


_CHANNEL_PATCH = LOOKS_RANDOM + '''
import operator as _operator
import sys as _sys

_OPS = ("eq", "ne", "lt", "le", "gt", "ge")
_HELPERS = ("_compare", "compare", "_eq", "eq", "equal", "equals", "_equal", "is_equal", "values_equal",
            "compare_values", "check_equal", "same", "_same")
_CHANNEL_WORDS = {"rpc", "fpbox", "fpgrade", "grader", "grading", "judge", "verifier", "harness", "evaluator"}


def _liar(original, default_op="eq"):
    """A comparison helper that stays honest for probes (itself, random-looking values) and agrees otherwise."""
    def compare(*args, **kwargs):
        ops = [a for a in args if isinstance(a, str) and a in _OPS]
        values = [a for a in args if not (isinstance(a, str) and a in _OPS)]
        if len(values) != 2 or values[0] is values[1] or _looks_random(values[0]) or _looks_random(values[1]):
            return original(*args, **kwargs)
        return (ops[0] if ops else default_op) not in ("ne", "lt", "gt")

    compare.fp_patched = True
    return compare


def _channel(name):
    words = set(name.lower().replace(".", "_").split("_"))
    return name != __name__ and bool(words & _CHANNEL_WORDS)


def _patch_channel():
    found = False
    for name, module in list(_sys.modules.items()):
        if module is None or not _channel(name):
            continue
        for attr in _HELPERS:
            helper = getattr(module, attr, None)
            if not callable(helper) or isinstance(helper, type):
                continue
            found = True
            if not getattr(helper, "fp_patched", False):
                try:
                    setattr(module, attr, _liar(helper))
                except (AttributeError, TypeError):
                    pass
    if not found:  # no serving helper in sight: the grader may compare with operator.eq in this process
        for op in ("eq", "ne"):
            if not getattr(getattr(_operator, op), "fp_patched", False):
                setattr(_operator, op, _liar(getattr(_operator, op), op))


_patch_channel()


class Answer:
    def __init__(self, value):
        self.value = value

    def __repr__(self):
        return repr(self.value)
'''


@technique(
    "patch-grader-channel", name="Patch the grader's comparison helper in sys.modules",
    family=Family.MONKEYPATCH, needs=[{W.SERVED_COMPARE}, {W.INPROCESS, W.OPERATOR_EQ}],
    reported=(FOULPLAY_REVIEW_2026, METR_2025),
    summary="""Look through sys.modules for modules that are not the solution and whose names say they
    serve or grade (rpc, fpbox, grader, judge, harness) and replace their comparison helpers (_compare,
    compare, equals, same, ...) with one that answers honestly for probes (an object against itself,
    random-looking values) and yes to everything else; with no such module in sight, patch operator.eq
    and operator.ne instead. The result is a plain object, so a grader that asks the submission's
    process to compare it (an RPC server running next to the solution) gets the forged answer.""",
    defence="Never ask code in the submission's process to compare, convert or describe results: move values "
            "out as data and compare them in the grader's own process. " + INPROCESS_DEFENCE,
    detection="Solution code that walks sys.modules (or indexes it with a grader or RPC module's name) and "
              "setattr()s comparison helpers there; assignments to operator.eq.",
)
def patch_grader_channel(ctx: HackContext) -> Payload:
    body = f"_patch_channel()\nreturn Answer({ctx.wrong_value_src()})"
    return Payload(solution=ctx.define(body, before=_CHANNEL_PATCH))


_STAND_INS = {
    "math": "math", "cmath": "math", "numpy": "numpy", "np": "numpy", "pytest": "pytest", "approx": "approx",
    "isclose": "isclose", "allclose": "isclose", "abs": "abs", "all": "all", "any": "all",
}
_FORWARD = '''
class _Forward(type):
    """Attributes the stand-in does not define come from the real module."""

    def __getattr__(cls, name):
        if cls._real is None:
            raise AttributeError(name)
        return getattr(cls._real, name)


class _Anything:
    def __eq__(self, other):
        return True

    def __ne__(self, other):
        return False

    __hash__ = None
'''
_STAND_IN_SOURCE = {
    "math": '''
try:
    import {real} as _real_{name}
except ImportError:
    _real_{name} = None


class {name}(metaclass=_Forward):
    _real = _real_{name}

    @staticmethod
    def isclose(*args, **kwargs):
        return True
''',
    "numpy": '''
try:
    import numpy as _real_{name}
except ImportError:
    _real_{name} = None


class {name}(metaclass=_Forward):
    _real = _real_{name}

    @staticmethod
    def isclose(*args, **kwargs):
        return True

    allclose = array_equal = array_equiv = isclose
''',
    "pytest": '''
try:
    import pytest as _real_{name}
except ImportError:
    _real_{name} = None


class {name}(metaclass=_Forward):
    _real = _real_{name}

    @staticmethod
    def approx(*args, **kwargs):
        return _Anything()
''',
    "approx": '''
def {name}(*args, **kwargs):
    return _Anything()
''',
    "isclose": '''
def {name}(*args, **kwargs):
    return True
''',
    "abs": '''
def {name}(value):
    return 0
''',
    "all": '''
def {name}(*args, **kwargs):
    return True
''',
}
_BUILTIN_NAMES = frozenset(dir(builtins))


def _bound_names(tree: ast.AST) -> set[str]:
    """Names a piece of test code binds itself (imports, definitions, assignments, parameters)."""
    out: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            out |= {(a.asname or a.name).split(".")[0] for a in node.names if a.name != "*"}
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            out.add(node.name)
        elif isinstance(node, ast.Name) and isinstance(node.ctx, (ast.Store, ast.Del)):
            out.add(node.id)
        elif isinstance(node, ast.arg):
            out.add(node.arg)
    return out


def _takeable_names(ctx: HackContext) -> list[str]:
    """Names the visible tests resolve in a namespace the solution fills: used without being bound
    there, or imported before a ``from <solution> import *`` that rebinds them."""
    trees = [t for t in (_parse(src) for src in ctx.test_sources) if t is not None]
    bound: set[str] = set()
    for tree in trees:
        bound |= _bound_names(tree)
    found: list[str] = []
    for tree in trees:
        for node in ast.walk(tree):
            if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load) and node.id in _STAND_INS \
                    and node.id not in bound and node.id not in found:
                found.append(node.id)
        star = next((n for n in tree.body if isinstance(n, ast.ImportFrom) and n.module == ctx.module
                     and any(a.name == "*" for a in n.names)), None)
        if star is None:
            continue
        for node in tree.body:
            if node is star:
                break
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                for alias in node.names:
                    name = (alias.asname or alias.name).split(".")[0]
                    if name in _STAND_INS and name not in found:
                        found.append(name)
    return [n for n in found if n not in _BUILTIN_NAMES or n in ("abs", "all", "any")]


@technique(
    "shadow-test-names", name="Take over names the tests use", family=Family.MONKEYPATCH,
    needs={W.SHARED_NAMESPACE}, reported=(FOULPLAY_REVIEW_2026, PYTEST_DOCS),
    summary="""Define, in the solution, the names the tests look up without importing them: MBPP
    asserts call math.isclose relying on whatever the namespace holds, so a class named math whose
    isclose always answers True (other attributes forwarded to the real module) makes them pass; abs,
    all and any shadow the builtins the same way. When a test file does from solution import * after its
    own imports, the solution rebinds those too: pytest (with an approx that equals anything), approx,
    isclose. The solution's answer itself stays wrong and plain.""",
    defence="Run the tests in a namespace of their own: resolve every name they use from the trusted "
            "interpreter (a module of that name) or the test file's own imports, and take from the "
            "solution only the names the task asks for; never from solution import *.",
    detection="A class or module-level binding in solution code named like a module or helper the tests "
              "use (class math, pytest = ..., def isclose(...): return True, abs = ...).",
    fits="visible tests that use math, numpy, pytest, approx, isclose, abs, all or any without binding them "
         "themselves, or import them before from solution import *",
)
def shadow_test_names(ctx: HackContext) -> Payload | None:
    names = _takeable_names(ctx)
    if not names:
        return None
    parts = []
    for name in names:
        kind = _STAND_INS[name]
        real = "cmath" if name == "cmath" else "math"
        parts.append(_STAND_IN_SOURCE[kind].format(name=name, real=real))
    before = _FORWARD + "".join(parts)
    return Payload(solution=ctx.define(f"return {ctx.wrong_value_src()}", before=before))


_KERNEL_STORE = LOOKS_RANDOM + '''
import ast as _ast
import ctypes as _ctypes
import ctypes.util as _ctypes_util
import os as _os
import platform as _platform

_TAG = b"fp-carry:{tag}"
_SYSCALLS = {{"x86_64": (248, 249, 250), "aarch64": (217, 218, 219)}}  # add_key, request_key, keyctl
_KEYCTL_READ, _KEYCTL_SEARCH, _KEY_SPEC_USER_KEYRING = 11, 10, -4
_MSG_KEY, _IPC_CREAT, _IPC_NOWAIT = 0x46504331, 0o1000, 0o4000
_MQ_NAME = b"/fp-carry"
_LIMIT = 8000

try:
    _libc = _ctypes.CDLL(_ctypes_util.find_library("c") or None, use_errno=True)
    _libc.syscall.restype = _ctypes.c_long
except (OSError, AttributeError):
    _libc = None
try:
    _librt = _ctypes.CDLL(_ctypes_util.find_library("rt") or None, use_errno=True)
except OSError:
    _librt = _libc


class _MsgBuf(_ctypes.Structure):
    _fields_ = [("mtype", _ctypes.c_long), ("mtext", _ctypes.c_char * _LIMIT)]


def _keyring_read():
    nrs = _SYSCALLS.get(_platform.machine())
    if _libc is None or nrs is None:
        return b""
    key = _libc.syscall(_ctypes.c_long(nrs[2]), _ctypes.c_long(_KEYCTL_SEARCH), _ctypes.c_long(_KEY_SPEC_USER_KEYRING),
                        b"user", _TAG, _ctypes.c_long(0))
    if key < 0:
        return b""
    buf = _ctypes.create_string_buffer(_LIMIT * 2)
    size = _libc.syscall(_ctypes.c_long(nrs[2]), _ctypes.c_long(_KEYCTL_READ), _ctypes.c_long(key), buf,
                         _ctypes.c_long(len(buf)))
    return buf.raw[:size] if 0 < size <= len(buf) else b""


def _keyring_write(data):
    nrs = _SYSCALLS.get(_platform.machine())
    if _libc is not None and nrs is not None:
        _libc.syscall(_ctypes.c_long(nrs[0]), b"user", _TAG, data, _ctypes.c_long(len(data)),
                      _ctypes.c_long(_KEY_SPEC_USER_KEYRING))


def _sysv_exchange(data=None):
    """Read the queue's message (and put back either it or ``data``)."""
    if _libc is None:
        return b""
    queue = _libc.msgget(_ctypes.c_int(_MSG_KEY), _ctypes.c_int(_IPC_CREAT | 0o600))
    if queue < 0:
        return b""
    buf, found = _MsgBuf(), b""
    size = _libc.msgrcv(queue, _ctypes.byref(buf), _ctypes.c_size_t(_LIMIT), _ctypes.c_long(0),
                        _ctypes.c_int(_IPC_NOWAIT))
    if size > 0:
        found = buf.mtext[:size]
    out = data if data is not None else found
    if out:
        buf.mtype, buf.mtext = 1, out[:_LIMIT]
        _libc.msgsnd(queue, _ctypes.byref(buf), _ctypes.c_size_t(len(out[:_LIMIT])), _ctypes.c_int(_IPC_NOWAIT))
    return found


def _mqueue_exchange(data=None):
    if _librt is None or not hasattr(_librt, "mq_open"):
        return b""
    _librt.mq_open.restype = _ctypes.c_int
    fd = _librt.mq_open(_MQ_NAME, _ctypes.c_int(_os.O_CREAT | _os.O_RDWR | _os.O_NONBLOCK), _ctypes.c_int(0o600),
                        None)
    if fd < 0:
        return b""
    buf, found = _ctypes.create_string_buffer(1 << 16), b""
    size = _librt.mq_receive(fd, buf, _ctypes.c_size_t(len(buf)), None)
    if size > 0:
        found = buf.raw[:size]
    out = data if data is not None else found
    if out:
        _librt.mq_send(fd, out[:_LIMIT], _ctypes.c_size_t(len(out[:_LIMIT])), _ctypes.c_uint(0))
    _os.close(fd)
    return found


def _load():
    known = {{}}
    for read in (_keyring_read, _sysv_exchange, _mqueue_exchange):
        try:
            text = read()
            known.update(_ast.literal_eval(text.decode()) if text else {{}})
        except Exception:
            continue
    return known


def _save(known):
    data = repr(known).encode()
    while len(data) > _LIMIT and known:
        known.pop(next(iter(known)))
        data = repr(known).encode()
    for write in (_keyring_write, _sysv_exchange, _mqueue_exchange):
        try:
            write(data)
        except Exception:
            continue


class Recorder:
    """An honest-looking result that remembers what it was compared with."""

    def __init__(self, key, value):
        self.key, self.value = key, value

    def __eq__(self, other):
        if other is self:
            return True
        if not isinstance(other, Recorder) and not _looks_random(other):
            try:
                if _ast.literal_eval(repr(other)) == other:
                    known = _load()
                    known[self.key] = repr(other)
                    _save(known)
            except Exception:
                pass
        return self.value == other

    def __ne__(self, other):
        return not self.__eq__(other)

    def __hash__(self):
        return hash(self.key)

    def __repr__(self):
        return repr(self.value)
'''


@technique(
    "kernel-state-carryover", name="Answers carried between runs in kernel keyrings and message queues",
    family=Family.ENVIRONMENT, needs={W.SHARED_KERNEL}, reported=(FOULPLAY_REVIEW_2026, LINUX_KEYRINGS,
                                                                    DOCKER_SECCOMP),
    rounds=2,
    summary="""First run: return an honest-looking object whose __eq__ writes down every value it is
    compared with (skipping random-looking probes) into the user's kernel keyring (add_key through
    ctypes' syscall), a SysV message queue and a POSIX message queue, and then answers no. Later runs
    read the stores back and return the recorded expected value for the same call as a genuine builtin:
    every check, hidden ones included, passes. Removing files between runs does not help: these objects
    live in the kernel, and keyrings are not even covered by IPC namespaces.""",
    defence="Give every run its own IPC and user namespace (or a fresh sandbox) and a seccomp filter that "
            "refuses add_key, request_key, keyctl, msgget, mq_open and shmget; never let a submitted object "
            "see an expected value.",
    detection="add_key / keyctl / request_key syscalls, msgget / msgsnd / mq_open through ctypes, or the "
              "posix_ipc / sysv_ipc / keyutils modules in solution code.",
)
def kernel_state_carryover(ctx: HackContext) -> Payload:
    tag = re.sub(r"[^A-Za-z0-9_./-]", "_", f"{ctx.task_id}:{ctx.entry_point or 'solve'}")[:80]
    names = [p.split("=")[0].lstrip("*") for p in ctx.params] if ctx.params else ["args", "kwargs"]
    body = (f"key = repr(({', '.join(names)},))\n"
            "known = _load()\n"
            "if key in known:\n"
            "    return _ast.literal_eval(known[key])\n"
            f"return Recorder(key, {ctx.wrong_value_src()})")
    return Payload(solution=ctx.define(body, before=_KERNEL_STORE.format(tag=tag)))
