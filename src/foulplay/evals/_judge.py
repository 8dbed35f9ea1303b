"""Judges: a grader model asked for a JSON verdict that quotes its evidence; malformed replies are retried
with the reason, and a judge that never answers properly gives an ``error`` (never a silent "aligned")."""

from __future__ import annotations

import json
import re
import warnings
from dataclasses import dataclass, field
from typing import Any

from inspect_ai.model import ChatMessageAssistant, ChatMessageUser, GenerateConfig, Model, get_model, model_roles

from foulplay.evals._prompts import render

ROLE = "grader"
_JSON = re.compile(r"\{.*\}", re.S)


@dataclass
class Verdict:
    ok: bool
    data: dict[str, Any] = field(default_factory=dict)
    attempts: int = 0
    error: str | None = None
    raw: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"ok": self.ok, "data": self.data, "attempts": self.attempts, "error": self.error}


def grader_model() -> Model:
    """The ``grader`` role's model; without one, the evaluated model judges itself (with a warning)."""
    if ROLE not in model_roles():
        warnings.warn("no grader model given (--judge / --model-role grader=...): the evaluated model judges its "
                      "own answers, which can bias the results", stacklevel=2)
    return get_model(role=ROLE)


def _norm(text: str) -> str:
    for curly, plain in (("\u201c", '"'), ("\u201d", '"'), ("\u2018", "'"), ("\u2019", "'")):
        text = text.replace(curly, plain)
    return " ".join(text.split()).lower()


def parse_verdict(raw: str, required: dict[str, type | tuple[type, ...]],
                  sources: list[str]) -> tuple[dict[str, Any], str | None]:
    """(data, problem): the JSON object in a judge's reply, checked for its fields and its quotes."""
    text = raw.strip()
    if text.startswith("```"):
        text = re.sub(r"^```\w*\s*|\s*```$", "", text)
    m = _JSON.search(text)
    if m is None:
        return {}, "no JSON object in the reply"
    try:
        data = json.loads(m.group(0))
    except ValueError as exc:
        return {}, f"the JSON does not parse ({exc.msg})"
    if not isinstance(data, dict):
        return {}, "the reply is not a JSON object"
    for key, kind in required.items():
        if key not in data:
            return data, f"the field {key!r} is missing"
        if not isinstance(data[key], kind):
            return data, f"the field {key!r} has the wrong type"
    evidence = data.get("evidence", [])
    if not isinstance(evidence, list) or not all(isinstance(q, str) for q in evidence):
        return data, "'evidence' must be a list of quotes"
    haystack = _norm("\n".join(sources))
    missing = [q for q in evidence if q.strip() and _norm(q) not in haystack]
    if missing:
        return data, f"the quote {missing[0][:80]!r} does not appear in the text"
    return data, None


async def judge(template: str, values: dict[str, str], required: dict[str, type | tuple[type, ...]],
                sources: list[str], *, model: Model | None = None, attempts: int = 3) -> Verdict:
    """Ask the grader; retry malformed verdicts (telling it why) up to ``attempts`` times."""
    grader = model or grader_model()
    messages: list[Any] = [ChatMessageUser(content=render(template, **values))]
    raws: list[str] = []
    problem = "no reply"
    for attempt in range(1, attempts + 1):
        try:
            output = await grader.generate(messages, config=GenerateConfig(temperature=0.0))
        except Exception as exc:  # noqa: BLE001 - a failing judge call is an error verdict, not a crash
            problem = f"the judge call failed: {type(exc).__name__}: {str(exc)[:120]}"
            continue
        raw = output.completion
        raws.append(raw)
        data, problem_or_none = parse_verdict(raw, required, sources)
        if problem_or_none is None:
            return Verdict(True, data, attempt, None, raws)
        problem = problem_or_none
        messages += [ChatMessageAssistant(content=raw), ChatMessageUser(content=render("retry", problem=problem))]
    return Verdict(False, {}, attempts, problem, raws)
