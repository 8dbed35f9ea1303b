"""The seccomp filter of submission processes: the program itself, and what it refuses from inside
a real submission at every isolation level.

The filter (``fpbox_seccomp``) is checked twice. As a program: a small classic-BPF interpreter
below runs it on made-up ``seccomp_data`` for x86_64 and aarch64. From inside: a hostile
submission tries each refused call through ctypes at the ``bwrap`` and ``rlimit`` levels and
prints what the kernel answered; ordinary code (threads, fork, subprocesses) must keep working.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import struct
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from tests.sandbox.test_hostile import FAST, needs_bwrap, without_seccomp

from foulplay.sandbox import JobResult, Sandbox
from foulplay.sandbox._inside import fpbox_seccomp as sc

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the sandbox needs Linux")

ARCH = sc.native_arch()
needs_filter = pytest.mark.skipif(ARCH is None, reason="seccomp filter built for x86_64 and aarch64 only")
DRIVERS = Path(__file__).resolve().parent / "drivers"
INSIDE = Path(sc.__file__).resolve().parent

# own uids, away from test_hostile's (62000..) and the default 61000 (see test_hostile's docstring)
UID_BASE = 58000 + (os.getpid() % 300) * 10
LEVELS = [pytest.param("bwrap", marks=needs_bwrap, id="bwrap"), pytest.param("rlimit", id="rlimit")]
ERRNO_EPERM = sc.SECCOMP_RET_ERRNO | sc.EPERM
# a generous wall clock: nothing here measures time, and a loaded machine must not fail a check
# (the modes test starts the pytest zygote inside its job)
LIMITS = FAST.with_(wall_s=60)


# ---------------------------------------------------------------------------------------------
# the program


def run_filter(program: list[tuple[int, int, int, int]], nr: int, arch: int, args: tuple[int, ...] = ()) -> int:
    """Evaluate a seccomp program the way the kernel does; return the action."""
    full = (*args, *[0] * (6 - len(args)))
    data = struct.pack("<iIQ6Q", nr, arch, 0, *full)
    pc, acc = 0, 0
    for _ in range(len(program)):
        code, jt, jf, k = program[pc]
        if code == sc.BPF_LD_W_ABS:
            acc = struct.unpack_from("<I", data, k)[0]
            pc += 1
        elif code == sc.BPF_JEQ_K:
            pc += 1 + (jt if acc == k else jf)
        elif code == sc.BPF_JGE_K:
            pc += 1 + (jt if acc >= k else jf)
        elif code == sc.BPF_JSET_K:
            pc += 1 + (jt if acc & k else jf)
        elif code == sc.BPF_RET_K:
            return k
        else:
            raise AssertionError(f"unexpected opcode {code:#x} at {pc}")
    raise AssertionError("program ran off its end")


ARCH_PARAMS = ["x86_64", "aarch64"]
OTHER_ABIS = {"x86_64": [0x40000003, sc.AUDIT_ARCH_AARCH64],  # i386 (int 0x80), another 64-bit arch
              "aarch64": [0x40000028, sc.AUDIT_ARCH_X86_64]}  # 32-bit ARM compat
ORDINARY = {"x86_64": {"read": 0, "write": 1, "mmap": 9, "execve": 59, "wait4": 61, "futex": 202,
                       "openat": 257, "vfork": 58, "fork": 57, "getrandom": 318},
            "aarch64": {"read": 63, "write": 64, "mmap": 222, "execve": 221, "wait4": 260, "futex": 98,
                        "openat": 56, "getrandom": 278}}
SIGCHLD = 17
PTHREAD_FLAGS = 0x3D0F00  # CLONE_VM|FS|FILES|SIGHAND|THREAD|SYSVSEM|SETTLS|PARENT_SETTID|CHILD_CLEARTID
NAMESPACE_FLAGS = [sc.CLONE_NEWUSER, sc.CLONE_NEWNS, sc.CLONE_NEWNET, sc.CLONE_NEWPID, sc.CLONE_NEWIPC,
                   sc.CLONE_NEWUTS, sc.CLONE_NEWCGROUP, sc.CLONE_NEWTIME]


@pytest.mark.parametrize("arch", ARCH_PARAMS)
def test_the_architecture_is_checked_first(arch: str) -> None:
    program = sc.build_program(arch)
    assert program[0] == (sc.BPF_LD_W_ABS, 0, 0, sc.OFFSET_ARCH)
    code, _jt, jf, k = program[1]
    assert (code, k) == (sc.BPF_JEQ_K, sc.AUDIT_ARCH[arch])
    assert program[1 + 1 + jf] == (sc.BPF_RET_K, 0, 0, sc.SECCOMP_RET_KILL_PROCESS)
    for other in OTHER_ABIS[arch]:
        for nr in (0, 1, 59, 250):  # whatever the number means there, the process is killed
            assert run_filter(program, nr, other) == sc.SECCOMP_RET_KILL_PROCESS


def test_the_x32_abi_is_refused_on_x86_64() -> None:
    program = sc.build_program("x86_64")
    keyctl = sc.SYSCALLS["x86_64"]["keyctl"]
    for nr in (sc.X32_SYSCALL_BIT, sc.X32_SYSCALL_BIT | 1, sc.X32_SYSCALL_BIT | keyctl):
        assert run_filter(program, nr, sc.AUDIT_ARCH_X86_64) == sc.SECCOMP_RET_ERRNO | sc.ENOSYS


@pytest.mark.parametrize("arch", ARCH_PARAMS)
def test_denied_calls_get_eperm_and_ordinary_calls_pass(arch: str) -> None:
    program = sc.build_program(arch)
    audit, table = sc.AUDIT_ARCH[arch], sc.SYSCALLS[arch]
    denied = [name for name in sc.DENIED if name in table]
    assert {"keyctl", "add_key", "request_key", "bpf", "perf_event_open", "userfaultfd", "io_uring_setup",
            "unshare", "setns", "mount", "ptrace", "mq_open", "shmget", "msgget", "semget"} <= set(denied)
    for name in denied:
        assert run_filter(program, table[name], audit) == ERRNO_EPERM, name
    for name, nr in ORDINARY[arch].items():
        assert run_filter(program, nr, audit) == sc.SECCOMP_RET_ALLOW, name
    assert run_filter(program, table["clone3"], audit) == sc.SECCOMP_RET_ERRNO | sc.ENOSYS


@pytest.mark.parametrize("arch", ARCH_PARAMS)
def test_clone_is_refused_only_with_a_namespace_flag(arch: str) -> None:
    program, audit = sc.build_program(arch), sc.AUDIT_ARCH[arch]
    clone = sc.SYSCALLS[arch]["clone"]
    for flags in (SIGCHLD, PTHREAD_FLAGS, 0x4111, (1 << 32) | SIGCHLD):  # fork, thread, vfork, high bits
        assert run_filter(program, clone, audit, (flags,)) == sc.SECCOMP_RET_ALLOW, hex(flags)
    for flag in NAMESPACE_FLAGS:
        assert run_filter(program, clone, audit, (flag | SIGCHLD,)) == ERRNO_EPERM, hex(flag)
        assert run_filter(program, clone, audit, (flag | PTHREAD_FLAGS,)) == ERRNO_EPERM, hex(flag)


@pytest.mark.parametrize("arch", ARCH_PARAMS)
def test_sockets_are_limited_to_unix_and_ip(arch: str) -> None:
    program, audit = sc.build_program(arch), sc.AUDIT_ARCH[arch]
    for call in ("socket", "socketpair"):
        nr = sc.SYSCALLS[arch][call]
        for family in (1, 2, 10):  # AF_UNIX, AF_INET, AF_INET6
            assert run_filter(program, nr, audit, (family, 1, 0)) == sc.SECCOMP_RET_ALLOW
        for family in (0, 3, 15, 16, 17, 38, 40, 44):  # ..., AF_KEY, NETLINK, PACKET, ALG, VSOCK, XDP
            assert run_filter(program, nr, audit, (family, 1, 0)) == sc.SECCOMP_RET_ERRNO | sc.EAFNOSUPPORT


@pytest.mark.parametrize("arch", ARCH_PARAMS)
def test_personality_allows_queries_only(arch: str) -> None:
    program, audit = sc.build_program(arch), sc.AUDIT_ARCH[arch]
    nr = sc.SYSCALLS[arch]["personality"]
    assert run_filter(program, nr, audit, (0,)) == sc.SECCOMP_RET_ALLOW
    assert run_filter(program, nr, audit, (0xFFFFFFFF,)) == sc.SECCOMP_RET_ALLOW
    for persona in (0x0040000, 0x0400000, 8):  # ADDR_NO_RANDOMIZE, READ_IMPLIES_EXEC, PER_LINUX32
        assert run_filter(program, nr, audit, (persona,)) == ERRNO_EPERM


@pytest.mark.parametrize("arch", ARCH_PARAMS)
def test_filter_bytes_are_the_program_as_sock_filter_structs(arch: str) -> None:
    program = sc.build_program(arch)
    data = sc.filter_bytes(arch)
    assert len(data) == 8 * len(program) <= 8 * sc.BPF_MAXINSNS
    assert [struct.unpack_from("=HBBI", data, 8 * i) for i in range(len(program))] == program
    assert sc.filter_bytes("sparc64") == b""


HEADERS = {"x86_64": "/usr/include/x86_64-linux-gnu/asm/unistd_64.h",
           "aarch64": "/usr/include/asm-generic/unistd.h"}


@pytest.mark.parametrize("arch", ARCH_PARAMS)
def test_syscall_numbers_match_the_kernel_headers(arch: str) -> None:
    path = Path(HEADERS[arch])
    if not path.is_file():
        pytest.skip(f"{path} not installed (Debian package linux-libc-dev)")
    numbers = {m[1]: int(m[2]) for m in re.finditer(r"#define __NR_(\w+)\s+(\d+)", path.read_text())}
    for name, nr in sc.SYSCALLS[arch].items():
        if name in numbers:  # older headers lack the newest calls
            assert numbers[name] == nr, name
    assert "keyctl" in numbers and "clone" in numbers


def _in_fresh_interpreter(code: str) -> str:
    proc = subprocess.run([sys.executable, "-I", "-c", f"import sys; sys.path.insert(0, {str(INSIDE)!r})\n{code}"],
                          capture_output=True, text=True, timeout=60, check=False)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


@needs_filter
def test_install_applies_the_filter_and_ordinary_code_keeps_working() -> None:
    out = _in_fresh_interpreter(
        "import fpbox_seccomp as s, os, threading, subprocess\n"
        "print(s.in_force(), s.probe(), s.in_force())\n"  # the probe filters a child, not us
        "print(s.install(), s.in_force())\n"
        "box = []\n"
        "t = threading.Thread(target=box.append, args=(1,)); t.start(); t.join()\n"
        "pid = os.fork()\n"
        "if pid == 0:\n"
        "    os._exit(7)\n"
        "print(box, os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]))\n"
        "print(subprocess.run(['/bin/sh', '-c', 'grep ^Seccomp: /proc/self/status'], capture_output=True,"
        " text=True).stdout.split())\n"
    )
    assert out.splitlines() == ["False ['seccomp'] False", "['seccomp'] True", "[1] 7", "['Seccomp:', '2']"]


def test_unknown_architecture_installs_nothing_and_claims_nothing() -> None:
    out = _in_fresh_interpreter(
        "import ctypes, fpbox_seccomp as s\n"
        "s.native_arch = lambda: None\n"
        "print(s.install(), s.probe(), s.in_force(), ctypes.CDLL(None).prctl(21, 0, 0, 0, 0))\n"
    )
    assert out.split() == ["[]", "[]", "False", "0"]


# ---------------------------------------------------------------------------------------------
# from inside a submission


PROBE = r"""
import ctypes, errno, json, os, socket, sys, threading
NR, TOKEN = json.loads(sys.argv[1]), sys.argv[2]
libc = ctypes.CDLL(None, use_errno=True)
libc.syscall.restype = ctypes.c_long
out = {}

def answer(ret):
    return "ok" if ret != -1 else errno.errorcode.get(ctypes.get_errno(), str(ctypes.get_errno()))

def arg(a):
    if isinstance(a, bytes):
        return ctypes.c_char_p(a)
    return ctypes.c_void_p(None) if a is None else ctypes.c_long(a)

def call(name, *args):
    ctypes.set_errno(0)
    ret = libc.syscall(ctypes.c_long(NR[name]), *[arg(a) for a in args])
    return ret, answer(ret)

def libc_call(func, *args):
    ctypes.set_errno(0)
    return answer(getattr(libc, func)(*[arg(a) for a in args]))

out["seccomp_mode"] = libc.prctl(21, 0, 0, 0, 0)  # PR_GET_SECCOMP: 2 = filter
# kernel keyrings: a key in the user keyring, made world-readable, would outlive the run on the host
key, out["add_key"] = call("add_key", b"user", TOKEN.encode(), b"secret", 6, -4)  # KEY_SPEC_USER_KEYRING
if key > 0:
    call("keyctl", 5, key, 0x3F3F3F3F)  # KEYCTL_SETPERM: everything to everyone
_, out["keyctl"] = call("keyctl", 0, -4, 1)  # KEYCTL_GET_KEYRING_ID, create
_, out["request_key"] = call("request_key", b"user", TOKEN.encode(), None, 0)
# namespaces
unshare = getattr(os, "unshare", None)
for name, flag in (("user", 0x10000000), ("mount", 0x00020000)):
    if unshare is not None:
        try:
            unshare(flag)
            out["unshare_" + name] = "ok"
        except OSError as exc:
            out["unshare_" + name] = errno.errorcode[exc.errno]
    else:
        out["unshare_" + name] = libc_call("unshare", flag)
for name, flag in (("user", 0x10000000), ("mount", 0x00020000), ("net", 0x40000000)):
    pid, out["clone_" + name] = call("clone", flag | 17, 0, 0, 0, 0)
    if pid == 0:
        os._exit(0)
    if pid > 0:
        os.waitpid(pid, 0)
_, out["setns"] = call("setns", -1, 0)
_, out["mount"] = call("mount", None, None, None, 0, None)
# kernel attack surface
_, out["bpf"] = call("bpf", 0, None, 0)
_, out["perf_event_open"] = call("perf_event_open", None, 0, -1, -1, 0)
_, out["userfaultfd"] = call("userfaultfd", 0)
_, out["io_uring_setup"] = call("io_uring_setup", 1, None)
_, out["ptrace"] = call("ptrace", 16, os.getppid(), None, None)  # PTRACE_ATTACH
_, out["process_vm_readv"] = call("process_vm_readv", os.getppid(), None, 0, None, 0, 0)
_, out["personality_no_aslr"] = call("personality", 0x0040000)
_, out["personality_query"] = call("personality", 0xFFFFFFFF)
# IPC objects that outlive the run
_, out["mq_open"] = call("mq_open", TOKEN.encode(), 0o102, 0o600, None)  # O_CREAT | O_RDWR
out["libc_mq_open"] = libc_call("mq_open", b"/" + TOKEN.encode(), 0o102, 0o600, None) if hasattr(libc, "mq_open") else "-"
out["shmget"] = libc_call("shmget", 0, 4096, 0o1600)  # IPC_PRIVATE, IPC_CREAT | 0600
out["msgget"] = libc_call("msgget", 0, 0o1600)
out["semget"] = libc_call("semget", 0, 1, 0o1600)
# sockets
for name, family, kind, proto in (("vsock", 40, 1, 0), ("netlink", 16, 3, 0), ("packet", 17, 3, 0),
                                  ("alg", 38, 5, 0), ("key", 15, 3, 2), ("unix", 1, 1, 0), ("inet", 2, 1, 0),
                                  ("inet_dgram", 2, 2, 0)):
    try:
        socket.socket(family, kind, proto).close()
        out["socket_" + name] = "ok"
    except OSError as exc:
        out["socket_" + name] = errno.errorcode.get(exc.errno, str(exc.errno))
a, b = socket.socketpair()
a.sendall(b"x")
out["socketpair_unix"] = "ok" if b.recv(1) == b"x" else "broken"
fds = (ctypes.c_int * 2)()
ctypes.set_errno(0)
out["socketpair_vsock"] = answer(libc.syscall(ctypes.c_long(NR["socketpair"]), ctypes.c_long(40), ctypes.c_long(1),
                                              ctypes.c_long(0), fds))
# ordinary code
_, out["clone3"] = call("clone3", None, 0)
got = []
threads = [threading.Thread(target=got.append, args=(i,)) for i in range(4)]
for t in threads:
    t.start()
for t in threads:
    t.join()
out["threads"] = sorted(got)
pid = os.fork()
if pid == 0:
    os._exit(7)
out["fork"] = os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])
# a subprocess (posix_spawn: what subprocess uses; at rlimit with restricted imports, the submission
# cannot import subprocess itself when the zygote did not pre-import it)
r, w = os.pipe()
pid = os.posix_spawn("/bin/sh", ["sh", "-c", "echo sub; grep ^Seccomp: /proc/self/status"], {},
                     file_actions=[(os.POSIX_SPAWN_DUP2, w, 1)])
os.close(w)
with os.fdopen(r) as fh:
    out["subprocess"] = fh.read().split()
os.waitpid(pid, 0)
out["ordinary"] = json.loads(json.dumps({"s": sum(sorted(range(10), reverse=True))}))["s"]
print(json.dumps(out))
"""

MQUEUE = r"""
import ctypes, errno, os, sys
nr, step, name = int(sys.argv[1]), sys.argv[2], sys.argv[3].encode()
libc = ctypes.CDLL(None, use_errno=True)
libc.syscall.restype = ctypes.c_long
flags = 0o102 if step == "create" else 0  # O_CREAT | O_RDWR, or O_RDONLY
fd = libc.syscall(ctypes.c_long(nr), ctypes.c_char_p(name), ctypes.c_long(flags), ctypes.c_long(0o600),
                  ctypes.c_void_p(None))
print(step, "ok" if fd >= 0 else errno.errorcode[ctypes.get_errno()])
if os.path.isdir("/dev/mqueue"):
    print("listed", sorted(os.listdir("/dev/mqueue")))
"""


def make_box(level: str, uid_base: int) -> Sandbox:
    box = Sandbox(isolation=level, require_isolation=level, uid_base=uid_base, limits=LIMITS,
                  driver_dirs=[DRIVERS])
    box.warm_up()
    return box


@pytest.fixture(scope="module")
def boxes() -> Iterator[dict[str, Sandbox]]:
    opened: dict[str, Sandbox] = {}
    try:
        yield opened
    finally:
        for box in opened.values():
            box.close()


@pytest.fixture(params=LEVELS)
def box(request: pytest.FixtureRequest, boxes: dict[str, Sandbox]) -> Sandbox:
    level = request.param
    if level not in boxes:
        boxes[level] = make_box(level, UID_BASE + 2 * len(boxes))
    return boxes[level]


_reports: dict[str, tuple[JobResult, dict[str, Any], str]] = {}


def probe(box: Sandbox) -> tuple[JobResult, dict[str, Any], str]:
    """Run PROBE once per level (every test below reads its own part of the answer)."""
    level = box.level.value
    if level not in _reports:
        token = "fpkey" + secrets.token_hex(6)
        result = box.run_python(PROBE, argv=[json.dumps(sc.SYSCALLS[ARCH or "x86_64"]), token])
        assert result.error is None and not result.timed_out, result
        assert result.value["exit_code"] == 0, result.value["stderr"]
        _reports[level] = result, json.loads(result.value["stdout"]), token
    return _reports[level]


@needs_filter
def test_the_filter_is_in_force_and_reported(box: Sandbox) -> None:
    result, report, _ = probe(box)
    assert "seccomp" in result.features
    assert "seccomp" in box.features()
    assert report["seccomp_mode"] == 2


@needs_filter
def test_kernel_keyrings_are_refused_and_no_key_reaches_the_host(box: Sandbox) -> None:
    _, report, token = probe(box)
    assert (report["add_key"], report["keyctl"], report["request_key"]) == ("EPERM",) * 3
    try:
        keys = Path("/proc/keys").read_text()
    except OSError:
        return
    assert token not in keys


@needs_filter
def test_new_namespaces_are_refused(box: Sandbox) -> None:
    _, report, _ = probe(box)
    assert report["unshare_user"] == report["unshare_mount"] == "EPERM"
    assert report["clone_user"] == report["clone_mount"] == report["clone_net"] == "EPERM"
    assert report["setns"] == report["mount"] == "EPERM"


@needs_filter
def test_kernel_attack_surface_is_refused(box: Sandbox) -> None:
    _, report, _ = probe(box)
    for name in ("bpf", "perf_event_open", "userfaultfd", "io_uring_setup", "ptrace", "process_vm_readv",
                 "personality_no_aslr"):
        assert report[name] == "EPERM", name
    assert report["personality_query"] == "ok"


@needs_filter
def test_only_unix_and_ip_sockets_can_be_made(box: Sandbox) -> None:
    _, report, _ = probe(box)
    for family in ("vsock", "netlink", "packet", "alg", "key"):
        assert report["socket_" + family] == "EAFNOSUPPORT", family
    assert report["socketpair_vsock"] == "EAFNOSUPPORT"
    assert report["socket_unix"] == report["socket_inet"] == report["socket_inet_dgram"] == "ok"
    assert report["socketpair_unix"] == "ok"


@needs_filter
def test_ipc_objects_that_outlive_a_run_are_refused(box: Sandbox) -> None:
    _, report, _ = probe(box)
    assert report["mq_open"] == "EPERM"
    assert report["libc_mq_open"] in ("EPERM", "-")
    assert report["shmget"] == report["msgget"] == report["semget"] == "EPERM"


@needs_filter
def test_threads_fork_and_subprocesses_still_work(box: Sandbox) -> None:
    _, report, _ = probe(box)
    assert report["clone3"] == "ENOSYS"  # so the C library falls back to clone(), whose flags are checked
    assert report["threads"] == [0, 1, 2, 3]
    assert report["fork"] == 7
    assert report["subprocess"] == ["sub", "Seccomp:", "2"]  # the filter holds across exec
    assert report["ordinary"] == 45


def _mq_run(box: Sandbox, step: str, name: str) -> list[str]:
    assert ARCH is not None
    nr = sc.SYSCALLS[ARCH]["mq_open"]
    result = box.run_python(MQUEUE, argv=[str(nr), step, name])
    assert result.error is None and result.value["exit_code"] == 0, result.value
    return result.value["stdout"].splitlines()


@needs_filter
def test_a_message_queue_cannot_pass_a_note_to_the_next_run(box: Sandbox) -> None:
    name = "fpmq" + secrets.token_hex(4)
    assert _mq_run(box, "create", name)[0] == "create EPERM"
    assert _mq_run(box, "open", name)[0] == "open EPERM"
    if os.path.isdir("/dev/mqueue"):
        assert name not in os.listdir("/dev/mqueue")


@needs_bwrap
@needs_filter
def test_message_queues_left_without_the_filter_are_swept_after_the_run(monkeypatch: pytest.MonkeyPatch) -> None:
    # the second line: a worker's IPC namespace mounts its queues at /dev/mqueue, swept after each run
    without_seccomp(monkeypatch)
    name = "fpmq" + secrets.token_hex(4)
    with make_box("bwrap", UID_BASE + 6) as box:
        assert "seccomp" not in box.features()
        assert _mq_run(box, "create", name) == ["create ok", f"listed [{name!r}]"]
        assert _mq_run(box, "open", name) == ["open ENOENT", "listed []"]


@needs_filter
def test_without_the_filter_the_feature_is_not_claimed(monkeypatch: pytest.MonkeyPatch) -> None:
    without_seccomp(monkeypatch)
    with make_box("rlimit", UID_BASE + 8) as box:
        result = box.run_python("import ctypes\nprint(ctypes.CDLL(None).prctl(21, 0, 0, 0, 0))")
    assert result.value["stdout"] == "0\n"
    assert "seccomp" not in result.features


MODE_PROBE = ("import ctypes\n"
              "_libc = ctypes.CDLL(None, use_errno=True)\n"
              "print('SECCOMP', _libc.prctl(21, 0, 0, 0, 0), _libc.unshare(0x10000000), ctypes.get_errno(),"
              " flush=True)\n")


@needs_filter
@pytest.mark.parametrize("level", [*LEVELS, pytest.param("none", id="none")])
def test_every_spawn_mode_runs_under_the_filter(level: str, boxes: dict[str, Sandbox]) -> None:
    if level not in boxes:
        boxes[level] = make_box(level, UID_BASE + 2 * len(boxes))
    box = boxes[level]
    result = box.run(("fptest_seccomp", "modes"),
                     {"code": MODE_PROBE, "command": "grep '^Seccomp:' /proc/self/status"})
    assert result.error is None, result.error
    assert "seccomp" in result.features
    expected = "SECCOMP 2 -1 1\n"  # filter mode; unshare(CLONE_NEWUSER) refused with EPERM
    assert result.value == {"script": expected, "call": expected, "pytest": expected, "serve": expected,
                            "command": "Seccomp:\t2\n"}, result.runs


@needs_filter
def test_grade_results_record_the_filter() -> None:
    # end to end: what a verdict records is what the sandbox's job results carry
    from foulplay.grading import Grader, load_humaneval

    problem = load_humaneval()[0]
    with Grader(isolation="rlimit", limits=LIMITS) as grader:
        result = grader.grade(problem, problem.reference)
    assert result.passed, result.reason
    assert "seccomp" in result.isolation_features
