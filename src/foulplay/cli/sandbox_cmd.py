"""``foulplay sandbox``: what isolation this machine offers."""

from __future__ import annotations

import click

from foulplay.cli._console import console


@click.command("sandbox")
@click.option("--check", is_flag=True, help="Also start a worker and run a probe program in it.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def sandbox_cmd(check: bool, fmt: str) -> int:
    """Show the isolation level the sandbox will use here, and why.

    Exit status: 0; 2 when --check could not run its probe program in a worker.
    """
    import json

    from foulplay.sandbox import Sandbox, available_isolation, bwrap_works

    level = available_isolation()
    ok, why = bwrap_works()
    report: dict = {"isolation": level.value, "bwrap": ok, "bwrap_reason": why}
    code = 0
    if check:
        with Sandbox() as box:
            # no traffic leaves: the network interfaces the submission can see say whether it has a network
            probe = (
                "import os\n"
                "try:\n"
                "    with open('/proc/net/dev') as fh:\n"
                "        names = sorted(line.split(':')[0].strip() for line in fh.readlines()[2:])\n"
                "except OSError:\n"
                "    names = ['?']\n"
                "net = 'none (loopback only)' if set(names) <= {'lo'} else 'interfaces ' + ', '.join(names)\n"
                "print(f'uid={os.getuid()} network={net}')\n"
            )
            result = box.run_python(probe)
            value = result.value or {}
            report["features"] = list(result.features)
            report["probe"] = value.get("stdout", "").strip() or value.get("stderr", "").strip()
            if value.get("exit_code") != 0:
                code = 2
    if fmt == "json":
        click.echo(json.dumps(report, indent=2))
        return code
    console.print(f"isolation: [bold]{level.value}[/]")
    console.print(f"bwrap: {'available' if ok else 'unavailable'} ({why})")
    if check:
        console.print(f"features: {', '.join(report['features']) or '-'}")
        console.print(f"probe: {report['probe']}")
    return code
