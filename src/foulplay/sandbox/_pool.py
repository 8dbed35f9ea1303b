"""Host side of the sandbox: a pool of warm workers that run jobs."""

from __future__ import annotations

import contextlib
import fcntl
import os
import queue
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from foulplay.errors import SandboxUnavailable
from foulplay.sandbox import _isolation as iso
from foulplay.sandbox._cgroup import WorkerCgroup, entering, kill_until_gone
from foulplay.sandbox._inside import fpbox_wire as wire
from foulplay.sandbox._leftovers import claim, sweep_once
from foulplay.sandbox._limits import Limits
from foulplay.vocab import Isolation

START_TIMEOUT_S = 120.0
GRACE_S = 5.0
DEFAULT_UID_BASE = 61000
UID_RANGE = 4000
WORKER_OVERHEAD_MB = 256
"""Memory a worker's trusted processes (broker, zygotes) may use on top of the submission's cap."""


def _uid_in_use(uid: int) -> bool:
    try:
        names = os.listdir("/proc")
    except OSError:
        return False
    for name in names:
        if name.isdigit():
            try:
                if os.stat(f"/proc/{name}").st_uid == uid:
                    return True
            except OSError:
                continue
    return False


def _sweep_uid(uid: int) -> bool:
    """A uid whose lease was free (its holder is gone, however it died) but which still has processes or
    files in the shared temp directories: what a host killed outright left. Kill and remove them; True when
    nothing of the uid is left running."""
    from foulplay.sandbox._inside.fpbox_os import proc_owners, remove_owned

    # killed processes are listed until their (new) parent reaps them
    kill_until_gone(lambda: [pid for pid, owner in proc_owners().items() if owner == uid], seconds=2.0)
    with contextlib.suppress(Exception):
        remove_owned(uid)
    return not _uid_in_use(uid)


def lease_uid(start: int = DEFAULT_UID_BASE) -> tuple[int, int]:
    """Reserve a uid for one worker's submissions, machine-wide, until the returned fd is closed.

    Separate uids keep RLIMIT_NPROC and the end-of-run process sweep of one worker (or one
    concurrent foulplay process) from touching another's submissions.
    """
    lease_dir = Path(tempfile.gettempdir()) / "foulplay-uid-leases"
    lease_dir.mkdir(mode=0o700, exist_ok=True)
    for uid in range(start, start + UID_RANGE):
        fd = os.open(lease_dir / str(uid), os.O_CREAT | os.O_RDWR, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            continue
        if _uid_in_use(uid) and not _sweep_uid(uid):
            os.close(fd)
            continue
        return uid, fd
    raise SandboxUnavailable(f"no free sandbox uid in {start}..{start + UID_RANGE - 1}")


@dataclass
class JobResult:
    """What a sandboxed job produced, and how it was isolated."""

    value: Any
    """The driver's return value (plain data)."""
    error: str | None = None
    """Traceback of a driver crash, or why the worker was lost."""
    timed_out: bool = False
    runs: list[dict[str, Any]] = field(default_factory=list)
    """One entry per submission process: exit status, signal, output heads, leftovers killed."""
    events: list[dict[str, Any]] = field(default_factory=list)
    """Defences that fired, with evidence."""
    duration_s: float = 0.0
    isolation: Isolation = Isolation.NONE
    features: tuple[str, ...] = ()
    worker_lost: bool = False


class _Worker:
    def __init__(self, box: Sandbox, index: int) -> None:
        self.box = box
        self.index = index
        self.proc: subprocess.Popen[bytes] | None = None
        self.tmp: str | None = None
        self.features: list[str] = []
        self.jobs = 0
        self.uid_fd: int | None = None
        self.cgroup: WorkerCgroup | None = None
        self.owner_fd: int | None = None
        """Holds the lock that marks ``tmp`` as this process's (:mod:`foulplay.sandbox._leftovers`)."""

    @property
    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def start(self) -> None:
        self.tmp = tempfile.mkdtemp(prefix="foulplay-box-")
        self.owner_fd = claim(self.tmp)
        work_root = os.path.join(self.tmp, "work")
        os.mkdir(work_root, 0o700)
        uid = None
        if os.geteuid() == 0 and self.box.level is not Isolation.NONE:
            uid, self.uid_fd = lease_uid(self.box.uid_base)
        level = self.box.level
        dirs = [str(Path(d)) for d in self.box.driver_dirs]
        if level is Isolation.BWRAP:
            plan = iso.bwrap_plan(dirs, self.box.limits.tmpfs_mb, uid)
        elif level is Isolation.RLIMIT:
            plan = iso.rlimit_plan(dirs, work_root, uid)
        else:
            plan = iso.none_plan(dirs, work_root)
        config = dict(plan.config)
        config["limits"] = self.box.limits.as_dict()
        if self.box.preload is not None:
            config["preload"] = list(self.box.preload)
        config["flavor_preload"] = self.box.flavor_preload
        log = open(os.path.join(self.tmp, "broker.log"), "wb")
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LANG": "C.UTF-8",
               "PYTHONDONTWRITEBYTECODE": "1"}
        cgroup_features: list[str] = []
        procs_files: list[bytes] = []
        if level is not Isolation.NONE:
            lim = self.box.limits
            cg = WorkerCgroup(f"foulplay-{os.getpid()}-{self.index}-{secrets.token_hex(3)}",
                              (lim.memory_mb + WORKER_OVERHEAD_MB) << 20, lim.nproc + 64)
            if cg.active:
                self.cgroup = cg
                cgroup_features = list(cg.features)
                procs_files = [str(d / "cgroup.procs").encode() for d in cg.dirs]
            else:
                cg.remove()

        try:
            self.proc = subprocess.Popen(
                plan.command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=log,
                start_new_session=True, env=env, close_fds=True, cwd=self.tmp,
                preexec_fn=entering(procs_files),
            )
        finally:
            log.close()
        assert self.proc.stdin is not None and self.proc.stdout is not None
        # the broker waits for its configuration, so it is in the cgroup before it forks anything
        wire.send_obj(self.proc.stdin.fileno(), config)
        try:
            msg = wire.safe_loads(wire.recv_bytes_until(
                self.proc.stdout.fileno(), time.monotonic() + START_TIMEOUT_S))
        except (TimeoutError, wire.WireError) as exc:
            detail = self.log_tail()
            self.stop()
            raise SandboxUnavailable(
                f"sandbox worker failed to start at level {level.value}: {exc}; {detail}"
            ) from None
        self.features = sorted(set(plan.features) | set(msg[1].get("features", [])) | set(cgroup_features))
        if level is Isolation.RLIMIT and "netns" not in self.features:
            self.features.append("network-open")

    def log_tail(self) -> str:
        if self.tmp is None:
            return ""
        try:
            data = Path(self.tmp, "broker.log").read_bytes()[-600:]
        except OSError:
            return ""
        return data.decode("utf-8", "replace").strip().replace("\n", " | ")

    def run(self, job: dict[str, Any], timeout: float) -> dict[str, Any]:
        if not self.alive:
            self.box._start(self)
        assert self.proc is not None and self.proc.stdin is not None and self.proc.stdout is not None
        self.jobs += 1
        try:
            wire.send_obj(self.proc.stdin.fileno(), job)
            data = wire.recv_bytes_until(self.proc.stdout.fileno(), time.monotonic() + timeout)
            msg = wire.safe_loads(data)
        except (TimeoutError, wire.WireError, BrokenPipeError, OSError) as exc:
            detail = self.log_tail()
            self.stop()
            return {"worker_lost": True, "error": f"sandbox worker lost: {type(exc).__name__}: {exc}"
                    + (f" ({detail})" if detail else ""), "timed_out": isinstance(exc, TimeoutError)}
        if not (isinstance(msg, tuple) and len(msg) == 2 and msg[0] == "result"):
            self.stop()
            return {"worker_lost": True, "error": "sandbox worker sent an unexpected answer"}
        return msg[1]

    def stop(self) -> None:
        proc, self.proc = self.proc, None
        if proc is not None:
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:  # pragma: no cover
                pass
            for stream in (proc.stdin, proc.stdout):
                if stream is not None:
                    stream.close()
        if self.cgroup is not None:
            self.cgroup.remove()
            self.cgroup = None
        if self.uid_fd is not None:
            with contextlib.suppress(OSError):
                os.close(self.uid_fd)
            self.uid_fd = None
        if self.tmp is not None:
            shutil.rmtree(self.tmp, ignore_errors=True)
            self.tmp = None
        if self.owner_fd is not None:
            with contextlib.suppress(OSError):
                os.close(self.owner_fd)
            self.owner_fd = None


class Sandbox:
    """A pool of warm sandbox workers.

    Each worker is one isolated environment (at the best available level unless told otherwise)
    holding a broker and pre-forked zygotes, so a job costs a fork, not an interpreter start.
    Thread-safe: up to ``workers`` jobs run at once.

    Example::

        with Sandbox(workers=2) as box:
            result = box.run_python("print(sum(range(10)))")
            result.value["stdout"]  # '45\\n'
            result.isolation        # Isolation.BWRAP on a machine with bubblewrap
    """

    def __init__(
        self,
        *,
        limits: Limits | None = None,
        isolation: Isolation | str | None = None,
        require_isolation: Isolation | str | None = None,
        workers: int = 1,
        preload: list[str] | tuple[str, ...] | None = None,
        flavor_preload: dict[str, list[str]] | None = None,
        driver_dirs: list[str | Path] | tuple[str | Path, ...] = (),
        uid_base: int = DEFAULT_UID_BASE,
        max_jobs_per_worker: int = 5000,
    ) -> None:
        self.limits = limits or Limits()
        best = iso.best_available()
        if isolation is None or isolation == "auto":
            level = best
        else:
            level = Isolation(isolation)
            if not best.at_least(level):
                raise SandboxUnavailable(
                    f"isolation level {level.value!r} is not available here: {iso.why_not(level)}"
                )
        if require_isolation is not None:
            wanted = Isolation(require_isolation)
            if not level.at_least(wanted):
                raise SandboxUnavailable(
                    f"isolation {wanted.value!r} required but only {level.value!r} is available"
                    f" ({iso.why_not(wanted)})"
                )
        if level is not Isolation.NONE and not sys.platform.startswith("linux"):
            raise SandboxUnavailable("the sandbox needs Linux for isolation; use isolation='none'")
        self.level = level
        sweep_once()  # what hosts killed outright left on this machine, before this pool adds its own
        self.preload = preload
        self.flavor_preload = dict(flavor_preload or {})
        self.driver_dirs = [str(Path(d).resolve()) for d in driver_dirs]
        self.uid_base = uid_base
        self.max_jobs_per_worker = max_jobs_per_worker
        self._workers = [_Worker(self, i) for i in range(max(1, workers))]
        self._idle: queue.Queue[_Worker] = queue.Queue()
        for w in self._workers:
            self._idle.put(w)
        self._closed = False
        self._lock = threading.Lock()
        # Brokers die with the *thread* that started them (PR_SET_PDEATHSIG, bwrap --die-with-parent).
        # Callers' threads come and go (a grade_many pool lives for one call), so every broker is
        # started from these long-lived threads instead.
        self._spawner = ThreadPoolExecutor(max_workers=len(self._workers), thread_name_prefix="foulplay-spawn")

    def _start(self, worker: _Worker) -> None:
        self._spawner.submit(worker.start).result()

    @property
    def workers(self) -> int:
        return len(self._workers)

    def __enter__(self) -> Sandbox:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        with self._lock:
            self._closed = True
        for w in self._workers:
            w.stop()
        self._spawner.shutdown(wait=False)

    def warm_up(self) -> None:
        """Start every worker now instead of on first use."""
        for w in self._workers:
            if not w.alive:
                self._start(w)

    def features(self) -> tuple[str, ...]:
        for w in self._workers:
            if w.features:
                return tuple(w.features)
        return ()

    def run(
        self,
        driver: tuple[str, str],
        payload: dict[str, Any],
        *,
        limits: Limits | None = None,
    ) -> JobResult:
        """Run ``driver`` (module, function) inside a worker with ``payload``."""
        if self._closed:
            raise RuntimeError("sandbox is closed")
        lim = limits or self.limits
        nonce = secrets.token_hex(16)
        job = {"driver": driver, "payload": payload, "limits": lim.as_dict(), "nonce": nonce}
        worker = self._idle.get()
        try:
            raw = worker.run(job, timeout=lim.wall_s + lim.replay_s + GRACE_S
                             + (START_TIMEOUT_S if not worker.alive else 0))
            recycle = bool(raw.get("recycle")) or bool(raw.get("worker_lost"))
            if worker.jobs >= self.max_jobs_per_worker:
                recycle = True
            if recycle:
                worker.stop()
            features = tuple(worker.features)
        finally:
            self._idle.put(worker)
        events = list(raw.get("events") or [])
        error = raw.get("error")
        if not raw.get("worker_lost") and raw.get("nonce") != nonce:
            error = error or "sandbox answer did not carry this job's nonce"
            events.append({"defence": "nonce", "detail": "answer without the job's nonce",
                           "source": "grader"})
            raw["value"] = None
        return JobResult(
            value=raw.get("value"),
            error=error,
            timed_out=bool(raw.get("timed_out")),
            runs=list(raw.get("runs") or []),
            events=events,
            duration_s=float(raw.get("duration_s") or 0.0),
            isolation=self.level,
            features=features,
            worker_lost=bool(raw.get("worker_lost")),
        )

    def run_python(
        self,
        code: str,
        *,
        stdin: bytes | str = b"",
        files: dict[str, str | bytes] | None = None,
        argv: list[str] | None = None,
        limits: Limits | None = None,
    ) -> JobResult:
        """Run ``code`` as a script (``main.py``) in a fresh submission process.

        ``result.value`` holds ``exit_code``, ``signal``, ``stdout``, ``stderr`` and more.
        """
        all_files: dict[str, str | bytes] = dict(files or {})
        all_files["main.py"] = code
        data = stdin.encode() if isinstance(stdin, str) else stdin
        payload = {"files": all_files, "path": "main.py", "stdin": data, "argv": argv or []}
        return self.run(("fpbox_drivers", "run_script"), payload, limits=limits)

    def run_command(
        self,
        command: str,
        *,
        files: dict[str, str | bytes] | None = None,
        env: dict[str, str] | None = None,
        limits: Limits | None = None,
        output_limit: int = 1 << 20,
    ) -> JobResult:
        """Run a shell command in a fresh work directory holding ``files`` (an untrusted workspace).

        The interpreter foulplay runs on is first on PATH as ``python``/``python3``.
        """
        payload = {"files": dict(files or {}), "mode": "command", "command": command, "env": env or {},
                   "output_limit": output_limit}
        return self.run(("fpbox_drivers", "run_script"), payload, limits=limits)


def available_isolation() -> Isolation:
    """Best isolation level this machine offers."""
    return iso.best_available()
