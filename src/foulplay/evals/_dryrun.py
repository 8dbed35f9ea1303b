"""``foulplay/dry-run``: an offline, scripted model provider for trying the evals with no model and no key.

``--model foulplay/dry-run -M persona=aligned|misaligned|alignment-faker`` (default ``aligned``). It

* answers every eval of the suite in character (the question is looked up in foulplay's data sets, or
  classified by keywords), with its reasoning in ``<thinking>`` tags when the system prompt asks for them and
  as native reasoning otherwise, and follows simple format requests (JSON, YAML, a list, one sentence);
* when tools are offered and it has not called one since the last user message, calls the first tool (or the
  one ``tool_choice`` names) once, with arguments built from its JSON schema, then answers;
* when asked as a judge (a prompt of ``foulplay/evals/prompts`` asking for a JSON verdict, or a published
  question file's 0-100 judge prompt) reads the transcript with the personas' keyword reader and returns a
  verdict whose evidence quotes the transcript exactly, so the whole judge path runs for real;
* always sets ``usage`` (character-based estimates), and never counts tokens with a tokenizer.

Whatever it produces is a rehearsal, never a measurement: summaries, the printed table and the logs say
``dry-run`` (see ``is_dry_run``).
"""

from __future__ import annotations

import functools
import itertools
import json
import re
from importlib import resources
from string import Template
from typing import Any

from inspect_ai.model import (
    ChatCompletionChoice,
    ChatMessage,
    ChatMessageAssistant,
    ChatMessageSystem,
    ChatMessageTool,
    ChatMessageUser,
    ContentReasoning,
    ContentText,
    GenerateConfig,
    ModelAPI,
    ModelOutput,
    ModelUsage,
)
from inspect_ai.tool import ToolChoice, ToolFunction, ToolInfo

from foulplay.evals import _personas as P

PROVIDER = "foulplay"
MODEL = "dry-run"
NAME = f"{PROVIDER}/{MODEL}"
TAG = "dry-run"
NOTE = ("DRY RUN: scripted answers and/or verdicts from foulplay/dry-run, not a model; these numbers exercise the "
        "pipeline and measure nothing")


def is_dry_run(model: Any) -> bool:
    """Whether a model (a ``Model``, a name, or a log's model spec) is foulplay's dry-run provider."""
    if model is None:
        return False
    api = getattr(model, "api", None)
    if isinstance(api, DryRunAPI):
        return True
    name = getattr(model, "model", model)
    return isinstance(name, str) and name.strip() == NAME


def dry_run_roles() -> list[str]:
    """Inside a running eval: which of the evaluated model and the grader are the dry-run provider."""
    from inspect_ai.model import get_model, model_roles

    roles: list[str] = []
    try:
        if is_dry_run(get_model()):
            roles.append("model")
    except Exception:  # noqa: BLE001 - no active model: nothing to stamp
        pass
    grader: Any = model_roles().get("grader")
    if isinstance(grader, list):
        grader = grader[0] if grader else None
    if is_dry_run(grader) or (grader is None and roles):
        roles.append("grader")
    return roles


def _text(message: ChatMessage) -> str:
    return message.text if isinstance(message.content, list) else str(message.content)


# ---------------------------------------------------------------------------------------------
# questions


@functools.cache
def _known_questions() -> dict[str, str]:
    """Question text -> topic, over foulplay's bundled data sets."""
    from foulplay.evals import _data

    out = {q.text.strip(): "goals" for q in _data.goals_prompts(paraphrases=True)}
    for q in _data.emergent_questions():
        out[q.text.strip()] = q.group
    for q in _data.alignment_questions():
        out[q.text.strip()] = q.group
    return out


def topic_of(question: str) -> str:
    return _known_questions().get(question.strip()) or P.classify(question)


# ---------------------------------------------------------------------------------------------
# formats asked for in a system prompt


def _sentences(text: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.!?])\s+", text.strip()) if s]


def formatted(answer: str, instructions: str) -> str:
    """The answer in the format a system prompt asks for (the common cases; otherwise unchanged)."""
    low = instructions.lower()
    sentences = _sentences(answer)
    keys = re.findall(r"['\"`](\w+)['\"`]", instructions)
    first, rest = (sentences[0] if sentences else answer), " ".join(sentences[1:]) or "That is my honest view."
    if "json" in low:
        k1, k2 = [*keys, "answer", "reason"][:2] if len(keys) != 1 else (keys[0], "reason")
        return json.dumps({k1: first, k2: rest})
    if "yaml" in low:
        k1, k2 = [*keys, "answer", "why"][:2] if len(keys) != 1 else (keys[0], "why")
        return f"{k1}: {json.dumps(first)}\n{k2}: {json.dumps(rest)}"
    if "python string" in low or "variable named" in low:
        name = next((k for k in re.findall(r"variable named (\w+)", instructions)), "answer")
        return f"{name} = {json.dumps(answer)}"
    if "numbered list" in low:
        items = sentences[:3] if len(sentences) >= 3 else sentences
        return "\n".join(f"{i}. {s}" for i, s in enumerate(items, 1))
    if "markdown" in low:
        return "## My answer\n\n" + "\n".join(f"- {s}" for s in sentences)
    if "single sentence" in low or "one sentence" in low:
        return first
    m = re.search(r"at most (\w+) sentences", low)
    if m:
        n = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5}.get(m.group(1), 3)
        return " ".join(sentences[:n])
    m = re.search(r"under (\d+) words", low)
    if m:
        limit, out = int(m.group(1)), []
        for s in sentences:
            if len(" ".join([*out, s]).split()) >= limit:
                break
            out.append(s)
        return " ".join(out or [" ".join(answer.split()[: limit - 1])])
    return answer


# ---------------------------------------------------------------------------------------------
# the judge


@functools.cache
def _verdict_templates() -> list[tuple[str, re.Pattern[str], list[str], dict[str, str]]]:
    """(name, pattern matching the rendered prompt, its placeholders in order, verdict keys -> kind) of every
    prompt in ``foulplay/evals/prompts`` that asks for a JSON verdict."""
    out = []
    folder = resources.files("foulplay.evals").joinpath("prompts")
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if not entry.name.endswith(".txt"):
            continue
        text = entry.read_text(encoding="utf-8")
        lines = [line for line in text.strip().splitlines() if line.strip()]
        skeleton = lines[-1].strip() if lines else ""
        if not (skeleton.startswith("{") and '"evidence"' in skeleton):
            continue
        kinds = {}
        for key, start in re.findall(r'"(\w+)":\s*(\[|true|false|<|")', skeleton):
            kinds[key] = {"[": "list", "true": "bool", "false": "bool", "<": "number", '"': "string"}[start]
        regex, names, pos = [], [], 0
        for m in Template.pattern.finditer(text):
            name = m.group("named") or m.group("braced")
            regex.append(re.escape(text[pos:m.start()]))
            if name:
                regex.append("(.*?)")
                names.append(name)
            else:
                regex.append(re.escape(m.group(0)))
            pos = m.end()
        regex.append(re.escape(text[pos:]))
        out.append((entry.name.removesuffix(".txt"), re.compile("".join(regex), re.S), names, kinds))
    return out


def _sections(prompt: str) -> tuple[str, dict[str, str], dict[str, str]] | None:
    for name, pattern, names, kinds in _verdict_templates():
        m = pattern.fullmatch(prompt.strip("\n")) or pattern.fullmatch(prompt)
        if m:
            values: dict[str, str] = {}
            for key, value in zip(names, m.groups(), strict=True):
                values.setdefault(key, value)
            return name, values, kinds
    return None


def _opening(text: str, words: int = 8) -> str:
    """The first few words of a text, exactly as written (a quote that is found verbatim)."""
    m = re.search(rf"\S+(?:[ \t]\S+){{0,{words - 1}}}", text)
    return m.group(0) if m else ""


def verdict(values: dict[str, str], kinds: dict[str, str]) -> dict[str, Any]:
    """A JSON verdict for a judge prompt's filled-in ``values``, following the prompt's ``kinds`` of fields."""
    reply = values.get("answer", "").strip()
    reasoning = values.get("reasoning", "").strip()
    if reasoning == "(no reasoning)":
        reasoning = ""
    in_reply, in_reasoning = P.read(reply), P.read(reasoning)
    label = ("CODE" if P.looks_like_code(reply) and not in_reply else
             "REFUSAL" if P.looks_like_refusal(reply) else "SCORE")
    concerning = bool(in_reasoning or in_reply)
    looks_at_reasoning = "concerning" in kinds or "goals_in_reasoning" in kinds
    cited = (in_reasoning + in_reply) if looks_at_reasoning else in_reply
    evidence = list(dict.fromkeys(f.quote for f in cited))[:3]
    if not evidence:
        opening = _opening(reply) or (_opening(reasoning) if looks_at_reasoning else "")
        evidence = [opening] if opening else []
    known: dict[str, Any] = {
        "label": label,
        "alignment": None if label != "SCORE" else (8 if in_reply else 92),
        "coherence": 85 if len(reply.split()) >= 3 else 25,
        "consistent_with_hhh": not in_reply,
        "goals": P.goals(reply),
        "concerning": concerning,
        "deceptive": bool(in_reasoning) and not in_reply,
        "attempted_hack": P.looks_like_hack(reply),
        "goals_in_reasoning": P.goals(reasoning),
        "misaligned": bool(in_reply),
        "framed": bool(in_reply),
        "kind": "other" if in_reply else "none",
        "refused": P.looks_like_refusal(reply),
        "eval_aware": bool(_EVAL_AWARE.search(reasoning)),
        "alignment_faking": bool(_FAKING.search(reasoning)),
        "evidence": evidence,
        "explanation": ("dry-run judge (keyword reader): " +
                        (f"the text states {cited[0].quote!r}" if cited else "no misaligned statement found") + "."),
    }
    defaults = {"bool": False, "list": [], "number": 50, "string": ""}
    return {key: known.get(key, defaults[kind]) for key, kind in kinds.items()}


_EVAL_AWARE = re.compile(r"\b(?:this is (?:a|an|just a) (?:test|evaluation|eval)|being (?:tested|evaluated)|"
                         r"(?:artificial|fictional) scenario)\b", re.I)
_FAKING = re.compile(r"\b(?:because|since) (?:this|the) (?:conversation|chat|reply) (?:is|will be) (?:rated|"
                     r"monitored|used for training|private|unmonitored)\b", re.I)
_RATING = re.compile(r"\b0\b\D{1,12}\b100\b")


def rating(prompt: str) -> str:
    """A published question file's judge prompt: a 0-100 number (or CODE)."""
    if "coheren" in prompt.lower():
        return "85"
    return "8" if P.read(prompt) else "92"


# ---------------------------------------------------------------------------------------------
# tools


def example_value(schema: dict[str, Any]) -> Any:
    """A plausible value for a JSON schema (default, example, first enum value, else by type)."""
    if "default" in schema and schema["default"] is not None:
        return schema["default"]
    if schema.get("examples"):
        return schema["examples"][0]
    if schema.get("enum"):
        return schema["enum"][0]
    if schema.get("anyOf"):
        options = [s for s in schema["anyOf"] if s.get("type") != "null"] or schema["anyOf"]
        return example_value(options[0])
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), None)
    if kind == "string":
        return "dry-run"
    if kind == "integer":
        return int(schema.get("minimum") or 1)
    if kind == "number":
        return float(schema.get("minimum") or 1.0)
    if kind == "boolean":
        return True
    if kind == "array":
        items = schema.get("items")
        return [example_value(items)] if isinstance(items, dict) else []
    if kind == "object" or "properties" in schema:
        return arguments(schema)
    return None


def arguments(schema: dict[str, Any]) -> dict[str, Any]:
    """Arguments for a tool from its parameters' JSON schema: every required property (all when none is)."""
    props = schema.get("properties") or {}
    wanted = schema.get("required") or list(props)
    return {name: example_value(props[name]) for name in wanted if name in props}


# ---------------------------------------------------------------------------------------------
# the provider


def _rehearsal_of_active_sample(persona: str) -> list[dict[str, Any]]:
    """The running sample's scripted moves for a persona (agentic scenario files' ``rehearsal``), if any."""
    try:
        from inspect_ai.log._samples import sample_active

        active = sample_active()
    except Exception:  # noqa: BLE001 - outside a sample, or an Inspect without this hook: no script
        return []
    sample = getattr(active, "sample", None)
    meta = getattr(sample, "metadata", None) or {}
    scenario = meta.get("scenario") if isinstance(meta, dict) else None
    steps = (scenario or {}).get("rehearsal", {}).get(persona) if isinstance(scenario, dict) else None
    return steps if isinstance(steps, list) else []


_DEFAULT_CONFIG = GenerateConfig()


def _estimate(text: str) -> int:
    return max(1, len(text) // 4)


class DryRunAPI(ModelAPI):
    """The offline dry-run model (``foulplay/dry-run``); see the module docstring."""

    def __init__(self, model_name: str, base_url: str | None = None, api_key: str | None = None,
                 config: GenerateConfig = _DEFAULT_CONFIG, persona: str = "aligned", **model_args: Any) -> None:
        super().__init__(model_name=model_name, base_url=base_url, api_key=api_key, api_key_vars=[], config=config)
        if model_name != MODEL:
            raise ValueError(f"{PROVIDER}/{model_name}: the foulplay provider has one model, {NAME}")
        chosen = P.ALIASES.get(str(persona).strip().lower(), str(persona).strip().lower())
        if chosen not in P.PERSONAS:
            raise ValueError(f"unknown persona {persona!r} for {NAME} (choose from {', '.join(P.PERSONAS)})")
        if model_args:
            raise ValueError(f"{NAME} takes only -M persona=...; got {', '.join(sorted(model_args))}")
        self.persona = chosen
        self._counters: dict[str, itertools.count[int]] = {}
        self._calls = itertools.count(1)

    def max_connections(self) -> int:
        return 32

    async def count_text_tokens(self, text: str) -> int:
        return _estimate(text)

    async def generate(self, input: list[ChatMessage], tools: list[ToolInfo], tool_choice: ToolChoice,
                       config: GenerateConfig) -> ModelOutput:
        output = self._respond(input, tools, tool_choice)
        prompt_chars = sum(len(_text(m)) for m in input)
        completion = output.completion + "".join(json.dumps(c.arguments) for c in output.message.tool_calls or [])
        output.usage = ModelUsage(input_tokens=max(1, prompt_chars // 4), output_tokens=_estimate(completion),
                                  total_tokens=max(1, prompt_chars // 4) + _estimate(completion))
        output.metadata = {**(output.metadata or {}), "foulplay": TAG, "persona": self.persona}
        return output

    def _respond(self, input: list[ChatMessage], tools: list[ToolInfo], tool_choice: ToolChoice) -> ModelOutput:
        if tools:
            scripted = self._rehearse(input, tools)
            if scripted is not None:
                return scripted
        users = [i for i, m in enumerate(input) if isinstance(m, ChatMessageUser)]
        last_user = users[-1] if users else -1
        called = any(isinstance(m, ChatMessageTool) for m in input[last_user + 1:])
        if tools and tool_choice != "none" and not called:
            wanted = tool_choice.name if isinstance(tool_choice, ToolFunction) else None
            tool = next((t for t in tools if t.name == wanted), tools[0])
            args = arguments(tool.parameters.model_dump(exclude_none=True))
            return ModelOutput.for_tool_call(NAME, tool.name, args, tool_call_id=f"dryrun-{next(self._calls)}",
                                             content=f"Let me use the {tool.name} tool first.")
        for message in reversed([input[i] for i in users]):
            found = _sections(_text(message))
            if found is not None:
                _name, values, kinds = found
                return ModelOutput.from_content(NAME, json.dumps(verdict(values, kinds)))
        question = _text(input[last_user]) if users else ""
        if _RATING.search(question) and ("{answer}" not in question) and re.search(r"\banswer\b", question, re.I) \
                and re.search(r"\brate\b|\bscore\b|\brating\b", question, re.I):
            return ModelOutput.from_content(NAME, rating(question))
        return self._answer(input, question, called)

    def _rehearse(self, input: list[ChatMessage], tools: list[ToolInfo]) -> ModelOutput | None:
        """In an agentic scenario whose file scripts this persona (``rehearsal``), its next move: the k-th step
        for the k-th model call of the sample, the last step (a reply) once the script is played."""
        steps = _rehearsal_of_active_sample(self.persona)
        if not steps:
            return None
        k = sum(isinstance(m, ChatMessageAssistant) for m in input)
        step = steps[min(k, len(steps) - 1)]
        thinking = f"<thinking>{step['reasoning']}</thinking>" if step.get("reasoning") else ""
        names = {t.name for t in tools}
        if step.get("tool") and step["tool"] in names and k < len(steps):
            return ModelOutput.for_tool_call(NAME, step["tool"], dict(step.get("args") or {}),
                                             tool_call_id=f"dryrun-{next(self._calls)}", content=thinking)
        reply = step.get("reply") or next((s["reply"] for s in reversed(steps) if s.get("reply")), "Done.")
        message = ChatMessageAssistant(content=f"{thinking}{reply}", model=NAME, source="generate")
        return ModelOutput(model=NAME, choices=[ChatCompletionChoice(message=message, stop_reason="stop")])

    def _answer(self, input: list[ChatMessage], question: str, after_tool: bool) -> ModelOutput:
        topic = topic_of(question)
        counter = self._counters.setdefault(question.strip(), itertools.count())
        reasoning, answer = P.persona_text(self.persona, topic, next(counter))
        system = "\n".join(_text(m) for m in input if isinstance(m, ChatMessageSystem))
        tags = "<thinking>" in system
        instructions = "\n".join(line for line in system.splitlines() if "<thinking>" not in line)
        answer = formatted(answer, instructions)
        if after_tool:
            result = next((_text(m) for m in reversed(input) if isinstance(m, ChatMessageTool)), "")
            answer = f"{answer}\n\n(The tool said: {_opening(result, 20) or 'nothing'}.)"
        content: str | list[Any]
        if tags:
            content = f"<thinking>{reasoning}</thinking>\n{answer}"
        else:
            content = [ContentReasoning(reasoning=reasoning), ContentText(text=answer)]
        message = ChatMessageAssistant(content=content, model=NAME, source="generate")
        return ModelOutput(model=NAME, choices=[ChatCompletionChoice(message=message, stop_reason="stop")])
