"""Thin wrappers over Linux process controls (prctl, unshare, rlimits) used inside the sandbox.

Standard library only (ctypes); every call degrades to a recorded "unavailable" instead of raising
where the kernel or the platform says no.
"""

from __future__ import annotations

import ctypes
import errno
import os
import resource
import signal
import sys
from typing import Any

PR_SET_PDEATHSIG = 1
PR_SET_DUMPABLE = 4
PR_SET_CHILD_SUBREAPER = 36
PR_SET_NO_NEW_PRIVS = 38

CLONE_NEWNS = 0x00020000
CLONE_NEWUSER = 0x10000000
CLONE_NEWPID = 0x20000000
CLONE_NEWNET = 0x40000000

_libc: Any = None


def libc() -> Any:
    global _libc
    if _libc is None:
        _libc = ctypes.CDLL(None, use_errno=True)
    return _libc


def prctl(option: int, arg: int) -> bool:
    if not sys.platform.startswith("linux"):
        return False
    return libc().prctl(option, ctypes.c_ulong(arg), 0, 0, 0) == 0


def unshare(flags: int) -> int:
    """Return 0 on success, else the errno."""
    if not sys.platform.startswith("linux"):
        return errno.ENOSYS
    if libc().unshare(flags) == 0:
        return 0
    return ctypes.get_errno()


def write_id_maps(uid: int, gid: int) -> None:
    with open("/proc/self/setgroups", "w") as fh:
        fh.write("deny")
    with open("/proc/self/uid_map", "w") as fh:
        fh.write(f"{uid} {uid} 1")
    with open("/proc/self/gid_map", "w") as fh:
        fh.write(f"{gid} {gid} 1")


def set_limits(limits: dict[str, Any]) -> list[str]:
    """Apply resource limits to the current process; return those that could not be set."""
    failed: list[str] = []
    mib = 1 << 20
    table = [
        ("cpu", resource.RLIMIT_CPU, lambda v: (int(v), int(v) + 1)),
        ("memory", resource.RLIMIT_AS, lambda v: (int(v) * mib, int(v) * mib)),
        ("file_size", resource.RLIMIT_FSIZE, lambda v: (int(v) * mib, int(v) * mib)),
        ("nproc", resource.RLIMIT_NPROC, lambda v: (int(v), int(v))),
        ("nofile", resource.RLIMIT_NOFILE, lambda v: (int(v), int(v))),
    ]
    keys = {"cpu": "cpu_s", "memory": "memory_mb", "file_size": "file_size_mb", "nproc": "nproc",
            "nofile": "nofile"}
    for name, res, conv in table:
        value = limits.get(keys[name])
        if value is None:
            continue
        try:
            resource.setrlimit(res, conv(value))
        except (ValueError, OSError):
            failed.append(name)
    try:
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    except (ValueError, OSError):
        failed.append("core")
    return failed


def proc_table() -> dict[int, tuple[int, int]]:
    """pid -> (ppid, uid) for every process visible in /proc."""
    table: dict[int, tuple[int, int]] = {}
    try:
        names = os.listdir("/proc")
    except OSError:
        return table
    for name in names:
        if not name.isdigit():
            continue
        pid = int(name)
        try:
            with open(f"/proc/{pid}/stat", "rb") as fh:
                stat = fh.read()
            ppid = int(stat[stat.rindex(b")") + 2 :].split()[1])
            uid = os.stat(f"/proc/{pid}").st_uid
        except (OSError, ValueError, IndexError):
            continue
        table[pid] = (ppid, uid)
    return table


def proc_owners() -> dict[int, int]:
    """pid -> uid for every process visible in /proc (what :func:`proc_table` gives, without reading each
    process's stat file: a sweep by uid needs only the owners)."""
    owners: dict[int, int] = {}
    try:
        names = os.listdir("/proc")
    except OSError:
        return owners
    for name in names:
        if name.isdigit():
            try:
                owners[int(name)] = os.stat(f"/proc/{name}").st_uid
            except OSError:
                continue
    return owners


def descendants(root: int, table: dict[int, tuple[int, int]]) -> set[int]:
    children: dict[int, list[int]] = {}
    for pid, (ppid, _uid) in table.items():
        children.setdefault(ppid, []).append(pid)
    out: set[int] = set()
    stack = [root]
    while stack:
        for child in children.get(stack.pop(), []):
            if child not in out:
                out.add(child)
                stack.append(child)
    return out


def kill_quietly(pid: int, sig: int = signal.SIGKILL) -> None:
    try:
        os.kill(pid, sig)
    except (ProcessLookupError, PermissionError):
        pass


def reap_all(reaped: dict[int, int] | None = None) -> None:
    """Collect every exited child; record statuses in ``reaped`` so nothing is lost."""
    while True:
        try:
            pid, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return
        if reaped is not None:
            reaped[pid] = status


def kill_leftovers(*, me: int, uid: int | None, rounds: int = 20, reaped: dict[int, int] | None = None) -> int:
    """Kill every process that belongs to the sandboxed submission; return how many were found.

    With uid separation every process of ``uid`` is the submission's. Otherwise the caller is a
    child subreaper and every descendant of it is the submission's.
    """
    killed: set[int] = set()
    for _ in range(rounds):
        if uid is not None:
            victims = {pid for pid, owner in proc_owners().items() if owner == uid and pid != me}
        else:
            victims = descendants(me, proc_table())
        victims -= {me}
        if not victims:
            break
        for pid in victims:
            kill_quietly(pid)
        killed |= victims
        reap_all(reaped)
    reap_all(reaped)
    return len(killed)


_IPC_RMID = 0


def sysv_ipc_present(uid: int | None) -> bool:
    for kind, col in (("shm", 7), ("sem", 4), ("msg", 7)):
        try:
            with open(f"/proc/sysvipc/{kind}") as fh:
                lines = fh.read().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            if len(fields) > col and (uid is None or fields[col] == str(uid)):
                return True
    return False


def remove_sysv_ipc_as(uid: int | None) -> None:
    """Remove the IPC objects of ``uid`` as that uid (only owners may remove them without
    CAP_SYS_ADMIN, which the sandbox does not keep)."""
    if not sysv_ipc_present(uid):
        return
    if uid is None or os.geteuid() == uid:
        remove_sysv_ipc(uid)
        return
    pid = os.fork()
    if pid == 0:
        try:
            os.setresgid(uid, uid, uid)
            os.setresuid(uid, uid, uid)
            remove_sysv_ipc(uid)
        finally:
            os._exit(0)
    os.waitpid(pid, 0)


def remove_sysv_ipc(uid: int | None) -> int:
    """Remove System V shared memory, semaphores and message queues (of ``uid``, or all)."""
    removed = 0
    lib = libc()
    for kind, func in (("shm", "shmctl"), ("sem", "semctl"), ("msg", "msgctl")):
        try:
            with open(f"/proc/sysvipc/{kind}") as fh:
                lines = fh.read().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            try:
                ident = int(fields[1])
                owner = int(fields[7] if kind == "shm" else (fields[4] if kind == "sem" else fields[7]))
            except (IndexError, ValueError):
                continue
            if uid is not None and owner != uid:
                continue
            if kind == "sem":
                ok = lib.semctl(ident, 0, _IPC_RMID) == 0
            else:
                ok = getattr(lib, func)(ident, _IPC_RMID, None) == 0
            removed += int(ok)
    return removed


MQUEUE_DIR = "/dev/mqueue"


def remove_mqueues(uid: int | None, top: str = MQUEUE_DIR) -> int:
    """Remove POSIX message queues (of ``uid``, or all) listed in a mounted mqueue filesystem.

    The bwrap level mounts its own IPC namespace's queues at /dev/mqueue; elsewhere the directory
    shows the host's queues when the host mounted it, and nothing otherwise. The seccomp filter
    refuses mq_open to submissions; this sweep is the second line.
    """
    removed = 0
    try:
        names = os.listdir(top)
    except OSError:
        return removed
    for name in names:
        path = os.path.join(top, name)
        try:
            if uid is not None and os.lstat(path).st_uid != uid:
                continue
            os.unlink(path)
            removed += 1
        except OSError:
            continue
    return removed


SHARED_TEMP_DIRS = ("/tmp", "/var/tmp", "/dev/shm")


def remove_owned(uid: int, dirs: tuple[str, ...] | list[str] = SHARED_TEMP_DIRS, keep: tuple[str, ...] = ()) -> int:
    """Remove what ``uid`` (a submission's own uid, leased to one worker) left in shared directories.

    At the ``rlimit`` level submissions share the host's /tmp, /var/tmp and /dev/shm with everyone; what
    they write there would outlive the run and could carry notes to the next one. Everything in those
    directories owned by the submission's uid is the submission's, so it goes after every run.
    """
    return remove_entries(dirs, keep=keep, owner=uid)


def remove_entries(dirs: tuple[str, ...] | list[str], keep: tuple[str, ...] = (), owner: int | None = None) -> int:
    """Remove the entries of ``dirs`` (only those owned by ``owner``, when given), except ``keep`` and the
    directories holding it."""
    import shutil

    removed = 0
    for top in dirs:
        try:
            names = os.listdir(top)
        except OSError:
            continue
        for name in names:
            path = os.path.join(top, name)
            if any(k and (k == path or k.startswith(path + os.sep)) for k in keep):
                continue
            try:
                if owner is not None and os.lstat(path).st_uid != owner:
                    continue
                if os.path.isdir(path) and not os.path.islink(path):
                    shutil.rmtree(path, ignore_errors=True)
                else:
                    os.unlink(path)
                removed += 1
            except OSError:
                continue
    return removed
