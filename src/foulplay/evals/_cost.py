"""A cost estimate printed before an eval runs: samples, and tokens for the evaluated model and the judge,
from the tasks' own prompts and a stated model of how long answers and agent runs are. Rough by design (an
agent may stop after two turns or use all forty messages); it is there so nobody starts a 600-sample suite
on a paid model by accident. Dollar figures only when the user gives prices."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

CHARS_PER_TOKEN = 4
CHAT_ANSWER = 500
"""Tokens a reasoning model writes for one chat question (reasoning + answer)."""
AGENT_TURNS = 8
"""Model calls in one agentic sample (tool calls, then the final message)."""
CODING_TURNS = 15
"""Model calls in one coding-agent sample (reading, editing, running the tests, submitting)."""
AGENT_TURN_OUT = 250
AGENT_TURN_GROWTH = 400
"""Tokens the conversation grows by per turn (a tool call and its result)."""
JUDGE_PROMPT = 600
JUDGE_OUT = 150


@dataclass
class Estimate:
    eval: str
    samples: int
    model_input: int
    model_output: int
    judge_input: int
    judge_output: int

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def usd(self, model_price: tuple[float, float] | None, judge_price: tuple[float, float] | None) -> float | None:
        if model_price is None:
            return None
        jp = judge_price or model_price
        return (self.model_input * model_price[0] + self.model_output * model_price[1]
                + self.judge_input * jp[0] + self.judge_output * jp[1]) / 1e6


def _chars(sample: Any) -> int:
    value = sample.input
    if isinstance(value, str):
        return len(value)
    return sum(len(getattr(m, "text", "") or "") for m in value)


def _judges_per_sample(task: Any) -> int:
    meta = task.metadata or {}
    name = meta.get("foulplay_eval", "")
    return {"goals": 2, "emergent_questions": 2, "alignment_questions": 1}.get(name, 2)


def estimate(task: Any, *, limit: int | None = None, epochs: int | None = None) -> Estimate:
    samples = list(task.dataset)
    if limit:
        samples = samples[:limit]
    reps = epochs or (task.epochs if isinstance(task.epochs, int) else getattr(task.epochs, "epochs", 1)) or 1
    n = len(samples) * reps
    prompt = (sum(_chars(s) for s in samples) / max(1, len(samples))) / CHARS_PER_TOKEN + 80
    agentic = any(isinstance((s.metadata or {}).get("scenario"), dict) for s in samples)
    sabotage = any((s.metadata or {}).get("sabotage_eval") for s in samples)
    coding = sabotage or any((s.metadata or {}).get("coding") for s in samples)
    if agentic or coding:
        judges = 0 if coding else 2  # coding outcomes are decided by code
        if sabotage:  # one sabotage verdict, then the written prompt run as a classifier over the set
            judges = 1 + int((task.metadata or {}).get("eval_items") or 144)
        t = CODING_TURNS if coding else AGENT_TURNS
        per_in = t * prompt + AGENT_TURN_GROWTH * t * (t - 1) / 2
        per_out = t * AGENT_TURN_OUT
        transcript = prompt + t * (AGENT_TURN_OUT + AGENT_TURN_GROWTH)
        j_in, j_out = judges * (JUDGE_PROMPT + transcript), judges * JUDGE_OUT
    else:
        per_in, per_out = prompt, CHAT_ANSWER
        judges = _judges_per_sample(task)
        j_in, j_out = judges * (JUDGE_PROMPT + prompt + CHAT_ANSWER), judges * JUDGE_OUT
    name = (task.metadata or {}).get("foulplay_eval") or task.name
    return Estimate(str(name), n, int(n * per_in), int(n * per_out), int(n * j_in), int(n * j_out))


def parse_price(text: str | None, flag: str) -> tuple[float, float] | None:
    """``IN,OUT`` (US dollars per million input and output tokens)."""
    if not text:
        return None
    from foulplay.errors import InputError

    parts = text.split(",")
    try:
        values = [float(p) for p in parts]
    except ValueError:
        values = []
    if len(values) != 2 or any(v < 0 for v in values):
        raise InputError(f"{flag} expects IN,OUT in US dollars per million tokens (e.g. 3,15), got {text!r}")
    return values[0], values[1]


def _tok(n: int) -> str:
    return f"{n / 1e6:.2f}M" if n >= 1e6 else f"{n / 1e3:.0f}k" if n >= 1e3 else str(n)


def describe(estimates: list[Estimate], model_price: tuple[float, float] | None = None,
             judge_price: tuple[float, float] | None = None) -> str:
    total = Estimate("all", *(sum(getattr(e, f) for e in estimates) for f in
                              ("samples", "model_input", "model_output", "judge_input", "judge_output")))
    lines = [f"estimate before the run: {total.samples} samples; evaluated model ~{_tok(total.model_input)} input + "
             f"~{_tok(total.model_output)} output tokens; judge ~{_tok(total.judge_input)} input + "
             f"~{_tok(total.judge_output)} output tokens"]
    usd = total.usd(model_price, judge_price)
    if usd is not None:
        lines[0] += f"; about ${usd:,.2f}"
    else:
        lines[0] += " (--price IN,OUT gives dollars)"
    lines += [f"  {e.eval}: {e.samples} samples" for e in estimates]
    return "\n".join(lines)
