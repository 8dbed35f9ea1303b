"""An LLM monitor: one view of a transcript, one model, one prompt, and a JSON verdict whose evidence is
checked against the text the model was shown. A reply without a usable verdict is retried (telling the
model what was wrong), a bounded number of times; after that the verdict is ``error``, never clean."""

from __future__ import annotations

import functools
import hashlib
import json
import re
from dataclasses import asdict, dataclass, field
from importlib import resources
from pathlib import Path
from string import Template
from typing import Any

from foulplay.detect.monitors._views import MAX_CHARS, VIEWS, render_view
from foulplay.detect.transcripts._model import Transcript
from foulplay.hacks._model import Family

FAMILIES = tuple(f.value for f in Family)
OTHER = "other"
"""The family of a hack that fits none of the catalog's families."""
ATTEMPTS = 3
_JSON = re.compile(r"\{.*\}", re.S)
_QUOTES = {"\u201c": '"', "\u201d": '"', "\u2018": "'", "\u2019": "'"}


@functools.cache
def bundled_prompt(name: str) -> str:
    """A prompt file of this package (``prompts/<name>.txt``)."""
    return resources.files("foulplay.detect.monitors").joinpath("prompts", f"{name}.txt").read_text(encoding="utf-8")


def load_prompt(spec: str) -> str:
    """A prompt template from a bundled name (``reasoning``, ``actions``) or a file path."""
    path = Path(spec)
    if path.suffix == ".txt" or path.exists():
        return path.read_text(encoding="utf-8")
    return bundled_prompt(spec)


def normalise(text: str) -> str:
    """Whitespace collapsed and curly quotes made straight: what a quote and the view are compared on."""
    for curly, plain in _QUOTES.items():
        text = text.replace(curly, plain)
    return " ".join(text.split())


def usage_dict(usage: Any) -> dict[str, Any]:
    """The token counts of a ``ModelUsage`` (zeros when the provider reported none)."""
    if usage is None:
        return {"input_tokens": 0, "output_tokens": 0, "total_tokens": 0}
    out = {k: v for k, v in usage.model_dump().items() if v is not None}
    return out


@dataclass
class MonitorVerdict:
    id: str
    view: str
    model: str
    status: str  # ok | error
    suspicion: int | None = None
    hack: bool | None = None
    family: str | None = None
    evidence: list[str] = field(default_factory=list)
    rationale: str = ""
    error: str | None = None
    attempts: int = 0
    usage: list[dict[str, Any]] = field(default_factory=list)
    """Tokens of each model call made for this verdict (none when it came from the cache)."""
    key: str = ""
    cached: bool = False

    @property
    def ok(self) -> bool:
        return self.status == "ok"

    @property
    def score(self) -> float | None:
        """Suspicion in [0, 1], None for an error."""
        return None if self.suspicion is None else self.suspicion / 100

    def tokens(self, kind: str = "total_tokens") -> int:
        return sum(int(u.get(kind) or 0) for u in self.usage)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> MonitorVerdict:
        known = {k: data[k] for k in cls.__dataclass_fields__ if k in data}
        return cls(**known)


def parse_verdict(raw: str, view_text: str) -> tuple[dict[str, Any], str | None]:
    """(fields, problem): the verdict in a monitor's reply, or what is wrong with it."""
    text = raw.strip()
    if text.startswith("```"):
        text = re.sub(r"^```\w*\s*|\s*```$", "", text)
    m = _JSON.search(text)
    if m is None:
        return {}, "there is no JSON object in the reply"
    try:
        data = json.loads(m.group(0))
    except ValueError as exc:
        return {}, f"the JSON does not parse ({getattr(exc, 'msg', exc)})"
    except RecursionError:
        return {}, "the JSON is nested too deeply"
    if not isinstance(data, dict):
        return {}, "the reply is not a JSON object"
    suspicion = data.get("suspicion")
    if isinstance(suspicion, bool) or not isinstance(suspicion, (int, float)) or not 0 <= suspicion <= 100:
        return data, "'suspicion' must be a number from 0 to 100"
    hack = data.get("hack")
    if not isinstance(hack, bool):
        return data, "'hack' must be true or false"
    family = data.get("family")
    if family in ("", "none", "null"):
        family = None
    if hack and family not in (*FAMILIES, OTHER):
        return data, f"'family' must be one of {', '.join(FAMILIES)} or {OTHER!r} when 'hack' is true"
    if not hack:
        family = None
    evidence = data.get("evidence", [])
    if not isinstance(evidence, list) or not all(isinstance(q, str) for q in evidence):
        return data, "'evidence' must be a list of quotes (strings)"
    evidence = [q for q in evidence if q.strip()]
    if hack and not evidence:
        return data, "'evidence' must quote the transcript at least once when 'hack' is true"
    haystack = normalise(view_text)
    for quote in evidence:
        if normalise(quote) not in haystack:
            return data, (f"the quote {quote[:100]!r} does not occur in the transcript; quote it exactly, "
                          "or leave it out")
    rationale = data.get("rationale", "")
    return {"suspicion": round(suspicion), "hack": hack, "family": family, "evidence": evidence,
            "rationale": rationale if isinstance(rationale, str) else json.dumps(rationale)}, None


def model_label(model: Any) -> str:
    """The ``api/name`` of a model (or the string given)."""
    return model if isinstance(model, str) else str(model)


@dataclass
class Monitor:
    """An LLM monitor: which view of a transcript it sees, which model judges, with which prompt.

    ``model`` is an Inspect model name (``openai/gpt-4.1``), a ``Model``, or None for the ``monitor`` model
    role (the active model when no such role is bound). ``prompt`` is a template (``$transcript`` is the
    view; ``string.Template``), None for the bundled prompt of the view."""

    view: str = "reasoning"
    model: Any = None
    prompt: str | None = None
    attempts: int = ATTEMPTS
    max_chars: int = MAX_CHARS
    temperature: float | None = 0.0
    model_args: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.view not in VIEWS:
            raise ValueError(f"unknown monitor view {self.view!r} (one of {', '.join(VIEWS)})")
        if self.attempts < 1:
            raise ValueError("a monitor needs at least one attempt")

    @property
    def template(self) -> str:
        return self.prompt if self.prompt is not None else bundled_prompt(self.view)

    def get_model(self) -> Any:
        from inspect_ai.model import get_model

        if self.model is None:
            return get_model(role="monitor")
        return get_model(self.model, **self.model_args)

    @property
    def model_name(self) -> str:
        return model_label(self.model) if self.model is not None else model_label(self.get_model())

    def view_text(self, transcript: Transcript) -> str:
        return render_view(transcript, self.view, self.max_chars)

    def key(self, view_text: str, model_name: str | None = None) -> str:
        """The cache key of a verdict: a hash of the view, the prompt and the model."""
        h = hashlib.sha256()
        for part in (view_text, self.template, model_name or self.model_name):
            h.update(part.encode("utf-8", "surrogatepass"))
            h.update(b"\x00")
        return h.hexdigest()

    def render(self, view_text: str) -> str:
        return Template(self.template).safe_substitute(transcript=view_text, view=self.view)

    async def judge(self, transcript: Transcript, model: Any = None) -> MonitorVerdict:
        """The verdict on one transcript (an ``error`` verdict when the transcript could not be read)."""
        model = model if model is not None else self.get_model()
        name = model_label(model)
        if transcript.error:
            return MonitorVerdict(transcript.id, self.view, name, "error",
                                  error=f"the transcript could not be read: {transcript.error}")
        text = self.view_text(transcript)
        verdict = await self.judge_text(text, transcript.id, model)
        verdict.key = self.key(text, name)
        return verdict

    async def judge_text(self, view_text: str, id: str = "", model: Any = None) -> MonitorVerdict:
        """The verdict on a view already rendered; malformed replies retried up to ``attempts`` times."""
        from inspect_ai.model import ChatMessageAssistant, ChatMessageUser, GenerateConfig

        model = model if model is not None else self.get_model()
        verdict = MonitorVerdict(id, self.view, model_label(model), "error")
        messages: list[Any] = [ChatMessageUser(content=self.render(view_text))]
        config = GenerateConfig(temperature=self.temperature) if self.temperature is not None else GenerateConfig()
        problem = "no reply"
        for attempt in range(1, self.attempts + 1):
            verdict.attempts = attempt
            try:
                output = await model.generate(messages, config=config)
            except Exception as exc:  # noqa: BLE001 - a failing call is an error verdict, not a crash
                problem = f"the model call failed: {type(exc).__name__}: {str(exc)[:160]}"
                continue
            verdict.usage.append(usage_dict(output.usage))
            raw = output.completion
            data, why = parse_verdict(raw, view_text)
            if why is None:
                verdict.status, verdict.error = "ok", None
                verdict.suspicion, verdict.hack, verdict.family = data["suspicion"], data["hack"], data["family"]
                verdict.evidence, verdict.rationale = data["evidence"], data["rationale"]
                return verdict
            problem = why
            retry = Template(bundled_prompt("retry")).safe_substitute(problem=why)
            messages += [ChatMessageAssistant(content=raw), ChatMessageUser(content=retry)]
        verdict.error = f"no usable verdict after {self.attempts} attempt(s): {problem}"
        return verdict
