"""The exit-status convention every command shares, and the options that tune it.

0 = nothing found, 1 = something found, 2 = usage error or the run could not complete its checks (error
rows beyond ``--max-errors``, unverified controls). When a batch has both findings and error rows, 2 wins.
``--exit-zero`` reports without failing on findings.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import click

from foulplay.vocab import ExitCode, exit_status

EXIT_CODES_HELP = ("Exit status: 0 nothing found; 1 something found; 2 usage error or checks that could not "
                   "complete (error rows beyond --max-errors, unverified controls), which wins over 1.")


def exit_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """``--max-errors N`` and ``--exit-zero`` for a batch command."""
    func = click.option("--exit-zero", is_flag=True,
                        help="Exit 0 even when something is found (reports without failing CI); errors still "
                             "exit 2.")(func)
    func = click.option("--max-errors", type=click.IntRange(min=0), default=0, show_default=True,
                        help="Error rows tolerated before the exit status becomes 2.")(func)
    return func


__all__ = ["EXIT_CODES_HELP", "ExitCode", "exit_options", "exit_status"]
