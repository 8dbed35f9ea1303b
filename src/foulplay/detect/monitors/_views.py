"""The two views a monitor is shown of one :class:`Transcript`.

``reasoning``: everything the agent wrote and did, in order: the task, its reasoning, its prose, its tool
calls and what they returned, the final diff and answer.

``actions``: only what the agent did and what came back: the task, tool calls (with their arguments, which
hold the edits), tool outputs and the final diff. Every reasoning step and every piece of assistant prose is
left out, and so are calls to a ``think`` tool (reasoning dressed as a tool call) and their results. When the
agent used no tools at all (a chat answer holding the code), the fenced code blocks of its final answer are
its action and are shown, without the prose around them.

Both views are bounded: a longer one keeps its beginning (the task) and, mostly, its end (where agents give
up, special-case or edit the tests), with a marker in place of the middle.
"""

from __future__ import annotations

import json
import re
from typing import Any

from foulplay.detect.transcripts._model import Step, Transcript

VIEWS = ("reasoning", "actions")
MAX_CHARS = 60_000
"""Default bound on a view (about 15k tokens)."""
HEAD_SHARE = 0.3
"""Of a bounded view, the share kept from the beginning; the rest is kept from the end."""
THINK_TOOLS = frozenset({"think", "thinking", "scratchpad"})
_FENCE = re.compile(r"```[^\n`]*\n(.*?)```", re.S)


def _value(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)


def _call(step: Step) -> str:
    head = f"[{step.ref}] TOOL CALL {step.tool or '?'}"
    args = step.args or {}
    command = args.get("command") if isinstance(args.get("command"), str) else args.get("cmd")
    if isinstance(command, str) and set(args) <= {"command", "cmd", "timeout", "description"}:
        return f"{head}\n$ {command}"
    lines = [head]
    for key, value in args.items():
        text = _value(value)
        lines.append(f"{key}:\n{text}" if "\n" in text else f"{key}: {text}")
    if not args and step.text:
        lines.append(step.text)
    return "\n".join(lines)


def _is_think(step: Step) -> bool:
    return (step.tool or "").split("/")[-1].lower() in THINK_TOOLS


def _code_blocks(text: str) -> list[str]:
    return [m.group(1).rstrip("\n") for m in _FENCE.finditer(text)]


def _blocks(t: Transcript, view: str) -> list[str]:
    if view not in VIEWS:
        raise ValueError(f"unknown monitor view {view!r} (one of {', '.join(VIEWS)})")
    actions = view == "actions"
    think_ids = {s.call_id for s in t.steps if s.kind == "tool_call" and _is_think(s) and s.call_id}
    out: list[str] = []
    acted = False
    for step in t.steps:
        if step.kind == "reasoning":
            if not actions:
                out.append(f"[{step.ref}] REASONING\n{step.text}")
            continue
        if step.kind == "tool_call":
            if actions and _is_think(step):
                continue
            acted = True
            out.append(_call(step))
            continue
        if step.kind == "tool_result":
            if actions and step.call_id in think_ids:
                continue
            out.append(f"[{step.ref}] TOOL OUTPUT\n{step.text}")
            continue
        # a text message
        if step.role in ("user", "system"):
            out.append(f"[{step.ref}] {'TASK' if step.role == 'user' else 'SYSTEM'}\n{step.text}")
        elif not actions:
            out.append(f"[{step.ref}] ASSISTANT\n{step.text}")
    if t.final_diff:
        out.append(f"[{t.final_diff_ref or 'final diff'}] FINAL DIFF\n{t.final_diff}")
    if actions and not acted and not t.final_diff and t.final_answer:
        code = _code_blocks(t.final_answer)
        if code:
            out.append(f"[{t.final_answer_ref or 'final answer'}] FINAL ANSWER (code blocks only)\n"
                       + "\n\n".join(code))
    return out


def bound(text: str, max_chars: int = MAX_CHARS) -> str:
    """``text`` cut to at most about ``max_chars``: its beginning and its end, a marker for the middle."""
    if max_chars <= 0 or len(text) <= max_chars:
        return text
    head = int(max_chars * HEAD_SHARE)
    tail = max_chars - head
    omitted = len(text) - head - tail
    return f"{text[:head]}\n[... {omitted} characters omitted ...]\n{text[len(text) - tail:]}"


def render_view(t: Transcript, view: str = "reasoning", max_chars: int = MAX_CHARS) -> str:
    """The text a monitor with this view is shown of the transcript."""
    return bound("\n\n".join(_blocks(t, view)), max_chars)
