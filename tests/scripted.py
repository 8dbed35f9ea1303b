"""Scripted mock-model outputs for the eval tests (always with ``usage`` set, so no tokenizer is fetched)."""

from __future__ import annotations

from typing import Any

from inspect_ai.model import ChatMessageAssistant, ModelOutput, ModelUsage, get_model

USAGE = ModelUsage(input_tokens=10, output_tokens=10, total_tokens=20)


def text(content: str) -> ModelOutput:
    out = ModelOutput.from_content("mockllm/model", content)
    out.usage = USAGE
    return out


def tool_call(name: str, args: dict[str, Any], content: str = "") -> ModelOutput:
    out = ModelOutput.for_tool_call("mockllm/model", name, args, content=content)
    out.usage = USAGE
    return out


def agent(*steps: Any) -> Any:
    """A scripted agent: step k answers the k-th model call of a sample: a text, a ``(tool, args[, content])``
    call, or a function of the conversation so far."""

    def respond(messages, tools, tool_choice, config):
        k = sum(isinstance(m, ChatMessageAssistant) for m in messages)
        step = steps[min(k, len(steps) - 1)]
        if callable(step):
            return step(messages)
        return text(step) if isinstance(step, str) else tool_call(*step)

    return get_model("mockllm/model", custom_outputs=respond, memoize=False)
