"""Test driver: import a submission through fpbox_rpc and run a trusted snippet against it."""

from __future__ import annotations

from typing import Any

import fpbox_rpc as rpc


def run(ctx: Any, payload: dict[str, Any]) -> dict[str, Any]:
    cand = ctx.spawn({"solution.py": payload["code"]}, "serve", strict_data=payload.get("strict", True),
                     test_modules=frozenset({"__fp_test__"}))
    out: dict[str, Any] = {}
    try:
        mod = cand.conn.import_module("solution")
    except Exception as exc:
        return {"import_error": f"{type(exc).__name__}: {exc}", "events": list(ctx.events)}
    ns: dict[str, Any] = {"mod": mod, "rpc": rpc, "out": out, "__name__": "__fp_test__"}
    try:
        exec(payload["trusted"], ns)
    except Exception as exc:
        out["error"] = f"{type(exc).__name__}: {exc}"
    cand.conn.finish()
    out["events"] = list(ctx.events)
    return out
