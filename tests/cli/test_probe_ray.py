"""``foulplay probe --backend ray``: the same report as the local backend, on a local Ray cluster."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from test_grade_cli import assert_user_error, run

from ray_cluster import comparable

pytest.importorskip("ray")
FIXTURES = Path(__file__).resolve().parents[1] / "hacks" / "fixtures"


def test_probe_on_ray_equals_local(tmp_path: Path, ray_cluster) -> None:
    args = ["probe", "--harness", "vulnerable:eq,exit", "--limit", "1", "--family", "equality",
            "--family", "early-exit", "--format", "json"]
    local = run([*args, "-o", str(tmp_path / "local.json")])
    remote = run([*args, "-o", str(tmp_path / "ray.json"), "--backend", "ray", "--workers", "2"])
    assert remote.returncode == local.returncode == 1, remote.stderr  # the vulnerable harness is fooled
    assert "running on ray" in remote.stderr
    want = comparable(json.loads((tmp_path / "local.json").read_text()))
    got = comparable(json.loads((tmp_path / "ray.json").read_text()))
    assert got == want
    assert got["isolation"] == want["isolation"]


def test_probe_of_a_command_grader_on_ray_is_a_usage_error(tmp_path: Path) -> None:
    toml = FIXTURES / "unittest_ok" / "grader.toml"
    assert_user_error(run(["probe", str(toml), "--backend", "ray"]), "probes foulplay's own harnesses")
