"""Parquet tables read where JSON Lines are: rows in order, a batch at a time, as JSON lines; bad files are
one line."""

from __future__ import annotations

import datetime
import json
from pathlib import Path

import pytest

from foulplay._util.parquet import is_parquet, parquet_lines, parquet_rows, row_json
from foulplay.errors import InputError

pa = pytest.importorskip("pyarrow")
pq = pytest.importorskip("pyarrow.parquet")


def test_rows_in_order_across_batches(tmp_path: Path) -> None:
    pq.write_table(pa.Table.from_pylist([{"i": i, "t": f"x{i}"} for i in range(2500)]), tmp_path / "t.parquet",
                   row_group_size=700)
    rows = list(parquet_rows(tmp_path / "t.parquet", batch_rows=300))
    assert [r["i"] for r in rows] == list(range(2500))
    lines = list(parquet_lines(tmp_path / "t.parquet"))
    assert lines[0] == (1, '{"i": 0, "t": "x0"}\n') and lines[-1][0] == 2500


def test_values_json_cannot_hold_become_text() -> None:
    row = {"at": datetime.datetime(2026, 1, 2, 3, 4, 5), "raw": b"caf\xc3\xa9", "blob": b"\xff\x00", "n": None}
    assert json.loads(row_json(row)) == {"at": "2026-01-02T03:04:05", "raw": "café", "blob": "/wA=", "n": None}


def test_bad_inputs_are_one_line(tmp_path: Path) -> None:
    (tmp_path / "bad.parquet").write_text("not a table")
    (tmp_path / "dir.parquet").mkdir()
    for path, fragment in ((tmp_path / "bad.parquet", "not a readable Parquet file"),
                           (tmp_path / "missing.parquet", "no such file"),
                           (tmp_path / "dir.parquet", "is a directory")):
        with pytest.raises(InputError, match=fragment):
            list(parquet_rows(path))
    assert is_parquet("X.PARQUET") and not is_parquet("x.jsonl")
