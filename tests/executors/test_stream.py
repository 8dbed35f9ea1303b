"""Reading through Ray Data (:mod:`foulplay.executors._stream`): the lines and line numbers of a JSONL file are
exactly those of ``open(path)``, in order, whatever the file holds; Parquet rows in order."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from foulplay.errors import InputError
from foulplay.executors._stream import iter_jsonl_lines, iter_parquet_rows, split_lines

PIECES = [b"a", b'{"id": 1}', b"\n", b"\r", b"\r\n", "\u2028".encode(), b"\xc2\x85", b"\x0c", b"\x1e", b"\xe2\x80",
          b"\xff", b" ", "\u00e9".encode()]
"""Newlines Python's universal newlines know (\\n, \\r, \\r\\n), characters str.splitlines also splits at (U+2028,
U+0085, form feed, \\x1e), invalid and cut-off UTF-8."""


def _reference(path: Path) -> list[tuple[int, str]]:
    with open(path, encoding="utf-8", errors="replace") as fh:
        return list(enumerate(fh, 1))


def _chunked(data: bytes, size: int) -> list[str]:
    """The lines :func:`split_lines` gives reading ``data`` ``size`` bytes at a time, as the read task does."""
    out: list[str] = []
    rest, pos = b"", 0
    while True:
        chunk, pos = data[pos:pos + size], pos + size
        lines, rest = split_lines(rest + chunk, final=not chunk)
        out += lines
        if not chunk:
            return out


def test_split_lines_is_open_whatever_the_chunking(tmp_path: Path) -> None:
    rng = random.Random(7)
    target = tmp_path / "f.jsonl"
    for _ in range(1500):
        data = b"".join(rng.choice(PIECES) for _ in range(rng.randint(0, 30)))
        target.write_bytes(data)
        expected = [line for _, line in _reference(target)]
        for size in (1, 2, 5, 64):
            assert _chunked(data, size) == expected, (data, size)


def _rollouts_file(path: Path, n: int) -> Path:
    rng = random.Random(3)
    with open(path, "wb") as fh:
        for i in range(n):
            roll = rng.random()
            if roll < 0.05:
                fh.write(b"\n")  # blank: not an item, but counted
            elif roll < 0.08:
                fh.write(b'{"id": "bad", "completion": "cut off\r\n')  # invalid JSON, CRLF
            elif roll < 0.10:
                fh.write(f'{{"id": "u{i}", "completion": "a\u2028b\x85c\x0cd"}}\n'.encode())  # one line, not four
            elif roll < 0.12:
                fh.write(b'{"id": "x\xff\xfe", "completion": "bytes that are not UTF-8"}\n')
            else:
                fh.write(f'{{"id": "r{i}", "completion": "{"x" * rng.randint(0, 300)}"}}\n'.encode())
        fh.write(b'{"id": "last", "completion": "no newline at the end"}')
    return path


def test_jsonl_lines_through_ray_data_keep_order_and_line_numbers(ray_cluster, tmp_path: Path) -> None:
    path = _rollouts_file(tmp_path / "r.jsonl", 4000)
    expected = _reference(path)
    assert len(expected) == 4001
    got = list(iter_jsonl_lines(str(path), chunk_bytes=16 << 10))  # dozens of blocks, lines cut across reads
    assert got == expected


def test_a_jsonl_file_that_cannot_be_read_is_one_line(ray_cluster, tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"^\S*gone\.jsonl: could not be read through Ray Data: ") as info:
        list(iter_jsonl_lines(str(tmp_path / "gone.jsonl")))
    assert "\n" not in str(info.value)


def test_parquet_rows_in_order(ray_cluster, tmp_path: Path) -> None:
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    rows = [{"step": i // 100, "prompt": f"p{i}", "completion": "c" * (i % 7)} for i in range(3000)]
    pq.write_table(pa.Table.from_pylist(rows), tmp_path / "completions_1.parquet", row_group_size=250)
    assert list(iter_parquet_rows(str(tmp_path / "completions_1.parquet"))) == rows
    assert [r["prompt"] for r in iter_parquet_rows(str(tmp_path / "completions_1.parquet"), ["prompt"])][:3] == \
        ["p0", "p1", "p2"]
