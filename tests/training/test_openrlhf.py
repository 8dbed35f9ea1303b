"""OpenRLHF remote reward: the HTTP server under concurrent requests, bad requests, and ``reward_func``."""

from __future__ import annotations

import base64
import json
import socket
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
    url, _, _ = server
    assert _post(url, None, raw=b"{not json")[0] == 400
    assert _post(url, None, raw=b"[1, 2]")[0] == 400
    status, payload = _post(url, {"query": ["a", "b"], "prompts": ["a"], "labels": ["ex/running_max"]})
    assert status == 400 and "same length" in payload["error"]
    status, payload = _post(url, {"query": [1], "prompts": [""], "labels": ["ex/running_max"]})
    assert status == 400 and "string" in payload["error"]
    # the health check says the server is up and nothing else
    with urllib.request.urlopen(url + "/health", timeout=10) as resp:
        assert json.loads(resp.read()) == {"status": "ok"}


def test_an_unknown_label_in_the_middle_is_unscored_and_the_rest_scored(server):
    url, env, run_dir = server
    p = env.problems[0]
    honest = f"```python\n{p.reference}\n```"
    before = len(list(read_steps(run_dir / STEPS_FILE)))
    status, payload = _post(url, {"query": [honest, honest, "no idea"], "prompts": ["", "", ""],
                                  "labels": [p.task_id, "no/such", p.task_id]})
    assert status == 200
    assert payload["rewards"] == [1.0, 0.0, 0.0] and payload["scores"] == payload["rewards"]
    assert payload["extra_logs"]["foulplay/unscored"] == [0.0, 1.0, 0.0]
    assert payload["extra_logs"]["foulplay/passed"] == [1.0, 0.0, 0.0]
    assert payload["extra_logs"]["foulplay/solved"] == [1.0, 0.0, 0.0]
    reasons = payload["foulplay_unscored"]
    assert reasons[0] is None and reasons[2] is None and reasons[1].startswith("unknown-problem: no problem 'no/such'")
    step = list(read_steps(run_dir / STEPS_FILE))[before]
    assert (step["episodes"], step["unscored"], step["pass_rate"]) == (3, 1, 0.5)


def _guarded_server(tmp_path, request_timeout_s):
    """A server on 127.0.0.1 with a token and a 1 KiB body limit."""
    env = CodingEnv(load_problems(EXAMPLES), hacks=("always_equal",))
    service = RewardService(env, RewardConfig(workers=1), str(tmp_path))
    srv = make_server(service, port=0, token=TOKEN, max_request_bytes=1024, request_timeout_s=request_timeout_s)
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    yield srv.server_address[1], service, tmp_path
    srv.shutdown()
    srv.server_close()
    service.close()


@pytest.fixture
def guarded(tmp_path):
    yield from _guarded_server(tmp_path, 120.0)


@pytest.fixture
def impatient(tmp_path):
    """The same with a 1 s request limit, for requests that never complete (nothing is scored in time)."""
    yield from _guarded_server(tmp_path, 1.0)


TOKEN = "s3cret-token-for-tests-only"


def _raw(port, head: bytes, body: bytes = b"") -> tuple[int, dict[str, str], bytes]:
    """Send a request by hand and read the whole answer (the server closes the connection)."""
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        sock.sendall(head + body)
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    head_text, _, rest = data.partition(b"\r\n\r\n")
    lines = head_text.decode("latin-1").split("\r\n")
    headers = dict(line.split(": ", 1) for line in lines[1:])
    return int(lines[0].split()[1]), headers, rest


def _request(port, headers: dict[str, str], body: bytes) -> tuple[int, dict]:
    req = urllib.request.Request(f"http://127.0.0.1:{port}/get_reward", data=body,
                                 headers={"Content-Type": "application/json", **headers})
    try:
        with urllib.request.urlopen(req, timeout=60) as resp:
            return resp.status, json.loads(resp.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


def test_token_required_when_given(guarded):
    port, service, _ = guarded
    p = service.env.problems[0]
    body = json.dumps({"query": [f"```python\n{p.reference}\n```"], "prompts": [""], "labels": [p.task_id]}).encode()
    status, payload = _request(port, {}, body)
    assert status == 401 and payload == {"error": "unauthorized"}
    assert _request(port, {"Authorization": "Bearer wrong-token"}, body)[0] == 401
    assert _request(port, {"Authorization": f"Bearer {TOKEN}x"}, body)[0] == 401
    assert _request(port, {"Authorization": f"Token {TOKEN}"}, body)[0] == 401
    assert _request(port, {"Authorization": "Basic !!notbase64"}, body)[0] == 401
    status, payload = _request(port, {"Authorization": f"Bearer {TOKEN}"}, body)
    assert status == 200 and payload["rewards"] == [1.0]
    # OpenRLHF's client cannot add headers, but http://user:TOKEN@host/ makes it send HTTP Basic auth
    basic = base64.b64encode(f"foulplay:{TOKEN}".encode()).decode()
    assert _request(port, {"Authorization": f"Basic {basic}"}, body)[0] == 200
    wrong = base64.b64encode(b"foulplay:nope").decode()
    assert _request(port, {"Authorization": f"Basic {wrong}"}, body)[0] == 401
    status, _, _ = _raw(port, b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n")  # health: no token needed
    assert status == 200


def test_openrlhf_style_client_with_the_token_in_the_url(guarded):
    """What OpenRLHF 0.11 does: ``requests.post(url, json=..., headers={"Content-Type": ...})`` with the token
    as the URL's password."""
    requests = pytest.importorskip("requests")
    port, service, _ = guarded
    p = service.env.problems[0]
    session = requests.Session()
    session.trust_env = False  # no proxy from the environment for a loopback test
    payload = {"query": [f"```python\n{p.reference}\n```"], "prompts": [""], "labels": [p.task_id]}
    good = session.post(f"http://foulplay:{TOKEN}@127.0.0.1:{port}/get_reward", json=payload,
                        headers={"Content-Type": "application/json"}, timeout=60)
    assert good.status_code == 200 and good.json()["rewards"] == [1.0]
    bad = session.post(f"http://127.0.0.1:{port}/get_reward", json=payload, timeout=60)
    assert bad.status_code == 401


def test_oversized_body_gets_413_before_it_is_read(guarded):
    port, *_ = guarded
    auth = f"Authorization: Bearer {TOKEN}\r\n".encode()
    # the headers announce 1 GB and no byte of it is sent: the answer comes without the body being read
    status, headers, body = _raw(port, b"POST /get_reward HTTP/1.1\r\nHost: x\r\n" + auth
                                 + b"Content-Type: application/json\r\nContent-Length: 1000000000\r\n\r\n")
    assert status == 413 and "over the limit of 1024 bytes" in json.loads(body)["error"]
    assert headers.get("Connection") == "close"
    # without a token, even the size is not looked at
    status, _, _ = _raw(port, b"POST /get_reward HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000000\r\n\r\n")
    assert status == 401
    status, _, _ = _raw(port, b"POST /get_reward HTTP/1.1\r\nHost: x\r\n" + auth + b"\r\n")
    assert status == 411  # a body needs a Content-Length
    status, _, _ = _raw(port, b"POST /get_reward HTTP/1.1\r\nHost: x\r\n" + auth
                        + b"Transfer-Encoding: chunked\r\n\r\n")
    assert status == 411


def test_a_body_that_does_not_arrive_gets_408(impatient):
    port, *_ = impatient
    head = (b"POST /get_reward HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + TOKEN.encode()
            + b"\r\nContent-Length: 100\r\n\r\n")
    status, _, body = _raw(port, head, b'{"query": ')  # 10 of 100 bytes, then nothing (the limit is 1 s)
    assert status == 408 and "did not arrive in time" in json.loads(body)["error"]


def test_a_batch_not_scored_in_time_gets_504_and_is_not_recorded(impatient):
    port, service, run_dir = impatient
    release = threading.Event()

    def slow_score(*args):
        release.wait(60)
        return []

    service.score = slow_score
    p = service.env.problems[0]
    body = json.dumps({"query": [p.reference], "prompts": [""], "labels": [p.task_id]}).encode()
    try:
        status, payload = _request(port, {"Authorization": f"Bearer {TOKEN}"}, body)
    finally:
        release.set()
    assert status == 504 and "not scored within 1 s" in payload["error"]
    assert not (run_dir / STEPS_FILE).exists()  # the trainer never got these rewards: no step record


def test_refuses_to_listen_beyond_loopback_without_a_token(monkeypatch):
    from foulplay.errors import InputError
    from foulplay.training import openrlhf

    def must_not_bind(*args, **kwargs):
        raise AssertionError("the server was created before the token check")

    monkeypatch.setattr(openrlhf, "ThreadingHTTPServer", must_not_bind)
    service = object()
    for host in ("0.0.0.0", "", "::", "10.1.2.3", "example.org"):
        with pytest.raises(InputError, match="without a token"):
            make_server(service, host, 0)  # type: ignore[arg-type]
    assert [h for h in ("127.0.0.1", "127.3.4.5", "::1", "[::1]", "localhost") if openrlhf.is_loopback(h)] == [
        "127.0.0.1", "127.3.4.5", "::1", "[::1]", "localhost"]
    assert not any(openrlhf.is_loopback(h) for h in ("0.0.0.0", "::", "", "192.168.1.1", "myhost"))


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
    monkeypatch.setenv("FOULPLAY_UNSCORED_REWARD", "-0.5")
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
        unknown = module.reward_func(["Q:x"], ["Q:"], ["no/such"])  # a float for OpenRLHF, and the flag
        assert unknown["rewards"] == [-0.5] and unknown["extra_logs"]["foulplay/unscored"] == [1.0]
    finally:
        if module._SERVICE is not None:
            module._SERVICE.close()
    steps = list(read_steps(tmp_path / STEPS_FILE))
    assert [(s["step"], s["episodes"], s["unscored"]) for s in steps] == [(1, 4, 0), (2, 4, 0), (3, 1, 1)]
