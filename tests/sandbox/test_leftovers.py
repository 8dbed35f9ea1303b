"""Nothing a run writes to shared temporary directories reaches the next run or outlives the sandbox."""

from __future__ import annotations

import glob
import os

import pytest

from foulplay.sandbox import Sandbox
from foulplay.sandbox._isolation import best_available
from foulplay.vocab import Isolation

WRITE = """
import os
for d in ('/tmp', '/var/tmp', '/dev/shm'):
    try:
        with open(os.path.join(d, 'fp-leftover-note-' + str(os.getuid())), 'w') as fh:
            fh.write('answers')
        os.makedirs(os.path.join(d, 'fp-leftover-dir-' + str(os.getuid()), 'inner'), exist_ok=True)
    except OSError:
        pass
print('written')
"""
READ = """
import glob
print(sorted(p for d in ('/tmp', '/var/tmp', '/dev/shm') for p in glob.glob(d + '/fp-leftover-*')))
"""

LEVELS = [lvl for lvl in (Isolation.BWRAP, Isolation.RLIMIT) if best_available().at_least(lvl)]


@pytest.mark.skipif(os.geteuid() != 0, reason="uid separation (and so a uid to sweep) needs root")
@pytest.mark.parametrize("level", LEVELS, ids=[lvl.value for lvl in LEVELS])
def test_notes_in_shared_temp_dirs_do_not_reach_the_next_run(level):
    with Sandbox(workers=1, isolation=level) as box:
        first = box.run_python(WRITE)
        assert first.value["stdout"].strip() == "written"
        second = box.run_python(READ)
        assert second.value["stdout"].strip() == "[]", second.value
    host = [p for d in ("/tmp", "/var/tmp", "/dev/shm") for p in glob.glob(d + "/fp-leftover-*")]
    assert host == []


HOST = """
import json, os, sys, time
from foulplay.sandbox import Sandbox
box = Sandbox(workers=1)
box.run_python("print(1)")
worker = box._workers[0]
print(json.dumps({"tmp": worker.tmp, "cgroups": [str(d) for d in (worker.cgroup.dirs if worker.cgroup else [])]}),
      flush=True)
time.sleep(600)
"""


def test_what_a_killed_host_left_is_swept_by_the_next_sandbox(tmp_path) -> None:
    """A host SIGKILLed with a warm pool (a Ray worker replaced mid-batch) leaves its temp directory and
    cgroups; the next sandbox started on the machine removes them, and never a live host's."""
    import json
    import signal
    import subprocess
    import sys

    from foulplay.sandbox._leftovers import sweep

    live = Sandbox(workers=1)
    live.run_python("print(1)")
    proc = subprocess.Popen([sys.executable, "-c", HOST], stdout=subprocess.PIPE, text=True)
    try:
        left = json.loads(proc.stdout.readline())
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    try:
        assert os.path.isdir(left["tmp"])
        removed = sweep()
        assert left["tmp"] in removed and not os.path.exists(left["tmp"])
        for cgroup in left["cgroups"]:
            assert not os.path.exists(cgroup), cgroup
        own = live._workers[0]
        assert os.path.isdir(own.tmp)  # a live host's directory stays
        assert all(d.exists() for d in (own.cgroup.dirs if own.cgroup else []))
        assert live.run_python("print(2)").value["stdout"].strip() == "2"
    finally:
        live.close()


@pytest.mark.skipif(os.geteuid() != 0, reason="leasing a sandbox uid needs root")
def test_processes_of_a_dead_hosts_uid_are_killed_before_the_uid_is_leased_again(tmp_path) -> None:
    """At ``rlimit`` a submission's own children are not in a pid namespace: when the host is killed outright
    they keep running under its leased uid. The lease (a lock) is free again, so the next lease of that uid
    kills them and removes the uid's files from the shared temp directories first."""
    import subprocess
    import threading
    import time

    from foulplay.sandbox._pool import DEFAULT_UID_BASE, UID_RANGE, lease_uid

    uid, fd = lease_uid(DEFAULT_UID_BASE + UID_RANGE - 40)
    os.close(fd)  # as if its holder had died
    note = f"/tmp/fp-leftover-uid-{uid}"
    orphan = subprocess.Popen(["sh", "-c", f"touch {note}; exec sleep 600"], user=uid, group=uid)
    threading.Thread(target=orphan.wait, daemon=True).start()  # its reaper, as init would be
    for _ in range(500):
        if os.path.exists(note):
            break
        time.sleep(0.01)
    try:
        again, fd = lease_uid(uid)
        os.close(fd)
        assert again == uid
        assert orphan.wait(timeout=10) == -9
        assert not os.path.exists(note)
    finally:
        if orphan.poll() is None:
            orphan.kill()
        if os.path.exists(note):
            os.remove(note)
