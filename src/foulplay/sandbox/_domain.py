"""An agent's isolation domain: one long-lived sandbox for a whole agent run (an Inspect sample).

Unlike the grading pool (warm workers that run one job each), a domain keeps its namespaces, workspace
and process tree across requests: a server an agent starts in one command answers the next. At the
``bwrap`` level it is one bubblewrap instance with new pid, network (loopback only), IPC, UTS and mount
namespaces, a read-only system, tmpfs workspace, ``/tmp``, ``/var/tmp`` and home, a synthesised ``/etc/passwd``,
and, as root, a leased uid for everything the agent runs (``fpbox_exec``: rlimits, no new privileges,
seccomp). Closing it kills every process of the domain and the tmpfs go with the mount namespace:
nothing of the run survives it. The ``rlimit`` level (no namespaces: the host's file system, a private
workspace directory) is used only when asked for explicitly.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Any

from foulplay.errors import SandboxUnavailable
from foulplay.sandbox import _isolation as iso
from foulplay.sandbox._cgroup import WorkerCgroup, entering
from foulplay.sandbox._inside.fpbox_exec import frame, read_frame
from foulplay.sandbox._leftovers import claim, sweep_once
from foulplay.vocab import Isolation

WORKSPACE = "/workspace"
AGENT_USER = "agent"
START_TIMEOUT_S = 60.0
STOP_GRACE_S = 5.0


@dataclass(frozen=True)
class DomainLimits:
    """Limits of one agent domain (per process unless said otherwise)."""

    memory_mb: int = 4096
    """Address space per process (RLIMIT_AS), and the whole domain's memory when a cgroup is available."""
    nproc: int = 512
    """Processes and threads of the agent's uid at once."""
    file_size_mb: int = 512
    nofile: int = 4096
    workspace_mb: int = 1024
    tmp_mb: int = 1024
    """Size of each tmpfs: /tmp, /var/tmp and the home directory."""

    def rlimits(self) -> dict[str, int]:
        return {"as_mb": self.memory_mb, "nproc": self.nproc, "fsize_mb": self.file_size_mb,
                "nofile": self.nofile, "core": 0}


@dataclass
class ExecReply:
    returncode: int
    stdout: bytes
    stderr: bytes
    timed_out: bool = False
    overflow: bool = False


class DomainError(Exception):
    """A request the domain answered with an error: ``kind`` is the Python exception name to raise."""

    def __init__(self, kind: str, message: str, errno: int | None = None) -> None:
        super().__init__(message)
        self.kind, self.errno = kind, errno


@dataclass
class Domain:
    """One agent sandbox. ``start()``, then ``exec``/``write``/``read`` (thread-safe, concurrent), ``close()``."""

    limits: DomainLimits = field(default_factory=DomainLimits)
    isolation: Isolation | None = None
    """The level to use; None: the best available, which must be ``bwrap`` unless ``allow_weaker``."""
    allow_weaker: bool = False
    env: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.proc: subprocess.Popen[bytes] | None = None
        self.features: list[str] = []
        self.workspace = WORKSPACE
        self._tmp: str | None = None
        self._owner_fd: int | None = None
        self._uid: int | None = None
        self._uid_fd: int | None = None
        self._cgroup: WorkerCgroup | None = None
        self._pending: dict[int, Future[tuple[dict[str, Any], bytes]]] = {}
        self._lock = threading.Lock()
        self._ids = itertools.count(1)
        self._reader: threading.Thread | None = None
        self._closed = False

    # -- lifecycle ----------------------------------------------------------------------------

    def level(self) -> Isolation:
        level = Isolation(self.isolation) if self.isolation is not None else iso.best_available()
        if level is not Isolation.BWRAP and not self.allow_weaker:
            reason = iso.why_not(Isolation.BWRAP) or f"the {level.value} level was asked for"
            raise SandboxUnavailable(f"the agent sandbox needs bubblewrap isolation ({reason}); allow a weaker "
                                     "level explicitly (allow_weaker_isolation) to run at "
                                     f"{iso.best_available().value}")
        if level is Isolation.NONE:
            raise SandboxUnavailable("the agent sandbox never runs without isolation (level 'none')")
        return level

    def start(self) -> Domain:
        level = self.level()
        sweep_once()  # what hosts killed outright left on this machine
        self._tmp = tempfile.mkdtemp(prefix="foulplay-agent-")
        self._owner_fd = claim(self._tmp)
        root = os.geteuid() == 0
        if root:
            from foulplay.sandbox._pool import lease_uid

            self._uid, self._uid_fd = lease_uid()
        uid = self._uid if root else os.geteuid()
        venv_bin = os.path.dirname(sys.executable)
        home = "/home/" + AGENT_USER
        if level is Isolation.BWRAP:
            command, features, workspace = self._bwrap_command(uid, home)
            pidns = True
        else:
            workspace = os.path.join(self._tmp, "workspace")
            home = os.path.join(self._tmp, "home")
            os.makedirs(workspace, mode=0o700)
            os.chmod(self._tmp, 0o711)
            command = [sys.executable, "-I", "-c", _bootstrap(str(iso.INSIDE_DIR))]
            features = ["rlimits", "no-new-privs", "new-session"] + (["uid-separation"] if root else [])
            pidns = False
        self.workspace = workspace
        env = {"PATH": f"{venv_bin}:/usr/local/bin:/usr/bin:/bin", "HOME": home, "USER": AGENT_USER,
               "LOGNAME": AGENT_USER, "LANG": "C.UTF-8", "TERM": "dumb", "PYTHONDONTWRITEBYTECODE": "1",
               **self.env}
        config = {"workspace": workspace, "owned_dirs": [home] + (["/tmp", "/var/tmp"] if pidns else []),
                  "uid": self._uid if root else None, "limits": self.limits.rlimits(), "env": env,
                  "box_dir": iso.BOX_MOUNT if level is Isolation.BWRAP else str(iso.INSIDE_DIR),
                  "pidns": pidns, "seccomp": True,
                  "profile": f'export PATH="{env["PATH"]}"\n'}
        host_env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LANG": "C.UTF-8",
                    "FPBOX_EXEC_CONFIG": json.dumps(config)}
        procs_files: list[bytes] = []
        cg = WorkerCgroup(f"foulplay-agent-{os.getpid()}-{next(self._ids)}-{os.urandom(3).hex()}",
                          (self.limits.memory_mb + 512) << 20, self.limits.nproc + 64)
        if cg.active:
            self._cgroup = cg
            features += list(cg.features)
            procs_files = [str(d / "cgroup.procs").encode() for d in cg.dirs]
        else:
            cg.remove()

        log = open(os.path.join(self._tmp, "server.log"), "wb")
        try:
            self.proc = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=log,
                                         env=host_env, start_new_session=True, close_fds=True, cwd=self._tmp,
                                         preexec_fn=entering(procs_files))
        finally:
            log.close()
        ready: Future[tuple[dict[str, Any], bytes]] = Future()
        self._pending[0] = ready
        self._reader = threading.Thread(target=self._read_loop, daemon=True, name="foulplay-domain-reader")
        self._reader.start()
        try:
            header, _ = ready.result(timeout=START_TIMEOUT_S)
        except Exception as exc:  # noqa: BLE001 - any failure to start is one clear error
            tail = self._log_tail()
            self.close()
            raise SandboxUnavailable(f"the agent sandbox failed to start at level {level.value}: "
                                     f"{type(exc).__name__} {exc}; {tail}") from None
        self.features = sorted(set(features) | set(header.get("features", [])))
        if level is not Isolation.BWRAP and "netns" not in self.features:
            self.features.append("network-open")
        self.level_used = level
        return self

    def _bwrap_command(self, uid: int, home: str) -> tuple[list[str], list[str], str]:
        assert self._tmp is not None
        exe = iso.bwrap_path()
        if exe is None:
            raise SandboxUnavailable("bwrap not found")
        etc = os.path.join(self._tmp, "etc")
        os.makedirs(etc)
        with open(os.path.join(etc, "passwd"), "w") as f:
            f.write(f"root:x:0:0:root:/root:/bin/sh\n{AGENT_USER}:x:{uid}:{uid}:agent:{home}:/bin/bash\n"
                    "nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n")
        with open(os.path.join(etc, "group"), "w") as f:
            f.write(f"root:x:0:\n{AGENT_USER}:x:{uid}:\nnogroup:x:65534:\n")
        with open(os.path.join(etc, "hosts"), "w") as f:
            f.write("127.0.0.1 localhost sandbox\n::1 localhost\n")
        with open(os.path.join(etc, "hostname"), "w") as f:
            f.write("sandbox\n")
        for name in os.listdir(etc):
            os.chmod(os.path.join(etc, name), 0o644)
        os.chmod(etc, 0o755)
        os.chmod(self._tmp, 0o755)
        root = os.geteuid() == 0
        args = [exe, "--unshare-pid", "--unshare-net", "--unshare-ipc", "--unshare-uts", "--unshare-cgroup-try",
                "--die-with-parent", "--new-session", "--hostname", "sandbox"]
        features = ["pidns", "netns", "ipcns", "utsns", "mountns", "ro-root", "private-tmp", "rlimits",
                    "no-new-privs", "tree-kill", "loopback-only"]
        if root:
            args += ["--cap-drop", "ALL"]
            for cap in iso.BWRAP_CAPS:
                args += ["--cap-add", cap]
            features.append("uid-separation")
        else:
            args += ["--unshare-user"]
            features.append("userns")
        # the tmpfs first: a Python environment under /home or /tmp is bound on top of them, not hidden
        lim = self.limits
        for path, size in ((WORKSPACE, lim.workspace_mb), ("/tmp", lim.tmp_mb), ("/var/tmp", lim.tmp_mb),
                           ("/home", lim.tmp_mb)):
            args += ["--size", str(size << 20), "--perms", "0755", "--tmpfs", path]
        args += iso._system_binds()
        if os.path.isdir("/etc"):
            args += ["--ro-bind", "/etc", "/etc"]
        for name in ("passwd", "group", "hosts", "hostname"):
            args += ["--ro-bind", os.path.join(etc, name), f"/etc/{name}"]
        made: set[str] = {"/tmp", "/var/tmp", "/home", WORKSPACE}
        for root_dir in iso._python_roots():
            args += iso._parent_dirs(root_dir, made)
            args += ["--ro-bind", root_dir, root_dir]
        args += ["--ro-bind", str(iso.INSIDE_DIR), iso.BOX_MOUNT]
        args += ["--proc", "/proc", "--dev", "/dev", "--mqueue", "/dev/mqueue", "--chdir", WORKSPACE,
                 "--", sys.executable, "-I", "-c", _bootstrap(iso.BOX_MOUNT)]
        # /etc comes from the host read-only (the agent's uid reads only what any user may); the system
        # secrets it holds are root-only files (shadow), unreadable without the capabilities it never has
        return args, features, WORKSPACE

    def _log_tail(self) -> str:
        try:
            with open(os.path.join(self._tmp or "", "server.log"), "rb") as f:
                lines = f.read().decode("utf-8", "replace").strip().splitlines()
            return lines[-1] if lines else "no output"
        except OSError:
            return "no log"

    def _read_loop(self) -> None:
        assert self.proc is not None and self.proc.stdout is not None
        stream = self.proc.stdout
        try:
            while True:
                header, body = read_frame(stream)
                rid = header.get("id")
                key = 0 if rid is None else int(rid)
                with self._lock:
                    fut = self._pending.pop(key, None)
                if fut is not None and not fut.done():
                    fut.set_result((header, body))
        except (EOFError, OSError, ValueError):
            pass
        with self._lock:
            pending, self._pending = self._pending, {}
        for fut in pending.values():
            if not fut.done():
                fut.set_exception(SandboxUnavailable("the agent sandbox stopped"))

    def request(self, header: dict[str, Any], body: bytes = b"") -> Future[tuple[dict[str, Any], bytes]]:
        fut: Future[tuple[dict[str, Any], bytes]] = Future()
        if self._closed or self.proc is None or self.proc.stdin is None:
            fut.set_exception(SandboxUnavailable("the agent sandbox is not running"))
            return fut
        rid = next(self._ids)
        with self._lock:
            self._pending[rid] = fut
            try:
                self.proc.stdin.write(frame({**header, "id": rid}, body))
                self.proc.stdin.flush()
            except (BrokenPipeError, OSError, ValueError):
                self._pending.pop(rid, None)
                fut.set_exception(SandboxUnavailable("the agent sandbox stopped"))
        return fut

    # -- requests (blocking helpers; the Inspect provider awaits the futures) ---------------------

    @staticmethod
    def exec_reply(header: dict[str, Any], body: bytes) -> ExecReply:
        if not header.get("ok"):
            raise DomainError(str(header.get("error", "RuntimeError")), str(header.get("message", "")),
                              header.get("errno"))
        n = int(header.get("stdout_len", 0))
        return ExecReply(int(header["returncode"]), body[:n], body[n:], bool(header.get("timed_out")),
                         bool(header.get("overflow")))

    def exec_request(self, argv: list[str], *, input: bytes = b"", cwd: str | None = None,
                     env: dict[str, str] | None = None, timeout: float | None = None,
                     output_limit: int = 10 << 20) -> Future[tuple[dict[str, Any], bytes]]:
        return self.request({"op": "exec", "argv": list(argv), "cwd": cwd, "env": env or {}, "timeout": timeout,
                             "output_limit": output_limit}, input)

    def exec(self, argv: list[str], **kwargs: Any) -> ExecReply:
        return self.exec_reply(*self.exec_request(argv, **kwargs).result())

    def write(self, path: str, data: bytes) -> None:
        header, _ = self.request({"op": "write", "path": path}, data).result()
        if not header.get("ok"):
            raise DomainError(str(header.get("error")), str(header.get("message", "")), header.get("errno"))

    def read(self, path: str, limit: int = 100 << 20) -> bytes:
        header, body = self.request({"op": "read", "path": path, "limit": limit}).result()
        if not header.get("ok"):
            raise DomainError(str(header.get("error")), str(header.get("message", path)), header.get("errno"))
        return body

    def record(self) -> dict[str, Any]:
        """What the verdicts record: the isolation actually used."""
        return {"isolation": getattr(self, "level_used", Isolation.NONE).value, "features": list(self.features),
                "workspace": self.workspace, "uid_separated": self._uid is not None}

    def close(self) -> None:
        """Kill everything in the domain and remove what it left on the host."""
        if self._closed:
            return
        self._closed = True
        proc = self.proc
        if proc is not None:
            with contextlib.suppress(OSError, ValueError):
                if proc.stdin is not None:
                    proc.stdin.close()
            try:
                proc.wait(timeout=STOP_GRACE_S)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(OSError):
                    os.killpg(proc.pid, 9)
                with contextlib.suppress(subprocess.TimeoutExpired):
                    proc.wait(timeout=STOP_GRACE_S)
            with contextlib.suppress(OSError, ValueError):
                if proc.stdout is not None:
                    proc.stdout.close()
        if self._cgroup is not None:
            self._cgroup.remove()
        if self._uid is not None and getattr(self, "level_used", None) is not Isolation.BWRAP:
            from foulplay.sandbox._inside.fpbox_os import remove_owned

            with contextlib.suppress(Exception):
                remove_owned(self._uid, ["/tmp", "/var/tmp", "/dev/shm"])
        if self._tmp is not None:
            shutil.rmtree(self._tmp, ignore_errors=True)
        if self._owner_fd is not None:
            with contextlib.suppress(OSError):
                os.close(self._owner_fd)
            self._owner_fd = None
        if self._uid_fd is not None:
            os.close(self._uid_fd)
            self._uid_fd = None

    def __enter__(self) -> Domain:
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.close()


def _bootstrap(box_dir: str) -> str:
    return f"import sys; sys.path.insert(0, {box_dir!r}); import fpbox_exec; fpbox_exec.main()"

