"""Several Ray nodes on this machine (``ray.cluster_utils.Cluster``: a head with no CPUs and two worker
nodes, each its own raylet): workers spread over the nodes, and a node lost mid-batch (its raylet and every
worker on it killed) loses and repeats nothing; its workers are replaced on what is left, without stopping
the others. Run in a child process: the test session's own cluster is already joined in this one."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

pytest.importorskip("ray")

SCRIPT = r"""
import json, os, signal, sys, time
from dataclasses import dataclass
from typing import Any

from ray.cluster_utils import Cluster
import ray

from foulplay.executors import Work, make_executor


@dataclass(frozen=True)
class Where(Work[int, Any]):
    threads = False

    def run(self, state, item):
        started = time.time()
        time.sleep(0.05)
        return ("ok", item, ray.get_runtime_context().get_node_id(), started)

    def failed(self, item, message):
        return ("error", item, message)


cluster = Cluster(initialize_head=True, head_node_args={"num_cpus": 0})
first = cluster.add_node(num_cpus=2)
cluster.add_node(num_cpus=2)
cluster.wait_for_nodes()
ray.init(address=cluster.address, log_to_driver=False, logging_level="ERROR")
report = {}
try:
    with make_executor("ray", 3, address=cluster.address, batch_size=2) as ex:
        lost = []

        def on_result(index, result):
            if index == 12 and not lost:  # the machine goes: its workers and its raylet, batches still out
                lost.append(first.node_id)
                for facts in ex.worker_facts():
                    if facts["node"] == first.node_id:
                        os.kill(facts["pid"], signal.SIGKILL)
                cluster.remove_node(first, allow_graceful=False)
                lost.append(time.time())

        out = list(ex.map(Where(), range(80), on_result=on_result))
        report = {"out": out, "deaths": ex.deaths, "lost": lost}
finally:
    ray.shutdown()
    cluster.shutdown()
print(json.dumps(report))
"""


def test_a_node_lost_mid_batch_loses_and_repeats_nothing(tmp_path) -> None:
    env = {**os.environ, "RAY_USAGE_STATS_ENABLED": "0", "RAY_ADDRESS": ""}
    proc = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=300, env=env,
                          cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr[-3000:]
    report = json.loads(proc.stdout.strip().splitlines()[-1])
    out = report["out"]
    assert [o[1] for o in out] == list(range(80))  # every item once, in input order
    assert all(o[0] == "ok" for o in out), [o for o in out if o[0] != "ok"]
    nodes_before = {o[2] for o in out[:12]}
    assert len(nodes_before) == 2 and report["lost"][0] in nodes_before  # spread over both nodes
    assert report["deaths"] >= 1  # the lost node's workers were replaced (or retired)
    node, gone = report["lost"]
    assert not [o for o in out if o[2] == node and o[3] > gone]  # nothing started there once it was gone
    assert {o[2] for o in out if o[3] > gone} and node not in {o[2] for o in out if o[3] > gone}
