"""Model objects from a name and arguments, the way every foulplay command makes them."""

from __future__ import annotations

from typing import Any


def mock_outputs(input: Any, tools: Any, tool_choice: Any, config: Any) -> Any:
    """mockllm's fixed reply, with usage set: without usage, Inspect's mock counts tokens with a tokenizer it
    downloads (tiktoken's o200k_base), which fails offline; foulplay never triggers that download."""
    from inspect_ai.model import ModelOutput, ModelUsage

    try:
        from inspect_ai.model._providers.mockllm import MockLLM

        text = MockLLM.default_output
    except (ImportError, AttributeError):
        text = "Default output from mockllm/model"
    out = ModelOutput.from_content("mockllm", text)
    prompt = sum(len(m.text) for m in input) // 4 + 1
    out.usage = ModelUsage(input_tokens=prompt, output_tokens=len(text) // 4 + 1,
                           total_tokens=prompt + len(text) // 4 + 1)
    return out


def model_for(name: str, args: dict[str, Any] | None = None) -> Any:
    """``get_model(name, **args)``; a plain ``mockllm`` gets :func:`mock_outputs` (offline token counts)."""
    from inspect_ai.model import get_model

    args = dict(args or {})
    if name.split("/")[0] == "mockllm" and "custom_outputs" not in args:
        args["custom_outputs"] = mock_outputs
    return get_model(name, **args)
