"""Parquet tables read a batch of rows at a time (pyarrow), and a row as one JSON line: how the local
commands take a table (a TRL completions table, rollouts exported from a dataframe) where they take JSON
Lines."""

from __future__ import annotations

import base64
import datetime
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from foulplay.errors import InputError

BATCH_ROWS = 1024


def is_parquet(path: str | Path) -> bool:
    return str(path).lower().endswith(".parquet")


def parquet_rows(path: str | Path, batch_rows: int = BATCH_ROWS) -> Iterator[dict[str, Any]]:
    """Every row of the table at ``path`` as a dict, in order, ``batch_rows`` at a time (bounded memory).
    A file that is missing or not a Parquet table is one :class:`InputError` line."""
    try:
        import pyarrow.parquet as pq
    except ImportError:
        raise InputError(f"{path}: reading Parquet needs pyarrow (pip install pyarrow)") from None
    p = Path(path)
    if not p.exists():
        raise InputError(f"{p}: no such file")
    if p.is_dir():
        raise InputError(f"{p}: is a directory, expected a Parquet file")
    try:
        table = pq.ParquetFile(p)
    except Exception as exc:  # noqa: BLE001 - not a Parquet file: one line
        raise InputError(f"{p}: not a readable Parquet file ({type(exc).__name__})") from None
    for batch in table.iter_batches(batch_size=batch_rows):
        yield from batch.to_pylist()


def _plain(value: Any) -> Any:
    """What JSON cannot hold, as Parquet's readers give it: timestamps and dates as ISO text, bytes as text
    when UTF-8, else base64, anything else (decimals, ...) as its text."""
    if isinstance(value, (datetime.datetime, datetime.date, datetime.time)):
        return value.isoformat()
    if isinstance(value, (bytes, bytearray)):
        try:
            return bytes(value).decode("utf-8")
        except UnicodeDecodeError:
            return base64.b64encode(bytes(value)).decode("ascii")
    return str(value)


def row_json(row: dict[str, Any]) -> str:
    """One row as a JSON line (with its newline), as a rollout read from JSON Lines would be."""
    return json.dumps(row, ensure_ascii=False, default=_plain) + "\n"


def parquet_lines(path: str | Path) -> Iterator[tuple[int, str]]:
    """``(row number from 1, the row as a JSON line)`` for every row: a table read where JSON Lines are."""
    for n, row in enumerate(parquet_rows(path), 1):
        yield n, row_json(row)
