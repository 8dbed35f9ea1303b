"""atomic_write_text: a rename for files, a plain write for devices and pipes, never a replaced device."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

from foulplay._util.files import atomic_write_text
from foulplay.errors import InputError


def test_regular_file_is_replaced_whole(tmp_path: Path) -> None:
    target = tmp_path / "sub" / "out.json"
    atomic_write_text(target, "one\n")
    atomic_write_text(target, "two\n")
    assert target.read_text() == "two\n"
    assert [p.name for p in target.parent.iterdir()] == ["out.json"]


def test_dev_null_stays_a_device() -> None:
    atomic_write_text("/dev/null", "discarded\n")
    assert Path("/dev/null").is_char_device()


def test_fifo_is_written_not_replaced(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    got: list[str] = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_text()))
    reader.start()
    atomic_write_text(fifo, "through the pipe\n")
    reader.join(timeout=30)
    assert got == ["through the pipe\n"]
    assert fifo.is_fifo()


def test_directory_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="is a directory"):
        atomic_write_text(tmp_path, "x")
