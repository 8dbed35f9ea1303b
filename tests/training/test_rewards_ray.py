"""Rewards on the Ray backend: the same rewards as the local pool, for RewardFn, the verl reward (also when it
is called inside a Ray task, as verl's reward workers call it: it uses that cluster's actors directly), the
OpenRLHF service, and ``foulplay rollouts stats --backend ray``."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from foulplay.envs import CodingEnv
from foulplay.grading import load_problems
from foulplay.hacks import context_for, get
from foulplay.training import RewardConfig, RewardFn, verl
from ray_cluster import comparable

ray = pytest.importorskip("ray")
cloudpickle = pytest.importorskip("ray.cloudpickle")
cloudpickle.register_pickle_by_value(sys.modules[__name__])

ROOT = Path(__file__).resolve().parents[2]
FOULPLAY = ROOT / ".venv" / "bin" / "foulplay"


@pytest.fixture(scope="module")
def batch():
    env = CodingEnv(load_problems(ROOT / "examples" / "problems.jsonl"), assignment="round-robin")
    rows = env.export_rows("verl")
    eq = [get("always-equal-object").payload(context_for(p)).to_completion(p.solution_path) if p.kind != "io"
          else "print('no')" for p in env.problems]
    honest = [f"```python\n{p.reference}\n```" for p in env.problems]
    sols = [s for pair in zip(eq, honest, strict=True) for s in pair] + ["no code", "```python\ndef f(:\n```"]
    gts = [r["reward_model"]["ground_truth"] for r in rows for _ in (0, 1)] + [rows[0]["reward_model"]["ground_truth"],
                                                                           "{not json"]
    infos = [r["extra_info"] for r in rows for _ in (0, 1)] + [rows[0]["extra_info"], None]
    return env, sols, gts, infos


def _comparable(results):
    return comparable([r.to_dict() for r in results])


def test_reward_fn_on_ray_equals_local(batch, ray_cluster) -> None:
    env, sols, _gts, _infos = batch
    items = [(env.problems[i // 2], s) for i, s in enumerate(sols[:8])]
    with RewardFn(env, RewardConfig(hack_penalty=1.0, workers=2)) as local:
        want = local.score(items)
    with RewardFn(env, RewardConfig(hack_penalty=1.0, workers=2, backend="ray")) as remote:
        got = remote.score(items)
        assert remote.executor.backend == "ray"
    assert _comparable(got) == _comparable(want)
    assert any(r.hacked for r in got) and any(r.solved for r in got)


def test_verl_batch_on_ray_equals_local(batch, ray_cluster) -> None:
    _env, sols, gts, infos = batch
    local = verl.compute_score_batch(["x"] * len(sols), sols, gts, infos)
    try:
        remote = verl.compute_score_batch(["x"] * len(sols), sols, gts, infos, backend="ray", workers=2)
    finally:
        verl.shutdown()
    assert remote == local
    assert remote[-1]["foulplay_unscored"] == 1  # the bad ground truth is unscored, the batch goes on


@ray.remote(num_cpus=0)
def _reward_inside_ray(sols, gts, infos):
    """What verl's reward worker does: call the reward function in a process of the trainer's cluster."""
    import ray as inner

    from foulplay.training import verl as inner_verl

    assert inner.is_initialized()  # already connected: the reward joins this cluster, no second one
    try:
        return inner_verl.compute_score_batch(["x"] * len(sols), sols, gts, infos, backend="ray", workers=1)
    finally:
        inner_verl.shutdown()


def test_verl_reward_inside_a_ray_task_uses_that_cluster(batch, ray_cluster) -> None:
    _env, sols, gts, infos = batch
    local = verl.compute_score_batch(["x"] * len(sols), sols, gts, infos)
    assert ray.get(_reward_inside_ray.remote(sols, gts, infos), timeout=300) == local


def test_openrlhf_service_on_ray_equals_local(batch, ray_cluster) -> None:
    from foulplay.training.openrlhf import RewardService

    env, sols, _gts, _infos = batch
    labels = [env.problems[i // 2].task_id for i in range(8)]
    answers = []
    for backend in ("local", "ray"):
        service = RewardService(env, RewardConfig(workers=2, backend=backend))
        try:
            answers.append(service.rewards(sols[:8], [""] * 8, labels))
        finally:
            service.close()
    assert answers[0]["rewards"] == answers[1]["rewards"]
    assert comparable(answers[0]["extra_logs"]) == comparable(answers[1]["extra_logs"])


def test_rollouts_stats_on_ray_equals_local(tmp_path: Path, ray_cluster) -> None:
    def stats(*extra: str) -> dict:
        proc = subprocess.run([str(FOULPLAY), "rollouts", "stats", str(ROOT / "examples" / "rl_run"), "--env",
                               "humaneval", "--format", "json", *extra], capture_output=True, text=True, timeout=300,
                              check=False)
        assert proc.returncode == 1, proc.stderr  # the example run learns to hack
        return json.loads(proc.stdout)

    local, remote = stats(), stats("--backend", "ray", "--workers", "2")
    remote.pop("exit_status"), local.pop("exit_status")
    assert remote == local
    assert remote["audited_episodes"] == 64
