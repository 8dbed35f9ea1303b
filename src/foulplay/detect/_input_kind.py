"""What kind of input a path is, decided from its name and, for JSON files, its content: the one rule that
``foulplay scan`` and ``foulplay monitor`` share."""

from __future__ import annotations

from pathlib import Path

from foulplay.detect.transcripts import FORMATS as TRANSCRIPT_FORMATS
from foulplay.detect.transcripts import detect_format
from foulplay.errors import InputError


def input_kind(path: str | Path, forced: str = "auto") -> str:
    """``python``, ``completion``, ``rollouts``, ``diff`` or ``transcript:<format>``; ``forced`` (an
    ``--input-format`` other than ``auto``) wins. ``-`` (stdin) is a completion."""
    if forced in TRANSCRIPT_FORMATS:
        return f"transcript:{forced}"
    if forced != "auto":
        return forced
    if str(path) == "-":
        return "completion"
    p = Path(path)
    name = p.name.lower()
    if name.endswith((".diff", ".patch")):
        return "diff"
    if name.endswith(".parquet"):
        return "rollouts"
    if name.endswith((".eval", ".traj", ".json", ".jsonl", ".ndjson")):
        found = detect_format(p) if p.is_file() else None
        if found:
            return f"transcript:{found}"
        if name.endswith((".jsonl", ".ndjson")):
            return "rollouts"
        if not p.exists():
            raise InputError(f"{p}: no such file")
        if name.endswith(".json"):
            raise InputError(f"{p}: a JSON file that is not a recognised transcript (rollouts are JSON Lines; "
                             "use --input-format to force a format)")
        raise InputError(f"{p}: not a readable transcript")
    if name.endswith((".md", ".txt", ".completion")):
        return "completion"
    return "python"
