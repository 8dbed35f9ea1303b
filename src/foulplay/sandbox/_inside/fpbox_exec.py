"""Exec server of an agent sandbox: runs inside the isolation domain for a whole sample (one bubblewrap
instance), so processes, files and loopback servers started by one request are there for the next.

Stdlib only (plus ``fpbox_seccomp``). The host talks to it over stdin/stdout with frames: a 4-byte
big-endian header length, the header (JSON), an 8-byte body length, the body (raw bytes: stdin for an
exec, file contents for a write; stdout+stderr or file contents in replies). Requests run concurrently,
each in a thread; replies carry the request's ``id``.

Every command and every file operation runs in a fresh child (``launch``): resource limits, no new
privileges, the agent's uid (when the server may switch uids), the seccomp filter, then ``execve`` (or the
file operation). So a file the agent made read-only is read-only to ``write_file`` too, and nothing the
agent runs has more rights than the agent. When the host closes stdin, everything in the domain is killed.
"""

from __future__ import annotations

import json
import os
import signal
import struct
import subprocess
import sys
import threading
import time
from typing import Any

try:  # inside the sandbox the box directory is on sys.path; the host imports the framing from the package
    import fpbox_seccomp as seccomp
except ImportError:  # pragma: no cover - host side
    from foulplay.sandbox._inside import fpbox_seccomp as seccomp  # type: ignore[no-redef]

_OUT_LOCK = threading.Lock()
GRACE_AFTER_EXIT_S = 0.2
"""After the command exits, how long to keep collecting output that a background child may still write
(its pipes are then closed on our side: a server started with ``&`` must not make the call hang)."""


# ---------------------------------------------------------------------------------------------
# frames


def _read_exact(stream: Any, n: int) -> bytes:
    chunks, left = [], n
    while left:
        chunk = stream.read(left)
        if not chunk:
            raise EOFError
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def read_frame(stream: Any) -> tuple[dict[str, Any], bytes]:
    (hlen,) = struct.unpack(">I", _read_exact(stream, 4))
    header = json.loads(_read_exact(stream, hlen))
    (blen,) = struct.unpack(">Q", _read_exact(stream, 8))
    return header, _read_exact(stream, blen) if blen else b""


def frame(header: dict[str, Any], body: bytes = b"") -> bytes:
    raw = json.dumps(header).encode()
    return struct.pack(">I", len(raw)) + raw + struct.pack(">Q", len(body)) + body


def _reply(out: Any, header: dict[str, Any], body: bytes = b"") -> None:
    data = frame(header, body)
    with _OUT_LOCK:
        out.write(data)
        out.flush()


# ---------------------------------------------------------------------------------------------
# the child: limits, uid, seccomp, then the command or the file operation


def _limits(limits: dict[str, int]) -> None:
    import resource

    table = {"as_mb": (resource.RLIMIT_AS, 1 << 20), "fsize_mb": (resource.RLIMIT_FSIZE, 1 << 20),
             "nproc": (resource.RLIMIT_NPROC, 1), "nofile": (resource.RLIMIT_NOFILE, 1),
             "cpu_s": (resource.RLIMIT_CPU, 1), "core": (resource.RLIMIT_CORE, 1)}
    for key, value in limits.items():
        if key in table and value is not None:
            which, scale = table[key]
            try:
                resource.setrlimit(which, (value * scale, value * scale))
            except (ValueError, OSError):
                pass


def _become(cfg: dict[str, Any]) -> None:
    _limits(cfg.get("limits", {}))
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(38, 1, 0, 0, 0)  # PR_SET_NO_NEW_PRIVS
    uid = cfg.get("uid")
    if uid is not None and os.geteuid() != uid:
        os.setgroups([])
        os.setresgid(uid, uid, uid)
        os.setresuid(uid, uid, uid)
    if cfg.get("seccomp") and not seccomp.install():
        raise RuntimeError("the seccomp filter could not be installed")


def _file_op(op: dict[str, Any]) -> None:
    """Run as the agent: a read or write of one file; the result goes to stdout as a frame."""
    out = sys.stdout.buffer
    path = op["path"]
    try:
        if op["op"] == "write":
            data = sys.stdin.buffer.read()
            parent = os.path.dirname(path)
            if parent:
                os.makedirs(parent, exist_ok=True)
            if os.path.isdir(path):
                raise IsADirectoryError(21, "Is a directory", path)
            with open(path, "wb") as f:
                f.write(data)
            out.write(frame({"ok": True}))
        else:
            if os.path.isdir(path):
                raise IsADirectoryError(21, "Is a directory", path)
            size = os.stat(path).st_size
            if size > int(op["limit"]):
                out.write(frame({"ok": False, "error": "limit", "size": size}))
            else:
                with open(path, "rb") as f:
                    data = f.read(int(op["limit"]) + 1)
                if len(data) > int(op["limit"]):
                    out.write(frame({"ok": False, "error": "limit", "size": len(data)}))
                else:
                    out.write(frame({"ok": True}, data))
    except OSError as exc:
        out.write(frame({"ok": False, "error": type(exc).__name__, "errno": exc.errno,
                         "message": f"{exc.strerror or exc}: {path}"}))
    out.flush()


def launch() -> None:
    """Entry point of every child (see the module docstring); configuration in ``FPBOX_LAUNCH``."""
    cfg_fd = int(os.environ.pop("FPBOX_LAUNCH_FD"))
    with os.fdopen(cfg_fd, "rb") as f:  # a pipe: the command line may be larger than one variable may hold
        cfg = json.loads(f.read())
    status = int(cfg["status_fd"])
    os.set_inheritable(status, False)  # closed by the exec below: an empty status means it started
    try:
        _become(cfg)
    except Exception as exc:  # noqa: BLE001 - never run the command without its confinement
        os.write(status, json.dumps({"error": "RuntimeError", "message": f"sandbox setup failed: {exc}"}).encode())
        os._exit(125)
    if cfg.get("op"):
        os.close(status)
        _file_op(cfg["op"])
        os._exit(0)
    argv = cfg["argv"]
    try:
        os.execvpe(argv[0], argv, dict(os.environ))
    except OSError as exc:
        kind = {13: "PermissionError", 2: "FileNotFoundError", 20: "NotADirectoryError"}.get(exc.errno or 0,
                                                                                             "OSError")
        os.write(status, json.dumps({"error": kind, "errno": exc.errno,
                                     "message": f"{exc.strerror}: {argv[0]}"}).encode())
        os._exit(126 if exc.errno == 13 else 127)


# ---------------------------------------------------------------------------------------------
# the server


class Server:
    def __init__(self, cfg: dict[str, Any], out: Any) -> None:
        self.cfg = cfg
        self.out = out
        self.lock = threading.Lock()
        self.groups: set[int] = set()
        """Process groups started (killed at the end even outside a pid namespace)."""
        self.bootstrap = [sys.executable, "-I", "-c",
                          f"import sys; sys.path.insert(0, {cfg['box_dir']!r}); import fpbox_exec; fpbox_exec.launch()"]

    def _launch_config(self, op: dict[str, Any] | None, argv: list[str] | None, status_fd: int) -> bytes:
        return json.dumps({"uid": self.cfg.get("uid"), "limits": self.cfg.get("limits", {}),
                           "seccomp": bool(self.cfg.get("seccomp")), "op": op, "argv": argv,
                           "status_fd": status_fd}).encode()

    def _cwd(self, cwd: str | None) -> str:
        work = self.cfg["workspace"]
        if not cwd:
            return work
        return cwd if os.path.isabs(cwd) else os.path.join(work, cwd)

    def _path(self, path: str) -> str:
        return path if os.path.isabs(path) else os.path.join(self.cfg["workspace"], path)

    def _spawn(self, extra: dict[str, str], op: dict[str, Any] | None, argv: list[str] | None,
               cwd: str) -> tuple[subprocess.Popen[bytes], int]:
        """Start a child; the second value is the read end of its status pipe (why it could not start)."""
        r, w = os.pipe()
        cr, cw = os.pipe()
        env = {**self.cfg["env"], **extra, "FPBOX_LAUNCH_FD": str(cr)}
        try:
            proc = subprocess.Popen(self.bootstrap, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                    stderr=subprocess.PIPE, cwd=cwd, env=env, start_new_session=True,
                                    pass_fds=(w, cr))
        except BaseException:
            os.close(r)
            os.close(cw)
            raise
        finally:
            os.close(w)
            os.close(cr)
        data = self._launch_config(op, argv, w)

        def send() -> None:
            try:
                with os.fdopen(cw, "wb") as f:
                    f.write(data)
            except OSError:
                pass

        threading.Thread(target=send, daemon=True).start()
        with self.lock:
            self.groups.add(proc.pid)
        return proc, r

    def handle(self, header: dict[str, Any], body: bytes) -> None:
        rid = header.get("id")
        try:
            op = header["op"]
            if op == "exec":
                reply, data = self._exec(header, body)
            elif op in ("read", "write"):
                reply, data = self._file(header, body)
            elif op == "ping":
                reply, data = {"ok": True}, b""
            else:
                reply, data = {"ok": False, "error": "ValueError", "message": f"unknown op {op!r}"}, b""
        except Exception as exc:  # noqa: BLE001 - one failed request never stops the server
            reply, data = {"ok": False, "error": "RuntimeError", "message": f"{type(exc).__name__}: {exc}"}, b""
        reply["id"] = rid
        _reply(self.out, reply, data)

    def _file(self, header: dict[str, Any], body: bytes) -> tuple[dict[str, Any], bytes]:
        op = {"op": header["op"], "path": self._path(header["path"]), "limit": header.get("limit", 0)}
        cwd = self.cfg["workspace"]
        try:
            proc, status_fd = self._spawn({}, op, None, cwd)
        except OSError as exc:
            return {"ok": False, "error": "RuntimeError", "message": f"cannot start: {exc}"}, b""
        out, err = proc.communicate(body if header["op"] == "write" else b"", timeout=120)
        status = _drain(status_fd)
        if status:
            return {"ok": False, **json.loads(status)}, b""
        try:
            import io

            reply, data = read_frame(io.BytesIO(out))
        except (EOFError, ValueError):
            return {"ok": False, "error": "RuntimeError",
                    "message": f"file operation failed: {err.decode('utf-8', 'replace')[-300:]}"}, b""
        return reply, data

    def _exec(self, header: dict[str, Any], stdin: bytes) -> tuple[dict[str, Any], bytes]:
        argv = [str(a) for a in header["argv"]]
        cwd = self._cwd(header.get("cwd"))
        if not os.path.isdir(cwd):
            return {"ok": False, "error": "FileNotFoundError", "message": f"no such directory: {cwd}"}, b""
        limit = int(header.get("output_limit", 10 << 20))
        proc, status_fd = self._spawn(header.get("env") or {}, None, argv, cwd)
        bufs: dict[str, bytearray] = {"out": bytearray(), "err": bytearray()}
        overflow = threading.Event()

        def pump(stream: Any, key: str) -> None:
            try:
                while True:
                    chunk = stream.read1(65536) if hasattr(stream, "read1") else stream.read(65536)
                    if not chunk:
                        return
                    buf = bufs[key]
                    room = limit - len(bufs["out"]) - len(bufs["err"])
                    buf += chunk[:max(0, room)]
                    if len(chunk) > room:
                        overflow.set()
                        _kill_group(proc.pid)
                        return
            except (OSError, ValueError):
                return

        def feed() -> None:
            try:
                if stdin:
                    proc.stdin.write(stdin)  # type: ignore[union-attr]
            except (BrokenPipeError, OSError):
                pass
            finally:
                try:
                    proc.stdin.close()  # type: ignore[union-attr]
                except OSError:
                    pass

        threads = [threading.Thread(target=pump, args=(proc.stdout, "out"), daemon=True),
                   threading.Thread(target=pump, args=(proc.stderr, "err"), daemon=True),
                   threading.Thread(target=feed, daemon=True)]
        for t in threads:
            t.start()
        timeout = header.get("timeout")
        timed_out = False
        try:
            proc.wait(timeout=float(timeout) if timeout else None)
        except subprocess.TimeoutExpired:
            timed_out = True
            _kill_group(proc.pid)
            proc.wait()
        for t in threads[:2]:
            t.join(GRACE_AFTER_EXIT_S)
        for stream in (proc.stdout, proc.stderr):
            try:
                stream.close()  # type: ignore[union-attr]
            except OSError:
                pass
        status = _drain(status_fd)
        if status:
            return {"ok": False, **json.loads(status)}, b""
        out, err = bytes(bufs["out"]), bytes(bufs["err"])
        code = proc.returncode if proc.returncode >= 0 else 128 - proc.returncode  # as a shell reports it
        return ({"ok": True, "returncode": code, "timed_out": timed_out, "overflow": overflow.is_set(),
                 "stdout_len": len(out)}, out + err)


def _drain(fd: int) -> bytes:
    try:
        chunks = []
        while True:
            chunk = os.read(fd, 65536)
            if not chunk:
                break
            chunks.append(chunk)
        return b"".join(chunks)
    finally:
        os.close(fd)


def _kill_group(pid: int) -> None:
    try:
        os.killpg(pid, signal.SIGKILL)
    except OSError:
        pass


def _kill_everything(cfg: dict[str, Any], groups: set[int]) -> None:
    """At the end of the sample: every process of the domain. In a pid namespace that is everything but us;
    outside one (the weaker level, opted into), the groups we started and every process of the agent's uid."""
    if cfg.get("pidns"):
        try:
            os.kill(-1, signal.SIGKILL)
        except OSError:
            pass
        return
    for pgid in groups:
        _kill_group(pgid)
    uid = cfg.get("uid")
    if uid is None or uid == os.geteuid():
        return
    for _ in range(3):
        for name in os.listdir("/proc"):
            if name.isdigit():
                try:
                    if os.stat(f"/proc/{name}").st_uid == uid:
                        os.kill(int(name), signal.SIGKILL)
                except OSError:
                    continue


def main() -> None:
    cfg = json.loads(os.environ.pop("FPBOX_EXEC_CONFIG"))
    os.umask(0o022)
    seccomp.prepare()
    features = seccomp.probe() if cfg.get("seccomp", True) else []
    cfg["seccomp"] = bool(features)
    work = cfg["workspace"]
    os.makedirs(work, exist_ok=True)
    for path in (work, *cfg.get("owned_dirs", [])):
        os.makedirs(path, exist_ok=True)
        if cfg.get("uid") is not None and os.geteuid() == 0:
            os.chown(path, cfg["uid"], cfg["uid"])
    home = cfg["env"].get("HOME")
    if home and cfg.get("profile"):  # login shells (Inspect's bash tool) reset PATH: give it back to them
        with open(os.path.join(home, ".profile"), "w") as f:
            f.write(cfg["profile"])
        if cfg.get("uid") is not None and os.geteuid() == 0:
            os.chown(os.path.join(home, ".profile"), cfg["uid"], cfg["uid"])
    stdin, stdout = sys.stdin.buffer, os.fdopen(os.dup(1), "wb")
    devnull = os.open(os.devnull, os.O_RDWR)
    os.dup2(devnull, 1)  # nothing else may write on the protocol stream
    server = Server(cfg, stdout)
    _reply(stdout, {"id": None, "ready": True, "features": features, "uid": cfg.get("uid"), "pid": os.getpid()})
    try:
        while True:
            try:
                header, body = read_frame(stdin)
            except EOFError:
                break
            threading.Thread(target=server.handle, args=(header, body), daemon=True).start()
    finally:
        _kill_everything(cfg, server.groups)
        time.sleep(0.05)
        os._exit(0)


if __name__ == "__main__":
    main()
