"""Per-worker control groups: a cap on the memory and the number of processes of a whole worker.

Resource limits (rlimits) bound each process; only a cgroup bounds what all of a submission's
processes hold together, shared memory and memfds included. Used when the host lets us create a
child cgroup (cgroup v2 with the memory/pids controllers delegated, or cgroup v1 as root); the
worker records ``cgroup-memory`` / ``cgroup-pids`` among its features when it got them.
"""

from __future__ import annotations

import contextlib
import os
import signal
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path("/sys/fs/cgroup")


def _own_path(controller: str) -> str | None:
    try:
        lines = Path("/proc/self/cgroup").read_text().splitlines()
    except OSError:
        return None
    for line in lines:
        parts = line.split(":", 2)
        if len(parts) != 3:
            continue
        _, controllers, path = parts
        if controller == "" and controllers == "":
            return path
        if controller and controller in controllers.split(","):
            return path
    return None


def parent_dirs() -> list[Path]:
    """Where this process makes its workers' cgroups (v2: its own cgroup; v1: its memory and pids cgroups)."""
    if (ROOT / "cgroup.controllers").exists():
        own = _own_path("")
        return [] if own is None else [ROOT / own.lstrip("/")]
    dirs = []
    for controller in ("memory", "pids"):
        own = _own_path(controller)
        if own is not None and (ROOT / controller).is_dir():
            dirs.append(ROOT / controller / own.lstrip("/"))
    return dirs


class WorkerCgroup:
    """One cgroup (v2) or a memory + pids pair (v1) for one sandbox worker."""

    def __init__(self, name: str, memory_bytes: int, pids: int) -> None:
        self.dirs: list[Path] = []
        self.features: list[str] = []
        if (ROOT / "cgroup.controllers").exists():
            self._make_v2(name, memory_bytes, pids)
        else:
            self._make_v1(name, memory_bytes, pids)

    def _make_v2(self, name: str, memory_bytes: int, pids: int) -> None:
        own = _own_path("")
        if own is None:
            return
        base = ROOT / own.lstrip("/")
        try:
            enabled = (base / "cgroup.subtree_control").read_text().split()
        except OSError:
            return
        path = base / name
        try:
            path.mkdir()
        except OSError:
            return
        self.dirs.append(path)
        if "memory" in enabled and _write(path / "memory.max", str(memory_bytes)):
            _write(path / "memory.swap.max", "0")
            self.features.append("cgroup-memory")
        if "pids" in enabled and _write(path / "pids.max", str(pids)):
            self.features.append("cgroup-pids")

    def _make_v1(self, name: str, memory_bytes: int, pids: int) -> None:
        for controller, limit_file, value, feature in (
            ("memory", "memory.limit_in_bytes", memory_bytes, "cgroup-memory"),
            ("pids", "pids.max", pids, "cgroup-pids"),
        ):
            own = _own_path(controller)
            mount = ROOT / controller
            if own is None or not mount.is_dir():
                continue
            path = mount / own.lstrip("/") / name
            try:
                path.mkdir()
            except OSError:
                continue
            self.dirs.append(path)
            if _write(path / limit_file, str(value)):
                if controller == "memory":
                    _write(path / "memory.memsw.limit_in_bytes", str(value))
                self.features.append(feature)

    @property
    def active(self) -> bool:
        return bool(self.features)

    def add(self, pid: int) -> bool:
        ok = True
        for path in self.dirs:
            ok = _write(path / "cgroup.procs", str(pid)) and ok
        return ok

    def oom_kills(self) -> int:
        """How many times the kernel killed a process here for exceeding the memory cap."""
        for path in self.dirs:
            for name, key in (("memory.events", "oom_kill"), ("memory.oom_control", "oom_kill")):
                try:
                    for line in (path / name).read_text().splitlines():
                        parts = line.split()
                        if len(parts) == 2 and parts[0] == key:
                            return int(parts[1])
                except (OSError, ValueError):
                    continue
        return 0

    def remove(self) -> None:
        for path in self.dirs:
            remove_dir(path)
        self.dirs = []


def remove_dir(path: Path) -> None:
    """Kill every process in the cgroup at ``path``, then remove it."""
    kill_until_gone(lambda: _members(path), seconds=0.5)
    with contextlib.suppress(OSError):
        path.rmdir()


def _members(path: Path) -> list[int]:
    try:
        return [int(p) for p in (path / "cgroup.procs").read_text().split()]
    except (OSError, ValueError):
        return []


def kill_until_gone(pids: Callable[[], list[int]], seconds: float) -> bool:
    """SIGKILL whatever ``pids()`` lists until it lists nothing (a killed process is listed until it is
    reaped) or ``seconds`` pass; True when nothing is left."""
    deadline = time.monotonic() + seconds
    while True:
        left = pids()
        if not left:
            return True
        if time.monotonic() >= deadline:
            return False
        for pid in left:
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)
        time.sleep(0.01)


def _write(path: Path, value: str) -> bool:
    try:
        path.write_text(value)
    except OSError:
        return False
    return True


def entering(procs_files: list[bytes]) -> Any:
    """A ``preexec_fn`` that moves the child into the cgroups (by their ``cgroup.procs`` paths) before it
    execs, so everything it starts is inside; None when there are none."""
    if not procs_files:
        return None

    def enter() -> None:
        for path in procs_files:
            fd = os.open(path, os.O_WRONLY)
            try:
                os.write(fd, b"0")
            finally:
                os.close(fd)

    return enter
