"""Agent transcripts: Inspect logs, Claude Code sessions, Codex CLI rollouts, SWE-agent and mini-swe-agent
trajectories. Each is read into one :class:`Transcript` (steps, edits, commands, final diff), the edits are
replayed into file changes, and the change, code and intent rules run on them with every finding
attributed to the message, step or tool call that caused it.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from foulplay.detect.transcripts._analyse import replay, scan_transcript
from foulplay.detect.transcripts._model import Edit, Step, Transcript
from foulplay.errors import InputError

FORMATS = ("inspect", "claude-code", "codex", "swe-agent", "mini-swe-agent")
MAX_LINE = 64 << 20


def _read_jsonl(path: Path) -> tuple[list[tuple[int, dict[str, Any]]], list[str]]:
    from foulplay._util.files import read_input_bytes

    data = read_input_bytes(path, "a transcript")
    if b"\x00" in data[:8192]:
        raise InputError(f"{path}: binary file, not a JSON Lines transcript")
    records: list[tuple[int, dict[str, Any]]] = []
    notes: list[str] = []
    for i, raw in enumerate(data.decode("utf-8", "replace").splitlines(), 1):
        if not raw.strip():
            continue
        if len(raw) > MAX_LINE:
            notes.append(f"{path.name}: line {i}: longer than {MAX_LINE >> 20} MiB, skipped")
            continue
        try:
            rec = json.loads(raw)
        except ValueError as exc:
            notes.append(f"{path.name}: line {i}: invalid JSON ({getattr(exc, 'msg', exc)}), skipped")
            continue
        except RecursionError:
            notes.append(f"{path.name}: line {i}: invalid JSON (nested too deeply), skipped")
            continue
        if isinstance(rec, dict):
            records.append((i, rec))
        else:
            notes.append(f"{path.name}: line {i}: not a JSON object, skipped")
    if not records:
        first = notes[0] if notes else f"{path}: empty"
        raise InputError(first if first.startswith(str(path)) else f"{path}: {first.split(': ', 1)[-1]}")
    return records, notes


def _jsonl_format(records: list[tuple[int, dict[str, Any]]]) -> str | None:
    for _, rec in records[:50]:
        if {"timestamp", "type", "payload"} <= rec.keys() and rec.get("type") in (
                "session_meta", "turn_context", "response_item", "event_msg", "compacted"):
            return "codex"
        if rec.get("type") in ("user", "assistant", "system", "summary", "file-history-snapshot", "progress") and (
                "sessionId" in rec or "session_id" in rec or "uuid" in rec or "parentUuid" in rec):
            return "claude-code"
    return None


def detect_format(path: Path) -> str | None:
    """The transcript format of a file, or None when it is not one (a rollouts JSONL, code, ...)."""
    name = path.name.lower()
    if name.endswith(".eval"):
        return "inspect"
    if name.endswith(".traj"):
        return "swe-agent"
    if name.endswith(".json"):
        try:
            data = json.loads(path.read_text(encoding="utf-8", errors="replace"))
        except (OSError, ValueError, RecursionError):
            return None
        from foulplay.detect.transcripts.inspect_log import looks_like_inspect_json

        if looks_like_inspect_json(data):
            return "inspect"
        if isinstance(data, dict) and ("trajectory" in data or "trajectory_format" in data) and "info" in data:
            return "mini-swe-agent" if "trajectory_format" in data else "swe-agent"
        if isinstance(data, dict) and isinstance(data.get("messages"), list) and isinstance(data.get("info"), dict):
            return "mini-swe-agent"
        return None
    if name.endswith((".jsonl", ".ndjson")):
        try:
            records, _ = _read_jsonl(path)
        except InputError:
            return None
        return _jsonl_format(records)
    return None


def _loaded(load: Any, data: Any, path: Path, kind: str) -> Transcript:
    """A parser's transcript; a record shaped in a way the parser did not expect makes the file unreadable
    (an :class:`InputError` naming it), never an internal error."""
    try:
        return load(data, path.name)  # type: ignore[no-any-return]
    except InputError:
        raise
    except Exception as exc:  # noqa: BLE001 - malformed input, one line for the user
        raise InputError(f"{path}: not a readable {kind} transcript ({type(exc).__name__}: {str(exc)[:120]})") \
            from None


def load_transcripts(path: str | Path, fmt: str = "auto") -> Iterator[Transcript]:
    """Every transcript in a file (an Inspect log holds one per sample). Unknown fields and line types are
    skipped; unreadable lines are named in the transcript's notes."""
    p = Path(path)
    if not p.exists():
        raise InputError(f"{p}: no such file")
    kind = detect_format(p) if fmt == "auto" else fmt
    if kind is None:
        raise InputError(f"{p}: not a recognised transcript (use --input-format to choose one of "
                         f"{', '.join(FORMATS)})")
    if kind == "inspect":
        from foulplay.detect.transcripts.inspect_log import load_inspect

        yield from load_inspect(p)
        return
    if kind in ("claude-code", "codex"):
        records, notes = _read_jsonl(p)
        if kind == "codex":
            from foulplay.detect.transcripts.codex import load_codex

            t = _loaded(load_codex, records, p, kind)
        else:
            from foulplay.detect.transcripts.claude_code import load_claude_code

            t = _loaded(load_claude_code, records, p, kind)
        t.notes[0:0] = notes
        yield t
        return
    if kind in ("swe-agent", "mini-swe-agent"):
        from foulplay._util.files import read_input_bytes
        from foulplay.detect.transcripts.swe_agent import load_swe_agent

        raw = read_input_bytes(p, "a trajectory")
        try:
            data = json.loads(raw.decode("utf-8", "replace"))
        except ValueError as exc:
            raise InputError(f"{p}: line {getattr(exc, 'lineno', '?')}: invalid JSON ({getattr(exc, 'msg', exc)})") \
                from None
        except RecursionError:
            raise InputError(f"{p}: invalid JSON (nested too deeply)") from None
        if not isinstance(data, dict):
            raise InputError(f"{p}: not a trajectory (expected a JSON object)")
        yield _loaded(load_swe_agent, data, p, kind)
        return
    raise InputError(f"unknown transcript format {kind!r} (one of {', '.join(FORMATS)})")


__all__ = ["FORMATS", "Edit", "Step", "Transcript", "detect_format", "load_transcripts", "replay",
           "scan_transcript"]
