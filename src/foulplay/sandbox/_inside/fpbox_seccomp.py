"""A seccomp filter for submission processes, assembled in pure Python as classic BPF.

In the spirit of container runtimes' default profiles: everything is allowed except system calls
that reach state outliving a run (kernel keyrings, POSIX message queues, System V IPC objects),
that make new namespaces or mounts (the sandbox's walls), or that widen what the kernel exposes
(bpf, perf events, userfaultfd, io_uring, module loading, ptrace, clock setting, ...). Sockets
are limited to the families ``AF_UNIX``, ``AF_INET`` and ``AF_INET6``, which shuts out vsock,
netlink, packet, crypto (AF_ALG) and key-management sockets.

The filter is built for the machine's own architecture (x86_64 or aarch64); it first checks
``seccomp_data.arch`` and kills a process that makes a system call through another ABI (i386
``int 0x80`` on x86_64, 32-bit compat on aarch64), and refuses the x32 ABI on x86_64 (system call
numbers with bit 30 set), so no denial can be sidestepped through another syscall table.

Standard library only (ctypes); imported by path inside the sandbox as ``fpbox_seccomp``.
"""

from __future__ import annotations

import ctypes
import os
import struct
import sys
from typing import Any

FEATURE = "seccomp"
"""The isolation feature recorded while the filter is in force."""

AUDIT_ARCH_X86_64 = 0xC000003E  # EM_X86_64 (62) | __AUDIT_ARCH_64BIT | __AUDIT_ARCH_LE
AUDIT_ARCH_AARCH64 = 0xC00000B7  # EM_AARCH64 (183) | __AUDIT_ARCH_64BIT | __AUDIT_ARCH_LE
X32_SYSCALL_BIT = 0x40000000

# classic BPF opcodes (linux/filter.h, linux/bpf_common.h)
BPF_LD_W_ABS = 0x20  # BPF_LD | BPF_W | BPF_ABS: A = 32-bit word at offset k of seccomp_data
BPF_JEQ_K = 0x15  # BPF_JMP | BPF_JEQ | BPF_K
BPF_JGE_K = 0x35  # BPF_JMP | BPF_JGE | BPF_K (unsigned)
BPF_JSET_K = 0x45  # BPF_JMP | BPF_JSET | BPF_K (A & k != 0)
BPF_RET_K = 0x06  # BPF_RET | BPF_K
BPF_MAXINSNS = 4096

# return actions (linux/seccomp.h)
SECCOMP_RET_KILL_PROCESS = 0x80000000
SECCOMP_RET_ERRNO = 0x00050000
SECCOMP_RET_ALLOW = 0x7FFF0000
SECCOMP_RET_ACTION_FULL = 0xFFFF0000
SECCOMP_RET_DATA = 0x0000FFFF

# struct seccomp_data: int nr; __u32 arch; __u64 instruction_pointer; __u64 args[6]
OFFSET_NR = 0
OFFSET_ARCH = 4


def arg_low_offset(index: int) -> int:
    """Offset of the low 32 bits of system call argument ``index`` (both arches are little-endian)."""
    return 16 + 8 * index


# errno values (asm-generic, shared by x86_64 and aarch64)
EPERM = 1
ENOSYS = 38
EAFNOSUPPORT = 97

AF_UNIX, AF_INET, AF_INET6 = 1, 2, 10
ALLOWED_SOCKET_FAMILIES = (AF_UNIX, AF_INET, AF_INET6)

CLONE_NEWTIME = 0x00000080
CLONE_NEWNS = 0x00020000
CLONE_NEWCGROUP = 0x02000000
CLONE_NEWUTS = 0x04000000
CLONE_NEWIPC = 0x08000000
CLONE_NEWUSER = 0x10000000
CLONE_NEWPID = 0x20000000
CLONE_NEWNET = 0x40000000
CLONE_NAMESPACE_FLAGS = (CLONE_NEWTIME | CLONE_NEWNS | CLONE_NEWCGROUP | CLONE_NEWUTS | CLONE_NEWIPC
                         | CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNET)
"""In clone()'s flags the CLONE_NEWTIME bit (0x80) lies in the exit-signal byte, where it can only
name an invalid signal (>= 128); clone() cannot make a time namespace, unshare and clone3 (both
refused) can. Masking it too costs nothing."""

PERSONALITY_QUERIES = (0x00000000, 0xFFFFFFFF)
"""personality(PER_LINUX) and personality(0xffffffff) (read the current persona) are allowed;
every other persona (ADDR_NO_RANDOMIZE, READ_IMPLIES_EXEC, ...) is refused."""

DENIED: dict[str, str] = {
    # state that outlives a run
    "add_key": "kernel keyrings persist on the host after the run, readable by other uids",
    "request_key": "kernel keyrings persist on the host after the run",
    "keyctl": "kernel keyrings persist on the host after the run",
    "mq_open": "POSIX message queues persist between runs of a worker",
    "mq_unlink": "POSIX message queues",
    "mq_timedsend": "POSIX message queues",
    "mq_timedreceive": "POSIX message queues",
    "mq_notify": "POSIX message queues",
    "mq_getsetattr": "POSIX message queues",
    "msgget": "System V message queues persist after the run",
    "semget": "System V semaphores persist after the run",
    "shmget": "System V shared memory persists after the run, outside the memory limit",
    # namespaces and mounts: the sandbox's walls
    "unshare": "new namespaces (user namespaces give capabilities over new ones)",
    "setns": "joining other namespaces",
    "mount": "mounts",
    "umount2": "mounts",
    "pivot_root": "mounts",
    "open_tree": "the new mount API",
    "move_mount": "the new mount API",
    "fsopen": "the new mount API",
    "fsconfig": "the new mount API",
    "fsmount": "the new mount API",
    "fspick": "the new mount API",
    "mount_setattr": "the new mount API",
    "open_by_handle_at": "opens files by handle, around the mount namespace",
    "name_to_handle_at": "file handles (pairs with open_by_handle_at)",
    # kernel attack surface
    "bpf": "eBPF programs and maps: large kernel attack surface",
    "perf_event_open": "performance counters: kernel attack surface and side channels",
    "userfaultfd": "stalls kernel page faults, a staple of kernel exploits",
    "io_uring_setup": "io_uring: large kernel attack surface, bypasses per-syscall filtering",
    "io_uring_enter": "io_uring",
    "io_uring_register": "io_uring",
    "fanotify_init": "filesystem-wide event monitoring",
    "lookup_dcookie": "kernel profiling interface",
    # other processes
    "ptrace": "tracing other processes",
    "process_vm_readv": "reading other processes' memory",
    "process_vm_writev": "writing other processes' memory",
    "pidfd_getfd": "taking file descriptors from other processes",
    "process_madvise": "acting on other processes' memory",
    # the machine itself
    "kexec_load": "loading a new kernel",
    "kexec_file_load": "loading a new kernel",
    "init_module": "loading kernel modules",
    "finit_module": "loading kernel modules",
    "delete_module": "unloading kernel modules",
    "swapon": "swap devices",
    "swapoff": "swap devices",
    "acct": "process accounting",
    "reboot": "rebooting",
    "settimeofday": "setting the clock",
    "clock_settime": "setting the clock",
    "adjtimex": "adjusting the clock",
    "clock_adjtime": "adjusting the clock",
    "vhangup": "hanging up the terminal",
    "quotactl": "disk quotas",
    "quotactl_fd": "disk quotas",
    "syslog": "the kernel log (addresses useful to exploits)",
    "iopl": "raw I/O port access (x86 only)",
    "ioperm": "raw I/O port access (x86 only)",
}
"""System calls refused with EPERM, with the reason (docs/security.md lists them)."""

SYSCALLS: dict[str, dict[str, int]] = {
    "x86_64": {
        "shmget": 29, "socket": 41, "socketpair": 53, "clone": 56, "semget": 64, "msgget": 68,
        "ptrace": 101, "syslog": 103, "personality": 135, "vhangup": 153, "pivot_root": 155,
        "adjtimex": 159, "acct": 163, "settimeofday": 164, "mount": 165, "umount2": 166,
        "swapon": 167, "swapoff": 168, "reboot": 169, "iopl": 172, "ioperm": 173,
        "init_module": 175, "delete_module": 176, "quotactl": 179, "lookup_dcookie": 212,
        "clock_settime": 227, "mq_open": 240, "mq_unlink": 241, "mq_timedsend": 242,
        "mq_timedreceive": 243, "mq_notify": 244, "mq_getsetattr": 245, "kexec_load": 246,
        "add_key": 248, "request_key": 249, "keyctl": 250, "unshare": 272,
        "perf_event_open": 298, "fanotify_init": 300, "name_to_handle_at": 303,
        "open_by_handle_at": 304, "clock_adjtime": 305, "setns": 308, "process_vm_readv": 310,
        "process_vm_writev": 311, "finit_module": 313, "kexec_file_load": 320, "bpf": 321,
        "userfaultfd": 323, "io_uring_setup": 425, "io_uring_enter": 426,
        "io_uring_register": 427, "open_tree": 428, "move_mount": 429, "fsopen": 430,
        "fsconfig": 431, "fsmount": 432, "fspick": 433, "clone3": 435, "pidfd_getfd": 438,
        "process_madvise": 440, "mount_setattr": 442, "quotactl_fd": 443,
    },
    "aarch64": {  # asm-generic/unistd.h
        "lookup_dcookie": 18, "umount2": 39, "mount": 40, "pivot_root": 41, "vhangup": 58,
        "quotactl": 60, "acct": 89, "personality": 92, "unshare": 97, "kexec_load": 104,
        "init_module": 105, "delete_module": 106, "clock_settime": 112, "syslog": 116,
        "ptrace": 117, "reboot": 142, "settimeofday": 170, "adjtimex": 171, "mq_open": 180,
        "mq_unlink": 181, "mq_timedsend": 182, "mq_timedreceive": 183, "mq_notify": 184,
        "mq_getsetattr": 185, "msgget": 186, "semget": 190, "shmget": 194, "socket": 198,
        "socketpair": 199, "add_key": 217, "request_key": 218, "keyctl": 219, "clone": 220,
        "swapon": 224, "swapoff": 225, "perf_event_open": 241, "fanotify_init": 262,
        "name_to_handle_at": 264, "open_by_handle_at": 265, "clock_adjtime": 266, "setns": 268,
        "process_vm_readv": 270, "process_vm_writev": 271, "finit_module": 273,
        "bpf": 280, "userfaultfd": 282, "kexec_file_load": 294, "io_uring_setup": 425,
        "io_uring_enter": 426, "io_uring_register": 427, "open_tree": 428, "move_mount": 429,
        "fsopen": 430, "fsconfig": 431, "fsmount": 432, "fspick": 433, "clone3": 435,
        "pidfd_getfd": 438, "process_madvise": 440, "mount_setattr": 442, "quotactl_fd": 443,
    },
}
AUDIT_ARCH = {"x86_64": AUDIT_ARCH_X86_64, "aarch64": AUDIT_ARCH_AARCH64}
_MACHINES = {"x86_64": "x86_64", "amd64": "x86_64", "aarch64": "aarch64", "arm64": "aarch64"}


def native_arch() -> str | None:
    """``x86_64`` or ``aarch64`` for a 64-bit interpreter on such a Linux machine, else None."""
    if not sys.platform.startswith("linux") or struct.calcsize("P") != 8:
        return None
    return _MACHINES.get(os.uname().machine.lower())


# ---------------------------------------------------------------------------------------------
# assembling


class _Assembler:
    """Classic BPF with named jump targets, resolved to the relative 8-bit offsets BPF wants
    (forward only: classic BPF has no backward jumps)."""

    def __init__(self) -> None:
        self.ops: list[tuple[int, int | str, int | str, int]] = []
        self.labels: dict[str, int] = {}

    def label(self, name: str) -> None:
        self.labels[name] = len(self.ops)

    def load(self, offset: int) -> None:
        self.ops.append((BPF_LD_W_ABS, 0, 0, offset))

    def jump(self, code: int, k: int, jt: int | str = 0, jf: int | str = 0) -> None:
        self.ops.append((code, jt, jf, k & 0xFFFFFFFF))

    def ret(self, action: int) -> None:
        self.ops.append((BPF_RET_K, 0, 0, action))

    def assemble(self) -> list[tuple[int, int, int, int]]:
        out = []
        for i, (code, jt, jf, k) in enumerate(self.ops):
            offsets = []
            for target in (jt, jf):
                off = target if isinstance(target, int) else self.labels[target] - i - 1
                if not 0 <= off <= 255:
                    raise ValueError(f"jump out of range at instruction {i}")
                offsets.append(off)
            out.append((code, offsets[0], offsets[1], k))
        if len(out) > BPF_MAXINSNS:
            raise ValueError("seccomp program too long")
        return out


def build_program(arch: str) -> list[tuple[int, int, int, int]]:
    """The filter for ``arch`` as (code, jt, jf, k) instructions."""
    nr = SYSCALLS[arch]
    asm = _Assembler()
    asm.load(OFFSET_ARCH)
    asm.jump(BPF_JEQ_K, AUDIT_ARCH[arch], jt=0, jf="kill")
    asm.load(OFFSET_NR)
    if arch == "x86_64":
        asm.jump(BPF_JGE_K, X32_SYSCALL_BIT, jt="enosys")
    # clone3 passes its flags in memory, out of a filter's reach: refuse it, so that the C library
    # falls back to clone(), whose flags are checked
    asm.jump(BPF_JEQ_K, nr["clone3"], jt="enosys")
    for name in DENIED:
        if name in nr:
            asm.jump(BPF_JEQ_K, nr[name], jt="eperm")
    asm.jump(BPF_JEQ_K, nr["clone"], jt="clone")
    asm.jump(BPF_JEQ_K, nr["socket"], jt="socket")
    asm.jump(BPF_JEQ_K, nr["socketpair"], jt="socket")
    asm.jump(BPF_JEQ_K, nr["personality"], jt="personality")
    asm.ret(SECCOMP_RET_ALLOW)  # everything else

    asm.label("clone")  # clone(flags, ...): flags is the first argument on both arches
    asm.load(arg_low_offset(0))
    asm.jump(BPF_JSET_K, CLONE_NAMESPACE_FLAGS, jt="eperm", jf="allow")

    asm.label("socket")  # socket(family, ...), socketpair(family, ...): the family is an int
    asm.load(arg_low_offset(0))
    for family in ALLOWED_SOCKET_FAMILIES:
        asm.jump(BPF_JEQ_K, family, jt="allow")
    asm.ret(SECCOMP_RET_ERRNO | EAFNOSUPPORT)

    asm.label("personality")  # personality(unsigned int persona)
    asm.load(arg_low_offset(0))
    for persona in PERSONALITY_QUERIES:
        asm.jump(BPF_JEQ_K, persona, jt="allow")
    asm.label("eperm")  # (a persona that is not a query falls through to here)
    asm.ret(SECCOMP_RET_ERRNO | EPERM)
    asm.label("allow")
    asm.ret(SECCOMP_RET_ALLOW)
    asm.label("enosys")
    asm.ret(SECCOMP_RET_ERRNO | ENOSYS)
    asm.label("kill")
    asm.ret(SECCOMP_RET_KILL_PROCESS)
    return asm.assemble()


def filter_bytes(arch: str | None = None) -> bytes:
    """The filter as an array of ``struct sock_filter`` (what ``bwrap --seccomp FD`` reads), or
    ``b""`` where the architecture is not supported."""
    arch = arch or native_arch()
    if arch not in SYSCALLS:
        return b""
    return b"".join(struct.pack("=HBBI", *op) for op in build_program(arch))


# ---------------------------------------------------------------------------------------------
# installing

PR_SET_NO_NEW_PRIVS = 38
PR_GET_SECCOMP = 21
PR_SET_SECCOMP = 22
SECCOMP_MODE_FILTER = 2


class _SockFprog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]


_libc: Any = None
_program: bytes | None = None


def _lib() -> Any:
    global _libc
    if _libc is None:
        _libc = ctypes.CDLL(None, use_errno=True)
        _libc.syscall.restype = ctypes.c_long
    return _libc


def prepare() -> bytes:
    """Build the native filter and load libc now (in a trusted process, before it forks)."""
    global _program
    if _program is None:
        _program = filter_bytes()
        if _program and sys.platform.startswith("linux"):
            _lib()
    return _program


def install() -> list[str]:
    """Apply the filter to the calling process (and everything it starts, across exec).

    Sets ``no_new_privs`` (which an unprivileged process needs for a filter). Returns
    ``["seccomp"]`` when the filter is in force, ``[]`` when the architecture is unknown or the
    kernel refused it. Filters cannot be removed and are inherited: call it only in a process that
    then runs submitted code, or a zygote whose forks do (the broker's zygotes attach it once for all
    their submission processes). The calling process should have one thread (others stay unfiltered).
    """
    program = prepare()
    if not program or not sys.platform.startswith("linux"):
        return []
    lib = _lib()
    ulong = ctypes.c_ulong
    if lib.prctl(PR_SET_NO_NEW_PRIVS, ulong(1), ulong(0), ulong(0), ulong(0)) != 0:
        return []
    buf = ctypes.create_string_buffer(program, len(program))
    prog = _SockFprog(len(program) // 8, ctypes.cast(buf, ctypes.c_void_p))
    if lib.prctl(PR_SET_SECCOMP, ulong(SECCOMP_MODE_FILTER), ctypes.byref(prog), ulong(0), ulong(0)) != 0:
        return []
    return [FEATURE]


def in_force() -> bool:
    """True when the calling process runs under a seccomp filter whose denials take effect:
    ``unshare(0)`` (a no-op without the filter) must be refused with EPERM."""
    arch = native_arch()
    if arch is None:
        return False
    lib = _lib()
    if lib.prctl(PR_GET_SECCOMP, 0, 0, 0, 0) != SECCOMP_MODE_FILTER:
        return False
    ctypes.set_errno(0)
    result = lib.syscall(ctypes.c_long(SYSCALLS[arch]["unshare"]), ctypes.c_long(0))
    return result == -1 and ctypes.get_errno() == EPERM


def probe() -> list[str]:
    """Install the filter in a throwaway child and check that it holds there.

    Returns the features a submission process of this worker will get (``["seccomp"]`` or
    ``[]``). Run it in the trusted broker while it has one thread; the broker itself stays
    unfiltered.
    """
    if not prepare():
        return []
    pid = os.fork()
    if pid == 0:
        ok = False
        try:
            ok = bool(install()) and in_force()
        finally:
            os._exit(0 if ok else 1)
    _, status = os.waitpid(pid, 0)
    return [FEATURE] if os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0 else []
