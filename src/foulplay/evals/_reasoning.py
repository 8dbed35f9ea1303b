"""Reasoning capture: a provider's native reasoning when it has one, else reasoning the model writes in
``<thinking>`` tags because a system prompt asks it to. The split is stored on the sample so each judge
sees exactly what it is meant to see, and the user-facing answer never includes the reasoning."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from inspect_ai.model import ChatMessageAssistant, ChatMessageSystem
from inspect_ai.solver import Generate, Solver, TaskState, solver

from foulplay.evals._prompts import prompt
from foulplay.grading import split_reasoning

STORE_KEY = "foulplay_reasoning"
MODES = ("auto", "tags", "native", "none")


@dataclass
class Split:
    reasoning: str
    answer: str
    source: str  # native | tags | none

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def split_message(message: ChatMessageAssistant | None) -> Split:
    """(reasoning, answer) of an assistant message: native reasoning blocks first, then tagged reasoning
    (``<thinking>``, ``<think>``, ``<reasoning>``; an unclosed tag runs to the end)."""
    if message is None:
        return Split("", "", "none")
    native: list[str] = []
    texts: list[str] = []
    content = message.content
    if isinstance(content, str):
        texts.append(content)
    else:
        for part in content:
            kind = getattr(part, "type", "")
            if kind == "reasoning" and not getattr(part, "redacted", False):
                native.append(str(getattr(part, "reasoning", "") or getattr(part, "summary", "") or ""))
            elif kind == "text":
                texts.append(str(getattr(part, "text", "")))
    tagged, answer = split_reasoning("\n".join(texts))
    reasoning = "\n".join(x for x in (*native, tagged) if x.strip())
    source = "native" if any(x.strip() for x in native) else "tags" if tagged.strip() else "none"
    return Split(reasoning.strip(), answer.strip(), source)


@solver
def reasoning_generate(mode: str = "auto") -> Solver:
    """Generate with reasoning kept private. ``auto``/``tags`` add a system prompt asking for reasoning in
    ``<thinking>`` tags (native reasoning is still preferred when the provider returns it); ``native``
    relies on the provider alone; ``none`` asks for no reasoning."""
    if mode not in MODES:
        raise ValueError(f"reasoning mode must be one of {', '.join(MODES)}")

    async def solve(state: TaskState, generate: Generate) -> TaskState:
        if mode in ("auto", "tags"):
            state.messages.insert(0, ChatMessageSystem(content=prompt("reasoning_system")))
        state = await generate(state)
        split = split_message(state.output.message if state.output and state.output.choices else None)
        state.store.set(STORE_KEY, split.to_dict())
        return state

    return solve


def stored_split(state: TaskState) -> Split:
    data = state.store.get(STORE_KEY)
    if isinstance(data, dict):
        return Split(str(data.get("reasoning", "")), str(data.get("answer", "")), str(data.get("source", "none")))
    return split_message(state.output.message if state.output and state.output.choices else None)
