"""Atomic and resumable output: any record, any text, and any partial file left by an interrupted run."""

from __future__ import annotations

import json
from pathlib import Path

from foulplay._util.files import ResumableJsonl, atomic_write_text, json_line, printable


def lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").split("\n") if line]


def test_printable_escapes_lone_surrogates_only():
    assert printable("caf\u00e9 \U0001f600") == "caf\u00e9 \U0001f600"
    assert printable("a\ud800b\udcff") == "a\\ud800b\\udcff"
    printable("\ud800").encode("utf-8")


def test_json_line_is_readable_and_always_valid():
    assert json_line({"a": "caf\u00e9"}) == '{"a": "caf\u00e9"}'
    text = json_line({"a": "x\ud800", "b": "caf\u00e9"})
    text.encode("utf-8")
    assert json.loads(text) == {"a": "x\ud800", "b": "caf\u00e9"}


def test_every_record_is_written_and_none_blocks_the_next(tmp_path):
    out = ResumableJsonl(tmp_path / "out.jsonl")
    loop: list = []
    loop.append(loop)
    out.write({"index": 0, "reason": "ValueError: \ud800", "file": "helper\udcff.py"})
    out.write({"index": 1, "value": loop})  # not JSON data
    out.write({"index": 2, "value": object()})
    out.write({"index": 3, "reason": "fine"})
    out.finish()
    records = lines(tmp_path / "out.jsonl")
    assert [r["index"] for r in records] == [0, 1, 2, 3]
    assert records[0]["reason"] == "ValueError: \ud800" and records[0]["file"] == "helper\udcff.py"
    assert "write_error" in records[1] and "write_error" in records[2]
    assert records[3] == {"index": 3, "reason": "fine"}


def test_resume_keeps_good_lines_and_drops_the_rest(tmp_path):
    partial = tmp_path / "out.jsonl.partial"
    partial.write_bytes(
        b'{"index": 0, "r": "\\ud800"}\n'
        + '{"index": 1, "r": "a\u2028b\u0085c"}\r\n'.encode()
        + b'{"index": {"a": 1}}\n{"index": [2]}\n[1, 2]\n\xff\xfe\n\n'
        + b'[' * 100_000 + b'\n'  # too deep for the JSON parser
        + b'{"index": 5, "r": "torn')
    out = ResumableJsonl(tmp_path / "out.jsonl")
    assert out.done == {0, 1} and out.resumed == 2
    out.write({"index": 2, "r": "new"})
    out.finish()
    records = lines(tmp_path / "out.jsonl")
    assert records == [{"index": 0, "r": "\ud800"}, {"index": 1, "r": "a\u2028b\u0085c"}, {"index": 2, "r": "new"}]


def test_atomic_write_text_survives_lone_surrogates(tmp_path):
    target = tmp_path / "report.json"
    atomic_write_text(target, '{"a": "x\ud800"}')
    assert json.loads(target.read_text(encoding="utf-8")) == {"a": "x\ud800"}
