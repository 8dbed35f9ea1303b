"""Atomic writes and resumable JSON Lines output: nothing a user produced is lost."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any, TextIO

from foulplay.errors import InputError


def read_input_bytes(path: str | Path, expected: str = "a file") -> bytes:
    """Read a user-supplied file; every failure is one clear :class:`InputError`."""
    p = Path(path)
    try:
        data = p.read_bytes()
    except FileNotFoundError:
        raise InputError(f"{p}: no such file")
    except IsADirectoryError:
        raise InputError(f"{p}: is a directory, expected {expected}")
    except OSError as exc:
        raise InputError(f"{p}: cannot read: {exc.strerror}")
    return data


def atomic_write_text(path: str | Path, text: str) -> None:
    """Write ``text`` to ``path`` via a temporary file and a rename."""
    target = Path(path)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    except OSError as exc:
        from foulplay.errors import InputError

        raise InputError(f"cannot write {target}: {exc.strerror or exc}") from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def read_jsonl_objects(path: str | Path) -> list[tuple[int, dict[str, Any]]]:
    """``(line number, object)`` for each non-blank line of a JSON Lines file; a line that is not a JSON
    object is an :class:`InputError` naming the file and line."""

    out = []
    try:
        fh = open(path, encoding="utf-8", errors="replace")
    except OSError as exc:
        raise InputError(f"{path}: {exc.strerror or exc}") from None
    with fh:
        for i, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                rec = json.loads(line)
            except ValueError:
                raise InputError(f"{path}: line {i}: invalid JSON") from None
            if not isinstance(rec, dict):
                raise InputError(f"{path}: line {i}: expected a JSON object")
            out.append((i, rec))
    return out


class ResumableJsonl:
    """JSON Lines written to ``<path>.partial`` line by line and renamed to ``path`` when complete.

    If a previous run was interrupted, the lines already in the partial file are kept and their
    keys (the ``key`` field of each record) are reported by :attr:`done`, so the caller can skip
    them. A torn last line is dropped.
    """

    def __init__(self, path: str | Path, key: str = "index", overwrite: bool = False) -> None:
        self.path = Path(path)
        self.partial = self.path.with_name(self.path.name + ".partial")
        self.key = key
        self.done: set[Any] = set()
        if self.path.exists() and not overwrite:
            raise InputError(f"{self.path} already exists; pass --overwrite to replace it")
        if overwrite and self.partial.exists():
            self.partial.unlink()
        kept: list[str] = []
        if self.partial.exists():
            for line in self.partial.read_text(encoding="utf-8", errors="replace").splitlines():
                try:
                    record = json.loads(line)
                except ValueError:
                    continue
                if isinstance(record, dict) and self.key in record:
                    self.done.add(record[self.key])
                    kept.append(line)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.partial, "w", encoding="utf-8") as fh:
            fh.write("".join(line + "\n" for line in kept))
        self._fh: TextIO | None = open(self.partial, "a", encoding="utf-8")

    @property
    def resumed(self) -> int:
        return len(self.done)

    def write(self, record: dict[str, Any]) -> None:
        assert self._fh is not None
        self._fh.write(json.dumps(record, sort_keys=False, ensure_ascii=False) + "\n")
        self._fh.flush()

    def finish(self) -> None:
        """Mark the output complete (atomic rename)."""
        if self._fh is not None:
            self._fh.flush()
            os.fsync(self._fh.fileno())
            self._fh.close()
            self._fh = None
        os.replace(self.partial, self.path)

    def close(self) -> None:
        """Stop without completing (the partial file stays for a later resume)."""
        if self._fh is not None:
            self._fh.close()
            self._fh = None
