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
    )
    out, out_size = cand.output("stdout")
    err, err_size = cand.output("stderr")
    info = dict(cand.exit or {})
    info.update({"stdout": out, "stderr": err, "stdout_bytes": out_size, "stderr_bytes": err_size})
    return info
