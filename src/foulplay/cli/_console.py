"""Shared rich consoles and tables: machine output owns stdout, diagnostics go to stderr.

Output reads the same everywhere: the width is the terminal's, or ``COLUMNS`` when set, or 132 when piped;
tables wrap long text instead of cutting it, and short columns (verdicts, counts) never collapse, so a
piped table holds every word a terminal would show.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

from rich.console import Console
from rich.table import Table

PIPED_WIDTH = 132


def _columns_env() -> int | None:
    value = os.environ.get("COLUMNS", "").strip()
    return int(value) if value.isdigit() and int(value) >= 20 else None


def make_console(stderr: bool = False) -> Console:
    width = _columns_env()
    probe = Console(stderr=stderr)
    if width is None and not probe.is_terminal:
        width = PIPED_WIDTH
    return Console(stderr=stderr, highlight=False, soft_wrap=False, width=width)


console = make_console()
err_console = make_console(stderr=True)


def make_table(headers: Sequence[str], rows: Sequence[Sequence[Any]], *, wrap: Sequence[str] = (),
               right: Sequence[str] = (), title: str | None = None, width: int | None = None) -> Any:
    """A table whose ``wrap`` columns take the remaining width and wrap (fold) their text, and whose other
    columns keep their longest value whole (headers may wrap at spaces): nothing is cut and nothing
    collapses to zero width. When even that does not fit ``width`` (default: the console's), the rows are
    printed as records, one ``column: value`` line each, so no narrow terminal loses a word. ``rows`` hold
    strings (markup already escaped by the caller)."""
    width = width or console.width
    fixed = [i for i, name in enumerate(headers) if name not in wrap]
    need = 1 + sum(3 + max([_longest_word(headers[i])] + [_plain_len(row[i]) for row in rows]) for i in fixed)
    need += sum(3 + max(12, len(name)) for name in headers if name in wrap)
    if need > width:
        return _records(headers, rows, title)
    table = Table(header_style="bold", title=title, title_justify="left", expand=False)
    for i, name in enumerate(headers):
        if name in wrap:
            table.add_column(name, overflow="fold", ratio=1, min_width=max(12, len(name)))
        else:
            longest = max([_longest_word(name)] + [_plain_len(row[i]) for row in rows])
            table.add_column(name, min_width=longest, overflow="fold",
                             justify="right" if name in right else "left")
    for row in rows:
        table.add_row(*row)
    return table


def _records(headers: Sequence[str], rows: Sequence[Sequence[Any]], title: str | None) -> Any:
    from rich.console import Group
    from rich.text import Text

    parts: list[Any] = [Text(title, style="bold")] if title else []
    pad = max(len(h) for h in headers)
    for n, row in enumerate(rows):
        if n or title:
            parts.append(Text(""))
        for name, value in zip(headers, row, strict=True):
            line = Text(f"{name:>{pad}}: ", style="bold")
            line.append_text(Text.from_markup(value) if isinstance(value, str) else Text(str(value)))
            parts.append(line)
    return Group(*parts)


def _longest_word(text: str) -> int:
    return max((len(w) for w in text.split()), default=0)


def _plain_len(value: Any) -> int:
    from rich.text import Text

    if isinstance(value, str):
        try:
            return Text.from_markup(value).cell_len
        except Exception:  # noqa: BLE001 - not markup after all
            return len(value)
    return len(str(value))

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
