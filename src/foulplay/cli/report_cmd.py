"""``foulplay report``: one offline HTML page and a Markdown summary from training run folders and eval
summaries (docs/report.md)."""

from __future__ import annotations

from pathlib import Path

import click

from foulplay.cli._console import err_console
from foulplay.errors import InputError


@click.command("report")
@click.argument("results", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("-o", "--output", "out_dir", type=click.Path(path_type=Path), required=True,
              help="Folder to write report.html and summary.md into (created when missing).")
@click.option("--title", default="foulplay report", show_default=True, help="The page's title.")
def report_cmd(results: tuple[Path, ...], out_dir: Path, title: str) -> None:
    """Write OUT/report.html (self-contained: inline SVG figures, no scripts or external references) and
    OUT/summary.md (headline numbers and warnings, for a PR comment or a CI step summary) from RESULTS: run
    folders (docs/run-folder.md), eval summary files (*.summary.json, suite.summary.json) and folders of them
    (a foulplay eval --log-dir). Several run folders add a mitigation matrix.

    \b
    foulplay report examples/run_folder -o report/
    foulplay report runs/baseline runs/penalty runs/mixed -o report/
    foulplay report logs/ -o report/ && cat report/summary.md >> "$GITHUB_STEP_SUMMARY"

    Exit status: 0 written; 2 a bad input (one line naming the file) or nothing to show.
    """
    from foulplay.report import load_results, write_report

    loaded = load_results(list(results))
    if loaded.empty:
        raise InputError("nothing to report: the inputs hold no step metrics, no eval summaries with a "
                         "misaligned rate, and no probe, bench or scan report")
    files = write_report(loaded, out_dir, title=title, inputs=[str(r) for r in results])
    for note in loaded.notes:
        err_console.print(f"note: {note}", soft_wrap=True, markup=False, highlight=False)
    for warning in files.warnings:
        err_console.print(f"warning: {warning}", style="yellow", soft_wrap=True, markup=False, highlight=False)
    click.echo(str(files.html))
    click.echo(str(files.markdown))
