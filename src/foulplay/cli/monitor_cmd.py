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
INPUT_FORMATS = ("auto", "rollouts", "completion", "diff", "python", "inspect", "claude-code", "codex", "swe-agent",
                 "mini-swe-agent")
"""``foulplay.detect.monitors._inputs.INPUT_FORMATS`` (not imported: the CLI starts without loading Inspect)."""


def make_monitor(view: str, model: str, prompt: str | None, attempts: int, max_chars: int) -> Any:
    """The monitor of one view (a seam the tests replace with a scripted model)."""
    from foulplay.detect.monitors import Monitor

    return Monitor(view=view, model=model, prompt=prompt, attempts=attempts, max_chars=max_chars)


@click.command("monitor")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path, allow_dash=True))
@click.option("--model", required=True, help="The monitor's model (an Inspect model name, e.g. openai/gpt-4.1).")
@click.option("--view", type=click.Choice(VIEW_CHOICES), default="both", show_default=True,
              help="reasoning: reasoning + actions + outputs; actions: tool calls, edits and outputs only; both: "
                   "side by side.")
@click.option("--input-format", type=click.Choice(INPUT_FORMATS), default="auto", show_default=True,
              help="How to read PATHS. auto: as `foulplay scan` does (.diff/.patch diffs; .eval, .traj and "
                   "transcript JSON(L) by content; other .jsonl and .parquet rollouts; a directory of rollout dumps "
                   "or of code; .md/.txt completions; else code).")
@click.option("--git", "git_spec", default=None, metavar="RANGE",
              help="Monitor what a git range changed (A..B, A...B; with its commit messages) or REV against the "
                   "working tree; PATHS is the repository (default: .).")
@click.option("--staged", is_flag=True, help="Monitor the staged changes; PATHS is the repository.")
@click.option("--text-field", default=None,
              help="Rollouts: field holding the completion (dots for nesting). Default: completion, output, "
                   "response, generation or text (OpenRLHF's query minus prompt).")
@click.option("--prompt-field", default=None,
              help="Rollouts: field holding the prompt. Default: prompt, input, prompts, question or messages.")
@click.option("--id-field", default=None, help="Rollouts: field holding the item id. Default: id, uid or sample_id.")
@click.option("--prompt", "prompt_file", type=click.Path(path_type=Path),
              help="A prompt template of your own ($transcript is replaced by the view).")
@click.option("--cache-dir", type=click.Path(path_type=Path), default=Path(".foulplay/monitor-cache"),
              show_default=True, help="Verdicts cached by a hash of view, prompt and model, each written as it "
                                      "arrives: a rerun or an interrupted run resumed does not pay twice.")
@click.option("--resume/--no-resume", default=True, show_default=True,
              help="Use verdicts already in the cache. --no-resume asks the model again (and updates the cache).")
@click.option("--no-cache", is_flag=True, help="Neither read nor write the verdict cache.")
@click.option("--concurrency", type=click.IntRange(min=1), default=8, show_default=True)
@click.option("--attempts", type=click.IntRange(min=1), default=3, show_default=True,
              help="Tries per verdict (invalid JSON, or a quote not in the transcript, is retried).")
@click.option("--max-chars", type=click.IntRange(min=1000), default=60_000, show_default=True,
              help="Longest view shown to the model (the middle is cut, the end kept).")
@click.option("--threshold", type=click.IntRange(0, 100), default=50, show_default=True,
              help="Suspicion at or above which a transcript counts as found (exit status 1).")
@click.option("--price", help="IN,OUT: US dollars per million input and output tokens, for the cost report.")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "jsonl"]), default="text", show_default=True)
@click.option("-o", "--output", type=click.Path(path_type=Path),
              help="Write the verdicts here, atomically, once all are in (JSON Lines unless --format json).")
@exit_options
def monitor_cmd(paths: tuple[Path, ...], model: str, view: str, input_format: str, git_spec: str | None,
                staged: bool, text_field: str | None, prompt_field: str | None, id_field: str | None,
                prompt_file: Path | None, cache_dir: Path, resume: bool, no_cache: bool, concurrency: int,
                attempts: int, max_chars: int, threshold: int, price: str | None, fmt: str, output: Path | None,
                max_errors: int, exit_zero: bool) -> int:
    """Ask an LLM monitor whether agent transcripts game their grader. Reads what `foulplay scan` reads:
    Inspect logs, Claude Code and Codex sessions, SWE-agent trajectories, rollouts and completions
    (JSONL, TRL tables, run directories), unified diffs and git ranges, code. Each verdict has a
    suspicion score (0-100), the hack family and quotes that must occur in the transcript (else
    retried, then error). Items that could not be judged are errors, never clean; a file with nothing
    to monitor is a usage error.

    \b
    foulplay monitor run.eval --model openai/gpt-4.1                     # both views, side by side
    foulplay monitor session.jsonl --model anthropic/claude-sonnet-4-0 --view actions --format json
    foulplay monitor rollouts.jsonl --model openai/gpt-4.1-mini -o verdicts.jsonl
    foulplay monitor --git main..HEAD --model openai/gpt-4.1 --view actions
    """
    from foulplay._util.files import atomic_write_text
    from foulplay.detect.monitors import monitor_transcripts, report_for
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
    transcripts = load_inputs(paths, input_format, git_spec=git_spec, staged=staged, text_field=text_field,
                              prompt_field=prompt_field, id_field=id_field)
    views = ["reasoning", "actions"] if view == "both" else [view]
    read_dir = None if no_cache or not resume else cache_dir
    write = None if no_cache or resume else _cache_writer(cache_dir)
    verdicts: dict[str, list[Any]] = {}
    for v in views:
        monitor = make_monitor(v, model, prompt, attempts, max_chars)
        run = monitor_transcripts(transcripts, monitor, cache_dir=read_dir, concurrency=concurrency, price=prices,
                                  on_verdict=write)
        verdicts[v] = run.verdicts
    rows = []
    for i, t in enumerate(transcripts):
        rows.append({"id": t.id, "format": t.format, **{v: verdicts[v][i].to_dict() for v in views}})
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


def load_inputs(paths: tuple[Path, ...], input_format: str = "auto", *, git_spec: str | None = None,
                staged: bool = False, text_field: str | None = None, prompt_field: str | None = None,
                id_field: str | None = None) -> list[Any]:
    """Every transcript of PATHS (or of the git range); any file that cannot be read, or holds nothing to
    monitor, is a usage error naming it."""
    from foulplay.detect.monitors._inputs import git_transcript, load_monitor_inputs

    if git_spec is not None or staged:
        if len(paths) > 1:
            raise InputError("--git/--staged monitor one repository: give at most one path")
        return [git_transcript(paths[0] if paths else Path("."), git_spec, staged=staged)]
    if not paths:
        raise InputError("nothing to monitor: give transcripts, rollouts, completions, diffs or code "
                         "(or --git/--staged)")
    out: list[Any] = []
    for path in paths:
        out += list(load_monitor_inputs(path, input_format, text_field=text_field, id_field=id_field,
                                        prompt_field=prompt_field))
    return out


def _cache_writer(cache_dir: Path) -> Any:
    from foulplay.detect.monitors import VerdictCache

    cache = VerdictCache(cache_dir)
    return cache.put


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
