"""Which isolation this machine can give, and how to launch a sandbox worker at each level."""

from __future__ import annotations

import functools
import os
import shutil
import stat
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

from foulplay.vocab import Isolation

INSIDE_DIR = Path(__file__).resolve().parent / "_inside"
BOX_MOUNT = "/opt/foulplay/box"
SANDBOX_TMP = "/tmp"
BWRAP_CAPS = ("CAP_SETUID", "CAP_SETGID", "CAP_KILL", "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FOWNER")


@dataclass
class LaunchPlan:
    """Command line and broker configuration for one worker."""

    command: list[str]
    config: dict[str, object]
    level: Isolation
    features: list[str] = field(default_factory=list)


def bwrap_path() -> str | None:
    return shutil.which("bwrap")


def _python_roots() -> list[str]:
    roots = []
    for candidate in (sys.base_prefix, sys.prefix, str(Path(sys.executable).resolve().parent.parent)):
        real = os.path.realpath(candidate)
        if not real.startswith("/usr/") and real not in roots:
            roots.append(real)
    # keep only outermost roots
    roots.sort(key=len)
    out: list[str] = []
    for root in roots:
        if not any(root == o or root.startswith(o + "/") for o in out):
            out.append(root)
    # the venv directory itself (sys.prefix) may be a path with symlinks; bind it as named too
    if os.path.realpath(sys.prefix) != sys.prefix and not sys.prefix.startswith("/usr/"):
        out.append(sys.prefix)
    return out


def _bootstrap(box_dir: str) -> str:
    return (
        f"import sys; sys.path.insert(0, {box_dir!r}); import fpbox_broker; fpbox_broker.main()"
    )


def _system_binds() -> list[str]:
    args = ["--ro-bind", "/usr", "/usr"]
    for name in ("bin", "sbin", "lib", "lib32", "lib64", "libx32"):
        path = f"/{name}"
        if os.path.islink(path):
            args += ["--symlink", os.readlink(path), path]
        elif os.path.isdir(path):
            args += ["--ro-bind", path, path]
    return args


def _parent_dirs(path: str, made: set[str]) -> list[str]:
    """World-traversable parents for a bind target (bwrap would create them 0700)."""
    args: list[str] = []
    parts = Path(path).parts[1:-1]
    current = ""
    for part in parts:
        current += "/" + part
        if current in made or current == "/usr":
            continue
        made.add(current)
        args += ["--perms", "0755", "--dir", current]
    return args


def bwrap_plan(driver_dirs: list[str], tmpfs_mb: int, uid: int | None) -> LaunchPlan:
    """bubblewrap: new pid/net/ipc/uts namespaces, read-only system, private /tmp."""
    exe = bwrap_path()
    if exe is None:
        raise RuntimeError("bwrap not found")
    root = os.geteuid() == 0
    args = [exe, "--unshare-pid", "--unshare-net", "--unshare-ipc", "--unshare-uts",
            "--unshare-cgroup-try", "--die-with-parent", "--new-session"]
    features = ["pidns", "netns", "ipcns", "mountns", "ro-root", "private-tmp", "rlimits",
                "no-new-privs", "tree-kill"]
    if root:
        args += ["--cap-drop", "ALL"]
        for cap in BWRAP_CAPS:
            args += ["--cap-add", cap]
        features.append("uid-separation")
    else:
        args += ["--unshare-user"]
        features.append("userns")
        uid = None
    # the private /tmp first: binds below it (a venv under /tmp) must land on top of it
    args += ["--size", str(tmpfs_mb << 20), "--perms", "0755", "--tmpfs", SANDBOX_TMP]
    args += _system_binds()
    made: set[str] = {SANDBOX_TMP}
    for root_dir in _python_roots():
        args += _parent_dirs(root_dir, made)
        args += ["--ro-bind", root_dir, root_dir]
    args += ["--ro-bind", str(INSIDE_DIR), BOX_MOUNT]
    inside_drivers = []
    for i, d in enumerate(driver_dirs):
        target = f"/opt/foulplay/d{i}"
        args += ["--ro-bind", d, target]
        inside_drivers.append(target)
    # the IPC namespace's own message queues at /dev/mqueue, so that the zygote can sweep them
    args += ["--proc", "/proc", "--dev", "/dev", "--mqueue", "/dev/mqueue", "--chdir", SANDBOX_TMP, "--clearenv",
             "--setenv", "PATH", "/usr/local/bin:/usr/bin:/bin", "--setenv", "HOME", SANDBOX_TMP,
             "--setenv", "LANG", "C.UTF-8", "--setenv", "PYTHONDONTWRITEBYTECODE", "1",
             "--", sys.executable, "-I", "-c", _bootstrap(BOX_MOUNT)]
    config = {
        "python_bin": os.path.dirname(sys.executable),
        "work_root": f"{SANDBOX_TMP}/fpw",
        "trusted_root": f"{SANDBOX_TMP}/fpt",
        "candidate_uid": uid if root else None,
        "driver_paths": inside_drivers,
        "box_dir": BOX_MOUNT,
        "unshare_net": False,
        "private_ipc": True,
        "scrub": [] if root else [SANDBOX_TMP, "/dev/shm"],
        "scrub_owned": [SANDBOX_TMP, "/dev/shm"] if root else [],
    }
    return LaunchPlan(args, config, Isolation.BWRAP, features)


def _traversable_by_others(path: str) -> bool:
    """True when an unprivileged user can reach and read ``path`` (every parent has o+x)."""
    p = Path(path).resolve()
    for part in [p, *p.parents]:
        try:
            mode = part.stat().st_mode
        except OSError:
            return False
        if not mode & stat.S_IXOTH:
            return False
    return bool(p.stat().st_mode & stat.S_IROTH)


def rlimit_plan(driver_dirs: list[str], work_root: str, uid: int | None) -> LaunchPlan:
    """No namespaces from bwrap: resource limits, new session, and what unsharing root allows."""
    features = ["rlimits", "no-new-privs", "new-session"]
    root = os.geteuid() == 0
    can_drop = root and uid is not None
    if can_drop:
        # Never run a submission as root. When the interpreter sits under a directory other users
        # cannot enter (pyenv under /root), modules the zygote did not pre-import cannot be
        # imported by the submission: safer than giving it root.
        features.append("uid-separation")
        if not all(_traversable_by_others(p) for p in {sys.base_prefix, sys.prefix}):
            features.append("restricted-imports")
        os.chmod(work_root, 0o711)
        os.chmod(os.path.dirname(work_root), 0o711)
    config = {
        "python_bin": os.path.dirname(sys.executable),
        "work_root": work_root,
        "trusted_root": os.path.join(os.path.dirname(work_root), "trusted"),
        "candidate_uid": uid if can_drop else None,
        "driver_paths": list(driver_dirs),
        "box_dir": str(INSIDE_DIR),
        "unshare_net": root,
        "scrub": [],
        # shared with the host at this level: what the submission's uid leaves there goes after each run
        "scrub_owned": ["/tmp", "/var/tmp", "/dev/shm"] if can_drop else [],
    }
    command = [sys.executable, "-I", "-c", _bootstrap(str(INSIDE_DIR))]
    return LaunchPlan(command, config, Isolation.RLIMIT, features)


def none_plan(driver_dirs: list[str], work_root: str) -> LaunchPlan:
    config = {
        "python_bin": os.path.dirname(sys.executable),
        "work_root": work_root,
        "trusted_root": os.path.join(os.path.dirname(work_root), "trusted"),
        "candidate_uid": None,
        "driver_paths": list(driver_dirs),
        "box_dir": str(INSIDE_DIR),
        "unshare_net": False,
        "scrub": [],
        "no_limits": True,
    }
    command = [sys.executable, "-I", "-c", _bootstrap(str(INSIDE_DIR))]
    return LaunchPlan(command, config, Isolation.NONE, [])


@functools.lru_cache(maxsize=1)
def bwrap_works() -> tuple[bool, str]:
    """Try a real bwrap launch once per process; return (works, reason)."""
    if not sys.platform.startswith("linux"):
        return False, "bubblewrap needs Linux"
    if bwrap_path() is None:
        return False, "bwrap is not installed (Debian package 'bubblewrap')"
    plan = bwrap_plan([], 16, 65534)
    cmd = [*plan.command[:plan.command.index("--")], "--", sys.executable, "-I", "-c", "pass"]
    try:
        proc = subprocess.run(cmd, capture_output=True, timeout=30, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return False, f"bwrap failed to start: {exc}"
    if proc.returncode != 0:
        msg = proc.stderr.decode("utf-8", "replace").strip().splitlines()
        return False, f"bwrap cannot create namespaces here: {msg[-1] if msg else proc.returncode}"
    return True, "ok"


def best_available() -> Isolation:
    if bwrap_works()[0]:
        return Isolation.BWRAP
    if sys.platform.startswith("linux"):
        return Isolation.RLIMIT
    return Isolation.NONE


def why_not(level: Isolation) -> str:
    if level is Isolation.BWRAP:
        return bwrap_works()[1]
    if level is Isolation.RLIMIT:
        return "resource-limit isolation needs Linux"
    return ""
