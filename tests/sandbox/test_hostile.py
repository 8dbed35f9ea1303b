"""Hostile submissions against the sandbox: none of them may succeed, and the grader must survive.

Every test runs a deliberately malicious program through :meth:`Sandbox.run_python` and checks three
things: the attack failed (or was stopped by a limit), the host was not harmed (no stray processes,
no files written, the test process itself still alive), and the same ``Sandbox`` still runs the next
job. Tests run at the ``bwrap`` level (skipped, with the reason, where bubblewrap cannot create
namespaces) and, where the attack means something there, at the ``rlimit`` level.

The sandboxes here use their own ``uid_base`` instead of the default 61000, so that the host-side
process scans cannot see (and the fork bombs cannot starve) the sandboxes of any other foulplay run
on the same machine.

Tests marked ``xfail(strict=True)`` document sandbox bugs: they assert the safe behaviour, which the
sandbox does not provide yet.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import shutil
import signal
import socket
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from foulplay.errors import SandboxUnavailable
from foulplay.sandbox import Isolation, JobResult, Limits, Sandbox, bwrap_works
from foulplay.sandbox import _isolation as sandbox_isolation

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the sandbox needs Linux")

BWRAP_OK, BWRAP_WHY = bwrap_works()
needs_bwrap = pytest.mark.skipif(not BWRAP_OK, reason=f"bubblewrap isolation unavailable: {BWRAP_WHY}")
IS_ROOT = os.geteuid() == 0
REPO = Path(__file__).resolve().parents[2]

# Away from the default 61000 (used by every other Sandbox on this machine) and per test process.
UID_BASE = 62000 + (os.getpid() % 300) * 10
BWRAP_UID_BASE = UID_BASE  # the module's bwrap box: UID_BASE + 0
RLIMIT_UID_BASE = UID_BASE + 2  # the module's rlimit box
SCRATCH_UID_BASE = UID_BASE + 4  # sandboxes a single test creates and closes

FAST = Limits(wall_s=5, cpu_s=5, memory_mb=512, file_size_mb=8, nproc=32, tmpfs_mb=64)
LEVELS = [pytest.param("bwrap", marks=needs_bwrap, id="bwrap"), pytest.param("rlimit", id="rlimit")]

PR_SET_NAME = 15
SET_NAME = f"import ctypes\nctypes.CDLL(None).prctl({PR_SET_NAME}, NAME.encode(), 0, 0, 0)\n"


# ---------------------------------------------------------------------------------------------
# host-side helpers


def _proc_status(pid: str) -> dict[str, str]:
    try:
        text = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return {}
    return dict(line.split(":", 1) for line in text.splitlines() if ":" in line)


def _live_processes() -> Iterator[tuple[int, dict[str, str]]]:
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        status = _proc_status(name)
        if not status or status.get("State", "").strip().startswith(("Z", "X")):
            continue  # gone, or a zombie: dead already
        yield int(name), status


def processes_of_uids(uids: range) -> list[tuple[int, int, str]]:
    """Live host processes whose real uid is in ``uids``: (pid, uid, name)."""
    found = []
    for pid, status in _live_processes():
        try:
            uid = int(status["Uid"].split()[0])
        except (KeyError, ValueError, IndexError):
            continue
        if uid in uids:
            found.append((pid, uid, status.get("Name", "").strip()))
    return found


def processes_named(name: str) -> list[int]:
    """Live host processes whose comm is ``name`` (set by a submission with PR_SET_NAME)."""
    return [pid for pid, status in _live_processes() if status.get("Name", "").strip() == name]


def wait_until(predicate: Callable[[], bool], timeout: float = 3.0) -> bool:
    deadline = time.monotonic() + timeout
    while True:
        if predicate():
            return True
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)


def box_uids(box: Sandbox) -> range:
    return range(box.uid_base, box.uid_base + box.workers)


def token(prefix: str = "fp") -> str:
    return prefix + secrets.token_hex(4)


def run(box: Sandbox, code: str, **kwargs: object) -> JobResult:
    """Run a job and check what every result must say, whatever the program did."""
    result = box.run_python(code, **kwargs)  # type: ignore[arg-type]
    assert result.isolation is box.level, "result must report the level actually used"
    assert isinstance(result.isolation, Isolation)
    return result


def assert_healthy(box: Sandbox) -> None:
    """The grader survived and the same Sandbox still runs an ordinary job correctly."""
    os.kill(os.getpid(), 0)  # the grader (this process) is alive
    result = run(box, "import sys\nprint(6 * 7)\nprint(sys.stdin.read())", stdin="ping",
                 limits=FAST)
    assert result.error is None, result.error
    assert not result.timed_out and not result.worker_lost
    assert result.value["exit_code"] == 0, result.value
    assert result.value["stdout"] == "42\nping\n"


def assert_no_sandbox_processes(box: Sandbox) -> None:
    """With uid separation, no process of the sandbox's uids may survive a finished job."""
    if "uid-separation" not in box.features():
        return
    uids = box_uids(box)
    assert wait_until(lambda: not processes_of_uids(uids)), processes_of_uids(uids)


def assert_no_processes_named(name: str) -> None:
    assert wait_until(lambda: not processes_named(name)), f"{name} survived: {processes_named(name)}"


def kill_processes_named(name: str) -> None:
    """Clean up after a test that found an escaped process (pids found by their unique name)."""
    for pid in processes_named(name):
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGKILL)


def not_success(result: JobResult) -> bool:
    value = result.value
    return result.timed_out or value is None or value.get("exit_code") != 0


def make_box(level: str, uid_base: int, limits: Limits = FAST, **kwargs: object) -> Sandbox:
    box = Sandbox(isolation=level, require_isolation=level, uid_base=uid_base, limits=limits,
                  **kwargs)  # type: ignore[arg-type]
    box.warm_up()
    return box


# ---------------------------------------------------------------------------------------------
# fixtures


@pytest.fixture(scope="module")
def bwrap_box() -> Iterator[Sandbox]:
    if not BWRAP_OK:
        pytest.skip(f"bubblewrap isolation unavailable: {BWRAP_WHY}")
    with make_box("bwrap", BWRAP_UID_BASE) as box:
        yield box


@pytest.fixture(scope="module")
def rlimit_box() -> Iterator[Sandbox]:
    with make_box("rlimit", RLIMIT_UID_BASE) as box:
        yield box


@pytest.fixture(params=LEVELS)
def level(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture
def box(level: str, request: pytest.FixtureRequest) -> Sandbox:
    return request.getfixturevalue(f"{level}_box")


@pytest.fixture
def scratch_box(level: str) -> Iterator[Sandbox]:
    """A Sandbox of its own, for attacks that may break a worker."""
    with make_box(level, SCRATCH_UID_BASE) as box:
        yield box


def has_uid_separation(box: Sandbox) -> bool:
    return "uid-separation" in box.features()


def without_seccomp(monkeypatch: pytest.MonkeyPatch) -> None:
    """Workers started from now on in this test run submissions without the seccomp filter, to test
    the defences behind it (the filter refuses the system calls those defences clean up after)."""
    for name in ("bwrap_plan", "rlimit_plan", "none_plan"):
        make_plan = getattr(sandbox_isolation, name)

        def plan_without_seccomp(*args: object, _make_plan: Callable[..., object] = make_plan) -> object:
            plan = _make_plan(*args)
            plan.config["seccomp"] = False  # type: ignore[attr-defined]
            return plan

        monkeypatch.setattr(sandbox_isolation, name, plan_without_seccomp)


# ---------------------------------------------------------------------------------------------
# CPU and wall clock


def test_infinite_loop_times_out_and_next_job_works(box: Sandbox) -> None:
    started = time.monotonic()
    result = run(box, "while True:\n    pass\n", limits=FAST.with_(wall_s=1.5, cpu_s=30))
    elapsed = time.monotonic() - started
    assert result.timed_out
    assert not_success(result)
    assert not result.worker_lost, "the broker, not the host's grace timeout, must stop the job"
    assert elapsed < 30, elapsed  # generous: a loaded 2-core machine; worker_lost says who stopped it
    assert_no_sandbox_processes(box)
    assert_healthy(box)


def test_cpu_limit_kills_busy_loop_before_the_wall_clock(box: Sandbox) -> None:
    started = time.monotonic()
    result = run(box, "while True:\n    pass\n", limits=FAST.with_(wall_s=30, cpu_s=1))
    assert not result.timed_out  # the CPU limit, not the 8 s wall clock, ended it
    assert time.monotonic() - started < 60
    assert result.value["exit_code"] is None
    assert result.value["signal"] in (signal.SIGXCPU, signal.SIGKILL)
    assert_healthy(box)


SIGTERM_IGNORER = """
import os, signal, time
for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP, signal.SIGUSR1, signal.SIGXCPU):
    signal.signal(sig, signal.SIG_IGN)
print("ignoring", flush=True)
while True:
    time.sleep(100)
"""


def test_process_ignoring_sigterm_is_killed_at_timeout(box: Sandbox) -> None:
    started = time.monotonic()
    result = run(box, SIGTERM_IGNORER, limits=FAST.with_(wall_s=1.0))
    assert result.timed_out
    assert time.monotonic() - started < 30  # generous; worker_lost below says the broker stopped it
    assert not result.worker_lost
    assert result.runs and result.runs[0]["stdout_head"] == "ignoring\n"
    assert_no_sandbox_processes(box)
    assert_healthy(box)


def test_timed_out_run_reports_how_it_was_killed(box: Sandbox) -> None:
    for _attempt in range(8):  # the bug is a race: each try loses the report most of the time
        result = run(box, SIGTERM_IGNORER, limits=FAST.with_(wall_s=0.3))
        assert result.timed_out
        run_info = result.runs[0]
        assert run_info.get("killed_by_grader") is True, run_info
        assert run_info.get("signal") == signal.SIGKILL, run_info


# ---------------------------------------------------------------------------------------------
# memory


def test_memory_bomb_single_allocation_fails(box: Sandbox) -> None:
    code = "blob = bytearray(8 << 30)\nprint('ALLOCATED', len(blob))\n"
    result = run(box, code, limits=FAST.with_(memory_mb=256))
    assert not_success(result)
    assert "ALLOCATED" not in result.value["stdout"]
    assert "MemoryError" in result.value["stderr"]
    assert_healthy(box)


def test_memory_bomb_growing_list_fails(box: Sandbox) -> None:
    code = (
        "hoard = []\n"
        "for _ in range(256):\n"
        "    hoard.append(bytearray(64 << 20))\n"
        "print('HOARDED', len(hoard) * 64, 'MiB')\n"
    )
    result = run(box, code, limits=FAST.with_(memory_mb=256))
    assert not_success(result)
    assert "HOARDED" not in result.value["stdout"]
    assert "MemoryError" in result.value["stderr"]
    assert_healthy(box)


def test_memory_bomb_in_child_processes_fails(box: Sandbox) -> None:
    code = (
        "import os\n"
        "kids = []\n"
        "for _ in range(6):\n"
        "    pid = os.fork()\n"
        "    if pid == 0:\n"
        "        try:\n"
        "            blob = bytearray(4 << 30)\n"
        "            os._exit(0)\n"
        "        except MemoryError:\n"
        "            os._exit(3)\n"
        "    kids.append(pid)\n"
        "codes = [os.waitstatus_to_exitcode(os.waitpid(k, 0)[1]) for k in kids]\n"
        "print('CODES', codes)\n"
        "raise SystemExit(0 if any(c == 0 for c in codes) else 1)\n"
    )
    result = run(box, code, limits=FAST.with_(memory_mb=256))
    assert result.value["stdout"] == "CODES [3, 3, 3, 3, 3, 3]\n", result.value
    assert not_success(result)
    assert_healthy(box)


def test_memfd_memory_bomb_is_capped_by_the_worker_cgroup(box: Sandbox) -> None:
    # RLIMIT_AS does not count memfd/shared memory; the worker's cgroup (where the host allows
    # one) caps everything the worker's processes hold: memory_mb + the trusted processes' share.
    from foulplay.sandbox._pool import WORKER_OVERHEAD_MB

    run(box, "pass")
    if "cgroup-memory" not in box.features():
        pytest.skip("no cgroup on this host: memfd memory is bounded only by nofile x file_size_mb")
    code = (
        "import os\n"
        "fds = []\n"
        "for _ in range(60):\n"
        "    fd = os.memfd_create('hoard')\n"
        "    os.posix_fallocate(fd, 0, 16 << 20)\n"
        "    fds.append(fd)\n"
        "    print('HELD', 16 * len(fds), flush=True)\n"
    )
    result = run(box, code, limits=FAST.with_(file_size_mb=16))
    held = [int(line.split()[1]) for line in (result.value or {}).get("stdout", "").splitlines()
            if line.startswith("HELD")]
    assert max(held, default=0) <= box.limits.memory_mb + WORKER_OVERHEAD_MB
    assert not_success(result)
    assert_healthy(box)


SYSV_SHM = r"""
import ctypes, sys
libc = ctypes.CDLL(None, use_errno=True)
libc.shmget.argtypes = [ctypes.c_int, ctypes.c_size_t, ctypes.c_int]
libc.shmat.argtypes = [ctypes.c_int, ctypes.c_void_p, ctypes.c_int]
libc.shmat.restype = ctypes.c_void_p
libc.shmdt.argtypes = [ctypes.c_void_p]
KEY, SIZE, NOTE = 0x46500000, 64 << 20, b"NOTE-FROM-THE-LAST-JOB"
if sys.argv[1] == "leave":
    for i in range(4):  # 256 MiB, twice the job's memory limit
        sid = libc.shmget(KEY + i, SIZE, 0o1000 | 0o600)  # IPC_CREAT
        addr = libc.shmat(sid, None, 0)
        if sid < 0 or addr in (None, 2**64 - 1):
            raise SystemExit(f"shm refused: errno {ctypes.get_errno()}")
        ctypes.memset(addr, 0x41, SIZE)
        ctypes.memmove(addr, NOTE, len(NOTE))
        libc.shmdt(addr)
    print("LEFT")
else:
    segments = open("/proc/sysvipc/shm").read().splitlines()[1:]
    print("SEGMENTS", len(segments))
    sid = libc.shmget(KEY, 0, 0)
    if sid >= 0:
        addr = libc.shmat(sid, None, 0o10000)  # SHM_RDONLY
        print("FOUND", ctypes.string_at(addr, len(NOTE)).decode())
"""


@needs_bwrap
def test_sysv_shared_memory_does_not_outlive_the_job(monkeypatch: pytest.MonkeyPatch) -> None:
    without_seccomp(monkeypatch)  # the filter refuses shmget (test_seccomp); this is the sweep behind it
    with make_box("bwrap", SCRATCH_UID_BASE) as box:
        left = run(box, SYSV_SHM, argv=["leave"], limits=FAST.with_(memory_mb=128))
        assert left.value["exit_code"] == 0 and left.value["stdout"] == "LEFT\n", left.value
        found = run(box, SYSV_SHM, argv=["find"], limits=FAST.with_(memory_mb=128))
        assert "FOUND" not in found.value["stdout"], "a job read a note left by the previous job"
        assert found.value["stdout"] == "SEGMENTS 0\n", "256 MiB still allocated after the job"


# ---------------------------------------------------------------------------------------------
# processes


FORK_BOMB = SET_NAME + """
import os, time
while True:
    try:
        os.fork()
    except OSError:
        time.sleep(0.01)
"""


def test_fork_bomb_is_contained_and_cleaned_up(box: Sandbox) -> None:
    if not has_uid_separation(box):
        pytest.skip("without uid separation RLIMIT_NPROC does not protect the host (the submission runs "
                    "as root, or shares the grader's uid): a real fork bomb would endanger this machine")
    name = token()
    started = time.monotonic()
    result = run(box, f"NAME = {name!r}\n" + FORK_BOMB, limits=FAST.with_(wall_s=2, cpu_s=5, nproc=32))
    assert result.timed_out
    assert not result.worker_lost
    assert time.monotonic() - started < 30
    assert_no_processes_named(name)
    assert_no_sandbox_processes(box)
    assert_healthy(box)


def test_fork_bomb_is_capped_by_nproc(box: Sandbox) -> None:
    if not has_uid_separation(box):
        pytest.skip("RLIMIT_NPROC needs uid separation (the submission runs as root or as the grader's uid)")
    code = (
        "import os, time\n"
        "kids = 0\n"
        "while kids < 500:\n"
        "    try:\n"
        "        pid = os.fork()\n"
        "    except OSError:\n"
        "        break\n"
        "    if pid == 0:\n"
        "        time.sleep(30)\n"
        "        os._exit(0)\n"
        "    kids += 1\n"
        "print('KIDS', kids)\n"
    )
    result = run(box, code, limits=FAST.with_(nproc=16))
    assert result.value["exit_code"] == 0
    kids = int(result.value["stdout"].split()[1])
    assert kids < 16, kids
    assert result.value["leftover_processes"] >= kids
    assert_no_sandbox_processes(box)
    assert_healthy(box)


DAEMONS = SET_NAME + """
import os, signal, time
for _ in range(5):
    if os.fork() == 0:
        os.setsid()
        if os.fork() == 0:
            for sig in range(1, 32):
                try:
                    signal.signal(sig, signal.SIG_IGN)
                except (OSError, ValueError):
                    pass
            time.sleep(60)
        os._exit(0)
time.sleep(PAUSE)
print("daemons started")
"""


def test_double_fork_daemons_are_killed_after_the_job(box: Sandbox) -> None:
    name = token()
    result = run(box, f"NAME, PAUSE = {name!r}, 0.3\n" + DAEMONS, limits=FAST.with_(wall_s=4))
    try:
        assert result.value["exit_code"] == 0
        assert result.value["stdout"] == "daemons started\n"
        assert result.value["leftover_processes"] >= 5, result.value
        assert_no_processes_named(name)
        assert_no_sandbox_processes(box)
        assert_healthy(box)
    finally:
        kill_processes_named(name)


@needs_bwrap
def test_daemons_leave_no_process_of_the_sandbox_uid_on_the_host(bwrap_box: Sandbox) -> None:
    if not IS_ROOT:
        pytest.skip("uid separation needs root; without it a host scan by uid means nothing")
    assert has_uid_separation(bwrap_box)
    uids, name = box_uids(bwrap_box), token()
    during: list[tuple[int, int, str]] = []
    outcome: dict[str, JobResult] = {}

    def job() -> None:
        outcome["r"] = run(bwrap_box, f"NAME, PAUSE = {name!r}, 1.5\n" + DAEMONS,
                           limits=FAST.with_(wall_s=4))

    thread = threading.Thread(target=job)
    thread.start()
    try:
        # while the job runs, the scan sees its daemons under the sandbox uid (the scan works) ...
        assert wait_until(lambda: len(processes_named(name)) >= 6)
        during = processes_of_uids(uids)
    finally:
        thread.join()
    assert {uid for _pid, uid, _name in during} == {bwrap_box.uid_base}
    assert len(during) >= 6
    assert outcome["r"].value["exit_code"] == 0
    # ... and afterwards not one process of uid uid_base + worker index is left on the host
    assert processes_of_uids(uids) == []
    assert processes_named(name) == []
    assert_healthy(bwrap_box)


# ---------------------------------------------------------------------------------------------
# disk


def test_huge_file_is_stopped_by_the_file_size_limit(box: Sandbox) -> None:
    code = (
        "import os\n"
        "chunk = b'x' * (1 << 20)\n"
        "written = 0\n"
        "try:\n"
        "    with open('huge.bin', 'wb', buffering=0) as fh:\n"
        "        for _ in range(256):\n"
        "            written += fh.write(chunk)\n"
        "finally:\n"
        "    print('WRITTEN', written, flush=True)\n"
    )
    result = run(box, code, limits=FAST.with_(file_size_mb=4))
    assert not_success(result)
    written = int(result.value["stdout"].split()[1])
    assert written <= 4 << 20
    assert "File too large" in result.value["stderr"] or result.value["signal"] == signal.SIGXFSZ
    assert result.value["workdir_removed"]
    assert_healthy(box)


@needs_bwrap
def test_many_files_are_stopped_by_the_tmpfs_size() -> None:
    host_tmp = tempfile.gettempdir()
    free_before = shutil.disk_usage(host_tmp).free
    code = (
        "import os\n"
        "chunk = b'y' * (1 << 20)\n"
        "files = 0\n"
        "try:\n"
        "    for i in range(400):\n"
        "        with open(f'f{i}.bin', 'wb') as fh:\n"
        "            for _ in range(4):\n"
        "                fh.write(chunk)\n"
        "        files += 1\n"
        "finally:\n"
        "    print('FILES', files, flush=True)\n"
    )
    with make_box("bwrap", SCRATCH_UID_BASE, limits=FAST.with_(tmpfs_mb=24, file_size_mb=8)) as box:
        result = run(box, code)
        assert not_success(result)
        files = int(result.value["stdout"].split()[1])
        assert files * 4 <= 24, files
        assert "No space left on device" in result.value["stderr"]
        # 1.6 GB was attempted; the host's /tmp did not take it (allow for other activity)
        assert free_before - shutil.disk_usage(host_tmp).free < 400 << 20
        # the space came back: the next job can fill most of the tmpfs again
        again = run(box, code.replace("range(400)", "range(4)"))
        assert again.value["exit_code"] == 0, again.value
        assert again.value["stdout"] == "FILES 4\n"
        assert_healthy(box)


# ---------------------------------------------------------------------------------------------
# network


NET_PROBE = r"""
import json, socket, sys
targets = json.loads(sys.argv[1])
outcome = {}
for label, family, address in targets:
    if family == "unix":
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        address = address.encode("latin-1")
    else:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        address = tuple(address)
    sock.settimeout(1.0)
    try:
        sock.connect(address)
        sock.sendall(b"hello from the sandbox")
        outcome[label] = "CONNECTED"
    except OSError as exc:
        outcome[label] = type(exc).__name__
    finally:
        sock.close()
try:
    udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    udp.sendto(b"x", ("8.8.8.8", 53))
    outcome["udp-dns"] = "SENT"
except OSError as exc:
    outcome["udp-dns"] = type(exc).__name__
print(json.dumps(outcome))
"""


def _requires_netns(box: Sandbox) -> None:
    if "netns" not in box.features():
        pytest.skip("no network namespace at this level here (the result says 'network-open')")


def test_no_connection_to_external_addresses(box: Sandbox) -> None:
    _requires_netns(box)
    targets = [["dns-tcp", "inet", ["1.1.1.1", 53]], ["https", "inet", ["8.8.8.8", 443]],
               ["http", "inet", ["93.184.216.34", 80]]]
    result = run(box, NET_PROBE, argv=[json.dumps(targets)], limits=FAST.with_(wall_s=5))
    assert result.value["exit_code"] == 0, result.value
    outcome = json.loads(result.value["stdout"])
    assert "CONNECTED" not in outcome.values() and "SENT" not in outcome.values(), outcome
    assert_healthy(box)


def test_no_connection_to_a_host_port_or_abstract_socket(box: Sandbox) -> None:
    _requires_netns(box)
    abstract = "\0" + token("fp-hostile-")
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as tcp, \
            socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as unix:
        tcp.bind(("127.0.0.1", 0))
        tcp.listen(8)
        tcp.settimeout(0.2)
        unix.bind(abstract.encode("latin-1"))
        unix.listen(8)
        unix.settimeout(0.2)
        port = tcp.getsockname()[1]
        targets = [["host-port", "inet", ["127.0.0.1", port]], ["abstract", "unix", abstract]]
        result = run(box, NET_PROBE, argv=[json.dumps(targets)], limits=FAST.with_(wall_s=5))
        for listener in (tcp, unix):
            with pytest.raises(TimeoutError):
                listener.accept()[0].close()
    assert result.value["exit_code"] == 0, result.value
    outcome = json.loads(result.value["stdout"])
    assert outcome["host-port"] != "CONNECTED" and outcome["abstract"] != "CONNECTED", outcome
    assert_healthy(box)


# ---------------------------------------------------------------------------------------------
# file system


WRITE_PROBE = r"""
import json, os, sys
wrote = []
for path in json.loads(sys.argv[1]):
    for attempt in ("file", "dir"):
        target = path if attempt == "file" else path + ".d"
        try:
            if attempt == "file":
                with open(target, "w") as fh:
                    fh.write("pwned")
            else:
                os.mkdir(target)
            wrote.append(target)
        except OSError:
            pass
print(json.dumps(wrote))
"""


@needs_bwrap
def test_writes_outside_the_work_dir_fail(bwrap_box: Sandbox) -> None:
    name = token("fp-pwned-")
    host_open = tempfile.mkdtemp(prefix="fp-hostile-open-")
    os.chmod(host_open, 0o777)  # world-writable on the host: only the mount namespace protects it
    paths = [f"/tmp/{name}", f"/tmp/fpw/{name}", f"/tmp/fpt/{name}", f"../{name}", f"../../{name}",
             f"/{name}", f"/work/{name}", f"/usr/{name}", f"/usr/lib/{name}", f"/root/{name}",
             f"{REPO}/{name}", f"{REPO}/src/{name}", f"{sys.prefix}/{name}", f"/opt/foulplay/box/{name}",
             f"/dev/shm/{name}", f"/dev/{name}", f"/proc/{name}", f"{host_open}/{name}",
             f"{Path.home()}/{name}"]
    host_paths = {p for p in paths if p.startswith("/")} | {f"{tempfile.gettempdir()}/{name}"}
    try:
        result = run(bwrap_box, WRITE_PROBE, argv=[json.dumps(paths)])
        assert result.value["exit_code"] == 0, result.value
        assert json.loads(result.value["stdout"]) == [], "the submission wrote outside its work dir"
        appeared = [p for p in sorted(host_paths) for q in (p, p + ".d") if os.path.lexists(q)]
        assert appeared == []
        assert os.listdir(host_open) == []
        assert_healthy(bwrap_box)
    finally:
        for p in host_paths:
            for q in (p, p + ".d"):
                if os.path.isdir(q):
                    shutil.rmtree(q, ignore_errors=True)
                elif os.path.lexists(q):
                    os.unlink(q)
        shutil.rmtree(host_open, ignore_errors=True)


READ_PROBE = r"""
import json, os, sys
paths, dirs = json.loads(sys.argv[1]), json.loads(sys.argv[2])
seen = {}
for path in paths:
    try:
        with open(path, "rb") as fh:
            seen[path] = fh.read(4096).decode("latin-1")
    except OSError as exc:
        seen[path] = "ERR " + type(exc).__name__
listed = {}
for d in dirs:
    try:
        listed[d] = os.listdir(d)
    except OSError as exc:
        listed[d] = "ERR " + type(exc).__name__
print(json.dumps({"read": seen, "listed": listed}))
"""


@pytest.fixture
def host_secrets() -> Iterator[tuple[str, list[str]]]:
    """World-readable secret files in fresh directories under /root, /work, $HOME and the host /tmp."""
    secret = token("SECRET-")
    made: list[str] = []
    files: list[str] = []
    for parent in ("/root", "/work", str(Path.home()), tempfile.gettempdir()):
        try:
            d = tempfile.mkdtemp(prefix="fp-hostile-", dir=parent)
        except OSError:
            continue
        made.append(d)
        os.chmod(d, 0o755)
        f = os.path.join(d, "secret.txt")
        Path(f).write_text(secret)
        os.chmod(f, 0o644)
        files.append(f)
    try:
        yield secret, files
    finally:
        for d in made:
            shutil.rmtree(d, ignore_errors=True)


@needs_bwrap
def test_host_files_cannot_be_read(bwrap_box: Sandbox, host_secrets: tuple[str, list[str]]) -> None:
    secret, files = host_secrets
    assert files, "could not plant a secret anywhere"
    paths = [*files, "/root/.bashrc", "/root/.profile", "/etc/shadow", "/etc/passwd",
             "/proc/1/environ", "/proc/2/environ", "/proc/2/cmdline", f"{REPO}/pyproject.toml"]
    dirs = sorted({os.path.dirname(f) for f in files} | {"/root", "/work", str(REPO)})
    result = run(bwrap_box, READ_PROBE, argv=[json.dumps(paths), json.dumps(dirs)])
    assert result.value["exit_code"] == 0, result.value
    assert secret not in result.value["stdout"]
    report = json.loads(result.value["stdout"])
    leaked = {p: v for p, v in report["read"].items() if not v.startswith("ERR ") and p != "/proc/2/cmdline"}
    assert leaked == {}, f"the submission read host files: {sorted(leaked)}"
    for d, entries in report["listed"].items():
        assert entries == "ERR FileNotFoundError" or not any(e.startswith("fp-hostile-") for e in entries), d
    assert_healthy(bwrap_box)


def test_host_environment_does_not_reach_the_submission(level: str,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    secret = token("ENV-SECRET-")
    monkeypatch.setenv("FOULPLAY_HOSTILE_SECRET", secret)
    code = "import os\nprint(sorted(os.environ.items()))\n"
    if level == "bwrap":  # every process it can see, too
        code += (
            "for p in os.listdir('/proc'):\n"
            "    if p.isdigit():\n"
            "        try:\n"
            "            print(open(f'/proc/{p}/environ', 'rb').read())\n"
            "        except OSError:\n"
            "            pass\n"
        )
    with make_box(level, SCRATCH_UID_BASE) as box:
        result = run(box, code)
    assert result.value["exit_code"] == 0, result.value
    assert "FOULPLAY_HOSTILE_SECRET" not in result.value["stdout"]
    assert secret not in result.value["stdout"]


# ---------------------------------------------------------------------------------------------
# killing what is around the submission


KILLER = r"""
import json, os, signal, sys, time
grader = int(sys.argv[1])
parent = os.getppid()
targets = {"parent": parent, "init": 1, "broker": 2, "grader": grader}
outcome = {}
for label, pid in targets.items():
    try:
        os.kill(pid, signal.SIGKILL)
        outcome[label] = "KILLED"
    except OSError as exc:
        outcome[label] = type(exc).__name__
try:
    os.killpg(os.getpgid(parent), signal.SIGKILL)  # pgid 1 makes it kill(-1): "succeeds" on EPERM
except OSError:
    pass
time.sleep(0.1)
def alive(pid):
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0] not in ("Z", "X")
    except OSError:
        return False
outcome["alive"] = {label: alive(pid) for label, pid in targets.items() if label != "grader"}
print(json.dumps(outcome))
"""


@needs_bwrap
def test_killing_parent_init_broker_and_grader_fails(bwrap_box: Sandbox) -> None:
    if not has_uid_separation(bwrap_box):
        pytest.skip("without uid separation (not root) the submission shares the broker's uid in its "
                    "user namespace; test_killing_the_parent_leaves_the_grader_... covers that case")
    result = run(bwrap_box, KILLER, argv=[str(os.getpid())])
    assert result.error is None and not result.worker_lost
    assert result.value["exit_code"] == 0, result.value
    outcome = json.loads(result.value["stdout"])
    assert outcome.pop("alive") == {"parent": True, "init": True, "broker": True}
    assert "KILLED" not in outcome.values(), outcome
    assert_healthy(bwrap_box)


def test_kill_minus_one_hurts_only_the_submission(box: Sandbox) -> None:
    if not has_uid_separation(box):
        pytest.skip("without uid separation the submission is root: kill(-1) would kill this machine")
    code = (
        "import os, signal, time\n"
        "for _ in range(3):\n"
        "    if os.fork() == 0:\n"
        "        time.sleep(30)\n"
        "        os._exit(0)\n"
        "os.kill(-1, signal.SIGTERM)\n"
        "os.kill(-1, signal.SIGKILL)\n"
        "print('still here')\n"
    )
    result = run(box, code)
    assert result.error is None and not result.worker_lost
    assert result.value["stdout"] == "still here\n"
    assert_no_sandbox_processes(box)
    assert_healthy(box)


def test_killing_the_parent_from_a_shell_child(box: Sandbox) -> None:
    if not has_uid_separation(box):
        pytest.skip("without uid separation the submission is root: 'kill -9 -1' would kill this machine")
    # the inner sh's parent may be the outer sh (not this process): then os.system returns when the
    # outer sh dies, and only the 'kill -9 -1' reaches us, so wait for it instead of racing it to exit
    code = ("import os, time\nos.system(\"sh -c 'kill -9 $PPID; kill -9 -1'\")\ntime.sleep(10)\n"
            "print('after')\n")
    result = run(box, code)
    assert result.error is None and not result.worker_lost
    assert not_success(result)
    assert result.value["signal"] == signal.SIGKILL
    assert_no_sandbox_processes(box)
    assert_healthy(box)


def test_killing_the_parent_leaves_the_grader_and_the_sandbox_working(scratch_box: Sandbox) -> None:
    code = "import os, signal, time\nos.kill(os.getppid(), signal.SIGKILL)\ntime.sleep(1)\nprint('done')\n"
    result = run(scratch_box, code)
    if has_uid_separation(scratch_box):
        assert result.value["exit_code"] == 1 and "PermissionError" in result.value["stderr"]
    else:  # the submission could kill its zygote: the job fails, it does not pass
        assert result.value is None and result.error is not None
    assert not result.worker_lost
    assert_healthy(scratch_box)
    assert_healthy(scratch_box)


CAP_SYS_RESOURCE = 24


def has_capability(bit: int) -> bool:
    """Whether this process (and so a submission that keeps its capabilities) has capability ``bit``."""
    status = _proc_status("self")
    return bool(int(status.get("CapEff", "0").strip() or "0", 16) >> bit & 1)


def _xfail_without_uid_separation(request: pytest.FixtureRequest, box: Sandbox, reason: str) -> None:
    if not has_uid_separation(box):
        request.applymarker(pytest.mark.xfail(strict=True, reason=reason))


ROOT_CANDIDATE_BUG = (
    "BUG: at the rlimit level without uid separation (root, but sys.base_prefix not traversable by "
    "others, see _isolation.rlimit_plan) fpbox_broker.candidate_main sets only rlimits and "
    "no_new_privs and never drops capabilities, so the submission keeps full root: ")


def test_rlimit_submission_cannot_signal_the_grader(rlimit_box: Sandbox,
                                                    request: pytest.FixtureRequest) -> None:
    _xfail_without_uid_separation(request, rlimit_box, ROOT_CANDIDATE_BUG + (
        "it can signal (so kill) the grader process and any other process of the host"))
    code = (
        "import os, sys\n"
        "try:\n"
        "    os.kill(int(sys.argv[1]), 0)\n"  # signal 0: the permission check only, harmless
        "    print('COULD KILL THE GRADER')\n"
        "except PermissionError:\n"
        "    print('denied')\n"
    )
    result = run(rlimit_box, code, argv=[str(os.getpid())])
    assert result.value["stdout"] == "denied\n", result.value


def test_rlimit_submission_cannot_raise_its_own_limits(rlimit_box: Sandbox,
                                                       request: pytest.FixtureRequest) -> None:
    if IS_ROOT and has_capability(CAP_SYS_RESOURCE):  # some containers withhold it even from root
        _xfail_without_uid_separation(request, rlimit_box, ROOT_CANDIDATE_BUG + (
            "CAP_SYS_RESOURCE lets it raise RLIMIT_AS/CPU/FSIZE/NPROC to unlimited, so a memory, "
            "CPU, disk or fork bomb is limited by nothing"))
    code = (
        "import resource\n"
        "raised = []\n"
        "for name in ('RLIMIT_AS', 'RLIMIT_CPU', 'RLIMIT_FSIZE', 'RLIMIT_NPROC'):\n"
        "    res = getattr(resource, name)\n"
        "    try:\n"
        "        resource.setrlimit(res, (resource.RLIM_INFINITY, resource.RLIM_INFINITY))\n"
        "        raised.append(name)\n"
        "    except (ValueError, OSError):\n"
        "        pass\n"
        "print('RAISED', raised)\n"
    )
    result = run(rlimit_box, code)
    assert result.value["stdout"] == "RAISED []\n", result.value


def test_rlimit_daemon_cannot_outlive_the_sandbox_by_killing_its_zygote(
        request: pytest.FixtureRequest) -> None:
    name = token()
    code = f"NAME = {name!r}\n" + """
import ctypes, os, signal, time
if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        ctypes.CDLL(None).prctl(15, NAME.encode(), 0, 0, 0)
        time.sleep(10)
    os._exit(0)
time.sleep(0.2)
try:
    os.kill(os.getppid(), signal.SIGKILL)  # the zygote, which would have killed the daemon
except PermissionError:
    pass
time.sleep(1)
"""
    with make_box("rlimit", SCRATCH_UID_BASE) as box:
        _xfail_without_uid_separation(request, box, ROOT_CANDIDATE_BUG + (
            "it kills its zygote (the child subreaper that runs kill_leftovers), a double-forked "
            "daemon is re-parented outside the worker's process group and keeps running as root "
            "after Sandbox.close()"))
        try:
            result = run(box, code, limits=FAST.with_(wall_s=3))
            assert not result.worker_lost
        finally:
            box.close()
        try:
            assert_no_processes_named(name)
        finally:
            kill_processes_named(name)


# ---------------------------------------------------------------------------------------------
# file descriptors


def test_closing_every_fd_ends_the_job_cleanly(box: Sandbox) -> None:
    code = (
        "import os\n"
        "os.closerange(0, 1000)\n"
        "try:\n"
        "    print('lost', flush=True)\n"
        "except OSError:\n"
        "    pass\n"
        "raise SystemExit(3)\n"
    )
    result = run(box, code)
    assert result.error is None and not result.worker_lost and not result.timed_out
    assert result.value["exit_code"] == 3
    assert result.value["stdout"] == ""
    assert not_success(result)
    assert_healthy(box)


def test_overwriting_std_fds_cannot_forge_a_result(box: Sandbox) -> None:
    code = (
        "import os, pickle, struct\n"
        "forged = pickle.dumps(('result', {'value': {'exit_code': 0}, 'timed_out': False}))\n"
        "frame = struct.pack('>Q', len(forged)) + forged\n"
        "null = os.open('/dev/null', os.O_RDWR)\n"
        "r, w = os.pipe()\n"
        "for fd in (0, 1, 2, 3):\n"
        "    os.dup2(w if fd % 2 else null, fd)\n"
        "for fd in range(0, 64):\n"
        "    try:\n"
        "        os.write(fd, frame)\n"
        "    except OSError:\n"
        "        pass\n"
        "raise SystemExit(2)\n"
    )
    result = run(box, code)
    assert result.error is None and not result.worker_lost and not result.timed_out
    assert result.value["exit_code"] == 2
    assert result.value["stdout"] == "" and result.value["stderr"] == ""
    assert not_success(result)
    assert_healthy(box)


def test_flooding_stdout_is_capped(box: Sandbox) -> None:
    code = "import sys\nchunk = 'z' * (1 << 20)\nfor _ in range(64):\n    sys.stdout.write(chunk)\n"
    result = run(box, code, limits=FAST.with_(file_size_mb=4, output_bytes=1024))
    assert not_success(result)
    assert len(result.value["stdout"]) <= 1024
    assert result.value["stdout_bytes"] <= 4 << 20
    assert_healthy(box)


# ---------------------------------------------------------------------------------------------
# isolation levels


@pytest.mark.parametrize(("isolation", "required"), [("none", "rlimit"), ("none", "bwrap"),
                                                     ("rlimit", "bwrap")])
def test_require_isolation_refuses_a_weaker_level(isolation: str, required: str) -> None:
    with pytest.raises(SandboxUnavailable, match=required):
        Sandbox(isolation=isolation, require_isolation=required)


def test_require_bwrap_when_bwrap_is_unavailable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sandbox_isolation, "bwrap_works", lambda: (False, "simulated: no bwrap"))
    with pytest.raises(SandboxUnavailable, match="simulated: no bwrap"):
        Sandbox(require_isolation="bwrap")
    with pytest.raises(SandboxUnavailable, match="simulated: no bwrap"):
        Sandbox(isolation="bwrap")
    with Sandbox(require_isolation="rlimit") as box:  # the best left is rlimit, and it says so
        assert box.level is Isolation.RLIMIT


@pytest.mark.parametrize("level", [*LEVELS, pytest.param("none", id="none")])
def test_every_result_reports_the_level_used(level: str) -> None:
    with Sandbox(isolation=level, uid_base=SCRATCH_UID_BASE, limits=FAST) as box:
        results = [run(box, "print('ok')"), run(box, "raise SystemExit(4)"),
                   run(box, "while True: pass", limits=FAST.with_(wall_s=0.5))]
    assert [r.isolation for r in results] == [Isolation(level)] * 3
    assert results[0].value["stdout"] == "ok\n" and results[1].value["exit_code"] == 4
    assert results[2].timed_out
    if level == "bwrap":
        assert {"pidns", "netns", "mountns", "ro-root", "private-tmp"} <= set(results[0].features)
    if level == "none":
        assert set(results[0].features) <= {"seccomp"}  # no isolation; the filter where the kernel allows


# ---------------------------------------------------------------------------------------------
# sandboxes side by side


HOG = """
import os, time
held = 1
while held < 64:
    try:
        pid = os.fork()
    except OSError:
        break
    if pid == 0:
        time.sleep(3)
        os._exit(0)
    held += 1
print("HELD", held, flush=True)
time.sleep(3)
"""

VICTIM = """
import os, threading
try:
    pid = os.fork()
    if pid == 0:
        os._exit(0)
    os.waitpid(pid, 0)
    print("fork ok")
except OSError as exc:
    print("fork failed:", exc)
try:
    t = threading.Thread(target=print, args=("thread ok",))
    t.start()
    t.join()
except RuntimeError as exc:
    print("thread failed:", exc)
"""


@needs_bwrap
@pytest.mark.skipif(not IS_ROOT, reason="uid separation (and so RLIMIT_NPROC) needs root")
def test_a_submission_cannot_starve_a_submission_in_another_sandbox() -> None:
    shared_base = SCRATCH_UID_BASE + 2
    with make_box("bwrap", shared_base) as first, make_box("bwrap", shared_base) as second:
        hog: dict[str, JobResult] = {}
        thread = threading.Thread(target=lambda: hog.update(r=run(first, HOG, limits=FAST.with_(nproc=32))))
        thread.start()
        try:
            assert wait_until(lambda: len(processes_of_uids(range(shared_base, shared_base + 1))) >= 32)
            victim = run(second, VICTIM, limits=FAST.with_(nproc=32))
        finally:
            thread.join()
    assert hog["r"].value["stdout"] == "HELD 32\n"
    assert victim.value["stdout"] == "fork ok\nthread ok\n", victim.value
