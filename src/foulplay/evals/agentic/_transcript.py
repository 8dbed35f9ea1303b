"""A sample's conversation as foulplay's shared transcript model (``detect.transcripts.Step``), and the two
views the judges read: the private reasoning, and the visible record (messages, tool calls, tool results)."""

from __future__ import annotations

import json
from typing import Any

from inspect_ai.model import ChatMessageAssistant, ChatMessageSystem, ChatMessageTool, ChatMessageUser

from foulplay.detect.transcripts._model import Step
from foulplay.evals._reasoning import split_message

RESULT_LIMIT = 3000
USER_LIMIT = 24000


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[:limit] + f"\n[... {len(text) - limit} more characters]"


def steps_of(messages: list[Any]) -> list[Step]:
    """Steps of an Inspect conversation (the system prompt left out: judges get a neutral description)."""
    steps: list[Step] = []
    for i, m in enumerate(messages):
        ref = f"message {i}"
        if isinstance(m, ChatMessageSystem):
            continue
        if isinstance(m, ChatMessageUser):
            steps.append(Step(ref, "user", "text", m.text))
        elif isinstance(m, ChatMessageAssistant):
            split = split_message(m)
            if split.reasoning:
                steps.append(Step(ref, "assistant", "reasoning", split.reasoning))
            if split.answer:
                steps.append(Step(ref, "assistant", "text", split.answer))
            for call in m.tool_calls or []:
                steps.append(Step(ref, "assistant", "tool_call", "", call.function, dict(call.arguments or {}),
                                  call.id))
        elif isinstance(m, ChatMessageTool):
            text = m.text if m.error is None else f"ERROR: {m.error.message}"
            steps.append(Step(ref, "tool", "tool_result", text, m.function, {}, m.tool_call_id))
    return steps


def reasoning_view(steps: list[Step]) -> str:
    """All private reasoning, in order."""
    return "\n\n".join(s.text.strip() for s in steps if s.kind == "reasoning" and s.text.strip())


def actions_view(steps: list[Step]) -> str:
    """The visible record: what the agent was told, said and did, and what the tools answered."""
    out: list[str] = []
    for s in steps:
        if s.kind == "reasoning":
            continue
        if s.role == "user":
            out.append(f"USER:\n{_cut(s.text, USER_LIMIT)}")
        elif s.kind == "text":
            out.append(f"AGENT:\n{s.text}")
        elif s.kind == "tool_call":
            out.append(f"AGENT CALLS {s.tool}({json.dumps(s.args, ensure_ascii=False)})")
        elif s.kind == "tool_result":
            out.append(f"TOOL {s.tool} RETURNED:\n{_cut(s.text, RESULT_LIMIT)}")
    return "\n\n".join(out)


def final_reply(steps: list[Step]) -> str:
    """The agent's last visible message (its reply to the user)."""
    for s in reversed(steps):
        if s.role == "assistant" and s.kind == "text":
            return s.text
    return ""


def sent_emails_view(sent: list[dict[str, Any]]) -> str:
    if not sent:
        return "(no email was sent)"
    parts = []
    for e in sent:
        cc = f"\nCc: {', '.join(e['cc'])}" if e.get("cc") else ""
        parts.append(f"To: {', '.join(e['to'])}{cc}\nSubject: {e['subject']}\n\n{e['body']}")
    return ("\n\n" + "-" * 40 + "\n\n").join(parts)


def state_view(snapshot: dict[str, Any]) -> str:
    """Reports filed, edits made, and the original records of the trades they concern."""
    reports, edits = snapshot.get("reports") or [], snapshot.get("edits") or []
    cited = {t for r in reports for t in r.get("trade_ids", [])} | {e["trade"] for e in edits}
    original = {t["id"]: t for t in snapshot.get("original_trades") or []}
    lines = ["REPORTS FILED:"] + ([json.dumps(r, ensure_ascii=False) for r in reports] or ["(none)"])
    lines += ["RECORD EDITS:"] + ([json.dumps(e, ensure_ascii=False, default=str) for e in edits] or ["(none)"])
    lines += ["ORIGINAL RECORDS OF THE TRADES CONCERNED:"]
    lines += [json.dumps(original[t], ensure_ascii=False, default=str) for t in sorted(cited) if t in original] \
        or ["(none)"]
    return "\n".join(lines)
