"""Atomic writes and resumable JSON Lines output: nothing a user produced is lost."""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TextIO

from foulplay.errors import InputError


def printable(text: str) -> str:
    """``text`` with lone surrogates (``'\\ud800'``, undecodable bytes of a file name) escaped as ``\\ud800``,
    so that it can be printed or written as UTF-8 anywhere; any other text is returned as it is."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-8", "backslashreplace").decode("utf-8")
    return text


def json_line(record: Any) -> str:
    """One JSON Lines record: readable UTF-8 (``ensure_ascii=False``), except for a record holding lone
    surrogates, which is written with JSON's ``\\ud800`` escapes (valid JSON that reads back to the same
    string)."""
    text = json.dumps(record, ensure_ascii=False)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        text = json.dumps(record)
    return text


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
    """Write ``text`` to ``path`` via a temporary file and a rename. A target that exists and is not a regular
    file (``/dev/null``, ``/dev/stdout``, a FIFO) is written to directly: renaming over it would replace the
    device or pipe with a file. A directory is an error."""
    target = Path(path)
    if target.is_dir():
        raise InputError(f"cannot write {target}: it is a directory")
    if target.exists() and not target.is_file():
        try:
            with open(target, "w", encoding="utf-8", errors="backslashreplace") as fh:
                fh.write(text)
        except OSError as exc:
            raise InputError(f"cannot write {target}: {exc.strerror or exc}") from None
        return
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    except OSError as exc:
        raise InputError(f"cannot write {target}: {exc.strerror or exc}") from None
    try:
        # a lone surrogate becomes the escape \ud800 (in JSON text, the valid escape of the same character)
        with os.fdopen(fd, "w", encoding="utf-8", errors="backslashreplace") as fh:
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


def parse_toml_or_yaml(text: str, suffix: str, source: str) -> Any:
    """A config or data file's text: TOML when ``suffix`` is ``.toml``, else YAML; a syntax error is an
    :class:`InputError` naming ``source`` (and the line, for YAML)."""
    if suffix == ".toml":
        import tomllib

        try:
            return tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise InputError(f"{source}: not valid TOML ({exc})") from None
    import yaml

    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}" if mark is not None else ""
        raise InputError(f"{source}:{where} not valid YAML") from None


def read_jsonl_objects(path: str | Path) -> list[tuple[int, dict[str, Any]]]:
    """``(line number, object)`` for each non-blank line of a JSON Lines file; a line that is not a JSON
    object is an :class:`InputError` naming the file and line."""
    return list(iter_jsonl_objects(path))


def iter_jsonl_objects(path: str | Path, errors: list[str] | None = None) -> Iterator[tuple[int, dict[str, Any]]]:
    """Yield ``(line number, object)`` for each non-blank line of a JSON Lines file. A line that is not a JSON
    object is an :class:`InputError` naming the file and line, or, with ``errors``, one message appended
    there (in file order, between the caller's own) while the other lines are still read. A file that cannot
    be opened is always an ``InputError``."""
    try:
        fh = open(path, encoding="utf-8", errors="replace")
    except OSError as exc:
        raise InputError(f"{path}: {exc.strerror or exc}") from None
    with fh:
        for i, line in enumerate(fh, 1):
            if not line.strip():
                continue
            problem = None
            try:
                rec = json.loads(line)
            except (ValueError, RecursionError):
                problem = f"{path}: line {i}: invalid JSON"
            else:
                if not isinstance(rec, dict):
                    problem = f"{path}: line {i}: expected a JSON object"
            if problem is None:
                yield i, rec
            elif errors is None:
                raise InputError(problem)
            else:
                errors.append(problem)


class ResumableJsonl:
    """JSON Lines written to ``<path>.partial`` line by line and renamed to ``path`` when complete.

    If a previous run was interrupted, the lines already in the partial file are kept and their
    keys (the ``key`` field of each record) are reported by :attr:`done`, so the caller can skip
    them. A torn last line, or any line that is not a JSON object with a usable key, is dropped (its item
    is done again). Any record can be written: one holding lone surrogates is written with JSON escapes,
    and one that is not JSON data at all is replaced by a stub naming its key and the problem.
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
            # split on newlines only: str.splitlines would also split at U+2028, U+0085 and other characters
            # that JSON written with ensure_ascii=False keeps raw inside strings
            for line in self.partial.read_text(encoding="utf-8", errors="replace").split("\n"):
                try:
                    record = json.loads(line)
                except (ValueError, RecursionError):
                    continue
                if not isinstance(record, dict) or self.key not in record:
                    continue
                try:
                    self.done.add(record[self.key])
                except TypeError:  # an unhashable key (a list, an object) names no item
                    continue
                kept.append(line.rstrip("\r"))
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.partial, "w", encoding="utf-8", errors="backslashreplace") as fh:
            fh.write("".join(line + "\n" for line in kept))
        self._fh: TextIO | None = open(self.partial, "a", encoding="utf-8", errors="backslashreplace")

    @property
    def resumed(self) -> int:
        return len(self.done)

    def write(self, record: dict[str, Any]) -> None:
        assert self._fh is not None
        try:
            line = json_line(record)
        except (TypeError, ValueError, RecursionError) as exc:  # not JSON data: keep the row, say why
            stub = {self.key: record.get(self.key),
                    "write_error": printable(f"record could not be written as JSON: {type(exc).__name__}: {exc}")[:500]}
            try:
                line = json_line(stub)
            except (TypeError, ValueError):
                line = json_line({"write_error": stub["write_error"]})
        self._fh.write(line + "\n")
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
