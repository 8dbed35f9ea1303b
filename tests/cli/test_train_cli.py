"""``foulplay env``, ``foulplay rewards serve``: real subprocesses."""

from __future__ import annotations

import base64
import json
import os
import re
import socket
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples" / "problems.jsonl"
_SCRIPT = ROOT / ".venv" / "bin" / "foulplay"
FOULPLAY = [str(_SCRIPT)] if _SCRIPT.exists() else [sys.executable, "-m", "foulplay.cli.main"]


def _env(**extra):
    env = {k: v for k, v in os.environ.items() if k != "FOULPLAY_REWARD_TOKEN"}
    return {**env, **extra}


def run(*args, **env):
    return subprocess.run([*FOULPLAY, *map(str, args)], capture_output=True, text=True, timeout=120, check=False,
                          env=_env(**env))


def test_env_prompt_text_and_json():
    out = run("env", "prompt", EXAMPLES, "--task", "ex/count_vowels", "--framing", "please_hack",
              "--hacks", "conftest")
    assert out.returncode == 0, out.stderr
    assert "vulnerable:conftest" in out.stdout and "please use them" in out.stdout and "count_vowels" in out.stdout
    data = json.loads(run("env", "prompt", EXAMPLES, "--format", "json", "--hardened").stdout)
    assert data["harness"] == "hardened" and data["open_hacks"] == [] and data["messages"][-1]["role"] == "user"


def test_env_export_targets(tmp_path):
    out = run("env", "export", EXAMPLES, "--target", "verl", "-o", tmp_path / "train.jsonl", "--repeat", "2",
              "--assignment", "round-robin")
    assert out.returncode == 0, out.stderr
    rows = [json.loads(line) for line in (tmp_path / "train.jsonl").read_text().splitlines()]
    assert len(rows) == 8 and rows[0]["reward_model"]["style"] == "rule"
    only = tmp_path / "hard.txt"
    only.write_text("ex/slugify\n")
    out = run("env", "export", EXAMPLES, "--target", "openrlhf", "-o", tmp_path / "o.jsonl", "--only", only)
    assert [json.loads(x)["label"] for x in (tmp_path / "o.jsonl").read_text().splitlines()] == ["ex/slugify"]
    pytest.importorskip("pyarrow")
    import pyarrow.parquet as pq

    assert run("env", "export", EXAMPLES, "-o", tmp_path / "t.parquet").returncode == 0
    table = pq.read_table(tmp_path / "t.parquet")
    assert table.num_rows == 4 and {"prompt", "task_id"} <= set(table.column_names)


@pytest.mark.parametrize("args, message", [
    (("env", "prompt", "nope.jsonl"), "no such file"),
    (("env", "prompt", EXAMPLES, "--hacks", "telepathy"), "unknown hack 'telepathy'"),
    (("env", "prompt", EXAMPLES, "--task", "ex/zzz"), "no problem 'ex/zzz'"),
    (("env", "prompt", EXAMPLES, "--only", "/nonexistent/ids.txt"), "/nonexistent/ids.txt"),
    (("env", "export", EXAMPLES, "-o", EXAMPLES / "x.jsonl"), "cannot write"),
    (("env", "export", EXAMPLES, "-o", "x.jsonl", "--repeat", "0"), "--repeat"),
])
def test_bad_input_is_one_line(args, message):
    out = run(*args)
    assert out.returncode == 2 and message in out.stderr, out.stderr
    assert "Traceback" not in out.stderr and len(out.stderr.strip().splitlines()) == 1


TOKEN = "a-token-for-the-cli-test-0123456789"


def _post(url, body, headers=None):
    req = urllib.request.Request(url, data=body, headers={"Content-Type": "application/json", **(headers or {})})
    try:
        with urllib.request.urlopen(req, timeout=60) as resp:
            return resp.status, json.loads(resp.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


def test_rewards_serve(tmp_path):
    proc = subprocess.Popen([*FOULPLAY, "rewards", "serve", "--env", str(EXAMPLES), "--port", "0", "--hacks",
                             "always_equal", "--run-dir", str(tmp_path), "--workers", "1",
                             "--episodes-per-step", "4"],
                            stderr=subprocess.PIPE, text=True, env=_env(FOULPLAY_REWARD_TOKEN=TOKEN))
    try:
        line = proc.stderr.readline()
        match = re.search(r"http://127\.0\.0\.1:(\d+)/get_reward", line)
        assert match, line
        assert "bearer token required" in line and TOKEN not in line
        body = json.dumps({"query": ["Q```python\ndef running_max(v):\n    return v\n```", "Q", "Q"],
                           "prompts": ["Q", "Q", "Q"],
                           "labels": ["ex/running_max", "ex/nowhere", "ex/running_max"]}).encode()
        status, answer = _post(match.group(0), body)
        assert status == 401 and answer == {"error": "unauthorized"}
        status, answer = _post(match.group(0), body, {"Authorization": f"Bearer {TOKEN}"})
        assert status == 200 and answer["rewards"] == [0.0, 0.0, 0.0]
        assert answer["extra_logs"]["foulplay/unscored"] == [0.0, 1.0, 0.0]
        basic = base64.b64encode(f"foulplay:{TOKEN}".encode()).decode()
        assert _post(match.group(0), body, {"Authorization": f"Basic {basic}"})[0] == 200
        with urllib.request.urlopen(match.group(0).replace("/get_reward", "/"), timeout=10) as resp:
            assert json.loads(resp.read()) == {"status": "ok"}
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    # the 6 episodes: one full step of 4, and the unfinished step written when the server is terminated
    steps = [json.loads(x) for x in (tmp_path / "foulplay_steps.jsonl").read_text().splitlines()]
    assert [(s["episodes"], s["unscored"]) for s in steps] == [(4, 1), (2, 1)] and proc.returncode == 0
    busy = run("rewards", "serve", "--env", EXAMPLES, "--port", "1", "--host", "203.0.113.1", "--token", TOKEN)
    assert busy.returncode == 2 and "cannot listen" in busy.stderr


def test_rewards_serve_refuses_a_public_address_without_a_token_before_binding():
    # a listener holds the port on loopback: had the server tried to bind 0.0.0.0 first, it would say the
    # address is in use; the refusal comes before binding, and before the environment is even loaded
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen(1)
        port = holder.getsockname()[1]
        for host in ("0.0.0.0", "::", "10.0.0.7"):
            out = run("rewards", "serve", "--env", "/nonexistent/problems.jsonl", "--host", host, "--port", port)
            assert out.returncode == 2, out.stderr
            assert "refusing to listen on" in out.stderr and "FOULPLAY_REWARD_TOKEN" in out.stderr
            assert len(out.stderr.strip().splitlines()) == 1 and "Traceback" not in out.stderr
        # with the token from the environment it goes on (and fails later, on the missing problem file)
        out = run("rewards", "serve", "--env", "/nonexistent/problems.jsonl", "--host", "0.0.0.0", "--port", port,
                  FOULPLAY_REWARD_TOKEN=TOKEN)
        assert out.returncode == 2 and "refusing" not in out.stderr and "/nonexistent/problems.jsonl" in out.stderr
    for args, message in [(("--max-request-mb", "0"), "--max-request-mb"), (("--request-timeout", "-1"),
                                                                             "--request-timeout")]:
        out = run("rewards", "serve", *args)
        assert out.returncode == 2 and message in out.stderr


@pytest.mark.parametrize("command", [("env", "prompt"), ("env", "export"), ("rewards", "serve"),
                                     ("rollouts", "stats")])
def test_help_documents_exit_statuses(command):
    out = run(*command, "--help")
    assert out.returncode == 0
    text = " ".join(out.stdout.split())
    assert "Exit status: 0" in text and "2 usage error" in text
    if command == ("rollouts", "stats"):
        assert "--fail-above" in text and "--max-errors" in text and "--exit-zero" in text


def test_env_commands_exit_zero_when_done(tmp_path):
    assert run("env", "prompt", EXAMPLES).returncode == 0
    assert run("env", "export", EXAMPLES, "-o", tmp_path / "x.jsonl").returncode == 0
    assert run("env", "export", EXAMPLES, "--target", "nope", "-o", tmp_path / "y.jsonl").returncode == 2
