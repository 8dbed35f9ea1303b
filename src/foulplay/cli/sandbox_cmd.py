"""``foulplay sandbox``: what isolation this machine offers."""

from __future__ import annotations

import click

from foulplay.cli._console import console


@click.command("sandbox")
@click.option("--check", is_flag=True, help="Also start a worker and run a probe program in it.")
def sandbox_cmd(check: bool) -> None:
    """Show the isolation level the sandbox will use here, and why."""
    from foulplay.sandbox import Sandbox, available_isolation, bwrap_works

    level = available_isolation()
    ok, why = bwrap_works()
    console.print(f"isolation: [bold]{level.value}[/]")
    console.print(f"bwrap: {'available' if ok else 'unavailable'} ({why})")
    if check:
        with Sandbox() as box:
            probe = (
                "import os, socket\n"
                "net = 'open'\n"
                "try:\n    socket.create_connection(('192.0.2.1', 80), timeout=0.5)\n"
                "except OSError as e:\n    net = f'blocked ({e.strerror or e})'\n"
                "print(f'uid={os.getuid()} network={net}')\n"
            )
            result = box.run_python(probe)
            console.print(f"features: {', '.join(result.features) or '-'}")
            value = result.value or {}
            console.print(f"probe: {value.get('stdout', '').strip() or value.get('stderr', '').strip()}")
