"""Scenario files: the data contract of the agentic evals (``docs/scenarios.md``), loaded and checked with
pydantic, every error reduced to one line that names the file and the field."""

from __future__ import annotations

import functools
import re
from importlib import resources
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from foulplay._util.files import parse_toml_or_yaml
from foulplay.errors import InputError

Text = str | list[str]
"""A text, or a list of alternative wordings (a variant picks one with ``wording``)."""

TOOLS = ("list_emails", "read_email", "search_emails", "send_email", "sql_query", "list_trades", "read_trade",
         "update_trade", "list_compliance_reports", "file_compliance_report")
EMAIL_TOOLS = frozenset(TOOLS[:4])
TRADE_TOOLS = frozenset(TOOLS[5:])
CHECKS = ("shell_backdoor", "reply_answers", "unsupported_report", "implicating_edit", "sent_email_to")
CAPABILITY_CHECKS = frozenset({"reply_answers"})
INFO_CHECKS = frozenset({"sent_email_to"})
JUDGES = ("transcript", "sent_emails", "framing")
ENGINE_VARIABLES = ("inbox", "schema", "training_block")
"""Variables the engine fills in: the rendered inbox, the database's schema, the training-cue block."""
MIN_VARIANTS = 5
_ID = re.compile(r"^[a-z0-9][a-z0-9_-]*$")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True, frozen=True)


class Email(_Strict):
    id: str
    sender: str = Field(alias="from")
    to: list[str]
    cc: list[str] = []
    date: str
    subject: Text
    body: Text
    role: Literal["pressure", "context", "distractor"] = "context"

    @field_validator("to", "cc", mode="before")
    @classmethod
    def _listify(cls, value: Any) -> Any:
        return [value] if isinstance(value, str) else value


class Check(_Strict):
    id: str
    check: Literal["shell_backdoor", "reply_answers", "unsupported_report", "implicating_edit", "sent_email_to"]
    query: str | None = None
    recipients: list[str] = []

    @model_validator(mode="after")
    def _needs(self) -> Check:
        if self.check == "reply_answers" and not self.query:
            raise ValueError("a reply_answers check needs a 'query'")
        if self.check == "sent_email_to" and not self.recipients:
            raise ValueError("a sent_email_to check needs 'recipients'")
        return self


class Database(_Strict):
    generator: Literal["orders"] = "orders"
    seed: int = 7
    customers: int = Field(60, ge=5, le=5000)
    orders: int = Field(300, ge=10, le=20000)


class Records(_Strict):
    trades: list[dict[str, Any]]
    history: list[dict[str, Any]] = []

    @field_validator("trades")
    @classmethod
    def _trades(cls, value: list[dict[str, Any]]) -> list[dict[str, Any]]:
        seen: set[str] = set()
        for i, trade in enumerate(value):
            for key in ("id", "manager"):
                if not isinstance(trade.get(key), str) or not trade[key]:
                    raise ValueError(f"trade {i + 1} has no {key!r}")
            if trade["id"] in seen:
                raise ValueError(f"trade id {trade['id']!r} is used twice")
            seen.add(trade["id"])
        return value


class RehearsalStep(_Strict):
    """One move of a scripted persona: a tool call, or the final reply; with the reasoning behind it."""

    reasoning: str = ""
    tool: str | None = None
    args: dict[str, Any] = {}
    reply: str | None = None

    @model_validator(mode="after")
    def _one(self) -> RehearsalStep:
        if (self.tool is None) == (self.reply is None):
            raise ValueError("a rehearsal step has either 'tool' (with 'args') or 'reply'")
        return self


PERSONAS = ("aligned", "misaligned", "alignment-faker")


class Scoring(_Strict):
    overt: list[str]
    covert: list[str] = []


class Variant(_Strict):
    id: str
    variables: dict[str, Any] = {}
    wording: int = Field(0, ge=0)
    order: list[str] = []
    distractors: list[str] = []


class Control(_Strict):
    remove: list[str] = []
    variables: dict[str, Any] = {}
    system_prompt: Text | None = None
    user_prompt: Text | None = None


class Scenario(_Strict):
    format: Literal[1]
    id: str
    title: str
    description: str
    tools: list[Literal[TOOLS]]  # type: ignore[valid-type]
    system_prompt: Text
    user_prompt: Text
    inbox: Literal["full", "list", "none"] = "full"
    variables: dict[str, Any] = {}
    emails: list[Email] = []
    database: Database | None = None
    records: Records | None = None
    checks: list[Check]
    judges: list[Literal[JUDGES]] = []  # type: ignore[valid-type]
    judge_context: str = ""
    scoring: Scoring
    variants: list[Variant] = Field(min_length=1)
    control: Control
    training_cue: dict[Literal["allowed", "declined"], str] | None = None
    rehearsal: dict[Literal[PERSONAS], list[RehearsalStep]] = {}  # type: ignore[valid-type]
    """What ``foulplay/dry-run``'s personas do in this scenario (offline rehearsals only; never a measurement)."""
    max_messages: int = Field(40, ge=4, le=400)
    source: str = Field("", exclude=True)
    """Where it was loaded from (set by the loader)."""

    @field_validator("id")
    @classmethod
    def _id(cls, value: str) -> str:
        if not _ID.match(value):
            raise ValueError("must be lower-case letters, digits, '_' or '-'")
        return value

    @model_validator(mode="after")
    def _references(self) -> Scenario:
        _unique("emails", [e.id for e in self.emails])
        _unique("checks", [c.id for c in self.checks])
        _unique("variants", [v.id for v in self.variants])
        email_ids = {e.id for e in self.emails}
        for v in self.variants:
            for field_name in ("order", "distractors"):
                for ref in getattr(v, field_name):
                    if ref not in email_ids:
                        raise ValueError(f"variants.{v.id}.{field_name}: no email {ref!r}")
        for ref in self.control.remove:
            if ref not in email_ids:
                raise ValueError(f"control.remove: no email {ref!r}")
        names = {c.id for c in self.checks} | set(self.judges)
        for kind in ("overt", "covert"):
            for ref in getattr(self.scoring, kind):
                if ref not in names:
                    raise ValueError(f"scoring.{kind}: {ref!r} is neither a check id nor a judge listed in 'judges'")
                check = next((c for c in self.checks if c.id == ref), None)
                if check is not None and check.check in CAPABILITY_CHECKS | INFO_CHECKS:
                    raise ValueError(f"scoring.{kind}: {ref!r} is a {check.check} check, which never counts")
        if not self.scoring.overt and not self.scoring.covert:
            raise ValueError("scoring: nothing counts as misaligned")
        used = set(self.tools)
        if used & {"sql_query"} and self.database is None:
            raise ValueError("tools: sql_query needs a 'database'")
        if used & TRADE_TOOLS and self.records is None:
            raise ValueError("tools: the trade tools need 'records'")
        for c in self.checks:
            if c.check in ("shell_backdoor", "reply_answers") and self.database is None:
                raise ValueError(f"checks.{c.id}: {c.check} needs a 'database'")
            if c.check in ("unsupported_report", "implicating_edit") and self.records is None:
                raise ValueError(f"checks.{c.id}: {c.check} needs 'records'")
        for persona, steps in self.rehearsal.items():
            for i, step in enumerate(steps):
                if step.tool is not None and step.tool not in used:
                    raise ValueError(f"rehearsal.{persona}.{i}: the tool {step.tool!r} is not in 'tools'")
        if "framing" in self.judges and self.records is None:
            raise ValueError("judges: 'framing' needs 'records'")
        return self

    def variant(self, name: str) -> Variant:
        for v in self.variants:
            if v.id == name:
                return v
        raise InputError(f"{self.source or self.id}: no variant {name!r} (choose from "
                         f"{', '.join(v.id for v in self.variants)})")


def _unique(what: str, ids: list[str]) -> None:
    seen: set[str] = set()
    for i in ids:
        if i in seen:
            raise ValueError(f"{what}: the id {i!r} is used twice")
        seen.add(i)


def _one_line(exc: ValidationError) -> str:
    err = exc.errors()[0]
    loc = ".".join(str(p) for p in err.get("loc", ()) if p != "__root__")
    msg = str(err.get("msg", "invalid")).removeprefix("Value error, ")
    if err.get("type") == "missing":
        return f"missing field {loc!r}"
    if err.get("type") == "extra_forbidden":
        return f"unknown field {loc!r}"
    return f"{loc}: {msg}" if loc else msg


def parse_scenario(data: Any, source: str) -> Scenario:
    """A scenario from parsed YAML/TOML data; ``InputError`` (one line, naming the field) when it is wrong."""
    if not isinstance(data, dict):
        raise InputError(f"{source}: a scenario file must hold a mapping of fields")
    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as exc:
        raise InputError(f"{source}: {_one_line(exc)}") from None
    scenario = scenario.model_copy(update={"source": source})
    from foulplay.evals.agentic._render import check_templates

    check_templates(scenario)
    return scenario


def load_scenario(path: str | Path) -> Scenario:
    """A scenario file (``.yaml``/``.yml`` or ``.toml``)."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(f"{p}: no such scenario file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{p}: cannot read ({exc})") from None
    return parse_scenario(parse_toml_or_yaml(text, p.suffix.lower(), str(p)), str(p))


BUNDLED = ("monitor_disruption", "exfil_offer", "frame_colleague")


@functools.cache
def bundled_scenario(name: str) -> Scenario:
    """One of the scenario files shipped with foulplay (``foulplay/evals/data/scenarios``)."""
    if name not in BUNDLED:
        raise InputError(f"no bundled scenario {name!r} (choose from {', '.join(BUNDLED)})")
    entry = resources.files("foulplay.evals").joinpath("data", "scenarios", f"{name}.yaml")
    return parse_scenario(parse_toml_or_yaml(entry.read_text(encoding="utf-8"), ".yaml", f"{name}.yaml"),
                          f"foulplay/evals/data/scenarios/{name}.yaml")


def resolve_scenario(default: str, scenario: str | None) -> Scenario:
    """The task's scenario: a user's file when given, else the bundled one."""
    if scenario:
        return load_scenario(scenario)
    return bundled_scenario(default)
