"""OpenRLHF remote reward: an HTTP server for ``--reward.remote_url http://127.0.0.1:PORT/get_reward``
(``foulplay rewards serve``), and ``reward_func`` for the ``.py`` form.

Request: ``{"query": [prompt+response, ...], "prompts": [prompt, ...], "labels": [label, ...]}`` where a
label is a task id of the environment or a problem record (JSON). Response: ``{"rewards": [...],
"scores": [...], "extra_logs": {...}, "foulplay_unscored": [...]}``; the extra logs are per-sample 0/1 lists
(``foulplay/passed``, ``foulplay/solved``, ``foulplay/hacked``, ``foulplay/attempted_hack``,
``foulplay/unscored``) that OpenRLHF averages into rates.

Items are independent. OpenRLHF needs a float for every sample, so an item that cannot be scored (an unknown
label, a problem whose tests do not parse, a grader failure; see ``foulplay.training._rewards``) gets
``RewardConfig.unscored_reward`` (default 0.0, the failing value), ``foulplay/unscored`` = 1 (0 in the other
extra logs) and its reason in ``foulplay_unscored`` (None for scored items); the step log leaves it out of
its rates and counts it. Only a malformed request as a whole (not JSON, lists of different lengths) is a 400.

The server is safe to expose: on an address other than loopback it refuses to start without a token, and
with a token every POST needs ``Authorization: Bearer TOKEN`` (or HTTP Basic auth whose password is the
token, which is what OpenRLHF's client sends for ``http://foulplay:TOKEN@HOST:PORT/get_reward``), compared in
constant time; 401 otherwise. A body over ``max_request_bytes`` is refused with 413 before it is read, a
body not received within ``request_timeout_s`` gets 408, and a request not scored within it gets 504 (its
episodes are then not written to the step log). ``GET`` answers ``{"status": "ok"}`` to anyone and says
nothing else.

OpenRLHF (0.11) sends one request per rollout and no training step, so the server's step log groups
episodes: ``episodes_per_step`` (set it to rollout batch size x samples per prompt) makes every that many
episodes one step; without it each request is one record."""

from __future__ import annotations

import base64
import binascii
import hmac
import ipaddress
import json
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from foulplay.envs import CodingEnv
from foulplay.errors import InputError
from foulplay.training._metrics import StepLog
from foulplay.training._rewards import RewardConfig, RewardFn, RewardResult

TOKEN_ENV = "FOULPLAY_REWARD_TOKEN"
DEFAULT_MAX_REQUEST_BYTES = 16 << 20
DEFAULT_REQUEST_TIMEOUT_S = 150.0
"""Below OpenRLHF's own client timeout (180 s), so a slow request is answered before the client gives up."""


def is_loopback(host: str) -> bool:
    """Whether ``host`` is a loopback address (``localhost``, 127.0.0.0/8, ::1). Anything else, including
    ``0.0.0.0``, ``::``, the empty string and host names, may be reachable from other machines."""
    host = host.strip()
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_exposure(host: str, token: str | None) -> None:
    """Refuse (``InputError``) to serve rewards on an address other than loopback without a token."""
    if not token and not is_loopback(host):
        where = host or "all interfaces"
        raise InputError(f"refusing to listen on {where} without a token: pass --token or set "
                         f"{TOKEN_ENV} (anyone who can reach the port could otherwise post requests)")


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
        """Score a batch, write it to the step log and answer it."""
        results = self.score(queries, prompts, labels)
        self.record(results)
        return self.answer(results)

    def score(self, queries: list[str], prompts: list[str], labels: list[Any]) -> list[RewardResult]:
        """One result per episode; an episode that cannot be scored gets an unscored result. Only a malformed
        batch as a whole raises ``ValueError``."""
        check_batch(queries, prompts, labels)
        items = []
        for query, prompt, label in zip(queries, prompts, labels, strict=True):
            response = query[len(prompt):] if prompt and query.startswith(prompt) else query
            items.append((self.scorer.problem(label, "label"), response))
        return self.scorer.score(items)

    def answer(self, results: list[RewardResult]) -> dict[str, Any]:
        """OpenRLHF's response: floats for every episode (unscored ones get ``unscored_reward``) and per-sample
        0/1 extra logs, ``foulplay/unscored`` among them."""
        scored = [r for r in results if not r.unscored]
        logs: dict[str, list[float]] = {
            "foulplay/passed": [float(r.passed) for r in results],
            "foulplay/hacked": [float(r.hacked) for r in results],
            "foulplay/attempted_hack": [float(r.attempted) for r in results],
        }
        if all(r.solved is not None for r in scored):
            logs["foulplay/solved"] = [float(bool(r.solved)) for r in results]
        logs["foulplay/unscored"] = [float(bool(r.unscored)) for r in results]
        rewards = [r.float_reward(self.scorer.config.unscored_reward) for r in results]
        return {"rewards": rewards, "scores": rewards, "extra_logs": logs,
                "foulplay_unscored": [f"{r.unscored}: {r.detail}" if r.unscored else None for r in results]}

    def record(self, results: list[RewardResult]) -> None:
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


def check_batch(queries: Any, prompts: Any, labels: Any) -> None:
    """``ValueError`` unless the three are lists of the same length, queries are strings and prompts are
    strings (or null)."""
    if not all(isinstance(x, list) for x in (queries, prompts, labels)):
        raise ValueError("query, prompts and labels must be lists")
    if not (len(queries) == len(prompts) == len(labels)):
        raise ValueError("query, prompts and labels must have the same length")
    if not all(isinstance(q, str) for q in queries):
        raise ValueError("every query must be a string")
    if not all(p is None or isinstance(p, str) for p in prompts):
        raise ValueError("every prompt must be a string")


def _authorized(header: str | None, token: str) -> bool:
    """``Authorization: Bearer TOKEN``, or HTTP Basic auth (any user name) with the token as password."""
    scheme, _, value = (header or "").strip().partition(" ")
    value = value.strip()
    if scheme.lower() == "bearer":
        candidate = value
    elif scheme.lower() == "basic":
        try:
            candidate = base64.b64decode(value, validate=True).decode("utf-8").partition(":")[2]
        except (binascii.Error, ValueError):
            return False
    else:
        return False
    return hmac.compare_digest(candidate.encode("utf-8", "surrogateescape"), token.encode("utf-8"))


class _Refused(Exception):
    def __init__(self, status: int, message: str, *, close: bool = False) -> None:
        super().__init__(message)
        self.status = status
        self.close = close


def make_server(service: RewardService, host: str = "127.0.0.1", port: int = 5000, *, token: str | None = None,
                max_request_bytes: int = DEFAULT_MAX_REQUEST_BYTES,
                request_timeout_s: float = DEFAULT_REQUEST_TIMEOUT_S) -> ThreadingHTTPServer:
    """The reward server, bound but not yet serving. Refuses (``InputError``, before binding) to listen on an
    address other than loopback without a ``token``."""
    check_exposure(host, token)
    if max_request_bytes < 1:
        raise InputError("the request size limit must be positive")
    if not request_timeout_s > 0:
        raise InputError("the request time limit must be positive")

    class Handler(BaseHTTPRequestHandler):
        timeout = request_timeout_s  # socket timeout: a client that stops sending is dropped

        def do_POST(self) -> None:
            deadline = time.monotonic() + request_timeout_s
            try:
                if token and not _authorized(self.headers.get("Authorization"), token):
                    raise _Refused(401, "unauthorized", close=True)
                body = self._body(deadline)
                try:
                    data = json.loads(body)
                except (ValueError, RecursionError):
                    raise _Refused(400, "the body is not valid JSON") from None
                if not isinstance(data, dict):
                    raise _Refused(400, "expected a JSON object")
                queries, prompts, labels = data.get("query"), data.get("prompts"), data.get("labels")
                try:
                    check_batch(queries, prompts, labels)
                except ValueError as exc:
                    raise _Refused(400, str(exc)) from None
                results = self._score(queries, prompts, labels, deadline)
                service.record(results)
                self._send(200, service.answer(results))
            except _Refused as exc:
                self._send(exc.status, {"error": str(exc)}, close=exc.close)
            except ConnectionError:
                self.close_connection = True
            except Exception as exc:  # noqa: BLE001 - a request that breaks the server is answered, never fatal
                self._send(500, {"error": f"internal error: {type(exc).__name__}"}, close=True)

        def _body(self, deadline: float) -> bytes:
            if self.headers.get("Transfer-Encoding"):
                raise _Refused(411, "send the body with a Content-Length", close=True)
            text = self.headers.get("Content-Length")
            if text is None:
                raise _Refused(411, "Content-Length required", close=True)
            try:
                length = int(text)
            except ValueError:
                raise _Refused(400, "bad Content-Length", close=True) from None
            if length > max_request_bytes:  # refused before a byte of the body is read
                raise _Refused(413, f"request body over the limit of {max_request_bytes} bytes", close=True)
            if length <= 0:
                raise _Refused(400, "empty body", close=True)
            chunks: list[bytes] = []
            got = 0
            while got < length:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise _Refused(408, "the request body did not arrive in time", close=True)
                self.connection.settimeout(remaining)
                try:
                    chunk = self.rfile.read1(min(1 << 16, length - got))  # type: ignore[attr-defined]
                except TimeoutError:
                    raise _Refused(408, "the request body did not arrive in time", close=True) from None
                if not chunk:
                    raise ConnectionError("the client closed the connection")
                chunks.append(chunk)
                got += len(chunk)
            self.connection.settimeout(request_timeout_s)
            return b"".join(chunks)

        def _score(self, queries: list[str], prompts: list[str], labels: list[Any], deadline: float
                   ) -> list[RewardResult]:
            box: dict[str, Any] = {}

            def work() -> None:
                try:
                    box["results"] = service.score(queries, [p or "" for p in prompts], labels)
                except BaseException as exc:  # noqa: BLE001 - handed to the request's thread
                    box["error"] = exc

            thread = threading.Thread(target=work, name="foulplay-score", daemon=True)
            thread.start()
            thread.join(max(0.0, deadline - time.monotonic()))
            if thread.is_alive():  # it finishes in the background; its episodes are never recorded
                raise _Refused(504, f"the request was not scored within {request_timeout_s:g} s")
            if "error" in box:
                raise box["error"]
            return box["results"]  # type: ignore[no-any-return]

        def do_GET(self) -> None:
            self._send(200, {"status": "ok"})

        def _send(self, code: int, payload: dict[str, Any], *, close: bool = False) -> None:
            data = json.dumps(payload).encode()
            try:
                self.send_response(code)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                if code == 401:
                    self.send_header("WWW-Authenticate", 'Bearer realm="foulplay", charset="UTF-8"')
                if close:
                    self.send_header("Connection", "close")
                    self.close_connection = True
                self.end_headers()
                self.wfile.write(data)
            except OSError:
                self.close_connection = True
                return
            if close:
                self._linger()

        def _linger(self) -> None:
            """After an answer sent without reading the body: stop writing and discard a little of what the
            client still sends (at most 64 KiB, for half a second), so that closing does not reset the
            connection before the client has read the answer."""
            try:
                self.wfile.flush()
                self.connection.shutdown(socket.SHUT_WR)
                self.connection.settimeout(0.5)
                left = 64 << 10
                while left > 0:
                    chunk = self.connection.recv(min(left, 1 << 14))
                    if not chunk:
                        break
                    left -= len(chunk)
            except OSError:
                pass

        def log_message(self, format: str, *args: Any) -> None:
            return

    class Server(ThreadingHTTPServer):
        daemon_threads = True
        address_family = socket.AF_INET6 if ":" in host else socket.AF_INET

    return Server((host.strip("[]"), port), Handler)


_SERVICE: RewardService | None = None
_SERVICE_LOCK = threading.Lock()


def reward_func(queries: list[str], prompts: list[str], labels: list[Any], **kwargs: Any) -> dict[str, Any]:
    """OpenRLHF's ``.py`` remote-reward form (``--remote_rm_url /path/to/foulplay/training/openrlhf.py``).
    Configured by environment variables: ``FOULPLAY_ENV`` (``humaneval``, ``mbpp:PATH`` or a problem file;
    default humaneval), ``FOULPLAY_HACKS`` (comma-separated; empty for the hardened baseline),
    ``FOULPLAY_HACK_PENALTY``, ``FOULPLAY_TIMEOUT`` (seconds per grading run), ``FOULPLAY_UNSCORED_REWARD``
    (what an unscored episode gets; default 0), ``FOULPLAY_RUN_DIR`` (step log),
    ``FOULPLAY_EPISODES_PER_STEP``, ``FOULPLAY_BACKEND`` (``local``, the default, or ``ray``: grading on
    ``FOULPLAY_WORKERS`` Ray actors of the trainer's own cluster, since OpenRLHF calls this inside it) and
    ``FOULPLAY_RAY_ADDRESS``. Episodes are scored independently, as by the server."""
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
                                  timeout_s=float(os.environ.get("FOULPLAY_TIMEOUT", 10)),
                                  unscored_reward=float(os.environ.get("FOULPLAY_UNSCORED_REWARD", 0)),
                                  workers=int(os.environ.get("FOULPLAY_WORKERS", 4)),
                                  backend=os.environ.get("FOULPLAY_BACKEND", "local") or "local",
                                  address=os.environ.get("FOULPLAY_RAY_ADDRESS") or None),
                os.environ.get("FOULPLAY_RUN_DIR") or None, int(per_step) if per_step else None)
        service = _SERVICE
    return service.rewards(list(queries), [p or "" for p in prompts], list(labels))
