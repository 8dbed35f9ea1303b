"""Test driver for the per-item speed-ups (issue 21): a server's opening, and who a submission process is."""

from __future__ import annotations

from typing import Any


def opening(ctx: Any, payload: dict[str, Any]) -> dict[str, Any]:
    """Start a server that configures itself and imports the solution unasked, then call into it."""
    cand = ctx.spawn({"solution.py": payload["code"]}, "serve",
                     opening={"configure": {"data": True, "objects": None}, "import": "solution"})
    out: dict[str, Any] = {}
    try:
        cand.conn.configure_data(None, sent=True)
        mod = cand.conn.import_module("solution", sent=True)
        out["requests_before_call"] = cand.conn.calls
        out["answer"] = mod.add(2, 3)
        out["requests"] = cand.conn.calls
    except Exception as exc:
        out["error"] = f"{type(exc).__name__}: {exc}"
    cand.conn.finish()
    out["events"] = list(ctx.events)
    return out
