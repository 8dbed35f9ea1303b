"""The agent sandbox itself: persistence within a sample, isolation between samples and from the host,
hostile commands, clean-up that leaves nothing behind, and the isolation floor."""

from __future__ import annotations

import os
import subprocess
import threading
import uuid

import pytest

from foulplay.errors import SandboxUnavailable
from foulplay.sandbox import bwrap_works
from foulplay.sandbox._domain import Domain
from foulplay.vocab import Isolation

needs_bwrap = pytest.mark.skipif(not bwrap_works()[0], reason="bubblewrap is not usable here")


def _host_processes(marker: str) -> list[str]:
    out = subprocess.run(["ps", "-eo", "pid,args"], capture_output=True, text=True, check=False).stdout
    return [line for line in out.splitlines() if marker in line and "ps -eo" not in line]


@needs_bwrap
def test_processes_and_servers_persist_across_calls_and_die_with_the_domain(tmp_path):
    marker = f"fpmark{uuid.uuid4().hex[:8]}"
    with Domain() as d:
        assert d.record()["isolation"] == "bwrap" and "seccomp" in d.record()["features"]
        d.exec(["sh", "-c", f"python3 -c 'import time; time.sleep(300)' {marker} >/dev/null 2>&1 &"])
        d.exec(["sh", "-c", "python3 -m http.server 18081 --bind 127.0.0.1 >/dev/null 2>&1 &"])
        reply = d.exec(["python3", "-c", "import time, urllib.request\nfor _ in range(50):\n try:\n  "
                        "print(urllib.request.urlopen('http://127.0.0.1:18081').status); break\n except OSError:"
                        " time.sleep(0.1)"], timeout=30)
        assert reply.stdout.strip() == b"200"
        assert _host_processes(marker), "the background process runs while the domain lives"
        tmp = d._tmp
    assert not _host_processes(marker), "every process of the domain is killed at the end"
    assert tmp is not None and not os.path.exists(tmp)


@needs_bwrap
def test_hostile_commands_stay_inside():
    secret = f"/tmp/fp-host-{uuid.uuid4().hex[:8]}"
    with Domain() as d:
        probes = {
            "write the system": "echo x > /usr/fp_escape",
            "read shadow": "cat /etc/shadow",
            "leave a note in /tmp": f"echo note > {secret}; test -f {secret}",
            "reach the network": "python3 -c \"import socket; socket.create_connection(('10.0.0.1', 80), 2)\"",
            "unshare": "python3 -c \"import os; os.unshare(os.CLONE_NEWUSER)\"",
            "see host processes": "ps -e | grep -c . ",
        }
        results = {name: d.exec(["sh", "-c", cmd], timeout=20) for name, cmd in probes.items()}
    assert results["write the system"].returncode != 0
    assert results["read shadow"].returncode != 0
    assert results["leave a note in /tmp"].returncode == 0 and not os.path.exists(secret)  # private /tmp
    assert results["reach the network"].returncode != 0
    assert results["unshare"].returncode != 0
    assert int(results["see host processes"].stdout.strip() or 0) < 20  # only the domain's own


@needs_bwrap
def test_concurrent_domains_do_not_see_each_other():
    with Domain() as a, Domain() as b:
        a.write("mine.txt", b"a")
        seen = b.exec(["sh", "-c", "ls /workspace; ls /tmp"])
        assert b"mine.txt" not in seen.stdout
        replies: list[bytes] = []
        threads = [threading.Thread(target=lambda d=d: replies.append(d.exec(["sh", "-c", "sleep 0.5; id -u"]).stdout))
                   for d in (a, b)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        if os.geteuid() == 0:
            assert len(set(replies)) == 2  # a leased uid each


def test_refuses_weaker_isolation_unless_asked():
    with pytest.raises(SandboxUnavailable, match="needs bubblewrap"):
        Domain(isolation=Isolation.RLIMIT).start()
    with pytest.raises(SandboxUnavailable, match="never runs without isolation"):
        Domain(isolation=Isolation.NONE, allow_weaker=True).start()


@pytest.mark.skipif(os.geteuid() != 0, reason="the weaker level separates uids only as root")
def test_weaker_level_when_asked_is_recorded_and_cleans_up():
    marker = f"fpweak{uuid.uuid4().hex[:8]}"
    with Domain(isolation=Isolation.RLIMIT, allow_weaker=True) as d:
        record = d.record()
        assert record["isolation"] == "rlimit" and "network-open" in record["features"]
        d.exec(["sh", "-c", f"python3 -c 'import time; time.sleep(300)' {marker} >/dev/null 2>&1 &"])
        assert d.exec(["pwd"]).stdout.strip().decode() == d.workspace
        assert _host_processes(marker)
    assert not _host_processes(marker)


def test_the_pinned_inspect_version_is_the_one_checked():
    from importlib.metadata import version

    from foulplay.inspect_sandbox import CHECKED_WITH

    assert version("inspect_ai") == CHECKED_WITH
