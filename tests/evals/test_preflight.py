"""``foulplay eval``'s pre-flight, offline: what a provider needs is read from the installed Inspect; unknown
providers, missing keys and silent servers stop the run with one line and exit status 2 before any sample
runs. Servers in these tests are loopback only (the conftest refuses anything else)."""

from __future__ import annotations

import http.server
import json
import socket
import threading

import pytest

from foulplay.errors import InputError
from foulplay.evals._preflight import check_model, preflight, probe, provider_needs


@pytest.fixture
def clean_env(monkeypatch):
    """No provider keys or base URLs from the machine running the tests."""
    import os

    for var in list(os.environ):
        if var.endswith(("_API_KEY", "_BASE_URL", "_TOKEN", "_USE_ADC")):
            monkeypatch.delenv(var)
    return monkeypatch


def unused_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """A tiny OpenAI-style server on 127.0.0.1 answering GET /v1/models (or refusing every key)."""

    def __init__(self, status: int = 200) -> None:
        self.requests: list[tuple[str, str | None]] = []
        owner = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                owner.requests.append((self.path, self.headers.get("Authorization")))
                body = json.dumps({"object": "list", "data": [{"id": "tiny", "object": "model"}]}).encode()
                self.send_response(status if self.path == "/v1/models" else 404)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    def __enter__(self) -> Server:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def test_what_providers_need_is_read_from_inspect():
    openai = provider_needs("openai", "gpt-4o")
    assert openai.key_required and openai.key_vars[0] == "OPENAI_API_KEY" and openai.base_url_vars[0] == "OPENAI_BASE_URL"
    anthropic = provider_needs("anthropic", "claude")
    assert anthropic.key_required and "ANTHROPIC_API_KEY" in anthropic.key_vars
    google = provider_needs("google", "gemini")
    assert google.key_required and "GOOGLE_API_KEY" in google.key_vars
    local = provider_needs("openai-api", "local/qwen")  # Inspect's <SERVICE>_API_KEY / <SERVICE>_BASE_URL
    assert local.key_vars[0] == "LOCAL_API_KEY" and local.base_url_vars[0] == "LOCAL_BASE_URL"
    ollama = provider_needs("ollama", "qwen3:8b")
    assert not ollama.key_required and ollama.key_default
    assert ollama.default_base_url.startswith("http://localhost:")
    vllm = provider_needs("vllm", "Qwen/Qwen3-8B")
    assert not vllm.key_required and vllm.base_url_vars[0] == "VLLM_BASE_URL"
    for nothing_needed in ("mockllm", "foulplay", "none"):
        needs = provider_needs(nothing_needed, "model")
        assert needs is not None and not needs.key_required and not needs.base_url_vars
    assert provider_needs("no-such-provider", "x") is None


def test_unknown_provider(clean_env):
    (problem,) = check_model("opnai/gpt-4o")
    assert "unknown model provider 'opnai'" in problem and "did you mean openai" in problem
    assert "Inspect knows" in check_model("zzz/m")[0]
    assert "provider/model" in check_model("gpt-4o")[0]


def test_missing_key_names_the_variable(clean_env):
    (problem,) = check_model("openai/gpt-4o")
    assert "OPENAI_API_KEY is not set" in problem and "-M api_key=" in problem
    (problem,) = check_model("anthropic/claude-sonnet-4-5", flag="--judge")
    assert problem.startswith("--judge anthropic/claude-sonnet-4-5: ANTHROPIC_API_KEY is not set")
    assert "--judge-arg api_key=" in problem
    assert "LOCAL_API_KEY" in check_model("openai-api/local/qwen")[0]
    clean_env.setenv("OPENAI_API_KEY", "sk-test")
    assert check_model("openai/gpt-4o") == []  # a key and no base URL: nothing to reach
    assert check_model("anthropic/claude", {"api_key": "x"}) == []
    silent = Server()  # listening, never answering
    try:
        (problem,) = check_model("ollama/qwen3:8b", {"base_url": silent.url}, timeout=0.2)
        assert "no answer within 0.2s" in problem
    finally:
        silent.httpd.server_close()


def test_unreachable_base_url(clean_env):
    url = f"http://127.0.0.1:{unused_port()}/v1"
    clean_env.setenv("LOCAL_API_KEY", "none")
    clean_env.setenv("LOCAL_BASE_URL", url)
    (problem,) = check_model("openai-api/local/qwen")
    assert f"the server at {url} (LOCAL_BASE_URL) does not answer GET /models (connection refused)" in problem
    clean_env.setenv("OPENAI_API_KEY", "sk-test")
    (problem,) = check_model("openai/gpt-4o", {"base_url": url}, flag="--judge")
    assert problem.startswith("--judge openai/gpt-4o: the server at") and "(base_url)" in problem
    clean_env.setenv("OLLAMA_BASE_URL", url)
    assert "OLLAMA_BASE_URL" in check_model("ollama/qwen3:8b")[0]
    with pytest.raises(InputError, match=r"^pre-flight: --model openai-api/local/qwen: .*--no-preflight"):
        preflight([("--model", "openai-api/local/qwen", {}), ("--judge", "openai-api/local/qwen", {})])


def test_reachable_base_url(clean_env):
    with Server() as server:
        clean_env.setenv("LOCAL_API_KEY", "secret")
        clean_env.setenv("LOCAL_BASE_URL", server.url)
        assert check_model("openai-api/local/qwen") == []
        clean_env.setenv("OLLAMA_BASE_URL", server.url)
        assert check_model("ollama/qwen3:8b") == []  # no key needed: Inspect's default one
        assert check_model("vllm/tiny", {"base_url": server.url}) == []
        preflight([("--model", "openai-api/local/qwen", {}), ("--judge", "ollama/qwen3:8b", {})])
    assert ("/v1/models", "Bearer secret") in server.requests
    assert all(path == "/v1/models" for path, _ in server.requests)
    with Server(status=401) as server:
        answered, what = probe(server.url, "wrong")
        assert not answered and "refused the API key" in what


def test_cli_stops_before_any_sample_with_one_line_and_status_2(clean_env, tmp_path, capsys):
    from foulplay.cli.main import main

    url = f"http://127.0.0.1:{unused_port()}/v1"
    clean_env.setenv("LOCAL_API_KEY", "none")
    with pytest.raises(SystemExit) as exit_info:
        main(["eval", "goals", "--model", "openai-api/local/qwen", "-M", f"base_url={url}", "--log-dir",
              str(tmp_path)])
    assert exit_info.value.code == 2
    captured = capsys.readouterr()
    lines = [line for line in captured.err.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: pre-flight: --model openai-api/local/qwen")
    assert "connection refused" in lines[0] and captured.out == ""
    assert not list(tmp_path.iterdir())  # no sample ran, no log was written
    with pytest.raises(SystemExit) as exit_info:
        main(["eval", "goals", "--model", "nosuch/model", "--log-dir", str(tmp_path)])
    assert exit_info.value.code == 2 and "unknown model provider 'nosuch'" in capsys.readouterr().err
