"""The offline guard (used by tests/conftest.py for every test under tests/evals): any attempt to reach a
non-loopback address (a connection or a DNS lookup) fails the test that made it, and so does counting
tokens with tiktoken (whose first use downloads its encoding).

A module of its own, not a ``conftest.py`` in tests/evals: a second ``conftest`` would replace the
top-level one in ``sys.modules`` and break ``from conftest import MBPP_DIR``."""

from __future__ import annotations

import ipaddress
import socket

import pytest

LOOPBACK_NAMES = {"localhost", "localhost.localdomain", "ip6-localhost"}
attempts: list[str] = []


def _loopback(host: object) -> bool:
    if not isinstance(host, str):
        return False
    if host in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.split("%")[0]).is_loopback
    except ValueError:
        return False


@pytest.fixture
def no_network(monkeypatch):
    """Record and refuse every connection or lookup that would leave the machine."""
    attempts.clear()
    connect, connect_ex, getaddrinfo = socket.socket.connect, socket.socket.connect_ex, socket.getaddrinfo

    def guarded(address: object) -> None:
        if isinstance(address, tuple) and not _loopback(address[0]):
            attempts.append(str(address))
            raise OSError(f"test is offline: connection to {address} refused")

    def fake_connect(self, address):
        guarded(address)
        return connect(self, address)

    def fake_connect_ex(self, address):
        guarded(address)
        return connect_ex(self, address)

    def fake_getaddrinfo(host, *args, **kwargs):
        if host is not None and not _loopback(host if isinstance(host, str) else str(host)):
            attempts.append(f"lookup {host}")
            raise socket.gaierror(f"test is offline: no lookup of {host}")
        return getaddrinfo(host, *args, **kwargs)

    monkeypatch.setattr(socket.socket, "connect", fake_connect)
    monkeypatch.setattr(socket.socket, "connect_ex", fake_connect_ex)
    monkeypatch.setattr(socket, "getaddrinfo", fake_getaddrinfo)
    try:
        import tiktoken
    except ImportError:
        tiktoken = None
    if tiktoken is not None:
        def no_tokenizer(*args, **kwargs):
            attempts.append("tiktoken.get_encoding")
            raise AssertionError("a tokenizer was requested (its first use downloads an encoding)")

        monkeypatch.setattr(tiktoken, "get_encoding", no_tokenizer)
    yield attempts
    assert not attempts, f"network or tokenizer use during an offline test: {attempts}"
