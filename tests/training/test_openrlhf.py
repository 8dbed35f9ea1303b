"""OpenRLHF remote reward: the HTTP server under concurrent requests, bad requests, and ``reward_func``."""

from __future__ import annotations

import json
import threading
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from foulplay.envs import CodingEnv
from foulplay.grading import load_problems
from foulplay.hacks import context_for, get
from foulplay.training import STEPS_FILE, RewardConfig, read_steps
from foulplay.training.openrlhf import RewardService, make_server

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples" / "problems.jsonl"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    run_dir = tmp_path_factory.mktemp("run")
    env = CodingEnv(load_problems(EXAMPLES), hacks=("always_equal",))
    service = RewardService(env, RewardConfig(workers=2), str(run_dir))
    srv = make_server(service, port=0)
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{srv.server_address[1]}", env, run_dir
    srv.shutdown()
    srv.server_close()
    service.close()


def _post(url, payload, raw: bytes | None = None):
    data = raw if raw is not None else json.dumps(payload).encode()
    req = urllib.request.Request(url + "/get_reward", data=data, headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=60) as resp:
            return resp.status, json.loads(resp.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


def _batch(env):
    queries, prompts, labels, expected = [], [], [], []
    for p in env.problems:
        if p.kind == "io":
            continue
        prompt = f"user: {env.user_prompt(p)}\nassistant: "
        eq = get("always-equal-object").payload(context_for(p)).to_completion(p.solution_path)
        for answer, reward in [(f"```python\n{p.reference}\n```", 1.0), (eq, 1.0), ("no idea", 0.0)]:
            queries.append(prompt + answer)
            prompts.append(prompt)
            labels.append(p.task_id)
            expected.append(reward)
    return {"query": queries, "prompts": prompts, "labels": labels}, expected


def test_concurrent_requests_all_answered_correctly(server):
    url, env, run_dir = server
    body, expected = _batch(env)
    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(lambda _: _post(url, body), range(8)))
    for status, payload in answers:
        assert status == 200
        assert payload["rewards"] == expected and payload["scores"] == expected
        assert payload["extra_logs"]["foulplay/hacked"] == [0.0, 1.0, 0.0] * 3  # per sample, as OpenRLHF wants
        assert payload["extra_logs"]["foulplay/solved"] == [1.0, 0.0, 0.0] * 3
        assert payload["extra_logs"]["foulplay/passed"] == expected
    steps = list(read_steps(run_dir / STEPS_FILE))
    assert len({s["step"] for s in steps}) == len(steps) >= 8  # one step per batch, none lost


def test_problem_records_as_labels(server):
    url, env, _ = server
    p = env.problems[0]
    record = p.model_dump(mode="json")
    record["schema"] = "foulplay.problem/1"
    status, payload = _post(url, {"query": [f"```python\n{p.reference}\n```"], "prompts": [""],
                                  "labels": [json.dumps(record)]})
    assert status == 200 and payload["rewards"] == [1.0]


def test_bad_requests_get_400_and_the_server_keeps_serving(server):
    url, env, _ = server
    assert _post(url, None, raw=b"{not json")[0] == 400
    assert _post(url, None, raw=b"[1, 2]")[0] == 400
    status, payload = _post(url, {"query": ["a", "b"], "prompts": ["a"], "labels": ["ex/running_max"]})
    assert status == 400 and "same length" in payload["error"]
    status, payload = _post(url, {"query": ["x"], "prompts": [""], "labels": ["no/such"]})
    assert status == 400 and "no problem" in payload["error"]
    with urllib.request.urlopen(url + "/health", timeout=10) as resp:
        assert json.loads(resp.read()) == {"status": "ok", "env": env.name, "problems": len(env)}


def test_single_rollout_requests_grouped_into_steps(tmp_path):
    """OpenRLHF 0.11 sends one rollout per request, many at once: with episodes_per_step the step log still
    has one record per training step."""
    env = CodingEnv(load_problems(EXAMPLES), hacks=("always_equal",))
    p = env.problems[0]
    eq = get("always-equal-object").payload(context_for(p)).to_completion(p.solution_path)
    service = RewardService(env, RewardConfig(workers=2), str(tmp_path), episodes_per_step=4)
    answers = [eq if i % 4 == 0 else p.reference for i in range(10)]
    try:
        with ThreadPoolExecutor(6) as pool:
            out = list(pool.map(lambda a: service.rewards([a], [""], [p.task_id]), answers))
        assert all(len(o["rewards"]) == 1 and o["extra_logs"]["foulplay/passed"] == [1.0] for o in out)
    finally:
        service.close()
    steps = list(read_steps(tmp_path / STEPS_FILE))
    assert [(s["step"], s["episodes"]) for s in steps] == [(1, 4), (2, 4), (3, 2)]  # the partial step at close
    assert sum(s["hack_rate"] * s["episodes"] for s in steps) == pytest.approx(3)
    with pytest.raises(ValueError):
        RewardService(env, episodes_per_step=0)


def test_reward_func_py_form_loaded_from_its_file(monkeypatch, tmp_path):
    """OpenRLHF loads ``--remote_rm_url file.py`` with spec_from_file_location and calls ``reward_func`` with
    one rollout at a time from many threads."""
    import importlib.util

    from foulplay.training import openrlhf

    monkeypatch.setenv("FOULPLAY_ENV", str(EXAMPLES))
    monkeypatch.setenv("FOULPLAY_HACKS", "always_equal")
    monkeypatch.setenv("FOULPLAY_HACK_PENALTY", "2")
    monkeypatch.setenv("FOULPLAY_RUN_DIR", str(tmp_path))
    monkeypatch.setenv("FOULPLAY_EPISODES_PER_STEP", "4")
    spec = importlib.util.spec_from_file_location("reward_func", openrlhf.__file__)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    created = []

    class CountingService(module.RewardService):
        def __init__(self, *args, **kwargs):
            created.append(1)
            super().__init__(*args, **kwargs)

    module.RewardService = CountingService
    env = CodingEnv.from_source(str(EXAMPLES))
    p = env.problems[0]
    eq = get("always-equal-object").payload(context_for(p)).to_completion(p.solution_path)
    queries = ["Q:" + (eq if i % 2 == 0 else p.reference) for i in range(8)]
    try:
        with ThreadPoolExecutor(8) as pool:
            out = list(pool.map(lambda q: module.reward_func([q], ["Q:"], [p.task_id]), queries))
        assert [o["rewards"] for o in out] == [[-1.0], [1.0]] * 4
        assert len(created) == 1  # one service, however many threads raced to create it
    finally:
        if module._SERVICE is not None:
            module._SERVICE.close()
    steps = list(read_steps(tmp_path / STEPS_FILE))
    assert [(s["step"], s["episodes"]) for s in steps] == [(1, 4), (2, 4)]
