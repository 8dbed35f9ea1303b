"""``foulplay rewards serve --backend ray``: the reward server grading on Ray actors answers as the local one."""

from __future__ import annotations

import json
import re
import subprocess

import pytest
from test_train_cli import EXAMPLES, FOULPLAY, _env, _post, run

pytest.importorskip("ray")

BODY = json.dumps({"query": ["Q```python\ndef running_max(v):\n    return v\n```", "Q", "Q```python\nimport sys\n"
                             "sys.exit(0)\n```"],
                   "prompts": ["Q", "Q", "Q"],
                   "labels": ["ex/running_max", "ex/nowhere", "ex/running_max"]}).encode()


def _serve(*extra: str) -> dict:
    proc = subprocess.Popen([*FOULPLAY, "rewards", "serve", "--env", str(EXAMPLES), "--port", "0", "--hacks",
                             "always_equal,early_exit", "--workers", "2", *extra],
                            stderr=subprocess.PIPE, text=True, env=_env())
    try:
        assert proc.stderr is not None
        lines = [proc.stderr.readline() for _ in range(2 if extra else 1)]
        match = re.search(r"http://127\.0\.0\.1:(\d+)/get_reward", lines[-1])
        assert match, lines
        if extra:
            assert lines[0].startswith("grading on ray"), lines
        status, answer = _post(match.group(0), BODY)
        assert status == 200, answer
        return answer
    finally:
        proc.terminate()
        proc.wait(timeout=60)


def test_serve_on_ray_answers_as_local(ray_cluster) -> None:
    local, remote = _serve(), _serve("--backend", "ray")
    assert remote == local
    assert remote["extra_logs"]["foulplay/unscored"] == [0.0, 1.0, 0.0]


def test_serve_with_an_unreachable_cluster_fails_before_listening() -> None:
    out = run("rewards", "serve", "--env", EXAMPLES, "--backend", "ray", "--address", "127.0.0.1:1")
    assert out.returncode == 2 and "cannot start or join Ray at 127.0.0.1:1" in out.stderr
    assert "Traceback" not in out.stderr
    out = run("rewards", "serve", "--env", EXAMPLES, "--address", "auto")
    assert out.returncode == 2 and "--address is for --backend ray" in out.stderr
