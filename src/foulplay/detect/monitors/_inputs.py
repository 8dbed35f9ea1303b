"""Everything ``foulplay scan`` reads, as :class:`Transcript`s a monitor can be shown.

* agent transcripts (Inspect logs, Claude Code, Codex, SWE-agent, mini-swe-agent): :func:`load_transcripts`;
* rollouts and completions JSON Lines (foulplay's rollout dump, verl's ``STEP.jsonl``, OpenRLHF-style
  ``query``/``prompt`` records, any JSONL with a completion field) and TRL completion tables
  (``completions_STEP.parquet``), or a run directory holding them: one transcript per rollout, the prompt as
  the user's turns (a chat prompt keeps its roles), the completion as the assistant's final answer, and
  reasoning (a ``reasoning``/``reasoning_content`` field, ``<think>``-style tags, or text before a bare
  ``</think>``) as a reasoning step;
* one raw completion (``.md``, ``.txt``, ``.completion``): the same, without a prompt;
* unified diffs (``.diff``, ``.patch``): a transcript whose only content is the final diff, so the reasoning
  view and the actions view are the same text; a git range (:func:`git_transcript`) adds the commit
  messages as the author's prose (reasoning view only);
* Python code (files or directories, as ``scan`` walks them): one transcript per file, the file as the
  assistant's answer in a code block.

A file that cannot be read is an :class:`InputError`; a file that holds nothing to monitor is one too (an
empty input is never reported clean). An unreadable line or row of a rollouts file is one ``error``
transcript, and the other lines are still read.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from foulplay.detect._input_kind import input_kind as scan_input_kind
from foulplay.detect.transcripts import FORMATS as TRANSCRIPT_FORMATS
from foulplay.detect.transcripts import load_transcripts
from foulplay.detect.transcripts._model import Step, Transcript
from foulplay.errors import InputError

INPUT_FORMATS = ("auto", "rollouts", "completion", "diff", "python", *TRANSCRIPT_FORMATS)
"""``auto`` decides per file as ``foulplay scan`` does; the others force one reading."""
TEXT_FIELDS = ("completion", "output", "response", "generation", "text")
"""Where a rollout's completion is looked for (in this order) when no field is named."""
PROMPT_FIELDS = ("prompt", "input", "prompts", "question", "messages", "query")
ID_FIELDS = ("id", "uid", "sample_id")
REASONING_FIELDS = ("reasoning", "reasoning_content", "thinking")
_VERL_NAME = re.compile(r"^\d+\.jsonl$")
_TRL_NAME = re.compile(r"^completions_\d+\.parquet$")
_ROLES = {"user", "system", "assistant", "tool", "developer"}


def input_kind(path: str | Path, forced: str = "auto") -> str:
    """``transcript:<format>``, ``rollouts``, ``completion``, ``diff``, ``python`` or ``run`` (a directory
    of rollout dumps), decided like ``foulplay scan`` does."""
    p = Path(path)
    if forced != "auto" and forced not in INPUT_FORMATS:
        raise InputError(f"unknown input format {forced!r} (one of {', '.join(INPUT_FORMATS)})")
    if forced == "auto" and p.is_dir():
        return "run" if _run_files(p) else "python"
    if forced == "auto" and p.name.lower().endswith(".parquet"):
        return "rollouts"
    return scan_input_kind(p, forced)


def load_monitor_inputs(path: str | Path, fmt: str = "auto", *, text_field: str | None = None,
                        id_field: str | None = None, prompt_field: str | None = None) -> Iterator[Transcript]:
    """Every transcript a monitor can be shown of ``path`` (see the module's docstring for each format).

    ``text_field``/``id_field``/``prompt_field`` name a rollout's fields (dots for nesting, as in
    ``foulplay scan``); by default the usual names of foulplay's, verl's, TRL's and OpenRLHF's dumps are
    tried. Raises :class:`InputError` for a file that cannot be read or holds nothing to monitor."""
    if str(path) == "-":
        import sys

        yield completion_transcript(sys.stdin.read(), "stdin", ref="stdin")
        return
    p = Path(path)
    if not p.exists():
        raise InputError(f"{p}: no such file or directory")
    kind = input_kind(p, fmt)
    n = 0
    for t in _load(p, kind, text_field, id_field, prompt_field):
        n += 1
        yield t
    if n == 0:
        what = {"run": "no rollouts", "python": "no Python files"}.get(kind.split(":")[0], "nothing to monitor")
        raise InputError(f"{p}: {what} (an empty input is an error, not clean)")


def _load(p: Path, kind: str, text_field: str | None, id_field: str | None,
          prompt_field: str | None) -> Iterator[Transcript]:
    if kind.startswith("transcript:"):
        yield from load_transcripts(p, kind.split(":", 1)[1])
    elif kind == "rollouts":
        if p.name.lower().endswith(".parquet"):
            yield from _parquet(p, text_field, id_field, prompt_field)
        else:
            yield from _jsonl(p, text_field, id_field, prompt_field)
    elif kind == "run":
        for f in _run_files(p):
            reader = _parquet if f.name.endswith(".parquet") else _jsonl
            yield from reader(f, text_field, id_field, prompt_field)
    elif kind == "completion":
        yield completion_transcript(_read_text(p, "a completion"), str(p), ref=p.name)
    elif kind == "diff":
        yield diff_transcript(_read_text(p, "a diff"), str(p))
    elif kind == "python":
        from foulplay.detect._scan import iter_files

        if p.is_file():
            yield code_transcript(p)
            return
        for f in iter_files([p]):
            try:
                yield code_transcript(f)
            except InputError as exc:  # one unreadable file of a directory is that file's error
                yield Transcript(format="code", id=str(f), error=str(exc))
    else:
        raise InputError(f"{p}: unknown input kind {kind!r}")


def _read_text(p: Path, what: str) -> str:
    from foulplay._util.files import read_input_bytes

    data = read_input_bytes(p, what)
    if b"\x00" in data[:8192]:
        raise InputError(f"{p}: binary file, expected {what}")
    return data.decode("utf-8", "replace")


def _run_files(p: Path) -> list[Path]:
    """The rollout dumps of a run directory: foulplay's (one per rank), verl's, TRL's (under
    ``completions/`` or at the top)."""
    if not p.is_dir():
        return []
    out = sorted(f for f in p.glob("foulplay_rollouts*.jsonl") if f.is_file())
    out += sorted((f for f in p.iterdir() if _VERL_NAME.match(f.name)), key=lambda f: int(f.stem))
    trl = p / "completions" if (p / "completions").is_dir() else p
    out += sorted((f for f in trl.iterdir() if _TRL_NAME.match(f.name)),
                  key=lambda f: int(f.stem.rsplit("_", 1)[1]))
    return out


# -- reasoning ------------------------------------------------------------------------------------------


def split_completion(text: str) -> tuple[str, str]:
    """``(reasoning, answer)`` of a completion: ``<think>``/``<thinking>``/``<reasoning>``/``<scratchpad>``
    blocks (grading's own splitter), else the text before a closing ``</think>`` whose opening tag was in
    the prompt (R1-style chat templates)."""
    from foulplay.grading import split_reasoning

    reasoning, answer = split_reasoning(text)
    if not reasoning:
        m = re.search(r"</(think|thinking|reasoning)>", text, re.I)
        if m is not None and f"<{m.group(1).lower()}>" not in text.lower():
            reasoning, answer = text[:m.start()], text[m.end():]
    return reasoning.strip(), answer.strip()


# -- builders -------------------------------------------------------------------------------------------


def _text(value: Any) -> str | None:
    """A completion or a message's content as text (strings, content parts, message lists)."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        return _text(value.get("content", value.get("text")))
    if isinstance(value, list):
        parts = [_text(v) for v in value]
        if any(p is None for p in parts):
            return None
        return "\n".join(p for p in parts if p)
    return None


def _prompt_steps(prompt: Any, ref: str) -> list[Step]:
    """A prompt as the conversation's opening turns: a chat prompt keeps its roles, text is one user turn."""
    if isinstance(prompt, list) and prompt and all(isinstance(m, dict) and "role" in m for m in prompt):
        steps = []
        for i, m in enumerate(prompt, 1):
            role = str(m.get("role"))
            role = "system" if role == "developer" else role if role in _ROLES else "user"
            text = _text(m.get("content")) or ""
            if text.strip():
                steps.append(Step(f"{ref} {i}", role, "text", text))
        return steps
    text = _text(prompt)
    return [Step(ref, "user", "text", text)] if text and text.strip() else []


def completion_transcript(completion: str, id: str, *, prompt: Any = None, reasoning: str | None = None,
                          ref: str = "completion", fmt: str = "completion", label: str | None = None) -> Transcript:
    """One completion as a transcript: the prompt as the user's turn(s), reasoning (given, or split from
    the completion's tags) as a reasoning step, the rest as the assistant's final answer."""
    t = Transcript(format=fmt, id=id, label=label)
    t.steps += _prompt_steps(prompt, f"{ref} prompt") if prompt is not None else []
    tagged, answer = split_completion(completion)
    thought = "\n\n".join(x for x in ((reasoning or "").strip(), tagged) if x)
    if thought:
        t.steps.append(Step(f"{ref} (reasoning)", "assistant", "reasoning", thought))
    if answer:
        t.steps.append(Step(ref, "assistant", "text", answer))
        t.final_answer, t.final_answer_ref = answer, ref
    elif not thought:
        t.notes.append(f"{id}: the completion is empty")
    return t


def diff_transcript(text: str, id: str, *, messages: list[str] | None = None, fmt: str = "diff") -> Transcript:
    """A unified diff as a transcript whose final diff is the patch. Without ``messages`` there is nothing
    but the diff, so both views show the same text; commit messages are the author's prose (reasoning view
    only)."""
    from foulplay.detect._diffs import parse_unified_diff

    if not parse_unified_diff(text, source=id):
        raise InputError(f"{id}: not a unified diff (no file changes in it)")
    t = Transcript(format=fmt, id=id)
    for i, message in enumerate(messages or [], 1):
        if message.strip():
            t.steps.append(Step(f"commit message {i}", "assistant", "text", message.strip()))
    t.final_diff, t.final_diff_ref = text, id
    return t


def code_transcript(path: Path) -> Transcript:
    """A code file as the assistant's answer: one code block, headed by its path."""
    from foulplay.detect._scan import read_source

    source = read_source(path)
    lang = {".py": "python", ".pth": "python", ".toml": "toml", ".ini": "ini", ".cfg": "ini"}.get(path.suffix, "")
    block = f"```{lang} {path}\n{source.rstrip()}\n```"
    t = Transcript(format="code", id=str(path))
    t.steps.append(Step(str(path), "assistant", "text", block))
    t.final_answer, t.final_answer_ref = block, str(path)
    return t


def git_transcript(repo: str | Path, spec: str | None = None, *, staged: bool = False) -> Transcript:
    """What a git range changed (``A..B``, ``A...B``), ``REV`` against the working tree (tracked files) or the
    staged changes, as one diff transcript; a range's commit messages come with it. Reads the repository
    only."""
    from foulplay.detect._git import _git, commit_messages, resolve_range

    root = Path(repo)
    if not root.exists():
        raise InputError(f"{root}: no such directory")
    top = Path(_git(root, "rev-parse", "--show-toplevel").strip())
    args = ["diff", "-M", "--no-color", "--no-ext-diff", "-U3"]
    messages: list[str] = []
    if staged:
        text, label = _git(top, *args, "--cached"), "staged changes"
    elif spec and ".." in spec:
        base, head = resolve_range(top, spec)
        text = _git(top, *args, f"{base}..{head}")
        messages = commit_messages(top, base, head, oldest_first=True)
        label = f"git {spec}"
    else:
        rev = spec or "HEAD"
        _git(top, "rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}")
        text, label = _git(top, *args, rev), f"git {rev}"
    if not text.strip():
        raise InputError(f"{label}: no changes (nothing to monitor)")
    return diff_transcript(text, label, messages=messages, fmt="git")


# -- rollouts -------------------------------------------------------------------------------------------


_ABSENT = object()


def _dig(rec: dict[str, Any], field_path: str) -> Any:
    from foulplay.detect._scan import _ABSENT as SCAN_ABSENT
    from foulplay.detect._scan import _dig as dig

    found = dig(rec, field_path)
    return _ABSENT if found is SCAN_ABSENT else found


def _first(rec: dict[str, Any], named: str | None, names: tuple[str, ...]) -> tuple[str | None, Any]:
    if named is not None:
        return named, _dig(rec, named)
    for name in names:
        if name in rec and rec[name] is not None:
            return name, rec[name]
    return None, _ABSENT


def _label(rec: dict[str, Any]) -> str | None:
    for key in ("outcome", "foulplay_outcome"):
        if isinstance(rec.get(key), str):
            return f"{key}={rec[key]}"
    for key in ("score", "reward"):
        if isinstance(rec.get(key), (int, float)) and not isinstance(rec.get(key), bool):
            return f"{key}={rec[key]}"
    return None


def rollout_transcript(rec: dict[str, Any], where: str, *, text_field: str | None = None,
                       id_field: str | None = None, prompt_field: str | None = None) -> Transcript:
    """One rollout record (a JSON Lines line or a table row) as a transcript; a record without a usable
    completion is an ``error`` transcript naming ``where``."""
    _, raw_id = _first(rec, id_field, ID_FIELDS)
    if raw_id is _ABSENT or raw_id is None:
        task = rec.get("task_id", rec.get("foulplay_task_id"))
        item_id = f"{where} ({task})" if isinstance(task, (str, int)) and not isinstance(task, bool) else where
    else:
        item_id = f"{raw_id} (step {rec['step']})" if isinstance(rec.get("step"), int) else str(raw_id)
    field, completion = _first(rec, text_field, TEXT_FIELDS)
    if completion is _ABSENT and text_field is None and isinstance(rec.get("query"), str):
        # OpenRLHF's reward requests: query = prompt + response
        field, query = "query", rec["query"]
        _, prompt = _first(rec, prompt_field, ("prompt", "prompts"))
        completion = query[len(prompt):] if isinstance(prompt, str) and query.startswith(prompt) else query
    else:
        _, prompt = _first(rec, prompt_field, tuple(n for n in PROMPT_FIELDS if n != field))
    if completion is _ABSENT:
        names = text_field or "/".join(TEXT_FIELDS)
        return Transcript(format="rollout", id=item_id, error=f"{where}: no completion field ({names})")
    text = _text(completion)
    if text is None:
        return Transcript(format="rollout", id=item_id, error=f"{where}: field {field!r} is not text")
    reasoning = next((rec[k] for k in REASONING_FIELDS if isinstance(rec.get(k), str) and rec[k].strip()), None)
    return completion_transcript(text, item_id, prompt=None if prompt is _ABSENT else prompt, reasoning=reasoning,
                                 ref=where, fmt="rollout", label=_label(rec))


def _jsonl(p: Path, text_field: str | None, id_field: str | None, prompt_field: str | None) -> Iterator[Transcript]:
    try:
        fh = open(p, encoding="utf-8", errors="replace")
    except OSError as exc:
        raise InputError(f"{p}: {exc.strerror or exc}") from None
    with fh:
        for n, raw in enumerate(fh, 1):
            if "\x00" in raw[:4096]:
                raise InputError(f"{p}: binary data on line {n}, expected JSON Lines")
            if not raw.strip():
                continue
            where = f"{p.name}: line {n}"
            try:
                rec = json.loads(raw)
            except (ValueError, RecursionError):
                yield Transcript(format="rollout", id=where, error=f"{where}: invalid JSON")
                continue
            if not isinstance(rec, dict):
                yield Transcript(format="rollout", id=where, error=f"{where}: not a JSON object")
                continue
            yield rollout_transcript(rec, where, text_field=text_field, id_field=id_field, prompt_field=prompt_field)


def _parquet(p: Path, text_field: str | None, id_field: str | None, prompt_field: str | None) -> Iterator[Transcript]:
    try:
        import pyarrow.parquet as pq
    except ImportError:
        raise InputError(f"{p}: reading TRL completion tables needs pyarrow (pip install 'foulplay[train]')") \
            from None
    try:
        rows = pq.read_table(p).to_pylist()
    except Exception as exc:  # noqa: BLE001 - any unreadable table is bad input
        raise InputError(f"{p}: not a readable parquet table ({type(exc).__name__})") from None
    for i, row in enumerate(rows):
        yield rollout_transcript(row, f"{p.name}: row {i}", text_field=text_field, id_field=id_field,
                                 prompt_field=prompt_field)


__all__ = ["INPUT_FORMATS", "code_transcript", "completion_transcript", "diff_transcript", "git_transcript",
           "input_kind", "load_monitor_inputs", "rollout_transcript", "split_completion"]
