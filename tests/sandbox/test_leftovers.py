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
