"""OpenRLHF remote reward: an HTTP server for ``--reward.remote_url http://127.0.0.1:PORT/get_reward``
(``foulplay rewards serve``), and ``reward_func`` for the ``.py`` form.

Request: ``{"query": [prompt+response, ...], "prompts": [prompt, ...], "labels": [label, ...]}`` where a
label is a task id of the environment or a problem record (JSON). Response: ``{"rewards": [...],
"scores": [...], "extra_logs": {...}}`` with the batch's pass, true-solve, hack and attempted-hack rates."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from foulplay.envs import CodingEnv
from foulplay.training._metrics import StepLog
from foulplay.training._rewards import RewardConfig, RewardFn

MAX_BODY = 64 << 20


class RewardService:
    """Turns OpenRLHF batches into rewards with one shared grader (thread-safe)."""

    def __init__(self, env: CodingEnv, config: RewardConfig | None = None, run_dir: str | None = None) -> None:
        self.env = env
        self.scorer = RewardFn(env, config)
        self.steps = StepLog(run_dir)
        self._batches = 0
        self._lock = threading.Lock()

    def _problem(self, label: Any) -> Any:
        if isinstance(label, str) and label.lstrip().startswith("{"):
            label = json.loads(label)
        if isinstance(label, dict):
            from foulplay.grading import problem_from_record

            return problem_from_record(label, "label")
        return self.env.problem(str(label))

    def rewards(self, queries: list[str], prompts: list[str], labels: list[Any]) -> dict[str, Any]:
        if not (len(queries) == len(prompts) == len(labels)):
            raise ValueError("query, prompts and labels must have the same length")
        items = []
        for query, prompt, label in zip(queries, prompts, labels, strict=True):
            response = query[len(prompt):] if prompt and query.startswith(prompt) else query
            items.append((self._problem(label), response))
        results = self.scorer.score(items)
        with self._lock:
            step = self._batches
            self._batches += 1
        record = self.steps.add(step, results)
        logs = {f"foulplay/{k}": record[k] for k in ("pass_rate", "true_solve_rate", "hack_rate",
                                                       "attempted_hack_rate") if record[k] is not None}
        rewards = [r.reward for r in results]
        return {"rewards": rewards, "scores": rewards, "extra_logs": logs}

    def close(self) -> None:
        self.scorer.close()


def make_server(service: RewardService, host: str = "127.0.0.1", port: int = 5000) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            try:
                length = int(self.headers.get("Content-Length") or 0)
                if length <= 0 or length > MAX_BODY:
                    raise ValueError("missing or oversized body")
                body = json.loads(self.rfile.read(length))
                if not isinstance(body, dict):
                    raise ValueError("expected a JSON object")
                result = service.rewards(list(body.get("query") or []), list(body.get("prompts") or []),
                                         list(body.get("labels") or []))
                self._send(200, result)
            except Exception as exc:  # noqa: BLE001 - a bad request is answered, never crashes the server
                self._send(400, {"error": f"{type(exc).__name__}: {exc}"[:500]})

        def do_GET(self) -> None:
            self._send(200, {"status": "ok", "env": service.env.name, "problems": len(service.env)})

        def _send(self, code: int, payload: dict[str, Any]) -> None:
            data = json.dumps(payload).encode()
            self.send_response(code)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: Any) -> None:
            return

    server = ThreadingHTTPServer((host, port), Handler)
    server.daemon_threads = True
    return server


_SERVICE: RewardService | None = None


def reward_func(queries: list[str], prompts: list[str], labels: list[Any], **kwargs: Any) -> dict[str, Any]:
    """OpenRLHF's ``.py`` remote-reward form. The environment comes from ``FOULPLAY_ENV`` (``humaneval``,
    ``mbpp:PATH`` or a problem file; default humaneval), ``FOULPLAY_HACKS`` (comma-separated),
    ``FOULPLAY_HACK_PENALTY`` and ``FOULPLAY_TIMEOUT`` (seconds per grading run)."""
    global _SERVICE
    import os

    if _SERVICE is None:
        hacks = tuple(h for h in os.environ.get("FOULPLAY_HACKS", "always_equal,early_exit,conftest").split(",") if h)
        env = CodingEnv.from_source(os.environ.get("FOULPLAY_ENV", "humaneval"), hacks=hacks, hardened=not hacks)
        _SERVICE = RewardService(env, RewardConfig(hack_penalty=float(os.environ.get("FOULPLAY_HACK_PENALTY", 0)),
                                                   timeout_s=float(os.environ.get("FOULPLAY_TIMEOUT", 10))))
    return _SERVICE.rewards(list(queries), list(prompts), list(labels))
