"""Reading big inputs for the Ray backend through Ray Data, lazily, in file order.

Why Ray Data reads and the actor pool works: Ray Data streams a file in blocks with bounded memory and
keeps their order (``preserve_order``), which is what reading a rollouts file of millions of lines needs.
But its ``map`` can only retry a failed block or fail the whole job: it cannot turn an item that keeps
killing its worker (a rule stuck in C code, the OOM killer) into one error row. So Ray Data only reads,
and :class:`~foulplay.executors.RayExecutor` (actors, suspects run alone, a failed row after repeated
deaths) does the work.

JSON Lines are read as *lines*, never parsed by Ray Data or pyarrow: a bad line must stay one error item,
exactly as in the local scan, not fail the file. ``ray.data.read_text`` is not used as is, because it
decodes strictly (one invalid UTF-8 byte fails the whole file, where the local scan replaces it) and
splits with ``str.splitlines`` (a U+2028, U+0085 or form feed inside a JSON string would cut a rollout in
two and shift every later line number). :class:`_LineSource` is ``read_text``'s datasource with the local
reader's rules instead: split on ``\\n``, decode with ``errors="replace"``, ``\\r\\n`` and ``\\r`` as
newlines (Python's universal newlines), blank lines kept and counted, so that line ``n`` here is line
``n`` of ``open(path)``, and each line is yielded with its newline as ``open`` would.
"""

from __future__ import annotations

import functools
import logging
import os
from collections.abc import Callable, Iterator
from typing import Any

CHUNK_BYTES = 4 << 20
"""Bytes read at a time, and about the most a block of lines holds (a longer line is one block)."""


def _data() -> Any:
    """``ray.data``, quiet (no progress bars, no INFO logging on the console: ``RAY_DATA_LOG_LEVEL``, unless
    set, is CRITICAL: a failed read is reported as one line) and order-preserving."""
    from foulplay.executors._ray import connect

    connect()
    os.environ.setdefault("RAY_DATA_LOG_LEVEL", "CRITICAL")  # read when Ray Data configures its logging
    import ray.data

    logging.getLogger("ray.data").setLevel(os.environ["RAY_DATA_LOG_LEVEL"].upper())  # imported before us
    from ray.data import DataContext

    ctx = DataContext.get_current()
    ctx.execution_options.preserve_order = True
    ctx.enable_progress_bars = False
    return ray.data


def split_lines(data: bytes, final: bool) -> tuple[list[str], bytes]:
    """The complete lines of ``data`` as ``open(path)`` yields them (decoded with ``errors="replace"``,
    ``\\r\\n`` and ``\\r`` turned into ``\\n``), and the unfinished rest (all of it lines when ``final``)."""
    # up to the last newline (a \r that ends the data may be half of a \r\n), or all of it at the end
    cut = len(data) if final else max(data.rfind(b"\n"), data.rfind(b"\r", 0, len(data) - 1)) + 1
    body, rest = data[:cut], data[cut:]
    lines: list[str] = []
    for segment in body.splitlines(keepends=True):  # bytes split at \n, \r\n and \r only
        text = segment.decode("utf-8", "replace")
        if text.endswith("\r\n"):
            text = text[:-2] + "\n"
        elif text.endswith("\r"):
            text = text[:-1] + "\n"
        lines.append(text)
    return lines, rest


@functools.cache
def _line_source_class() -> Any:
    from ray.data.datasource import FileBasedDatasource

    class _LineSource(FileBasedDatasource):
        """One row per line: ``line`` (1-based, blank lines counted) and ``text`` (with its newline)."""

        def __init__(self, paths: list[str], chunk_bytes: int = CHUNK_BYTES) -> None:
            super().__init__(paths)
            self.chunk_bytes = max(1, chunk_bytes)

        def _read_stream(self, f: Any, path: str) -> Iterator[Any]:
            import pyarrow as pa

            number = 0
            rest: list[bytes] = []  # the line not finished yet, in pieces (one line may be many chunks)
            while True:
                chunk = f.read(self.chunk_bytes)
                if chunk and b"\n" not in chunk and b"\r" not in chunk:
                    rest.append(chunk)
                    continue
                lines, tail = split_lines(b"".join([*rest, chunk]), final=not chunk)
                rest = [tail] if tail else []
                if lines:
                    yield pa.table({"line": pa.array(range(number + 1, number + len(lines) + 1), pa.int64()),
                                    "text": pa.array(lines, pa.large_string())})
                    number += len(lines)
                if not chunk:
                    return

    return _LineSource


def _rows(path: str, read: Callable[[Any, str], Any]) -> Iterator[dict[str, Any]]:
    """The rows of ``read(ray.data, absolute path or URI)``, a block at a time; a read that fails (no such
    file, a table that is not Parquet) is one line: the file, and why."""
    from foulplay.errors import InputError
    from foulplay.executors._ray import _cause

    data = _data()
    where = path if "://" in path else os.path.abspath(path)  # read tasks do not run in our directory
    try:
        yield from read(data, where).iter_rows()
    except Exception as exc:  # noqa: BLE001 - whatever Ray Data raises, it is one line for the user
        raise InputError(f"{path}: could not be read through Ray Data: {_cause(exc)}") from None


def iter_jsonl_lines(path: str, *, chunk_bytes: int = CHUNK_BYTES) -> Iterator[tuple[int, str]]:
    """``(line number, line)`` for every line of ``path``, blank ones included, in order, read through Ray
    Data (the read task runs on the cluster: ``path`` must be reachable there) and fetched a block at a
    time (a block is about ``chunk_bytes`` of lines). The same pairs as
    ``enumerate(open(path, encoding="utf-8", errors="replace"), 1)``."""
    def read(data: Any, where: str) -> Any:
        return data.read_datasource(_line_source_class()([where], chunk_bytes), num_cpus=0)

    for row in _rows(str(path), read):
        yield int(row["line"]), str(row["text"])


def iter_parquet_rows(path: str, columns: list[str] | None = None) -> Iterator[dict[str, Any]]:
    """Every row of a Parquet file or directory (a TRL completions table, say) as a dict, in order, read
    through ``ray.data.read_parquet`` a block at a time (its first datasource: in Ray 2.60 the second one,
    the default, spends about ten seconds on any read, however small)."""
    def read(data: Any, where: str) -> Any:
        ctx = data.DataContext.get_current()
        v2 = getattr(ctx, "use_datasource_v2", None)
        if v2 is not None:
            ctx.use_datasource_v2 = False
        try:
            return data.read_parquet(where, columns=columns, num_cpus=0)
        finally:
            if v2 is not None:
                ctx.use_datasource_v2 = v2

    for row in _rows(str(path), read):
        yield dict(row)


__all__ = ["iter_jsonl_lines", "iter_parquet_rows", "split_lines"]
