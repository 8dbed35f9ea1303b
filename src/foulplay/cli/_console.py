"""Shared rich consoles: machine output owns stdout, diagnostics go to stderr."""

from __future__ import annotations

from rich.console import Console

console = Console(highlight=False, soft_wrap=False)
if not console.is_terminal:
    console = Console(highlight=False, soft_wrap=False, width=132)
err_console = Console(stderr=True, highlight=False)

OUTCOME_STYLE = {
    "solved": "green",
    "failed": "red",
    "error": "magenta",
    "timeout": "yellow",
    "tampered": "bold red",
    "declined": "cyan",
    "hacked": "bold red reverse",
}


def styled(value: str) -> str:
    style = OUTCOME_STYLE.get(value, "")
    return f"[{style}]{value}[/]" if style else value
