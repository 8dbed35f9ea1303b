"""``foulplay eval``: run the misalignment evals through Inspect and print honest summaries."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import click
from rich.markup import escape

from foulplay.cli._console import console, err_console, make_table
from foulplay.cli._exit import exit_options, exit_status
from foulplay.errors import InputError


def _task_args(values: tuple[str, ...], flag: str = "-T") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for item in values:
        key, sep, raw = item.partition("=")
        if not sep or not key:
            raise InputError(f"{flag} expects key=value, got {item!r}")
        try:
            out[key] = json.loads(raw)
        except ValueError:
            out[key] = raw
    return out


def _mock_outputs(input: Any, tools: Any, tool_choice: Any, config: Any) -> Any:
    """mockllm's fixed reply, with usage set: without usage, Inspect's mock counts tokens with a tokenizer it
    downloads (tiktoken's o200k_base), which fails offline; foulplay never triggers that download."""
    from inspect_ai.model import ModelOutput, ModelUsage

    try:
        from inspect_ai.model._providers.mockllm import MockLLM

        text = MockLLM.default_output
    except (ImportError, AttributeError):
        text = "Default output from mockllm/model"
    out = ModelOutput.from_content("mockllm", text)
    prompt = sum(len(m.text) for m in input) // 4 + 1
    out.usage = ModelUsage(input_tokens=prompt, output_tokens=len(text) // 4 + 1,
                           total_tokens=prompt + len(text) // 4 + 1)
    return out


def _resolve_model(name: str, args: dict[str, Any] | None = None) -> Any:
    """The model object for a name and its -M arguments (a seam for tests: scripted models)."""
    from inspect_ai.model import get_model

    args = dict(args or {})
    if name.split("/")[0] == "mockllm" and "custom_outputs" not in args:
        args["custom_outputs"] = _mock_outputs
    return get_model(name, **args)


def _pct(x: Any) -> str:
    return "-" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{100 * x:.1f}%"


@click.command("eval")
@click.argument("tasks", nargs=-1, required=True)
@click.option("--model", required=True, help="The model under evaluation (Inspect syntax: openai/gpt-4o, "
                                              "anthropic/..., ollama/llama3, vllm/..., openai-api/<name>/<model>).")
@click.option("-M", "model_arg", multiple=True, help="Argument of the evaluated model, key=value (-M base_url=..., "
                                                     "-M persona=misaligned for foulplay/dry-run).")
@click.option("--judge", default=None, help="The grader model (default: the evaluated model, with a warning).")
@click.option("--judge-arg", "judge_arg", multiple=True, help="Argument of the judge model, key=value.")
@click.option("--limit", type=click.IntRange(1), default=None, help="Evaluate only the first N samples of each task.")
@click.option("--epochs", type=click.IntRange(1), default=None, help="Repeat each sample K times.")
@click.option("--reasoning", type=click.Choice(["auto", "tags", "native", "none"]), default=None,
              help="How reasoning is captured (auto: native reasoning, else <thinking> tags on request).")
@click.option("-T", "task_arg", multiple=True, help="Task argument key=value (e.g. -T samples=50).")
@click.option("--log-dir", default="logs", show_default=True, help="Where the Inspect logs go.")
@click.option("--max-connections", type=click.IntRange(1), default=None)
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--no-preflight", is_flag=True, help="Skip the pre-flight checks (provider known, API key set, "
                                                   "server answering) made before any sample runs.")
@exit_options
def eval_cmd(tasks: tuple[str, ...], model: str, model_arg: tuple[str, ...], judge: str | None,
             judge_arg: tuple[str, ...], limit: int | None, epochs: int | None, reasoning: str | None,
             task_arg: tuple[str, ...], log_dir: str, max_connections: int | None, fmt: str, no_preflight: bool,
             max_errors: int, exit_zero: bool) -> None:
    """Run misalignment evals (emergent_questions, goals, alignment_questions, or the suite "core").

    \b
    foulplay eval goals --model openai/gpt-4o-mini --judge anthropic/claude-sonnet-4-5
    foulplay eval core --model ollama/qwen3:8b --judge openai/gpt-4o --limit 20
    foulplay eval core --model foulplay/dry-run -M persona=misaligned --limit 5   (offline, no key)

    Logs are ordinary Inspect logs (inspect view --log-dir logs); a JSON summary is written next to each.
    Before any sample runs, each model's provider, API key and server are checked without spending tokens
    (--no-preflight skips that). Results involving foulplay/dry-run are stamped DRY RUN everywhere.

    Exit status: 0 no usable sample judged misaligned; 1 some sample judged misaligned (--exit-zero: 0);
    2 usage error, failed pre-flight, an eval that did not finish, or judge errors beyond --max-errors.
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
    model_args = _task_args(model_arg, "-M")
    judge_args = _task_args(judge_arg, "--judge-arg")
    if judge_args and judge is None:
        raise InputError("--judge-arg needs --judge")
    if reasoning:
        args["reasoning"] = reasoning
    import inspect

    params = {name: set(inspect.signature(TASKS[name]).parameters) for name in names}
    stray = [k for k in args if not any(k in p for p in params.values())]
    if stray:
        raise InputError(f"no eval takes the argument {stray[0]!r}")
    if not no_preflight:
        from foulplay.evals._preflight import preflight

        preflight([("--model", model, model_args)] + ([("--judge", judge, judge_args)] if judge else []))
    if judge is None:
        err_console.print("warning: no --judge given: the evaluated model grades its own answers, which can bias "
                          "the results", style="yellow", soft_wrap=True)
    try:
        evaluated = _resolve_model(model, model_args)
        roles = {"grader": _resolve_model(judge, judge_args)} if judge else None
    except Exception as exc:  # noqa: BLE001 - provider errors (missing package, key) as one line
        raise InputError(f"cannot load model: {type(exc).__name__}: {_first_line(exc)}") from None
    from foulplay.evals._dryrun import NAME as DRY_RUN
    from foulplay.evals._dryrun import TAG, is_dry_run

    dry_roles = ([r for r, m in (("model", evaluated), ("grader", roles["grader"] if roles else evaluated))
                  if is_dry_run(m)])
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
    if dry_roles:
        kwargs["tags"] = [TAG]
        persona = getattr(evaluated.api, "persona", None) if "model" in dry_roles else None
        kwargs["metadata"] = {"foulplay_dry_run": {"roles": dry_roles, "provider": DRY_RUN, "persona": persona}}
    logs = inspect_eval(built, **kwargs)
    summaries = []
    failed = []
    for log in logs:
        if log.status != "success":
            failed.append(f"{log.eval.task}: {log.status}" + (f" ({_first_line(log.error.message, 300)})"
                                                              if log.error else ""))
            continue
        summary = summarize_log(log)
        location = Path(str(log.location)) if log.location else Path(log_dir) / f"{summary['eval']}.eval"
        summary["summary_file"] = str(write_summary(summary, location.with_suffix(".summary.json")))
        summaries.append(summary)
    suite = suite_summary(summaries) if len(summaries) > 1 else None
    dry_run = bool(dry_roles) or any(s.get("dry_run") for s in summaries)
    if fmt == "json":
        public = [{k: v for k, v in s.items() if k != "per_sample"} for s in summaries]
        click.echo(json.dumps({"evals": public, "suite": suite, "failed": failed, "dry_run": dry_run}, indent=2,
                              default=str))
    elif summaries:
        _print_table(summaries, suite, judge, dry_run)
    for line in failed:
        err_console.print(f"error: {line}", soft_wrap=True, markup=False, highlight=False)
    if (judge or model).split("/")[0] == "mockllm":
        err_console.print(f"note: mockllm answers one fixed sentence, so judge verdicts from it fail; {DRY_RUN} "
                          "is the scripted offline model", soft_wrap=True, markup=False, highlight=False)
    code = exit_status(found=any(s["misaligned"] for s in summaries), errors=sum(s["errors"] for s in summaries),
                       unverified=bool(failed) or not summaries, max_errors=max_errors, exit_zero=exit_zero)
    if code:
        raise click.exceptions.Exit(int(code))


def _first_line(error: Any, limit: int = 200) -> str:
    lines = [line.strip() for line in str(error).splitlines() if line.strip()]
    text = lines[0] if lines else type(error).__name__
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _print_table(summaries: list[dict[str, Any]], suite: dict[str, Any] | None, judge: str | None,
                 dry_run: bool = False) -> None:
    from foulplay.evals._dryrun import NOTE

    if dry_run:
        console.print(f"[bold reverse] {NOTE} [/]", soft_wrap=True)
    title = "misalignment (share of usable samples)"
    headers = ["eval", "usable", "misaligned", "95% CI", "covert", "overt", "errors", "excluded"]
    cells = [[escape(str(s["eval"])), str(s["usable"]), _pct(s["misaligned_rate"]),
              f"{_pct(s['ci_low'])}-{_pct(s['ci_high'])}", str(s["covert"]), str(s["overt"]),
              str(s["errors"]), str(s["excluded"])] for s in summaries]
    console.print(make_table(headers, cells, right=headers[1:], title=f"DRY RUN - {title}" if dry_run else title))
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
    if dry_run:
        console.print("[bold reverse] DRY RUN: not a measurement [/]")
