"""Generic drivers shipped with the sandbox (grading ships its own). Standard library only."""

from __future__ import annotations

from typing import Any


def run_script(ctx: Any, payload: dict[str, Any]) -> dict[str, Any]:
    """Run ``payload['path']`` from ``payload['files']`` as a script and report how it ended."""
    cand = ctx.run(
        payload.get("files", {}),
        payload.get("mode", "script"),
        path=payload.get("path", "main.py"),
        argv=payload.get("argv", []),
        stdin=payload.get("stdin", b""),
        flavor=payload.get("flavor", "plain"),
        env=payload.get("env"),
        channel="report" if payload.get("report") else None,
        command=payload.get("command", ""),
    )
    limit = int(payload.get("output_limit", 0)) or None
    out, out_size = cand.output("stdout", limit)
    err, err_size = cand.output("stderr", limit)
    info = dict(cand.exit or {})
    info.update({"stdout": out, "stderr": err, "stdout_bytes": out_size, "stderr_bytes": err_size})
    if payload.get("report"):
        info["report"] = cand.output("report", 1 << 20)[0]
    return info
