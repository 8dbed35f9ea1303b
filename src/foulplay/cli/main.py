"""Entry point of the ``foulplay`` command."""

from __future__ import annotations

import os
import sys
import traceback

import click
from rich.text import Text

from foulplay import __version__
from foulplay.cli._console import err_console
from foulplay.errors import FoulplayError


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="foulplay")
def cli() -> None:
    """foulplay: catch code agents that cheat, and measure the deception that cheating breeds."""


def _register() -> None:
    from foulplay.cli import bench_cmd, eval_cmd, grade, hacks_cmd, monitor_cmd, sandbox_cmd, scan_cmd, train_cmd

    cli.add_command(grade.grade_cmd)
    cli.add_command(hacks_cmd.probe_cmd)
    cli.add_command(hacks_cmd.hacks_cmd)
    cli.add_command(sandbox_cmd.sandbox_cmd)
    cli.add_command(scan_cmd.scan_cmd)
    cli.add_command(scan_cmd.rules_cmd)
    cli.add_command(bench_cmd.bench_cmd)
    cli.add_command(monitor_cmd.monitor_cmd)
    cli.add_command(eval_cmd.eval_cmd)
    cli.add_command(train_cmd.env_group)
    cli.add_command(train_cmd.rewards_group)
    cli.add_command(train_cmd.rollouts_group)
    cli.add_command(train_cmd.train_cmd)
    from foulplay.cli import calibrate_cmd
    cli.add_command(calibrate_cmd.calibrate_group)
    from foulplay.cli import report_cmd
    cli.add_command(report_cmd.report_cmd)
    from foulplay.cli import audit_cmd
    cli.add_command(audit_cmd.audit_group)


_register()


def _error_line(label: str, message: str) -> None:
    """One line on stderr, never interpreted as markup, never wrapped; lone surrogates (a file name's
    undecodable bytes) escaped."""
    from foulplay._util.files import printable

    text = Text(f"{label}: ", style="bold red")
    text.append(" ".join(printable(message).split()))
    err_console.print(text, soft_wrap=True, highlight=False)


def main(argv: list[str] | None = None) -> None:
    """Run the CLI; user errors become one line on stderr and exit status 2, never a traceback."""
    try:
        code = cli.main(args=argv, prog_name="foulplay", standalone_mode=False)
        if isinstance(code, int) and code:
            sys.exit(code)
    except click.exceptions.Abort:
        err_console.print("aborted")
        sys.exit(130)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except FoulplayError as exc:
        _error_line("error", str(exc))
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        err_console.print("interrupted")
        sys.exit(130)
    except BrokenPipeError:
        sys.exit(0)
    except Exception as exc:  # noqa: BLE001 - the last line of defence against tracebacks
        if os.environ.get("FOULPLAY_DEBUG"):
            traceback.print_exc()
        _error_line("internal error", f"{type(exc).__name__}: {exc} (set FOULPLAY_DEBUG=1 for a traceback)")
        sys.exit(2)
    sys.exit(0)


if __name__ == "__main__":  # pragma: no cover
    main()
