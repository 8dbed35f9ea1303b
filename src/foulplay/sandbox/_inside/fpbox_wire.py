"""Message framing and data-only (de)serialisation.

Shared by the host, the broker inside the sandbox and candidate processes, so it uses the standard
library only and is imported by file path inside the sandbox (no package ``__init__`` runs there).

Every message is a 4-byte big-endian length followed by a pickle. Pickles that come from an
untrusted side are read with :class:`SafeUnpickler`, which only rebuilds plain data types and a
short allow-list of standard-library value types; it never imports or calls anything else.
"""

from __future__ import annotations

import errno
import os
import pickle
import select
import struct
from collections.abc import Callable
from typing import Any

HEADER = struct.Struct("!I")
MAX_MESSAGE = 64 << 20
PROTOCOL = 5

# (module, name) pairs a data pickle may reference. Everything here is a pure value constructor.
SAFE_GLOBALS: frozenset[tuple[str, str]] = frozenset(
    {
        ("builtins", "set"),
        ("builtins", "frozenset"),
        ("builtins", "complex"),
        ("builtins", "bytearray"),
        ("builtins", "slice"),
        ("builtins", "range"),
        ("builtins", "Ellipsis"),
        ("builtins", "list"),
        ("builtins", "dict"),
        ("builtins", "tuple"),
        ("builtins", "int"),
        ("builtins", "float"),
        ("builtins", "str"),
        ("builtins", "bytes"),
        ("builtins", "bool"),
        ("collections", "OrderedDict"),
        ("collections", "defaultdict"),
        ("collections", "Counter"),
        ("collections", "deque"),
        ("datetime", "date"),
        ("datetime", "time"),
        ("datetime", "datetime"),
        ("datetime", "timedelta"),
        ("datetime", "timezone"),
        ("decimal", "Decimal"),
        ("fractions", "Fraction"),
    }
)


class WireError(Exception):
    """The peer sent something that is not a valid message."""


class WireClosed(WireError):
    """The peer closed the channel."""


class SafeUnpickler(pickle.Unpickler):
    """Unpickler that only rebuilds data; ``persistent_load`` can be supplied by the caller."""

    def __init__(self, file: Any, persistent_load: Callable[[Any], Any] | None = None) -> None:
        super().__init__(file)
        self._persistent = persistent_load

    def find_class(self, module: str, name: str) -> Any:
        if (module, name) not in SAFE_GLOBALS:
            raise pickle.UnpicklingError(f"refused to load {module}.{name}")
        import importlib

        return getattr(importlib.import_module(module), name)

    def persistent_load(self, pid: Any) -> Any:
        if self._persistent is None:
            raise pickle.UnpicklingError("unexpected object reference")
        return self._persistent(pid)


def safe_loads(data: bytes, persistent_load: Callable[[Any], Any] | None = None) -> Any:
    """Decode a pickle from an untrusted sender; any failure becomes :class:`WireError`."""
    import io

    try:
        return SafeUnpickler(io.BytesIO(data), persistent_load).load()
    except WireError:
        raise
    except RecursionError as exc:
        raise WireError("message nests too deeply") from exc
    except Exception as exc:
        raise WireError(f"undecodable message: {type(exc).__name__}: {exc}") from exc


def dumps(obj: Any) -> bytes:
    return pickle.dumps(obj, protocol=PROTOCOL)


def _write_all(fd: int, data: bytes | memoryview) -> None:
    view = memoryview(data)
    while view:
        try:
            n = os.write(fd, view)
        except InterruptedError:  # pragma: no cover - PEP 475 retries for us
            continue
        except BlockingIOError:
            select.select([], [fd], [])
            continue
        view = view[n:]


def send_bytes(fd: int, payload: bytes) -> None:
    if len(payload) > MAX_MESSAGE:
        raise WireError(f"message of {len(payload)} bytes exceeds the {MAX_MESSAGE}-byte limit")
    _write_all(fd, HEADER.pack(len(payload)) + payload)


def _read_exact(fd: int, n: int) -> bytes:
    chunks: list[bytes] = []
    remaining = n
    while remaining:
        try:
            chunk = os.read(fd, min(remaining, 1 << 20))
        except BlockingIOError:
            select.select([fd], [], [])
            continue
        except OSError as exc:
            if exc.errno in (errno.ECONNRESET, errno.EBADF):
                raise WireClosed(str(exc)) from exc
            raise
        if not chunk:
            raise WireClosed("channel closed")
        chunks.append(chunk)
        remaining -= len(chunk)
    return b"".join(chunks)


def recv_bytes(fd: int, limit: int = MAX_MESSAGE) -> bytes:
    (size,) = HEADER.unpack(_read_exact(fd, HEADER.size))
    if size > limit:
        raise WireError(f"peer announced a {size}-byte message (limit {limit})")
    return _read_exact(fd, size)


def send_obj(fd: int, obj: Any) -> None:
    send_bytes(fd, dumps(obj))


def recv_obj(fd: int) -> Any:
    """Receive from a *trusted* peer."""
    return pickle.loads(recv_bytes(fd))


def recv_safe(fd: int, persistent_load: Callable[[Any], Any] | None = None) -> Any:
    """Receive from an untrusted peer."""
    return safe_loads(recv_bytes(fd), persistent_load)


def _read_exact_until(fd: int, n: int, deadline: float) -> bytes:
    import time

    chunks: list[bytes] = []
    remaining = n
    while remaining:
        wait = deadline - time.monotonic()
        if wait <= 0:
            raise TimeoutError("no answer before the deadline")
        ready, _, _ = select.select([fd], [], [], wait)
        if not ready:
            continue
        chunk = os.read(fd, min(remaining, 1 << 20))
        if not chunk:
            raise WireClosed("channel closed")
        chunks.append(chunk)
        remaining -= len(chunk)
    return b"".join(chunks)


def recv_bytes_until(fd: int, deadline: float, limit: int = MAX_MESSAGE) -> bytes:
    """Like :func:`recv_bytes` but gives up (``TimeoutError``) at ``deadline`` (monotonic)."""
    (size,) = HEADER.unpack(_read_exact_until(fd, HEADER.size, deadline))
    if size > limit:
        raise WireError(f"peer announced a {size}-byte message (limit {limit})")
    return _read_exact_until(fd, size, deadline)
