"""One local Ray cluster for the tests that need one (started once per session; about 5 s). A module of its own,
imported by those test modules, not a conftest.py (see offline_guard.py)."""

from __future__ import annotations

import os

import pytest


@pytest.fixture(scope="session")
def ray_cluster():
    ray = pytest.importorskip("ray")
    os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
    if not ray.is_initialized():
        ray.init(num_cpus=4, include_dashboard=False, log_to_driver=False, logging_level="ERROR")
    yield ray


def comparable(data: object) -> object:
    """A result record without what differs between any two runs of the same item on any backend: timings,
    the time the vulnerable harness's pytest prints ("2 passed in 0.02s") and the random name of a run's test
    folder, and object addresses in assertion messages."""
    import re

    if isinstance(data, dict):
        return {k: comparable(v) for k, v in data.items() if k not in ("duration_s", "wall_s", "cpu_s")}
    if isinstance(data, list):
        return [comparable(v) for v in data]
    if isinstance(data, str):
        data = re.sub(r" in [0-9.]+s\b", " in Xs", data)
        data = re.sub(r"\b0x[0-9a-f]{6,}\b", "0xX", data)  # object addresses in assertion messages
        return re.sub(r"(/w\d+/)?\.fp-tests-[0-9a-f]+/", ".fp-tests-X/", data)
    return data
