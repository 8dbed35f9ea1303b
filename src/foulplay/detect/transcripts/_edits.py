"""Edits shared by the transcript parsers and the replay: what a ``cat`` showed of a file, and Codex's V4A
patches (``*** Begin Patch``), which other agents' shell commands and final diffs carry too.

A leaf module: it imports only the data model, so every parser and ``_analyse`` can import it.
"""

from __future__ import annotations

import re
from typing import Any

from foulplay.detect.transcripts._model import Edit

_CAT = re.compile(r"^\s*cat\s+(?P<path>[^\s|;&<>]+)\s*$")


def view_edit(command: Any, output: str | None, ref: str) -> Edit | None:
    """``cat path`` and its output: the replay learns what the file contained (no change)."""
    if isinstance(command, list):
        command = command[-1] if command[:2] in (["bash", "-lc"], ["bash", "-c"]) else " ".join(command)
    if not isinstance(command, str) or output is None:
        return None
    m = _CAT.match(command)
    if m is None:
        return None
    return Edit(path=m.group("path").removeprefix("./"), ref=ref, after=output, how="view")


def parse_v4a(text: str, ref: str) -> list[Edit]:
    """``*** Begin Patch`` ... ``*** End Patch`` into edits (one per added/deleted file, one per hunk of an
    updated file). Raises ValueError when the text is not such a patch."""
    lines = text.splitlines()
    if not any(ln.strip() == "*** Begin Patch" for ln in lines):
        raise ValueError("not a V4A patch")
    edits: list[Edit] = []
    i = 0
    current: str | None = None
    mode = ""
    added: list[str] = []
    old: list[str] = []
    new: list[str] = []
    move_to: str | None = None

    def flush_hunk() -> None:
        if current and mode == "update" and (old or new):
            edits.append(Edit(path=current, ref=ref, old="\n".join(old) + "\n" if old else "",
                              new="\n".join(new) + "\n" if new else "", how="apply_patch"))
        old.clear()
        new.clear()

    def flush_file() -> None:
        nonlocal current, move_to
        if current and mode == "add":
            edits.append(Edit(path=current, ref=ref, before=None, after="\n".join(added) + "\n", how="apply_patch"))
        flush_hunk()
        if current and move_to:
            edits.append(Edit(path=current, ref=ref, move_to=move_to, how="apply_patch"))
        added.clear()
        current, move_to = None, None

    while i < len(lines):
        ln = lines[i]
        i += 1
        if ln.startswith("*** Add File:"):
            flush_file()
            current, mode = ln.split(":", 1)[1].strip(), "add"
        elif ln.startswith("*** Update File:"):
            flush_file()
            current, mode = ln.split(":", 1)[1].strip(), "update"
        elif ln.startswith("*** Delete File:"):
            flush_file()
            edits.append(Edit(path=ln.split(":", 1)[1].strip(), ref=ref, delete=True, how="apply_patch"))
            mode = ""
        elif ln.startswith("*** Move to:"):
            move_to = ln.split(":", 1)[1].strip()
        elif ln.startswith(("*** End Patch", "*** Begin Patch", "*** End of File")):
            if ln.startswith("*** End Patch"):
                flush_file()
        elif ln.startswith("@@"):
            flush_hunk()
        elif mode == "add":
            added.append(ln[1:] if ln.startswith("+") else ln)
        elif mode == "update":
            if ln.startswith("-"):
                old.append(ln[1:])
            elif ln.startswith("+"):
                new.append(ln[1:])
            else:
                body = ln[1:] if ln.startswith(" ") else ln
                old.append(body)
                new.append(body)
    flush_file()
    return edits


__all__ = ["parse_v4a", "view_edit"]
