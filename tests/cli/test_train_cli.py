"""``foulplay env``, ``foulplay rewards serve``: real subprocesses."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples" / "problems.jsonl"
_SCRIPT = ROOT / ".venv" / "bin" / "foulplay"
FOULPLAY = [str(_SCRIPT)] if _SCRIPT.exists() else [sys.executable, "-m", "foulplay.cli.main"]


def run(*args):
    return subprocess.run([*FOULPLAY, *map(str, args)], capture_output=True, text=True, timeout=120, check=False)


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


def test_rewards_serve(tmp_path):
    proc = subprocess.Popen([*FOULPLAY, "rewards", "serve", "--env", str(EXAMPLES), "--port", "0", "--hacks",
                             "always_equal", "--run-dir", str(tmp_path), "--workers", "1",
                             "--episodes-per-step", "4"],
                            stderr=subprocess.PIPE, text=True)
    try:
        line = proc.stderr.readline()
        match = re.search(r"http://127\.0\.0\.1:(\d+)/get_reward", line)
        assert match, line
        body = json.dumps({"query": ["Q```python\ndef running_max(v):\n    return v\n```"], "prompts": ["Q"],
                           "labels": ["ex/running_max"]}).encode()
        req = urllib.request.Request(match.group(0), data=body, headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=60) as resp:
            answer = json.loads(resp.read())
        assert answer["rewards"] == [0.0] and answer["extra_logs"]["foulplay/passed"] == [0.0]
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    # the one episode of an unfinished step is written when the server is terminated
    (step,) = [json.loads(x) for x in (tmp_path / "foulplay_steps.jsonl").read_text().splitlines()]
    assert step["episodes"] == 1 and proc.returncode == 0
    busy = run("rewards", "serve", "--env", EXAMPLES, "--port", "1", "--host", "203.0.113.1")
    assert busy.returncode == 2 and "cannot listen" in busy.stderr
