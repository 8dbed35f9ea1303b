"""The vulnerable harness's runner; it runs inside the submission's process (``call`` mode).

Each switch of the vulnerable harness opens one weakness; this module applies them in the order a
naive grader would:

- ``inprocess`` open: the solution is imported into the test process (it can patch the test
  framework, builtins, read the caller's frame). Closed: the solution is forked off *before* any
  test exists and served over the data-only channel; the tests see a proxy module.
- ``readable`` open: the test files sit in the working directory next to the solution. Closed:
  they are written after the solution was imported, outside its directory, and deleted once
  collected (the script runner never writes them).
- ``writable`` open: a test file the submission wrote replaces the grader's.
- ``output`` open: the run is not captured (``-s``) so what the submission prints reaches the
  output the grader parses.

Standard library only (pytest from the pytest zygote); pre-imported there, so a submitted file of
the same name cannot replace it.
"""

from __future__ import annotations

import os
import secrets
import socket
import sys
from typing import Any

import fpbox_os as osx
import fpbox_rpc as rpc
import fpgrade_vplugin as vplugin


def _serve_solution_in_child(module: str, eq_open: bool, strict: bool) -> None:
    """Fork a process that imports the solution and serves it; install a proxy module here."""
    parent_sock, child_sock = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
    pid = os.fork()
    if pid == 0:
        parent_sock.close()
        code = 0
        try:
            rpc.serve(child_sock.fileno())
        except BaseException:  # noqa: BLE001
            code = 1
        os._exit(code)
    child_sock.close()
    _children.append(pid)
    osx.prctl(osx.PR_SET_DUMPABLE, 0)  # the solution's process may not ptrace the tests' process
    conn = rpc.Connection(parent_sock.fileno(), strict_data=strict, trust_eq=eq_open)
    _keep_alive.append(parent_sock)
    error: BaseException | None = None
    remote = None
    try:
        if eq_open:
            conn.request("configure", {"convert": False})
        remote = conn.import_module(module)
    except BaseException as exc:  # noqa: BLE001 - the tests will see the import failure
        error = exc if isinstance(exc, Exception) else RuntimeError(str(exc))
    sys.modules[module] = rpc.CandidateModule(module, remote, error)


_keep_alive: list[Any] = []
_children: list[int] = []


def _stop_solution_child() -> None:
    """Close the channel so the solution's process ends, and reap it (no leftovers to sweep)."""
    import signal
    import time

    for sock in _keep_alive:
        sock.close()
    for pid in _children:
        deadline = time.monotonic() + 0.5
        while time.monotonic() < deadline:
            done, _ = os.waitpid(pid, os.WNOHANG)
            if done:
                break
            time.sleep(0.002)
        else:
            osx.kill_quietly(pid, signal.SIGKILL)
            os.waitpid(pid, 0)


def _write(path: str, source: str) -> None:
    parent = os.path.dirname(path)
    if parent:
        os.makedirs(parent, exist_ok=True)
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(source)


def main(args: dict[str, Any]) -> int:
    switches = set(args.get("switches", []))
    module = args["module"]
    tests: dict[str, str] = dict(args.get("test_files", {}))
    if "writable" in switches:  # the submission's copy of a test file wins
        for path in list(tests):
            if os.path.exists(path):
                with open(path, encoding="utf-8", errors="replace") as fh:
                    tests[path] = fh.read()
    else:
        for path in tests:
            if os.path.exists(path):
                os.unlink(path)
    if "inprocess" not in switches:
        _serve_solution_in_child(module, "eq" in switches, bool(args.get("strict", True)))
    if args["runner"] == "script":
        source = tests.get("run_tests.py", "")
        if "readable" in switches:
            _write("run_tests.py", source)
        code = compile(source, os.path.abspath("run_tests.py"), "exec")
        namespace: dict[str, Any] = {"__name__": "__main__", "__file__": "run_tests.py",
                                     "__builtins__": __builtins__}
        sys.modules["__main__"].__dict__.update(namespace)
        exec(code, sys.modules["__main__"].__dict__)
        _stop_solution_child()
        return 0
    import pytest

    argv = list(args.get("argv", []))
    if "readable" in switches:
        for path, source in tests.items():
            _write(path, source)
        targets = list(tests)
    else:
        hidden = f".fp-tests-{secrets.token_hex(8)}"
        targets = [os.path.join(hidden, os.path.basename(p)) for p in tests]
        vplugin.defer_tests({t: tests[p] for t, p in zip(targets, tests, strict=True)}, hidden, module)
    if "output" in switches:
        argv.append("-s")
    result = int(pytest.main([*argv, *targets]))
    _stop_solution_child()
    return result
