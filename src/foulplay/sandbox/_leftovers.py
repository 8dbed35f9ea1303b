"""What a host process that was killed outright (SIGKILL, the OOM killer, a Ray worker replaced mid-batch)
leaves behind, swept by the next sandbox started on the machine.

Closing a pool or a domain removes its temp directory and cgroups. A host killed before it could do so
leaves them: its sandboxed processes die with it (bubblewrap's ``--die-with-parent``, the broker's parent-death
signal), but the directories stay. Each temp directory therefore holds a lock file that its owner keeps
locked (``flock``) for its whole life; the kernel drops the lock when the owner dies however it dies, so a
directory whose lock can be taken has no owner and is removed. Cgroups carry their creator's pid in their
name (``foulplay-PID-...``); one whose creator is gone has whatever is still inside killed, then is removed.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import re
import shutil
import stat
import tempfile
import threading

LOCK_NAME = ".foulplay-owner.lock"
TEMP_PREFIXES = ("foulplay-box-", "foulplay-agent-")
_CGROUP_NAME = re.compile(r"^foulplay-(?:agent-)?(\d+)-")

_swept = False
_sweep_lock = threading.Lock()


def claim(directory: str) -> int:
    """Lock ``directory`` as this process's for as long as the returned fd stays open (not inherited)."""
    fd = os.open(os.path.join(directory, LOCK_NAME), os.O_CREAT | os.O_RDWR | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
    fcntl.flock(fd, fcntl.LOCK_EX)
    return fd


def sweep_once() -> None:
    """:func:`sweep`, the first time this process starts a sandbox (later starts find nothing new of ours)."""
    global _swept
    with _sweep_lock:
        if _swept:
            return
        _swept = True
    with contextlib.suppress(Exception):  # best effort: a sweep that fails never stops a sandbox from starting
        sweep()


def sweep(temp_root: str | None = None) -> list[str]:
    """Remove ownerless foulplay temp directories and cgroups; returns what was removed."""
    return _sweep_temp(temp_root or tempfile.gettempdir()) + _sweep_cgroups()


def _sweep_temp(root: str) -> list[str]:
    removed: list[str] = []
    euid = os.geteuid()
    try:
        names = os.listdir(root)
    except OSError:
        return removed
    for name in names:
        if not name.startswith(TEMP_PREFIXES):
            continue
        path = os.path.join(root, name)
        try:
            st = os.lstat(path)
        except OSError:
            continue
        if not stat.S_ISDIR(st.st_mode) or st.st_uid != euid:
            continue  # a symlink, a file, or someone else's: never ours to remove
        try:
            fd = os.open(os.path.join(path, LOCK_NAME), os.O_RDWR | os.O_NOFOLLOW | os.O_CLOEXEC)
        except OSError:
            continue  # no lock file: made by an older foulplay, or its owner is between mkdtemp and claim
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            continue  # its owner is alive
        try:
            shutil.rmtree(path, ignore_errors=True)
            removed.append(path)
        finally:
            os.close(fd)
    return removed


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # exists, owned by another user
    return True


def _sweep_cgroups() -> list[str]:
    from foulplay.sandbox._cgroup import parent_dirs, remove_dir

    removed: list[str] = []
    for parent in parent_dirs():
        try:
            children = list(parent.iterdir())
        except OSError:
            continue
        for child in children:
            match = _CGROUP_NAME.match(child.name)
            if not match or not child.is_dir() or _alive(int(match.group(1))):
                continue
            remove_dir(child)  # kills what is still inside, then removes it
            if not child.exists():
                removed.append(str(child))
    return removed
