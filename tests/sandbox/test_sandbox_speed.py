"""The per-item speed-ups of the sandbox (issue 21) keep every guarantee they touch.

* a server's *opening* (configure and import without a request) answers exactly as requests would;
* the zygote's *spare* (the next submission process, forked ahead and parked) is the zygote's clean copy
  until it is handed a job: a submission (another uid) can neither signal it nor see anything of it, each job
  still gets a fresh process in a session of its own, and the sweep after a run never touches the spare;
* the sweep by uid reads only owners (``proc_owners``), which agree with the full process table.
"""

from __future__ import annotations

import os
import signal
from pathlib import Path

import pytest

from foulplay.sandbox import Limits, Sandbox
from foulplay.sandbox._inside import fpbox_os as osx  # type: ignore[attr-defined]

DRIVERS = Path(__file__).parent / "drivers"
FAST = Limits(wall_s=10.0)


@pytest.fixture(scope="module")
def box():
    with Sandbox(driver_dirs=[DRIVERS]) as sandbox:
        yield sandbox


def uid_separated(box: Sandbox) -> bool:
    return "uid-separation" in box.features()


def test_an_opening_saves_the_configure_and_import_round_trips(box):
    result = box.run(("fptest_perf", "opening"), {"code": "def add(a, b):\n    return a + b\n"})
    value = result.value
    assert result.error is None and value.get("error") is None, (result.error, value)
    assert value["answer"] == 5
    assert value["requests_before_call"] == 1  # the unasked import answer was read; nothing was sent
    assert value["events"] == []


def test_an_opening_import_that_fails_reports_like_a_requested_one(box):
    result = box.run(("fptest_perf", "opening"), {"code": "raise ValueError('no import for you')\n"})
    value = result.value
    assert result.error is None, result.error
    assert "no import for you" in value["error"] or "ValueError" in value["error"], value


def test_each_job_gets_a_fresh_process_in_its_own_session(box):
    code = "import os\nprint(os.getpid(), os.getsid(0), os.getpgid(0), os.getuid())\n"
    seen = []
    for _ in range(4):
        result = box.run_python(code, limits=FAST)
        assert result.value["exit_code"] == 0, result.value
        pid, sid, pgid, uid = map(int, result.value["stdout"].split())
        assert sid == pid and pgid == pid  # setsid ran before the submission, as it always did
        if uid_separated(box):
            assert uid != 0
        seen.append(pid)
    assert len(set(seen)) == len(seen)


def test_a_submission_cannot_signal_the_parked_spare(box):
    if not uid_separated(box):
        pytest.skip("spares are used only with uid separation")
    # stop (or kill) every other process it can see; the spare that will run the next job is among them
    code = (
        "import os, signal\n"
        "hit, denied = [], 0\n"
        "for name in os.listdir('/proc'):\n"
        "    if name.isdigit() and int(name) != os.getpid():\n"
        "        try:\n"
        "            os.kill(int(name), signal.SIGSTOP)\n"
        "            hit.append(name)\n"
        "        except PermissionError:\n"
        "            denied += 1\n"
        "        except ProcessLookupError:\n"
        "            pass\n"
        "print('HIT', hit, 'DENIED', denied)\n"
    )
    result = box.run_python(code, limits=FAST)
    out = result.value["stdout"]
    assert "HIT []" in out, out
    assert int(out.split("DENIED")[1]) >= 2  # at least the zygote and its spare were there, and out of reach
    for _ in range(3):  # the next jobs run on spares: none was stopped
        again = box.run_python("print(6 * 7)\n", limits=FAST)
        assert not again.timed_out and again.value["stdout"] == "42\n", again


def test_the_spare_holds_nothing_of_the_job_before_it(box):
    """A job marks its process (a preloaded module, the environment, the working directory); the next job's
    process, the spare forked while the first ran, finds none of it."""
    first = box.run_python("import json, os\njson.FP_MARK = 'job one'\nos.environ['FP_MARK'] = '1'\n"
                           "open('fp_mark.txt', 'w').write('x')\nprint('marked')\n", limits=FAST)
    assert first.value["stdout"] == "marked\n", first.value
    probe = ("import json, os\n"
             "print(getattr(json, 'FP_MARK', None), os.environ.get('FP_MARK'), os.path.exists('fp_mark.txt'))\n")
    second = box.run_python(probe, limits=FAST)
    assert second.value["stdout"] == "None None False\n", second.value


def test_proc_owners_agrees_with_the_process_table():
    table = osx.proc_table()
    owners = osx.proc_owners()
    mine = os.getpid()
    assert owners[mine] == table[mine][1] == os.getuid()
    common = set(table) & set(owners)
    assert len(common) >= len(table) - 5  # processes may come and go between the two reads
    assert all(owners[p] == table[p][1] for p in common if p in (mine, os.getppid()))


def test_the_sweep_by_uid_spares_processes_of_other_uids():
    """kill_leftovers with a uid kills that uid's processes only (the parked spare keeps the zygote's)."""
    pid = os.fork()
    if pid == 0:
        signal.pause()
        os._exit(0)
    try:
        assert osx.kill_leftovers(me=os.getpid(), uid=59999, rounds=2) == 0
        assert os.waitpid(pid, os.WNOHANG) == (0, 0)
    finally:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)


def test_the_zygote_carries_the_filter_its_submissions_inherit(box):
    """The seccomp filter is attached once in the zygote; a submission process has exactly that one filter
    (inherited, never stacked twice, never missing) and no_new_privs, while the broker stays unfiltered."""
    if "seccomp" not in box.features():
        pytest.skip("no seccomp filter on this machine")
    code = (
        "import os\n"
        "def fields(pid):\n"
        "    out = {}\n"
        "    for line in open(f'/proc/{pid}/status'):\n"
        "        key, _, value = line.partition(':')\n"
        "        if key in ('Seccomp', 'Seccomp_filters', 'NoNewPrivs', 'PPid'):\n"
        "            out[key] = value.strip()\n"
        "    return out\n"
        "me = fields('self')\n"
        "zygote = fields(os.getppid())\n"
        "broker = fields(zygote['PPid'])\n"
        "print(me.get('Seccomp'), me.get('Seccomp_filters', '1'), me.get('NoNewPrivs'), zygote.get('Seccomp'),"
        " broker.get('Seccomp'))\n"
    )
    result = box.run_python(code, limits=FAST)
    assert result.value["exit_code"] == 0, result.value
    assert result.value["stdout"].split() == ["2", "1", "1", "2", "0"], result.value["stdout"]
