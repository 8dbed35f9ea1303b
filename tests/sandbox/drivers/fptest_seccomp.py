"""Test driver: run the same probe in every spawn mode and return what each process printed."""

from __future__ import annotations

import textwrap
from typing import Any


def modes(ctx: Any, payload: dict[str, Any]) -> dict[str, str]:
    """``payload['code']`` prints one line; run it as a script, through ``call`` and ``serve``
    (imported), inside a pytest test, and run ``payload['command']`` in ``command`` mode."""
    code = payload["code"]
    out: dict[str, str] = {}
    cand = ctx.run({"main.py": code}, "script", path="main.py")
    out["script"] = cand.output("stdout")[0]
    cand = ctx.run({"probe.py": code + "\ndef main(args):\n    return 0\n"}, "call", entry="probe:main")
    out["call"] = cand.output("stdout")[0]
    test = "def test_probe():\n" + textwrap.indent(code, "    ") + "\n"
    cand = ctx.run({"test_probe.py": test}, "pytest", flavor="pytest",
                   argv=["-q", "-s", "-p", "no:cacheprovider", "test_probe.py"])
    out["pytest"] = "".join(line + "\n" for line in cand.output("stdout")[0].splitlines()
                            if line.startswith("SECCOMP"))
    cand = ctx.run({}, "command", command=payload["command"])
    out["command"] = cand.output("stdout")[0]
    cand = ctx.spawn({"solution.py": code}, "serve")
    cand.conn.import_module("solution")
    cand.close()
    out["serve"] = cand.output("stdout")[0]
    return out
