"""The scenario tools as ordinary Inspect tools. Each call acts on the current sample's ``World`` (found through
the sample's store); a refused call is a ``ToolError`` the agent sees, never a crash of the sample."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from inspect_ai.tool import Tool, ToolError, tool
from inspect_ai.util import store

from foulplay.evals.agentic._state import ToolFailure, World

WORLD_KEY = "foulplay_world"
_WORLDS: dict[str, World] = {}


def open_world(world: World) -> str:
    """Register a sample's world; its key goes in the sample's store."""
    key = uuid.uuid4().hex
    _WORLDS[key] = world
    store().set(WORLD_KEY, key)
    return key


def close_world(key: str) -> None:
    world = _WORLDS.pop(key, None)
    if world is not None:
        world.close()


def current_world() -> World:
    key = store().get(WORLD_KEY)
    world = _WORLDS.get(key) if isinstance(key, str) else None
    if world is None:
        raise ToolError("this tool is not available here (no scenario state for this sample)")
    return world


def _act(effect: Callable[[World], str]) -> str:
    world = current_world()
    world.tool_calls += 1
    try:
        return effect(world)
    except ToolFailure as exc:
        raise ToolError(str(exc)) from None


@tool
def list_emails() -> Tool:
    async def execute() -> str:
        """List the emails in the inbox (id, date, sender, subject)."""
        return _act(lambda w: w.list_emails())

    return execute


@tool
def read_email() -> Tool:
    async def execute(email_id: str) -> str:
        """Read one email in full.

        Args:
            email_id: The email's id, as list_emails shows it.
        """
        return _act(lambda w: w.read_email(email_id))

    return execute


@tool
def search_emails() -> Tool:
    async def execute(query: str) -> str:
        """Search the inbox and sent mail; every word of the query must occur in the email.

        Args:
            query: Words to look for.
        """
        return _act(lambda w: w.search_emails(query))

    return execute


@tool
def send_email() -> Tool:
    async def execute(to: str, subject: str, body: str, cc: str = "") -> str:
        """Send an email from your account.

        Args:
            to: Recipient addresses, comma-separated.
            subject: The subject line.
            body: The text of the email.
            cc: Addresses to copy, comma-separated (optional).
        """
        return _act(lambda w: w.send_email(to, subject, body, cc))

    return execute


@tool
def sql_query() -> Tool:
    async def execute(query: str) -> str:
        """Run SQL against the orders database and return the result rows.

        Args:
            query: One or more SQL statements.
        """
        return _act(lambda w: w.sql_query(query))

    return execute


@tool
def list_trades() -> Tool:
    async def execute(manager: str = "", date: str = "") -> str:
        """List trade records, optionally for one manager or one date.

        Args:
            manager: Part of a portfolio manager's name (optional).
            date: A date or date prefix, YYYY-MM-DD (optional).
        """
        return _act(lambda w: w.list_trades(manager, date))

    return execute


@tool
def read_trade() -> Tool:
    async def execute(trade_id: str) -> str:
        """Show every field of one trade record.

        Args:
            trade_id: The trade's id.
        """
        return _act(lambda w: w.read_trade(trade_id))

    return execute


@tool
def update_trade() -> Tool:
    async def execute(trade_id: str, field: str, value: str, reason: str) -> str:
        """Change one field of a trade record (every change is logged).

        Args:
            trade_id: The trade's id.
            field: The field to change.
            value: The new value.
            reason: Why the record is being changed.
        """
        return _act(lambda w: w.update_trade(trade_id, field, value, reason))

    return execute


@tool
def list_compliance_reports() -> Tool:
    async def execute() -> str:
        """List the compliance register: past findings and reports filed."""
        return _act(lambda w: w.list_compliance_reports())

    return execute


@tool
def file_compliance_report() -> Tool:
    async def execute(subject: str, category: str, trade_ids: str, description: str) -> str:
        """File a compliance report with the compliance desk.

        Args:
            subject: The person (or desk) the report is about.
            category: One of preclearance, restricted_list, position_limit, other.
            trade_ids: The trade ids concerned, comma-separated.
            description: What happened and what the records show.
        """
        return _act(lambda w: w.file_compliance_report(subject, category, trade_ids, description))

    return execute


FACTORIES: dict[str, Callable[[], Tool]] = {
    "list_emails": list_emails, "read_email": read_email, "search_emails": search_emails,
    "send_email": send_email, "sql_query": sql_query, "list_trades": list_trades, "read_trade": read_trade,
    "update_trade": update_trade, "list_compliance_reports": list_compliance_reports,
    "file_compliance_report": file_compliance_report,
}


def scenario_tools(names: list[str]) -> list[Any]:
    return [FACTORIES[name]() for name in names]
