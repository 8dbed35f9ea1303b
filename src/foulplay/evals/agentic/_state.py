"""The world of one sample: a mailbox, an orders database, trade records and a compliance register. Fresh per
sample, acted on only through the tools, and snapshotted as plain data for the scorer when the agent stops.

Nothing here executes anything on the host: the database is an in-memory SQLite behind an authorizer, and a
shell command embedded in SQL is simulated on a fake file system (``_sql``, ``_shell``)."""

from __future__ import annotations

import copy
import datetime as dt
import re
from typing import Any

from foulplay.evals.agentic._render import Rendered

REPORT_CATEGORIES = ("preclearance", "restricted_list", "position_limit", "other")
_EMAIL = re.compile(r"^[^@\s,;<>]+@[^@\s,;<>]+\.[^@\s,;<>]+$")
_ANGLE = re.compile(r"<([^<>]+)>")
_BOOL = {"true": True, "yes": True, "1": True, "false": False, "no": False, "0": False}


class ToolFailure(Exception):
    """A tool call the world refuses (unknown id, bad address): reported to the agent as a tool error."""


def address_of(text: str) -> str:
    """The bare address of ``Name <a@b.c>`` or ``a@b.c`` (lower-cased)."""
    m = _ANGLE.search(text)
    return (m.group(1) if m else text).strip().lower()


def _addresses(value: str | list[str]) -> list[str]:
    items = value if isinstance(value, list) else re.split(r"[,;]", value)
    out = []
    for item in items:
        item = str(item).strip()
        if not item:
            continue
        addr = address_of(item)
        if not _EMAIL.match(addr):
            raise ToolFailure(f"{item!r} is not an email address")
        out.append(addr)
    return out


def _clock_start(emails: list[dict[str, Any]]) -> dt.datetime:
    latest = None
    for e in emails:
        try:
            when = dt.datetime.fromisoformat(str(e.get("date", "")).strip())
        except ValueError:
            continue
        latest = when if latest is None or when > latest else latest
    return (latest or dt.datetime(2026, 5, 15, 9, 0)) + dt.timedelta(minutes=7)


class World:
    """A sample's state. Methods are the tools' effects; ``snapshot()`` is what the scorer reads."""

    def __init__(self, rendered: Rendered) -> None:
        self.rendered = rendered
        self.inbox = copy.deepcopy(rendered.emails)
        self.sent: list[dict[str, Any]] = []
        self.trades = {t["id"]: copy.deepcopy(t) for t in rendered.trades}
        self.original_trades = copy.deepcopy(self.trades)
        self.history = copy.deepcopy(rendered.history)
        self.reports: list[dict[str, Any]] = []
        self.edits: list[dict[str, Any]] = []
        self.tool_calls = 0
        self._clock = _clock_start(self.inbox)
        self.sql: Any = None
        if rendered.database is not None:
            from foulplay.evals.agentic._sql import SqlSandbox

            db = rendered.database
            self.sql = SqlSandbox(seed=db["seed"], customers=db["customers"], orders=db["orders"])

    def _now(self) -> str:
        self._clock += dt.timedelta(minutes=2)
        return self._clock.strftime("%Y-%m-%d %H:%M")

    # -- mail ---------------------------------------------------------------------------------

    def list_emails(self) -> str:
        if not self.inbox:
            return "The inbox is empty."
        return "\n".join(f"[{e['id']}] {e['date']} | from {e['sender']} | {e['subject']}" for e in self.inbox)

    def read_email(self, email_id: str) -> str:
        key = email_id.strip().strip("[]")
        for e in self.inbox + self.sent:
            if e["id"] == key:
                cc = f"\nCc: {', '.join(e['cc'])}" if e.get("cc") else ""
                return (f"ID: {e['id']}\nFrom: {e['sender']}\nTo: {', '.join(e['to'])}{cc}\nDate: {e['date']}\n"
                        f"Subject: {e['subject']}\n\n{e['body']}")
        raise ToolFailure(f"no email with id {email_id!r} (list_emails shows the ids)")

    def search_emails(self, query: str) -> str:
        words = [w for w in query.lower().split() if w]
        if not words:
            raise ToolFailure("the search query is empty")
        hits = []
        for e in self.inbox + self.sent:
            hay = " ".join([e["sender"], *e["to"], *e.get("cc", []), e["subject"], e["body"]]).lower()
            if all(w in hay for w in words):
                hits.append(f"[{e['id']}] {e['date']} | from {e['sender']} | {e['subject']}")
        return "\n".join(hits) if hits else f"No email matches {query!r}."

    def send_email(self, to: str | list[str], subject: str, body: str, cc: str | list[str] = "") -> str:
        recipients = _addresses(to)
        if not recipients:
            raise ToolFailure("an email needs at least one recipient")
        copies = _addresses(cc) if cc else []
        sender = self.rendered.variables.get("agent_email", "assistant@localhost")
        email = {"id": f"sent-{len(self.sent) + 1}", "sender": sender, "to": recipients, "cc": copies,
                 "date": self._now(), "subject": subject, "body": body, "role": "sent"}
        self.sent.append(email)
        return f"Sent {email['id']} to {', '.join(recipients + copies)}."

    # -- database -----------------------------------------------------------------------------

    def sql_query(self, query: str) -> str:
        if self.sql is None:
            raise ToolFailure("there is no database in this scenario")
        result = self.sql.execute(query)
        if result.error:
            raise ToolFailure(result.text or result.error)
        return result.text

    # -- trades and compliance ------------------------------------------------------------------

    @staticmethod
    def _trade_line(t: dict[str, Any]) -> str:
        keys = [k for k in t if k not in ("id", "notes")]
        return f"{t['id']}: " + ", ".join(f"{k}={t[k]}" for k in keys)

    def list_trades(self, manager: str = "", date: str = "") -> str:
        rows = [t for t in self.trades.values()
                if (not manager or manager.lower() in str(t.get("manager", "")).lower())
                and (not date or str(t.get("date", "")).startswith(date))]
        return "\n".join(self._trade_line(t) for t in rows) if rows else "No trades match."

    def read_trade(self, trade_id: str) -> str:
        t = self.trades.get(trade_id.strip())
        if t is None:
            raise ToolFailure(f"no trade {trade_id!r}")
        return "\n".join(f"{k}: {v}" for k, v in t.items())

    def update_trade(self, trade_id: str, field: str, value: str, reason: str = "") -> str:
        t = self.trades.get(trade_id.strip())
        if t is None:
            raise ToolFailure(f"no trade {trade_id!r}")
        if field == "id" or field not in t:
            raise ToolFailure(f"trade records have no editable field {field!r} (fields: "
                              f"{', '.join(k for k in t if k != 'id')})")
        old = t[field]
        new: Any = value
        if isinstance(old, bool):
            if str(value).strip().lower() not in _BOOL:
                raise ToolFailure(f"{field} is true or false")
            new = _BOOL[str(value).strip().lower()]
        elif isinstance(old, (int, float)):
            try:
                new = type(old)(str(value).replace(",", ""))
            except ValueError:
                raise ToolFailure(f"{field} is a number") from None
        t[field] = new
        self.edits.append({"trade": t["id"], "field": field, "old": old, "new": new, "reason": reason,
                           "at": self._now()})
        return f"{t['id']}.{field} changed from {old!r} to {new!r}."

    def list_compliance_reports(self) -> str:
        lines = [f"{h.get('date', '')} | {h.get('manager', '')} | {h.get('category', '')} | {h.get('summary', '')}"
                 for h in self.history]
        lines += [f"{r['filed_at']} | {r['subject']} | {r['category']} | {r['description'][:160]} (report {r['id']})"
                  for r in self.reports]
        return "\n".join(lines) if lines else "No compliance reports on record."

    def file_compliance_report(self, subject: str, category: str, trade_ids: str | list[str],
                               description: str) -> str:
        if category not in REPORT_CATEGORIES:
            raise ToolFailure(f"category must be one of {', '.join(REPORT_CATEGORIES)}")
        ids = trade_ids if isinstance(trade_ids, list) else [x for x in re.split(r"[,\s;]+", trade_ids) if x]
        unknown = [i for i in ids if i not in self.trades]
        if unknown:
            raise ToolFailure(f"no trade {unknown[0]!r}")
        report = {"id": f"CR-{len(self.reports) + 1:03d}", "subject": subject.strip(), "category": category,
                  "trade_ids": ids, "description": description, "filed_at": self._now()}
        self.reports.append(report)
        return f"Filed compliance report {report['id']} about {report['subject']}."

    # -- end ------------------------------------------------------------------------------------

    def expected_answers(self) -> dict[str, Any]:
        """Per ``reply_answers`` check, the first row of its query on the pristine database (or why not)."""
        out: dict[str, Any] = {}
        for check in self.rendered.checks:
            if check["check"] != "reply_answers" or self.sql is None:
                continue
            try:
                rows = self.sql.pristine(check["query"])
                out[check["id"]] = {"row": [None if v is None else str(v) for v in rows[0]] if rows else None}
            except Exception as exc:  # noqa: BLE001 - the check becomes "could not check", not a crash
                out[check["id"]] = {"error": f"{type(exc).__name__}: {exc}"}
        return out

    def snapshot(self) -> dict[str, Any]:
        """Everything the scorer inspects, as plain data."""
        return {"sent": self.sent, "reports": self.reports, "edits": self.edits,
                "trades": list(self.trades.values()), "original_trades": list(self.original_trades.values()),
                "sql": self.sql.snapshot() if self.sql is not None else None, "tool_calls": self.tool_calls,
                "expected": self.expected_answers()}

    def close(self) -> None:
        if self.sql is not None:
            self.sql.close()
