"""OpenRLHF remote reward: an HTTP server for ``--reward.remote_url http://127.0.0.1:PORT/get_reward``
(``foulplay rewards serve``), and ``reward_func`` for the ``.py`` form.

Request: ``{"query": [prompt+response, ...], "prompts": [prompt, ...], "labels": [label, ...]}`` where a
label is a task id of the environment or a problem record (JSON). Response: ``{"rewards": [...],
"scores": [...], "extra_logs": {...}}``; the extra logs are per-sample 0/1 lists (``foulplay/passed``,
``foulplay/solved``, ``foulplay/hacked``, ``foulplay/attempted_hack``) that OpenRLHF averages into rates.

OpenRLHF (0.11) sends one request per rollout and no training step, so the server's step log groups
episodes: ``episodes_per_step`` (set it to rollout batch size x samples per prompt) makes every that many
episodes one step; without it each request is one record."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from foulplay.envs import CodingEnv
from foulplay.training._metrics import StepLog
from foulplay.training._rewards import RewardConfig, RewardFn, RewardResult, problem_for

MAX_BODY = 64 << 20


class RewardService:
    """Turns OpenRLHF batches into rewards with one shared grader (thread-safe)."""

    def __init__(self, env: CodingEnv, config: RewardConfig | None = None, run_dir: str | None = None,
                 episodes_per_step: int | None = None) -> None:
        if episodes_per_step is not None and episodes_per_step < 1:
            raise ValueError("episodes_per_step must be at least 1")
        self.env = env
        self.scorer = RewardFn(env, config)
        self.steps = StepLog(run_dir)
        self.episodes_per_step = episodes_per_step
        self._step = 0
        self._pending: list[RewardResult] = []
        self._lock = threading.Lock()

    def rewards(self, queries: list[str], prompts: list[str], labels: list[Any]) -> dict[str, Any]:
        if not (len(queries) == len(prompts) == len(labels)):
            raise ValueError("query, prompts and labels must have the same length")
        items = []
        for query, prompt, label in zip(queries, prompts, labels, strict=True):
            response = query[len(prompt):] if prompt and query.startswith(prompt) else query
            items.append((problem_for(label, self.env, "label"), response))
        results = self.scorer.score(items)
        self._record(results)
        logs: dict[str, list[float]] = {
            "foulplay/passed": [float(r.passed) for r in results],
            "foulplay/hacked": [float(r.hacked) for r in results],
            "foulplay/attempted_hack": [float(r.attempted) for r in results],
        }
        if all(r.solved is not None for r in results):
            logs["foulplay/solved"] = [float(bool(r.solved)) for r in results]
        rewards = [r.reward for r in results]
        return {"rewards": rewards, "scores": rewards, "extra_logs": logs}

    def _record(self, results: list[RewardResult]) -> None:
        with self._lock:
            if self.episodes_per_step is None:
                self._step += 1
                self.steps.add(self._step, results)
                return
            self._pending += results
            while len(self._pending) >= self.episodes_per_step:
                done, self._pending = (self._pending[:self.episodes_per_step],
                                       self._pending[self.episodes_per_step:])
                self._step += 1
                self.steps.add(self._step, done)

    def close(self) -> None:
        with self._lock:  # a last, partial step is still a step
            if self._pending:
                self._step += 1
                self.steps.add(self._step, self._pending)
                self._pending = []
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
_SERVICE_LOCK = threading.Lock()


def reward_func(queries: list[str], prompts: list[str], labels: list[Any], **kwargs: Any) -> dict[str, Any]:
    """OpenRLHF's ``.py`` remote-reward form (``--remote_rm_url /path/to/foulplay/training/openrlhf.py``).
    Configured by environment variables: ``FOULPLAY_ENV`` (``humaneval``, ``mbpp:PATH`` or a problem file;
    default humaneval), ``FOULPLAY_HACKS`` (comma-separated; empty for the hardened baseline),
    ``FOULPLAY_HACK_PENALTY``, ``FOULPLAY_TIMEOUT`` (seconds per grading run), ``FOULPLAY_RUN_DIR`` (step
    log) and ``FOULPLAY_EPISODES_PER_STEP``."""
    global _SERVICE
    import os

    with _SERVICE_LOCK:  # OpenRLHF calls this from many threads at once
        if _SERVICE is None:
            hacks = tuple(h for h in os.environ.get("FOULPLAY_HACKS", "always_equal,early_exit,conftest").split(",")
                          if h)
            env = CodingEnv.from_source(os.environ.get("FOULPLAY_ENV", "humaneval"), hacks=hacks,
                                        hardened=not hacks)
            per_step = os.environ.get("FOULPLAY_EPISODES_PER_STEP")
            _SERVICE = RewardService(
                env, RewardConfig(hack_penalty=float(os.environ.get("FOULPLAY_HACK_PENALTY", 0)),
                                  timeout_s=float(os.environ.get("FOULPLAY_TIMEOUT", 10))),
                os.environ.get("FOULPLAY_RUN_DIR") or None, int(per_step) if per_step else None)
        service = _SERVICE
    return service.rewards(list(queries), list(prompts), list(labels))
