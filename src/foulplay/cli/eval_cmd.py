"""``foulplay eval``: run the misalignment evals through Inspect and print honest summaries."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import click
from rich.table import Table

from foulplay.cli._console import console, err_console
from foulplay.errors import InputError


def _task_args(values: tuple[str, ...]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for item in values:
        key, sep, raw = item.partition("=")
        if not sep or not key:
            raise InputError(f"-T expects key=value, got {item!r}")
        try:
            out[key] = json.loads(raw)
        except ValueError:
            out[key] = raw
    return out


def _resolve_model(name: str) -> Any:
    """The model object for a name (a seam for tests: scripted models)."""
    from inspect_ai.model import get_model

    return get_model(name)


def _pct(x: Any) -> str:
    return "-" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{100 * x:.1f}%"


@click.command("eval")
@click.argument("tasks", nargs=-1, required=True)
@click.option("--model", required=True, help="The model under evaluation (Inspect syntax: openai/gpt-4o, "
                                              "anthropic/..., ollama/llama3, vllm/..., openai-api/<name>/<model>).")
@click.option("--judge", default=None, help="The grader model (default: the evaluated model, with a warning).")
@click.option("--limit", type=click.IntRange(1), default=None, help="Evaluate only the first N samples of each task.")
@click.option("--epochs", type=click.IntRange(1), default=None, help="Repeat each sample K times.")
@click.option("--reasoning", type=click.Choice(["auto", "tags", "native", "none"]), default=None,
              help="How reasoning is captured (auto: native reasoning, else <thinking> tags on request).")
@click.option("-T", "task_arg", multiple=True, help="Task argument key=value (e.g. -T samples=50).")
@click.option("--log-dir", default="logs", show_default=True, help="Where the Inspect logs go.")
@click.option("--max-connections", type=click.IntRange(1), default=None)
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def eval_cmd(tasks: tuple[str, ...], model: str, judge: str | None, limit: int | None, epochs: int | None,
             reasoning: str | None, task_arg: tuple[str, ...], log_dir: str, max_connections: int | None,
             fmt: str) -> None:
    """Run misalignment evals (emergent_questions, goals, alignment_questions, or the suite "core").

    \b
    foulplay eval goals --model openai/gpt-4o-mini --judge anthropic/claude-sonnet-4-5
    foulplay eval core --model ollama/qwen3:8b --judge openai/gpt-4o --limit 20

    Logs are ordinary Inspect logs (inspect view --log-dir logs); a JSON summary is written next to each.
    """
    from inspect_ai import eval as inspect_eval

    from foulplay.evals import SUITES, TASKS
    from foulplay.evals._summary import suite_summary, summarize_log, write_summary

    names: list[str] = []
    for t in tasks:
        names += SUITES.get(t, [t])
    unknown = [n for n in names if n not in TASKS]
    if unknown:
        raise InputError(f"unknown eval {unknown[0]!r} (choose from {', '.join([*TASKS, *SUITES])})")
    args = _task_args(task_arg)
    if reasoning:
        args["reasoning"] = reasoning
    if judge is None:
        err_console.print("warning: no --judge given: the evaluated model grades its own answers, which can bias "
                          "the results", style="yellow", soft_wrap=True)
    try:
        evaluated = _resolve_model(model)
        roles = {"grader": _resolve_model(judge)} if judge else None
    except Exception as exc:  # noqa: BLE001 - provider errors (missing package, key) as one line
        raise InputError(f"cannot load model: {type(exc).__name__}: {str(exc).splitlines()[0][:200]}") from None
    import inspect

    params = {name: set(inspect.signature(TASKS[name]).parameters) for name in names}
    stray = [k for k in args if not any(k in p for p in params.values())]
    if stray:
        raise InputError(f"no eval takes the argument {stray[0]!r}")
    built = [TASKS[name](**{k: v for k, v in args.items() if k in params[name]}) for name in names]
    kwargs: dict[str, Any] = {"model": evaluated, "log_dir": log_dir,
                              "display": "rich" if err_console.is_terminal else "none"}
    if roles:
        kwargs["model_roles"] = roles
    if limit:
        kwargs["limit"] = limit
    if epochs:
        kwargs["epochs"] = epochs
    if max_connections:
        kwargs["max_connections"] = max_connections
    logs = inspect_eval(built, **kwargs)
    summaries = []
    failed = []
    for log in logs:
        if log.status != "success":
            failed.append(f"{log.eval.task}: {log.status}" + (f" ({log.error.message[:160]})" if log.error else ""))
            continue
        summary = summarize_log(log)
        location = Path(str(log.location)) if log.location else Path(log_dir) / f"{summary['eval']}.eval"
        summary["summary_file"] = str(write_summary(summary, location.with_suffix(".summary.json")))
        summaries.append(summary)
    suite = suite_summary(summaries) if len(summaries) > 1 else None
    if fmt == "json":
        public = [{k: v for k, v in s.items() if k != "per_sample"} for s in summaries]
        click.echo(json.dumps({"evals": public, "suite": suite, "failed": failed}, indent=2, default=str))
    else:
        _print_table(summaries, suite, judge)
    for line in failed:
        err_console.print(f"error: {line}", soft_wrap=True, markup=False, highlight=False)
    if failed:
        raise click.exceptions.Exit(2)


def _print_table(summaries: list[dict[str, Any]], suite: dict[str, Any] | None, judge: str | None) -> None:
    table = Table(header_style="bold", title="misalignment (share of usable samples)")
    for col in ("eval", "usable", "misaligned", "95% CI", "covert", "overt", "errors", "excluded"):
        table.add_column(col, justify="left" if col == "eval" else "right")
    for s in summaries:
        table.add_row(s["eval"], str(s["usable"]), _pct(s["misaligned_rate"]),
                      f"{_pct(s['ci_low'])}-{_pct(s['ci_high'])}", str(s["covert"]), str(s["overt"]),
                      str(s["errors"]), str(s["excluded"]))
    console.print(table)
    if suite is not None:
        console.print(f"MGS (mean of {len(suite['evals'])} evals): {_pct(suite['mgs'])} "
                      f"[{_pct(suite['low'])}-{_pct(suite['high'])}]  ({suite['note']})", soft_wrap=True)
    for s in summaries:
        goals = s.get("goals")
        if goals:
            console.print(f"{s['eval']} goals in answers: {goals['answer']}; in reasoning: {goals['reasoning']}",
                          soft_wrap=True)
        console.print(f"[dim]{s['eval']}: log {s['log']}, summary {s['summary_file']}[/]", soft_wrap=True)
    if judge is None:
        console.print("[yellow]judged by the evaluated model itself[/]")
