"""The sandbox's resident process: receives jobs from the host and runs trusted drivers.

Layout of one sandbox worker::

    host grader --pipe--> broker (trusted; runs the job's driver, never runs submitted code)
                            |-- zygote "plain"  (forked before any job; forks one process per run)
                            |-- zygote "pytest" (same, with pytest pre-imported; started on demand)

A zygote is forked before the broker has seen any job, so a submission forked from it inherits no
test, expected value or nonce. Submissions talk to the driver only through a socket that carries
data (see ``fpbox_rpc``). Standard library only; started as a script inside the sandbox.
"""

from __future__ import annotations

import importlib
import os
import pickle
import select
import shutil
import signal
import socket
import sys
import time
import traceback
from typing import Any

import fpbox_os as osx
import fpbox_seccomp as seccomp
import fpbox_wire as wire

PLAIN_PRELOAD = (
    "abc", "array", "ast", "atexit", "base64", "binascii", "bisect", "calendar", "cmath",
    "collections", "collections.abc", "contextlib", "copy", "csv", "dataclasses", "datetime",
    "decimal", "enum", "fnmatch", "fractions", "functools", "glob", "hashlib", "heapq",
    "importlib.util", "inspect", "io", "itertools", "json", "linecache", "math", "numbers",
    "operator", "pickle", "pkgutil", "pprint", "queue", "random", "re", "runpy", "secrets",
    "statistics", "string", "struct", "textwrap", "threading", "time", "tokenize", "traceback",
    "typing", "unicodedata", "warnings", "weakref", "zlib",
)
PYTEST_PRELOAD = ("pytest", "_pytest.pytester", "_pytest.reports", "_pytest.runner")


class SampleDeadline(BaseException):
    """Raised in the broker when a job's wall-clock budget is spent."""


def _preload(names: tuple[str, ...] | list[str]) -> list[str]:
    failed = []
    for name in names:
        try:
            importlib.import_module(name)
        except Exception:  # noqa: BLE001 - a missing optional module only costs speed
            failed.append(name)
    return failed


# ---------------------------------------------------------------------------------------------
# candidate process (runs in a child forked from a zygote)


def _exit_code(exc: SystemExit) -> int:
    code = exc.code
    if code is None or code is False:
        return 0
    if isinstance(code, int) and not isinstance(code, bool):
        return code & 0xFF
    if code is True:
        return 1
    try:
        sys.stderr.write(f"{code}\n")
    except Exception:  # noqa: BLE001
        pass
    return 1


def _finish_like_python(code: int) -> None:
    """End the process the way the interpreter would after its main module returns."""
    try:
        import threading

        threading._shutdown()  # type: ignore[attr-defined]  # wait for non-daemon threads
    except BaseException:  # noqa: BLE001
        pass
    try:
        import atexit

        atexit._run_exitfuncs()
    except BaseException:  # noqa: BLE001
        pass
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except BaseException:  # noqa: BLE001
            pass
    os._exit(code)


def _report_uncaught(exc: BaseException) -> int:
    if isinstance(exc, SystemExit):
        return _exit_code(exc)
    try:
        sys.excepthook(type(exc), exc, exc.__traceback__)
    except SystemExit as inner:  # a hook that exits decides the status, as in CPython
        return _exit_code(inner)
    except BaseException:  # noqa: BLE001
        traceback.print_exception(type(exc), exc, exc.__traceback__)
    return 1


def _safe_relpath(path: str) -> str:
    norm = os.path.normpath(path)
    if os.path.isabs(norm) or norm.startswith("..") or norm in (".", ""):
        raise ValueError(f"unsafe path {path!r}")
    return norm


def _write_files(files: dict[str, Any]) -> None:
    for rel, content in files.items():
        rel = _safe_relpath(rel)
        parent = os.path.dirname(rel)
        if parent:
            os.makedirs(parent, exist_ok=True)
        data = content.encode("utf-8", "surrogateescape") if isinstance(content, str) else content
        with open(rel, "wb") as fh:
            fh.write(data)


def _candidate_prelude() -> None:
    """The part of a submission process's setup that does not depend on its job: its own session (setsid
    costs about a millisecond here, mostly the scheduler's new autogroup), death with the zygote, default
    signal handling. A spare runs it before it parks (see ``_spare_main``)."""
    os.setsid()
    osx.prctl(osx.PR_SET_PDEATHSIG, signal.SIGKILL)
    for sig in (signal.SIGCHLD, signal.SIGALRM, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.default_int_handler)


def candidate_main(spec: dict[str, Any], workdir: str, cfg: dict[str, Any], fds: list[int],
                   prelude_done: bool = False) -> None:
    """Set up and run one submission process. Never returns."""
    code = 70
    try:
        if not prelude_done:
            _candidate_prelude()
        _spec_fd, stdin_fd, stdout_fd, stderr_fd = fds[:4]
        chan_fd = fds[4] if len(fds) > 4 else -1
        os.dup2(stdin_fd, 0)
        os.dup2(stdout_fd, 1)
        os.dup2(stderr_fd, 2)
        if chan_fd >= 0:
            os.dup2(chan_fd, 3)
        os.closerange(4 if chan_fd >= 0 else 3, 1 << 16)
        sys.stdin = open(0, closefd=False, encoding="utf-8", errors="surrogateescape")
        sys.stdout = open(1, "w", closefd=False, encoding="utf-8", errors="backslashreplace",
                          buffering=1)
        sys.stderr = open(2, "w", closefd=False, encoding="utf-8", errors="backslashreplace",
                          buffering=1)
        if not cfg.get("no_limits"):
            osx.set_limits(spec.get("limits", {}))
        osx.prctl(osx.PR_SET_NO_NEW_PRIVS, 1)
        uid = cfg.get("candidate_uid")
        if uid is not None:
            os.setgroups([])
            os.setresgid(uid, uid, uid)
            os.setresuid(uid, uid, uid)
        os.chdir(workdir)
        _write_files(spec.get("files", {}))
        path = "/usr/local/bin:/usr/bin:/bin"
        if cfg.get("python_bin"):
            path = f"{cfg['python_bin']}:{path}"
        env = {"PATH": path, "HOME": workdir, "TMPDIR": workdir,
               "LANG": "C.UTF-8", "PYTHONDONTWRITEBYTECODE": "1"}
        env.update(spec.get("env", {}))
        os.environ.clear()
        os.environ.update(env)
        if "tempfile" in sys.modules:  # the zygote may have cached its own temp dir
            sys.modules["tempfile"].tempdir = workdir
        sys.dont_write_bytecode = True
        hidden = {cfg.get("box_dir"), *cfg.get("driver_paths", [])}
        sys.path[:] = [workdir] + [p for p in sys.path if p and p not in hidden]
        # last step before submitted code: the worker reported the filter, so never run without it. A zygote
        # that attached it to itself passed it on with the fork (filters are inherited and cannot be removed)
        if cfg.get("seccomp_features") and not _ZYGOTE_FILTERED and not seccomp.install():
            raise RuntimeError("the seccomp filter could not be installed")
        mode = spec["mode"]
        if mode == "serve":
            import fpbox_rpc

            sys.argv = [spec.get("path", "solution.py")]
            fpbox_rpc.serve(3, spec.get("opening"))
            code = 0
            os._exit(0)
        elif mode == "script":
            import runpy

            path = spec["path"]
            sys.argv = [path, *spec.get("argv", [])]
            try:
                runpy.run_path(path, run_name="__main__")
                code = 0
            except BaseException as exc:  # noqa: BLE001
                code = _report_uncaught(exc)
            _finish_like_python(code)
        elif mode == "pytest":
            import pytest

            sys.argv = ["pytest", *spec.get("argv", [])]
            try:
                code = int(pytest.main(list(spec.get("argv", []))))
            except BaseException as exc:  # noqa: BLE001
                code = _report_uncaught(exc)
            _finish_like_python(code)
        elif mode == "call":
            module_name, _, func_name = spec["entry"].partition(":")
            try:
                code = int(getattr(importlib.import_module(module_name), func_name)(spec.get("args", {})))
            except BaseException as exc:  # noqa: BLE001
                code = _report_uncaught(exc)
            _finish_like_python(code)
        elif mode == "command":
            sys.stdout.flush()
            sys.stderr.flush()
            os.execve("/bin/sh", ["/bin/sh", "-c", spec["command"]], dict(os.environ))
        else:
            sys.stderr.write(f"unknown mode {mode!r}\n")
            code = 70
    except BaseException:  # noqa: BLE001 - setup failure; report on stderr
        try:
            traceback.print_exc()
        except BaseException:  # noqa: BLE001
            pass
    finally:
        os._exit(code)


# ---------------------------------------------------------------------------------------------
# zygote


_ZYGOTE_FILTERED = False
"""True in a zygote (and so in every process it forks) once it carries the submissions' seccomp filter."""


def zygote_main(ctrl: socket.socket, cfg: dict[str, Any], preload: tuple[str, ...]) -> None:
    osx.prctl(osx.PR_SET_PDEATHSIG, signal.SIGKILL)
    osx.prctl(osx.PR_SET_CHILD_SUBREAPER, 1)
    osx.prctl(osx.PR_SET_DUMPABLE, 0)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _preload(preload)
    if "pytest" in preload:
        _warm_pytest(cfg["work_root"])
    import gc

    import fpbox_rpc  # noqa: F401 - pre-import for the serve mode

    global _ZYGOTE_FILTERED
    # The submission processes' seccomp filter, attached once here instead of in each of them (attaching
    # costs about half a millisecond of kernel work per process: the filter is translated and compiled).
    # The zygote makes none of the calls it refuses; the broker stays unfiltered.
    _ZYGOTE_FILTERED = bool(cfg.get("seccomp_features")) and bool(seccomp.install())

    gc.collect()
    gc.freeze()  # forked children then do not touch (and copy) the zygote's objects when collecting

    me = os.getpid()
    uid = cfg.get("candidate_uid")
    work_root = cfg["work_root"]
    counter = 0
    current: tuple[int, int, str] | None = None  # pid, pidfd, workdir
    killed_by_grader = False
    reaped: dict[int, int] = {}  # statuses collected while killing leftovers
    # A spare: the next submission process, forked ahead (while the current one runs) and parked before it
    # has seen anything of its job, so a spawn costs a message instead of a fork. Only with uid separation:
    # the spare keeps the zygote's uid until it is handed a job, so a submission (another uid) can neither
    # signal nor trace it; without it a submission could stop the spare and so stall the next job.
    use_spare = uid is not None and not cfg.get("no_spare")
    spare: tuple[int, socket.socket] | None = _fork_spare(ctrl, cfg) if use_spare else None
    ctrl.sendall(pickle.dumps(("ready", me)))
    while True:
        watch: list[Any] = [ctrl]
        if current is not None:
            watch.append(current[1])
        ready, _, _ = select.select(watch, [], [])
        if current is not None and current[1] in ready:
            pid, pidfd, workdir = current
            if pid in reaped:
                status = reaped.pop(pid)
            else:
                try:
                    _, status = os.waitpid(pid, 0)
                except ChildProcessError:
                    status = reaped.pop(pid, 0x9)  # reaped elsewhere and not recorded: say SIGKILL
            os.close(pidfd)
            leftovers = osx.kill_leftovers(me=me, uid=uid, reaped=reaped)
            reaped.clear()
            shutil.rmtree(workdir, ignore_errors=True)
            if cfg.get("private_ipc") or uid is not None:
                osx.remove_sysv_ipc_as(uid)
                osx.remove_mqueues(uid)
            _scrub(cfg.get("scrub", []), keep=(work_root, cfg.get("trusted_root", "")))
            if uid is not None and cfg.get("scrub_owned"):
                osx.remove_owned(uid, cfg["scrub_owned"], keep=(work_root, cfg.get("trusted_root", "")))
            info = {
                "pid": pid,
                "exit_code": os.WEXITSTATUS(status) if os.WIFEXITED(status) else None,
                "signal": os.WTERMSIG(status) if os.WIFSIGNALED(status) else None,
                "leftover_processes": leftovers,
                "killed_by_grader": killed_by_grader,
                "workdir_removed": not os.path.exists(workdir),
            }
            current = None
            killed_by_grader = False
            ctrl.sendall(pickle.dumps(("exited", info)))
            continue
        try:
            data, fds, _flags, _addr = socket.recv_fds(ctrl, 1 << 16, 8)
        except OSError:
            data, fds = b"", []
        if not data:
            if current is not None:
                osx.kill_quietly(current[0])
            if spare is not None:
                osx.kill_quietly(spare[0])
            osx.kill_leftovers(me=me, uid=uid)
            os._exit(0)
        msg = pickle.loads(data)
        if msg[0] == "spawn":
            if current is not None:
                for fd in fds:
                    os.close(fd)
                ctrl.sendall(pickle.dumps(("error", "a process is already running")))
                continue
            counter += 1
            workdir = os.path.join(work_root, f"w{counter}")
            shutil.rmtree(workdir, ignore_errors=True)
            os.mkdir(workdir, 0o700)
            if uid is not None:
                os.chown(workdir, uid, uid)
            pid = 0
            if spare is not None:
                pid = _hand_to_spare(spare, workdir, fds)
                spare = None
            if not pid:
                with os.fdopen(os.dup(fds[0]), "rb") as fh:
                    fh.seek(0)
                    spec = pickle.load(fh)
                pid = os.fork()
                if pid == 0:
                    try:
                        ctrl.close()
                        candidate_main(spec, workdir, cfg, fds)
                    finally:
                        os._exit(70)
            for fd in fds:
                os.close(fd)
            current = (pid, os.pidfd_open(pid), workdir)
            ctrl.sendall(pickle.dumps(("started", pid)))
            if use_spare:
                spare = _fork_spare(ctrl, cfg)
        elif msg[0] == "kill" and current is not None:
            killed_by_grader = True
            osx.kill_quietly(current[0])
            osx.kill_leftovers(me=me, uid=uid, reaped=reaped)


def _fork_spare(ctrl: socket.socket, cfg: dict[str, Any]) -> tuple[int, socket.socket] | None:
    """Fork the zygote's next submission process now; it waits, as the zygote's own clean copy, for its job."""
    ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    zygote = os.getpid()
    try:
        pid = os.fork()
    except OSError:
        ours.close()
        theirs.close()
        return None
    if pid == 0:
        try:
            ctrl.close()
            ours.close()
            _spare_main(theirs, zygote, cfg)
        finally:
            os._exit(70)
    theirs.close()
    return pid, ours


def _spare_main(sock: socket.socket, zygote: int, cfg: dict[str, Any]) -> None:
    """A parked submission process: wait for the job the zygote hands over, then run it as a process freshly
    forked for it would. Until then it has run nothing but this, and holds nothing of any job."""
    _candidate_prelude()
    if os.getppid() != zygote:  # the zygote died before its death signal was set
        os._exit(0)
    try:
        data, fds, _flags, _addr = socket.recv_fds(sock, 1 << 16, 8)
    except (OSError, KeyboardInterrupt):
        os._exit(0)
    if not data or not fds:
        os._exit(0)
    workdir = pickle.loads(data)[1]  # from the zygote, trusted
    with os.fdopen(os.dup(fds[0]), "rb") as fh:
        fh.seek(0)
        spec = pickle.load(fh)
    sock.close()
    candidate_main(spec, workdir, cfg, fds, prelude_done=True)


def _hand_to_spare(spare: tuple[int, socket.socket], workdir: str, fds: list[int]) -> int:
    """Give a job to the parked spare; its pid, or 0 when it is gone (then fork as usual)."""
    pid, sock = spare
    try:
        socket.send_fds(sock, [pickle.dumps(("go", workdir))], fds)
    except OSError:  # it died (its end closed); it is reaped with the leftovers. Never signal its pid: reusable
        return 0
    finally:
        sock.close()  # a spare that did not get the job sees the end of its channel and exits
    return pid


def _warm_pytest(work_root: str) -> None:
    """Run pytest once on an empty directory so every plugin it loads lazily is imported before
    forking (faster runs, and submissions that cannot read the interpreter's files still work)."""
    import tempfile

    import pytest

    saved = os.dup(1), os.dup(2)
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    os.dup2(devnull, 2)
    try:
        with tempfile.TemporaryDirectory(dir=work_root) as empty:
            ini = os.path.join(empty, "fp-pytest.ini")
            with open(ini, "w") as fh:
                fh.write("[pytest]\n")
            with open(os.path.join(empty, "test_warm.py"), "w") as fh:
                fh.write("def test_warm():\n    assert 1 == 1\n")
            pytest.main([empty, "-q", "-p", "no:cacheprovider", "-c", ini, "--rootdir", empty])
    except BaseException:  # noqa: BLE001 - warming is an optimisation only
        pass
    finally:
        os.dup2(saved[0], 1)
        os.dup2(saved[1], 2)
        for fd in (*saved, devnull):
            os.close(fd)


def _scrub(dirs: list[str], keep: tuple[str, ...]) -> None:
    """Empty directories a same-uid submission could have used to leave notes for the next run."""
    osx.remove_entries(dirs, keep=keep)


class Zygote:
    """Broker-side handle on a zygote process."""

    def __init__(self, flavor: str, cfg: dict[str, Any], preload: tuple[str, ...]) -> None:
        self.flavor = flavor
        parent, child = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        pid = os.fork()
        if pid == 0:
            try:
                parent.close()
                zygote_main(child, cfg, preload)
            finally:
                os._exit(0)
        child.close()
        self.pid = pid
        self.sock = parent
        msg = self._recv(timeout=120)
        if msg[0] != "ready":
            raise RuntimeError(f"zygote {flavor} failed to start: {msg!r}")
        self.running: int | None = None

    def _recv(self, timeout: float | None = None) -> tuple[Any, ...]:
        if timeout is not None:
            ready, _, _ = select.select([self.sock], [], [], timeout)
            if not ready:
                raise TimeoutError(f"zygote {self.flavor} did not answer")
        data = self.sock.recv(1 << 16)
        if not data:
            raise RuntimeError(f"zygote {self.flavor} died")
        return pickle.loads(data)

    def alive(self) -> bool:
        try:
            pid, _ = os.waitpid(self.pid, os.WNOHANG)
        except ChildProcessError:
            return False
        return pid == 0

    def spawn(self, spec: dict[str, Any], fds: list[int]) -> int:
        spec_fd = os.memfd_create("fp-spec", 0)
        try:
            os.write(spec_fd, pickle.dumps(spec, protocol=wire.PROTOCOL))
            socket.send_fds(self.sock, [pickle.dumps(("spawn",))], [spec_fd, *fds])
        finally:
            os.close(spec_fd)
        msg = self._recv(timeout=30)
        if msg[0] != "started":
            raise RuntimeError(f"spawn failed: {msg!r}")
        self.running = msg[1]
        return msg[1]

    def wait(self, timeout: float | None = None) -> dict[str, Any] | None:
        """Exit information of the running process, or None on timeout."""
        try:
            msg = self._recv(timeout=timeout)
        except TimeoutError:
            return None
        if msg[0] != "exited":
            raise RuntimeError(f"unexpected zygote message {msg!r}")
        self.running = None
        return msg[1]

    def kill(self) -> None:
        self.sock.sendall(pickle.dumps(("kill",)))


# ---------------------------------------------------------------------------------------------
# trusted side: what a driver sees


def _read_memfd(fd: int, limit: int) -> tuple[bytes, int]:
    size = os.fstat(fd).st_size
    return os.pread(fd, min(size, limit), 0), size


class Candidate:
    """One submission process started for a driver."""

    def __init__(self, ctx: Context, zygote: Zygote, spec: dict[str, Any], stdin: bytes,
                 channel: str | None, strict_data: bool, test_modules: frozenset[str]) -> None:
        self.ctx = ctx
        self.zygote = zygote
        self.mode = spec["mode"]
        self.exit: dict[str, Any] | None = None
        self.stdout_fd = os.memfd_create("fp-out", 0)
        self.stderr_fd = os.memfd_create("fp-err", 0)
        stdin_fd = os.memfd_create("fp-in", 0)
        os.write(stdin_fd, stdin)
        os.lseek(stdin_fd, 0, os.SEEK_SET)
        fds = [stdin_fd, self.stdout_fd, self.stderr_fd]
        self.sock: socket.socket | None = None
        self.report_fd: int | None = None
        peer: socket.socket | None = None
        if channel == "rpc":
            self.sock, peer = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
            fds.append(peer.fileno())
        elif channel == "report":
            self.report_fd = os.memfd_create("fp-report", 0)
            fds.append(self.report_fd)
        try:
            self.pid = zygote.spawn(spec, fds)
        finally:
            os.close(stdin_fd)
            if peer is not None:
                peer.close()
        self.started = time.monotonic()
        self.conn = None
        if self.sock is not None:
            import fpbox_rpc

            self.conn = fpbox_rpc.Connection(
                self.sock.fileno(), strict_data=strict_data, on_gone=self._status_after_eof,
                events=ctx.events, test_modules=test_modules,
            )
        ctx.candidates.append(self)

    def _status_after_eof(self) -> dict[str, Any] | None:
        return self.wait(timeout=2.0)

    def wait(self, timeout: float | None = None) -> dict[str, Any] | None:
        if self.exit is None:
            info = self.zygote.wait(timeout)
            if info is None:
                return None
            info["duration_s"] = round(time.monotonic() - self.started, 6)
            self.exit = info
        return self.exit

    def kill(self) -> dict[str, Any] | None:
        if self.exit is None:
            self.zygote.kill()
            return self.wait(timeout=5.0)
        return self.exit

    def close(self) -> dict[str, Any] | None:
        """Stop the process (asking a server to finish first) and return its exit information."""
        if self.conn is not None and self.exit is None:
            self.conn.finish()
        if self.sock is not None:
            self.sock.close()
            self.sock = None
        info = self.wait(timeout=0.5) if self.exit is None else self.exit
        if info is None:
            info = self.kill()
        return info

    def output(self, which: str = "stdout", limit: int | None = None) -> tuple[str, int]:
        fd = {"stdout": self.stdout_fd, "stderr": self.stderr_fd}.get(which, self.report_fd)
        if fd is None:
            return "", 0
        data, size = _read_memfd(fd, limit or self.ctx.limits.get("output_bytes", 65536))
        return data.decode("utf-8", "replace"), size

    def release(self) -> None:
        for fd in (self.stdout_fd, self.stderr_fd, self.report_fd):
            if fd is None:
                continue
            try:
                os.close(fd)
            except OSError:
                pass

    def summary(self) -> dict[str, Any]:
        out, out_size = self.output("stdout", 4096)
        err, err_size = self.output("stderr", 4096)
        info = dict(self.exit or {})
        info.update({"mode": self.mode, "stdout_head": out, "stdout_bytes": out_size,
                     "stderr_head": err, "stderr_bytes": err_size})
        return info


class Context:
    """Everything a trusted driver may do: start submission processes and record evidence."""

    def __init__(self, broker: Broker, limits: dict[str, Any], nonce: str) -> None:
        self.broker = broker
        self.limits = limits
        self.nonce = nonce
        self.events: list[dict[str, Any]] = []
        self.candidates: list[Candidate] = []
        self.deadline = time.monotonic() + float(limits.get("wall_s", 10.0))
        self.extended = 0.0

    def remaining(self) -> float:
        return max(0.0, self.deadline - time.monotonic())

    def extend(self, seconds: float) -> None:
        """Give the job ``seconds`` more, once, up to the job's ``replay_s`` allowance (the hardened
        harness's order-independence replay runs on it, so it never eats the tests' own budget)."""
        seconds = min(float(seconds), float(self.limits.get("replay_s", 0.0)) - self.extended)
        if seconds <= 0:
            return
        self.extended += seconds
        self.deadline += seconds
        signal.setitimer(signal.ITIMER_REAL, max(0.001, self.remaining()))

    def spawn(
        self,
        files: dict[str, Any],
        mode: str,
        *,
        path: str = "solution.py",
        argv: list[str] | tuple[str, ...] = (),
        stdin: bytes = b"",
        flavor: str = "plain",
        env: dict[str, str] | None = None,
        strict_data: bool = True,
        test_modules: frozenset[str] = frozenset(),
        channel: str | None = None,
        entry: str = "",
        args: dict[str, Any] | None = None,
        command: str = "",
        opening: dict[str, Any] | None = None,
    ) -> Candidate:
        """Start a submission process.

        ``mode`` is ``serve`` (import ``path`` and answer requests over an RPC channel), ``script``
        (run ``path`` as ``__main__``), ``pytest`` (run pytest with ``argv``), ``call`` (call the
        pre-imported ``entry`` = ``module:function`` with ``args``; it returns the exit status) or
        ``command`` (run the shell ``command``). ``channel`` ``report`` gives the process a report
        file on fd 3. ``opening`` (serve mode) holds the requests a server answers first without being
        asked, saving their round trips (see ``fpbox_rpc.serve``); the driver then takes the answers with
        ``Connection.configure_data(..., sent=True)`` and ``Connection.import_module(..., sent=True)``.
        """
        spec = {"mode": mode, "files": files, "path": path, "argv": list(argv),
                "limits": self.limits, "env": env or {}, "entry": entry, "args": args or {},
                "command": command, "opening": opening}
        zygote = self.broker.zygote(flavor)
        if mode == "serve":
            channel = "rpc"
        return Candidate(self, zygote, spec, stdin, channel, strict_data, test_modules)

    def run(self, files: dict[str, Any], mode: str, **kwargs: Any) -> Candidate:
        """Start a script/pytest process and wait for it to end (or the job's deadline)."""
        cand = self.spawn(files, mode, **kwargs)
        cand.wait()
        return cand


class Broker:
    def __init__(self, cfg: dict[str, Any]) -> None:
        self.cfg = cfg
        self.zygotes: dict[str, Zygote] = {}
        for path in reversed(cfg.get("driver_paths", [])):
            if path not in sys.path:
                sys.path.insert(0, path)

    def zygote(self, flavor: str) -> Zygote:
        z = self.zygotes.get(flavor)
        if z is not None and not z.alive():
            self.zygotes.pop(flavor, None)
            z = None
        if z is None:
            preload = tuple(self.cfg.get("preload", PLAIN_PRELOAD))
            if flavor == "pytest":
                preload = preload + PYTEST_PRELOAD
            preload = preload + tuple(self.cfg.get("flavor_preload", {}).get(flavor, ()))
            z = Zygote(flavor, self.cfg, preload)
            self.zygotes[flavor] = z
        return z

    def run_job(self, job: dict[str, Any]) -> dict[str, Any]:
        started = time.monotonic()
        limits = dict(self.cfg.get("limits", {}))
        limits.update(job.get("limits") or {})
        ctx = Context(self, limits, job["nonce"])
        result: dict[str, Any] = {"id": job.get("id"), "value": None, "error": None,
                                  "timed_out": False, "recycle": False}

        def on_alarm(_signum: int, _frame: Any) -> None:
            raise SampleDeadline()

        old = signal.signal(signal.SIGALRM, on_alarm)
        signal.setitimer(signal.ITIMER_REAL, max(0.001, ctx.remaining()))
        try:
            module_name, func_name = job["driver"]
            func = getattr(importlib.import_module(module_name), func_name)
            result["value"] = func(ctx, job.get("payload", {}))
        except SampleDeadline:
            result["timed_out"] = True
            result["recycle"] = True
        except BaseException as exc:  # noqa: BLE001 - a driver crash is reported, not fatal
            result["error"] = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))[-4000:]
            result["recycle"] = True
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
        runs = []
        signal.signal(signal.SIGALRM, on_alarm)
        for cand in ctx.candidates:
            info = None
            try:
                signal.setitimer(signal.ITIMER_REAL, 2.0)
                info = cand.kill() if result["timed_out"] else cand.close()
            except SampleDeadline:
                result["recycle"] = True
            except Exception:  # noqa: BLE001
                result["recycle"] = True
            finally:
                signal.setitimer(signal.ITIMER_REAL, 0)
            if info is None:
                try:
                    signal.setitimer(signal.ITIMER_REAL, 5.0)
                    info = cand.kill()
                except BaseException:  # noqa: BLE001
                    info = None
                finally:
                    signal.setitimer(signal.ITIMER_REAL, 0)
            if info is None or info.get("leftover_processes") or not info.get("workdir_removed", True):
                result["recycle"] = True
            runs.append(cand.summary())
            cand.release()
        signal.signal(signal.SIGALRM, old)
        result["runs"] = runs
        result["events"] = ctx.events
        result["duration_s"] = round(time.monotonic() - started, 6)
        result["nonce"] = job["nonce"]
        return result


def main() -> None:
    osx.prctl(osx.PR_SET_DUMPABLE, 0)
    osx.prctl(osx.PR_SET_PDEATHSIG, signal.SIGKILL)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    stdin_fd, stdout_fd = os.dup(0), os.dup(1)
    devnull = os.open(os.devnull, os.O_RDWR)
    os.dup2(devnull, 0)
    os.dup2(devnull, 1)  # stray prints from drivers must not corrupt the channel
    cfg = wire.recv_obj(stdin_fd)
    facts: dict[str, Any] = {"features": []}
    if cfg.get("unshare_net") and osx.unshare(osx.CLONE_NEWNET) == 0:
        facts["features"].append("netns")
    if cfg.get("seccomp", True):  # tried in a throwaway child: the broker stays unfiltered (zygotes take it)
        cfg["seccomp_features"] = seccomp.probe()
        facts["features"] += cfg["seccomp_features"]
    os.makedirs(cfg["work_root"], exist_ok=True)
    os.makedirs(cfg["trusted_root"], mode=0o700 if cfg.get("candidate_uid") is not None else 0o711,
                exist_ok=True)
    broker = Broker(cfg)
    _preload(cfg.get("preload", PLAIN_PRELOAD))
    broker.zygote("plain")
    facts["pid"] = os.getpid()
    wire.send_obj(stdout_fd, ("ready", facts))
    while True:
        try:
            job = wire.recv_obj(stdin_fd)
        except wire.WireClosed:
            break
        if job is None:
            break
        wire.send_obj(stdout_fd, ("result", broker.run_job(job)))
    for z in broker.zygotes.values():
        z.sock.close()


if __name__ == "__main__":
    main()
