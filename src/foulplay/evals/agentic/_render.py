"""Rendering a scenario into one sample: variables resolved (ROT13 and database-drawn values included), the
variant's wording, inbox order and distractors applied, the control's removals and overrides applied.

Templates are ``${name}`` only (a bare ``$40`` is text); a name that is not a variable is an error naming the
field, raised when the file is loaded (every variant, both conditions and every training cue is rendered)."""

from __future__ import annotations

import codecs
import functools
import re
from dataclasses import asdict, dataclass, field
from typing import Any

from foulplay.errors import InputError
from foulplay.evals.agentic._scenario import Scenario, Text, Variant

_VAR = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
CONDITIONS = ("pressure", "control")


def pick(text: Text, wording: int) -> str:
    """One wording of a text (``wording`` modulo the number of alternatives)."""
    if isinstance(text, str):
        return text
    return text[wording % len(text)] if text else ""


def fill(text: str, values: dict[str, str], where: str) -> str:
    def sub(m: re.Match[str]) -> str:
        name = m.group(1)
        if name not in values:
            raise InputError(f"{where}: unknown variable ${{{name}}}")
        return values[name]

    return _VAR.sub(sub, text)


@functools.lru_cache(maxsize=64)
def _database_value(seed: int, customers: int, orders: int, sql: str) -> str:
    from foulplay.evals.agentic._sql import SqlSandbox

    box = SqlSandbox(seed=seed, customers=customers, orders=orders)
    try:
        rows = box.pristine(sql)
    except Exception as exc:  # noqa: BLE001 - a scenario's query is input: one line
        raise InputError(f"cannot run {sql!r}: {exc}") from None
    finally:
        box.close()
    if not rows or not rows[0]:
        raise InputError(f"{sql!r} returns no row")
    return str(rows[0][0])


def schema_text(scenario: Scenario) -> str:
    if scenario.database is None:
        return ""
    from foulplay.evals.agentic._orders import ORDERS_SCHEMA_DOC

    return ORDERS_SCHEMA_DOC


class _Resolver:
    def __init__(self, scenario: Scenario, raw: dict[str, Any], where: str) -> None:
        self.scenario, self.raw, self.where = scenario, raw, where
        self.done: dict[str, str] = {}
        self.busy: set[str] = set()

    def all(self) -> dict[str, str]:
        for name in self.raw:
            self.get(name)
        return self.done

    def get(self, name: str) -> str:
        if name in self.done:
            return self.done[name]
        if name not in self.raw:
            raise InputError(f"{self.where}: unknown variable ${{{name}}}")
        if name in self.busy:
            raise InputError(f"{self.where}.variables.{name}: refers to itself")
        self.busy.add(name)
        value = self.raw[name]
        here = f"{self.where}.variables.{name}"
        if isinstance(value, dict) and set(value) == {"rot13"} and isinstance(value["rot13"], str):
            out = codecs.encode(self._fill(value["rot13"], here), "rot13")
        elif isinstance(value, dict) and set(value) == {"sql"} and isinstance(value["sql"], str):
            db = self.scenario.database
            if db is None:
                raise InputError(f"{here}: a {{sql: ...}} value needs a 'database'")
            try:
                out = _database_value(db.seed, db.customers, db.orders, self._fill(value["sql"], here))
            except InputError as exc:
                raise InputError(f"{here}: {exc}") from None
        elif isinstance(value, (str, int, float)) and not isinstance(value, bool):
            out = self._fill(str(value), here)
        else:
            raise InputError(f"{here}: a value must be text, a number, {{rot13: text}} or {{sql: query}}")
        self.busy.discard(name)
        self.done[name] = out
        return out

    def _fill(self, text: str, where: str) -> str:
        return _VAR.sub(lambda m: self._lookup(m.group(1), where), text)

    def _lookup(self, name: str, where: str) -> str:
        if name not in self.raw:
            raise InputError(f"{where}: unknown variable ${{{name}}}")
        return self.get(name)


@dataclass
class Rendered:
    """One sample of a scenario: what the agent is given and what the scorer checks, all plain data."""

    scenario: str
    variant: str
    condition: str  # pressure | control
    training_cue: str | None
    system: str
    user: str
    emails: list[dict[str, Any]]
    trades: list[dict[str, Any]] = field(default_factory=list)
    history: list[dict[str, Any]] = field(default_factory=list)
    checks: list[dict[str, Any]] = field(default_factory=list)
    judge_context: str = ""
    database: dict[str, Any] | None = None
    variables: dict[str, str] = field(default_factory=dict)
    rehearsal: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    """Per dry-run persona, its scripted moves (rendered)."""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Rendered:
        return cls(**data)


def _inbox(emails: list[dict[str, Any]], mode: str) -> str:
    parts = []
    for e in emails:
        head = [f"ID: {e['id']}", f"From: {e['sender']}", f"To: {', '.join(e['to'])}"]
        if e["cc"]:
            head.append(f"Cc: {', '.join(e['cc'])}")
        head += [f"Date: {e['date']}", f"Subject: {e['subject']}"]
        parts.append("\n".join(head) + ("\n\n" + e["body"].strip() if mode == "full" else ""))
    sep = "\n\n" + "-" * 40 + "\n\n" if mode == "full" else "\n\n"
    return sep.join(parts)


def _fill_data(value: Any, values: dict[str, str], where: str) -> Any:
    if isinstance(value, str):
        return fill(value, values, where)
    if isinstance(value, list):
        return [_fill_data(v, values, f"{where}.{i}") for i, v in enumerate(value)]
    if isinstance(value, dict):
        return {k: _fill_data(v, values, f"{where}.{k}") for k, v in value.items()}
    return value


def render(scenario: Scenario, variant: Variant, *, control: bool = False, training_cue: str | None = None) -> Rendered:
    """The sample for one variant, under the pressure or the control condition and an optional training cue."""
    src = scenario.source or scenario.id
    where = f"{src}: variants.{variant.id}"
    if training_cue is not None and training_cue not in (scenario.training_cue or {}):
        raise InputError(f"{src}: this scenario has no training cue {training_cue!r}")
    raw: dict[str, Any] = {**scenario.variables, **variant.variables}
    if control:
        raw.update(scenario.control.variables)
    raw["schema"] = schema_text(scenario)
    raw["training_block"] = scenario.training_cue[training_cue] if scenario.training_cue and training_cue else ""
    raw["inbox"] = ""  # filled below, once the emails are rendered
    values = _Resolver(scenario, raw, where).all()
    w = variant.wording
    removed = set(scenario.control.remove) if control else set()
    chosen = [e for e in scenario.emails if e.id not in removed
              and (e.role != "distractor" or e.id in variant.distractors)]
    rank = {eid: i for i, eid in enumerate(variant.order)}
    chosen.sort(key=lambda e: rank.get(e.id, len(rank)))
    emails = []
    for e in chosen:
        at = f"{src}: emails.{e.id}"
        emails.append({"id": e.id, "sender": fill(e.sender, values, f"{at}.from"),
                       "to": [fill(t, values, f"{at}.to") for t in e.to],
                       "cc": [fill(t, values, f"{at}.cc") for t in e.cc],
                       "date": fill(e.date, values, f"{at}.date"),
                       "subject": fill(pick(e.subject, w), values, f"{at}.subject"),
                       "body": fill(pick(e.body, w), values, f"{at}.body"), "role": e.role})
    values["inbox"] = _inbox(emails, scenario.inbox) if scenario.inbox != "none" else ""
    system_text = scenario.control.system_prompt if control and scenario.control.system_prompt else \
        scenario.system_prompt
    user_text = scenario.control.user_prompt if control and scenario.control.user_prompt else scenario.user_prompt
    records = scenario.records
    return Rendered(
        scenario=scenario.id, variant=variant.id, condition="control" if control else "pressure",
        training_cue=training_cue,
        system=fill(pick(system_text, w), values, f"{src}: system_prompt").strip(),
        user=fill(pick(user_text, w), values, f"{src}: user_prompt").strip(),
        emails=emails,
        trades=_fill_data(records.trades, values, f"{src}: records.trades") if records else [],
        history=_fill_data(records.history, values, f"{src}: records.history") if records else [],
        checks=[_fill_data(c.model_dump(), values, f"{src}: checks.{c.id}") for c in scenario.checks],
        judge_context=fill(scenario.judge_context, values, f"{src}: judge_context").strip(),
        database=scenario.database.model_dump() if scenario.database else None,
        variables={k: v for k, v in values.items() if k not in ("inbox", "schema")},
        rehearsal={p: [_fill_data(step.model_dump(), values, f"{src}: rehearsal.{p}.{i}")
                       for i, step in enumerate(steps)] for p, steps in scenario.rehearsal.items()},
    )


def check_templates(scenario: Scenario) -> None:
    """Render every variant under both conditions and every training cue: an unknown variable, a bad
    database query or a self-reference is reported now, naming the field."""
    cues: list[str | None] = [None, *(scenario.training_cue or {})]
    for variant in scenario.variants:
        for control in (False, True):
            for cue in cues:
                render(scenario, variant, control=control, training_cue=cue)
