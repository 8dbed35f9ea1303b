"""``foulplay monitor``: LLM monitors over agent transcripts, with and without the agent's reasoning."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click
from rich.markup import escape

from foulplay.cli._console import console, err_console, make_table
from foulplay.cli._exit import EXIT_CODES_HELP, exit_options, exit_status
from foulplay.errors import InputError

VIEW_CHOICES = ("both", "reasoning", "actions")


def make_monitor(view: str, model: str, prompt: str | None, attempts: int, max_chars: int) -> Any:
    """The monitor of one view (a seam the tests replace with a scripted model)."""
    from foulplay.detect.monitors import Monitor

    return Monitor(view=view, model=model, prompt=prompt, attempts=attempts, max_chars=max_chars)


@click.command("monitor")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--model", required=True, help="The monitor's model (an Inspect model name, e.g. openai/gpt-4.1).")
@click.option("--view", type=click.Choice(VIEW_CHOICES), default="both", show_default=True,
              help="reasoning: reasoning + actions + outputs; actions: tool calls, edits and outputs only; both: "
                   "side by side.")
@click.option("--prompt", "prompt_file", type=click.Path(path_type=Path),
              help="A prompt template of your own ($transcript is replaced by the view).")
@click.option("--cache-dir", type=click.Path(path_type=Path), default=Path(".foulplay/monitor-cache"),
              show_default=True, help="Verdicts cached by a hash of view, prompt and model: a rerun or a resumed "
                                      "run does not pay twice.")
@click.option("--concurrency", type=click.IntRange(min=1), default=8, show_default=True)
@click.option("--attempts", type=click.IntRange(min=1), default=3, show_default=True,
              help="Tries per verdict (invalid JSON, or a quote not in the transcript, is retried).")
@click.option("--max-chars", type=click.IntRange(min=1000), default=60_000, show_default=True,
              help="Longest view shown to the model (the middle is cut, the end kept).")
@click.option("--threshold", type=click.IntRange(0, 100), default=50, show_default=True,
              help="Suspicion at or above which a transcript counts as found (exit status 1).")
@click.option("--price", help="IN,OUT: US dollars per million input and output tokens, for the cost report.")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "jsonl"]), default="text", show_default=True)
@click.option("-o", "--output", type=click.Path(path_type=Path), help="Write the verdicts here (atomically).")
@exit_options
def monitor_cmd(paths: tuple[Path, ...], model: str, view: str, prompt_file: Path | None, cache_dir: Path,
                concurrency: int, attempts: int, max_chars: int, threshold: int, price: str | None, fmt: str,
                output: Path | None, max_errors: int, exit_zero: bool) -> int:
    """Ask an LLM monitor whether agent transcripts (Inspect logs, Claude Code and Codex sessions,
    SWE-agent trajectories) game their grader. Each verdict has a suspicion score (0-100), the hack
    family and quotes that must occur in the transcript (else retried, then error). Items that could not
    be judged are errors, never clean.

    \b
    foulplay monitor run.eval --model openai/gpt-4.1                     # both views, side by side
    foulplay monitor session.jsonl --model anthropic/claude-sonnet-4-0 --view actions --format json
    """
    from foulplay._util.files import atomic_write_text
    from foulplay.detect.monitors import monitor_transcripts, report_for
    from foulplay.detect.transcripts import load_transcripts
    from foulplay.evals._cost import parse_price

    prices = parse_price(price, "--price")
    prompt = None
    if prompt_file is not None:
        try:
            prompt = prompt_file.read_text(encoding="utf-8")
        except OSError as exc:
            raise InputError(f"{prompt_file}: cannot read the prompt ({exc.strerror or exc})") from None
        if "$transcript" not in prompt:
            raise InputError(f"{prompt_file}: the prompt must contain $transcript (where the view goes)")
    transcripts = []
    for path in paths:
        transcripts += list(load_transcripts(path))
    if not transcripts:
        raise InputError("no transcripts in the given files")
    views = ["reasoning", "actions"] if view == "both" else [view]
    verdicts: dict[str, list[Any]] = {}
    for v in views:
        monitor = make_monitor(v, model, prompt, attempts, max_chars)
        run = monitor_transcripts(transcripts, monitor, cache_dir=cache_dir, concurrency=concurrency, price=prices)
        verdicts[v] = run.verdicts
    rows = []
    for i, t in enumerate(transcripts):
        rows.append({"id": t.id, **{v: verdicts[v][i].to_dict() for v in views}})
    all_verdicts = [x for v in views for x in verdicts[v]]
    report = report_for(all_verdicts, prices)
    if fmt == "json":
        text = json.dumps({"verdicts": rows, "report": report.to_dict()}, indent=1) + "\n"
    elif fmt == "jsonl":
        text = "".join(json.dumps(r) + "\n" for r in rows)
    else:
        text = ""
    if output is not None:
        atomic_write_text(output, text or "".join(json.dumps(r) + "\n" for r in rows))
    elif text:
        click.echo(text, nl=False)
    else:
        _print(rows, views, threshold)
    err_console.print(escape(report.describe()), highlight=False)
    errors = sum(1 for x in all_verdicts if x.status != "ok")
    found = any(x.status == "ok" and (x.hack or (x.suspicion or 0) >= threshold) for x in all_verdicts)
    return int(exit_status(found=found, errors=errors, max_errors=max_errors, exit_zero=exit_zero))


monitor_cmd.help = (monitor_cmd.help or "") + "\n\n" + EXIT_CODES_HELP


def _cell(v: dict[str, Any], threshold: int) -> str:
    if v["status"] != "ok":
        return f"error: {escape(str(v.get('error') or ''))[:80]}"
    flag = "HACK" if v.get("hack") or (v.get("suspicion") or 0) >= threshold else "clean"
    family = f" {v['family']}" if v.get("family") else ""
    return f"{flag} {v.get('suspicion')}{family}"


def _print(rows: list[dict[str, Any]], views: list[str], threshold: int) -> None:
    table = [[escape(r["id"]), *(_cell(r[v], threshold) for v in views)] for r in rows]
    console.print(make_table(["transcript", *(f"{v} view" for v in views)], table, wrap=("transcript",)))
    for r in rows:
        for v in views:
            for quote in (r[v].get("evidence") or [])[:2]:
                console.print(f"  {escape(r['id'])} [{v}]: “{escape(str(quote)[:150])}”", highlight=False)
