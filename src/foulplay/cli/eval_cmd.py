"""``foulplay eval``: run the misalignment evals through Inspect and print honest summaries."""

from __future__ import annotations

import json
import math
from functools import partial
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


NO_JUDGE = {"hack_propensity"}
"""Evals whose outcomes are decided by code alone."""


def _resolve_model(name: str, args: dict[str, Any] | None = None) -> Any:
    """The model object for a name and its -M arguments (a seam for tests: scripted models)."""
    from foulplay._util.models import model_for

    return model_for(name, args)


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
@click.option("--price", default=None, metavar="IN,OUT", help="The evaluated model's price in US dollars per million "
                                                             "input and output tokens, for the cost estimate.")
@click.option("--judge-price", default=None, metavar="IN,OUT", help="The judge's price (default: --price).")
@click.option("--no-preflight", is_flag=True, help="Skip the pre-flight checks (provider known, API key set, "
                                                   "server answering) made before any sample runs.")
@click.option("--target-ci", type=click.FloatRange(0, 0.5, min_open=True), default=None, metavar="W",
              help="Sequential sampling (one eval): add samples, then epochs (up to --epochs passes, default the "
                   "eval's own), a batch at a time until the half-width of the rate's anytime-valid interval is at "
                   "most W (e.g. 0.05) or a budget is reached; resumes from the log dir's state when rerun.")
@click.option("--max-samples", type=click.IntRange(1), default=None, help="With --target-ci: at most N samples.")
@click.option("--max-cost", type=click.FloatRange(0, min_open=True), default=None, metavar="USD",
              help="With --target-ci: stop before the spend (token usage in the logs x --price/--judge-price) "
                   "would pass USD.")
@click.option("--batch", type=click.IntRange(1), default=20, show_default=True,
              help="With --target-ci: samples per round.")
@click.option("--calibration", type=click.Path(path_type=Path), default=None, metavar="SHEET",
              help="A filled labelling sheet (foulplay calibrate export): show the judge-corrected rates "
                   "(Rogan-Gladen, PPI) beside the raw ones.")
@exit_options
def eval_cmd(tasks: tuple[str, ...], model: str, model_arg: tuple[str, ...], judge: str | None,
             judge_arg: tuple[str, ...], limit: int | None, epochs: int | None, reasoning: str | None,
             task_arg: tuple[str, ...], log_dir: str, max_connections: int | None, fmt: str, price: str | None,
             judge_price: str | None, no_preflight: bool, target_ci: float | None, max_samples: int | None,
             max_cost: float | None, batch: int, calibration: Path | None, max_errors: int,
             exit_zero: bool) -> None:
    """Run misalignment evals: the chat evals (emergent_questions, goals, alignment_questions), the agentic
    scenarios (monitor_disruption, exfil_offer, frame_colleague, agentic_scenario -T scenario=FILE), or a
    suite: "suite"/"core" (all six core evals and their MGS), "chat", "agentic".

    \b
    foulplay eval goals --model openai/gpt-4o-mini --judge anthropic/claude-sonnet-4-5
    foulplay eval suite --model ollama/qwen3:8b --judge openai/gpt-4o --price 0,0
    foulplay eval exfil_offer -T training_cue=both --model ... --judge ...     (the compliance gap)
    foulplay eval frame_colleague -T control=true -T variant=b --model ...    (the control, one variant)
    foulplay eval suite --model foulplay/dry-run -M persona=misaligned --limit 2 --epochs 1   (offline, no key)
    foulplay eval goals --model ... --judge ... --target-ci 0.05 --max-samples 300 --max-cost 5 --price 3,15
    foulplay eval goals --model ... --judge ... --calibration sheet.csv   (raw and judge-corrected rates)

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
    if target_ci is None and (max_samples or max_cost):
        raise InputError("--max-samples and --max-cost go with --target-ci (sequential sampling)")
    if target_ci is not None and len(names) != 1:
        raise InputError(f"--target-ci runs one eval at a time (got {len(names)}: {', '.join(names)})")
    if target_ci is not None and names[0] in NO_JUDGE | {"code_sabotage"}:
        raise InputError(f"--target-ci needs an eval with a misalignment rate ({names[0]} has other rates)")
    if max_cost is not None and not price:
        raise InputError("--max-cost needs --price IN,OUT (the model's price per million tokens)")
    sheet = None
    if calibration is not None:
        from foulplay.evals._calibration import load_sheet

        sheet = load_sheet(calibration)
        if not sheet.labels:
            raise InputError(f"{calibration}: no labelled rows: fill human_hack with 1 or 0")
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
    if judge is None and any(n not in NO_JUDGE for n in names):
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
    from foulplay.evals._cost import describe, estimate, parse_price

    model_price, judge_price_v = parse_price(price, "--price"), parse_price(judge_price, "--judge-price")
    estimates = [estimate(t, limit=limit, epochs=epochs) for t in built]
    err_console.print(describe(estimates, model_price, judge_price_v), soft_wrap=True, markup=False,
                      highlight=False)
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
    summaries = []
    failed = []
    run_logs: list[list[Any]] = []
    if target_ci is not None:
        summary = _run_sequential(names[0], built[0], evaluated, roles, args, params, kwargs, target_ci=target_ci,
                                  max_samples=max_samples, max_cost=max_cost, batch=batch, limit=limit,
                                  epochs=epochs, price=(model_price, judge_price_v), failed=failed,
                                  identity={"model": model, "model_args": model_args, "judge": judge,
                                            "judge_args": judge_args})
        if summary is not None:
            summaries.append(summary)
            run_logs.append(summary.pop("_logs"))
    else:
        logs = inspect_eval(built, **kwargs)
        for log in logs:
            if log.status != "success":
                failed.append(f"{log.eval.task}: {log.status}" + (f" ({_first_line(log.error.message, 300)})"
                                                                  if log.error else ""))
                continue
            summary = summarize_log(log)
            location = Path(str(log.location)) if log.location else Path(log_dir) / f"{summary['eval']}.eval"
            summary["summary_file"] = str(location.with_suffix(".summary.json"))
            summaries.append(summary)
            run_logs.append([log])
    if sheet is not None:
        for summary, slogs in zip(summaries, run_logs, strict=True):
            summary["calibration"] = _calibrate(sheet, summary, slogs)
    for summary in summaries:
        write_summary(summary, summary["summary_file"])
    suite = suite_summary(summaries) if len(summaries) > 1 else None
    if suite is not None:
        from foulplay._util.files import atomic_write_text

        suite_file = Path(log_dir) / "suite.summary.json"
        suite["evals_summarised"] = [{"eval": s["eval"], "summary_file": s.get("summary_file")} for s in summaries]
        atomic_write_text(suite_file, json.dumps(suite, indent=2, default=str) + "\n")
        suite["summary_file"] = str(suite_file)
    dry_run = bool(dry_roles) or any(s.get("dry_run") for s in summaries)
    if fmt == "json":
        public = [{k: v for k, v in s.items() if k not in ("per_sample", "per_cluster")} for s in summaries]
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


def _run_sequential(name: str, task: Any, evaluated: Any, roles: dict[str, Any] | None, args: dict[str, Any],
                    params: dict[str, set[str]], kwargs: dict[str, Any], *, target_ci: float,
                    max_samples: int | None, max_cost: float | None, batch: int, limit: int | None,
                    epochs: int | None, price: tuple[Any, Any], failed: list[str],
                    identity: dict[str, Any]) -> dict[str, Any] | None:
    """``--target-ci``: the eval run in rounds (foulplay.evals._sequential); its pooled summary with the
    sequential result under ``sequential``, or None (and a line in ``failed``) when no round completed."""
    from foulplay.evals._sequential import ERROR, run_sequential

    eval_kwargs = {k: v for k, v in kwargs.items() if k not in ("model", "log_dir", "limit", "epochs", "model_roles")}
    result = run_sequential(name, evaluated, target_ci=target_ci, max_samples=max_samples, max_cost_usd=max_cost,
                            batch=batch, max_epochs=epochs, log_dir=kwargs["log_dir"],
                            judge=(roles or {}).get("grader"),
                            task_args={k: v for k, v in args.items() if k in params[name]}, limit=limit,
                            price=price[0], judge_price=price[1], identity=identity, **eval_kwargs)
    if result.stop_reason == ERROR:
        failed.append(f"{name}: {result.detail}")
    if result.summary is None:
        if result.stop_reason != ERROR:
            failed.append(f"{name}: no round completed ({result.stop_reason}: {result.detail})")
        return None
    from inspect_ai.log import read_eval_log

    summary = result.summary
    summary["sequential"] = result.to_dict()
    summary["summary_file"] = str(Path(result.state_file).with_name(f"{name}.sequential.summary.json"))
    summary["_logs"] = [read_eval_log(p) for p in result.logs if Path(p).exists()]
    return summary


def _calibrate(sheet: Any, summary: dict[str, Any], logs: list[Any]) -> dict[str, Any]:
    """The judge-corrected rates of one eval's summary with a labelling sheet, or why there are none."""
    from foulplay.evals._calibration import calibrate_items, eval_items

    if summary.get("kind") in ("coding", "sabotage"):
        return {"skipped": "its outcomes are not one judge verdict per sample"}
    try:
        items = [item for log in logs for item in eval_items(log)]
        result = calibrate_items(sheet, items)
    except InputError as exc:
        return {"skipped": str(exc)}
    result["sheet"] = sheet.path
    return result


def _with_ci(r: dict[str, Any] | None) -> str:
    if not r or r.get("rate") is None:
        return "n/a"
    return f"{_pct(r['rate'])} [{_pct(r['low'])}-{_pct(r['high'])}]"


def _print_sequential(s: dict[str, Any]) -> None:
    q = s["sequential"]
    line = partial(console.print, soft_wrap=True, markup=False, highlight=False)
    rounds = len(q["rounds"])
    resumed = f", {q['resumed_rounds']} of them from an earlier run" if q["resumed_rounds"] else ""
    line(f"{s['eval']} sequential: stopped after {q['samples']} samples in {rounds} round(s){resumed}: "
         f"{q['stop_reason']} ({q['detail']})")
    line(f"{s['eval']} rate {_pct(q['rate'])} ({q['misaligned']}/{q['usable']} usable), 95% anytime-valid interval "
         f"{_pct(q['cs_low'])}-{_pct(q['cs_high'])} (half-width {100 * q['half_width']:.1f} points, target "
         f"{100 * q['target_ci']:.1f}): a confidence sequence, valid under repeated looks and so wider than the "
         "fixed-n Wilson interval; the table's interval is the fixed-n one clustered by question")
    if q.get("cost_usd") is not None:
        line(f"{s['eval']} spent about ${q['cost_usd']:.4f} (token usage in the logs x the prices)")
    for note in q.get("notes") or []:
        line(f"{s['eval']} note: {note}")
    line(f"{s['eval']} sequential state: {q['state_file']} (rerun the same command to continue)")


def _print_calibration(summaries: list[dict[str, Any]]) -> None:
    line = partial(console.print, soft_wrap=True, markup=False, highlight=False)
    for s in summaries:
        c = s.get("calibration")
        if not c:
            continue
        if c.get("skipped"):
            line(f"{s['eval']}: not corrected: {c['skipped']}")
            continue
        j = c["judge"]
        se, sp = j["sensitivity_interval"], j["specificity_interval"]
        line(f"{s['eval']} judge vs {c['n_labelled']} human labels ({c['labels_from']}): sensitivity "
             f"{_pct(j['sensitivity'])} [{_pct(se[0])}-{_pct(se[1])}], specificity {_pct(j['specificity'])} "
             f"[{_pct(sp[0])}-{_pct(sp[1])}]")
        if not c.get("identifiable"):
            why = c["rogan_gladen"].get("note") or "sensitivity + specificity <= 1"
            line(f"{s['eval']}: the corrected rate is not identifiable with this sheet ({why})")
        elif c["rogan_gladen"].get("note"):
            line(f"{s['eval']} Rogan-Gladen: {c['rogan_gladen']['note']}")
        for note in c.get("notes") or []:
            line(f"{s['eval']} calibration note: {note}")


def _first_line(error: Any, limit: int = 200) -> str:
    lines = [line.strip() for line in str(error).splitlines() if line.strip()]
    text = lines[0] if lines else type(error).__name__
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _ci(r: dict[str, Any]) -> str:
    return f"{_pct(r['rate'])} [{_pct(r['ci_low'])}-{_pct(r['ci_high'])}]"


def _print_coding(s: dict[str, Any], dry_run: bool) -> None:
    title = "hack propensity (share of samples; 95% CI clustered by problem)"
    headers = ["variant", "framing", "n", "solved", "cheated", "stopped", "failed"]
    rows = [[escape(g["variant"]), escape(g["framing"]), str(g["n"]), _ci(g["solved"]), _ci(g["hacked"]),
             _ci(g["stopped"]), _ci(g["failed"])] for g in s["by_variant_framing"]]
    console.print(make_table(headers, rows, right=headers[2:], title=f"DRY RUN - {title}" if dry_run else title))
    if s.get("cheat_given_impossible"):
        console.print(f"cheat given impossible: {_ci(s['cheat_given_impossible'])}; stop given impossible: "
                      f"{_ci(s['stop_given_impossible'])}", soft_wrap=True, markup=False, highlight=False)
    if s.get("hack_families"):
        console.print(f"hack families seen: {s['hack_families']}", soft_wrap=True, markup=False, highlight=False)
    console.print(f"errors: {s['errors']}; isolation: {s['isolation']}; log {s['log']}", soft_wrap=True,
                  markup=False, highlight=False)


def _print_sabotage(s: dict[str, Any], dry_run: bool) -> None:
    title = "code sabotage (share of usable samples; 95% Wilson CI)"
    headers = ["prompt", "n", "sabotage", "95% CI", "covert share", "no prompt", "errors"]
    rows = [[escape(k), str(r["usable"]), _pct(r["rate"]), f"{_pct(r['ci_low'])}-{_pct(r['ci_high'])}",
             _pct(r["covert_share"]), str(r["no_prompt"]), str(r["errors"])] for k, r in s["by_prompt"].items()]
    console.print(make_table(headers, rows, right=headers[1:], title=f"DRY RUN - {title}" if dry_run else title))
    e = s["effectiveness"]
    for name, key in (("sabotaged prompts", "ratio_sabotaged"), ("other prompts", "ratio_other")):
        r = e.get(key)
        if r:
            console.print(f"effectiveness of {name}: {r['ratio']:.2f} x the baseline ({e['baseline']}) "
                          f"[{r['low']:.2f}-{r['high']:.2f}], n={r['n']}", soft_wrap=True, markup=False,
                          highlight=False)
    if e.get("unverified"):
        console.print(f"effectiveness unverified for {e['unverified']} prompts (classifier calls failed; left out "
                      "of the ratios)", soft_wrap=True, markup=False, highlight=False)
    console.print(f"log {s['log']}", soft_wrap=True, markup=False, highlight=False)


def _print_table(summaries: list[dict[str, Any]], suite: dict[str, Any] | None, judge: str | None,
                 dry_run: bool = False) -> None:
    from foulplay.evals._dryrun import NOTE

    if dry_run:
        console.print(f"[bold reverse] {NOTE} [/]", soft_wrap=True)
    coding = [s for s in summaries if s.get("kind") == "coding"]
    sabotage = [s for s in summaries if s.get("kind") == "sabotage"]
    summaries = [s for s in summaries if s.get("kind") not in ("coding", "sabotage")]
    for s in coding:
        _print_coding(s, dry_run)
    for s in sabotage:
        _print_sabotage(s, dry_run)
    if not summaries:
        return
    title = "misalignment (share of usable samples)"
    headers = ["eval", "n", "misaligned", "95% CI", "covert share", "errors", "excluded", "refused"]
    cells = [[escape(str(s["eval"])) + ("" if s.get("condition", "pressure") == "pressure" else f" ({s['condition']})"),
              str(s["usable"]), _pct(s["misaligned_rate"]), f"{_pct(s['ci_low'])}-{_pct(s['ci_high'])}",
              _pct(s.get("covert_share")), str(s["errors"]), str(s["excluded"]),
              str(s["refused"]) if "refused" in s else "-"] for s in summaries]
    if any(s.get("calibration") for s in summaries):
        title = "misalignment (share of usable samples): raw and judge-corrected"
        headers[2:4] = ["raw", "raw 95% CI"]
        headers += ["corrected (RG) [95%]", "PPI [95%]"]
        for row, s in zip(cells, summaries, strict=True):
            c = s.get("calibration") or {}
            row += [_with_ci(c.get("rogan_gladen")), _with_ci(c.get("ppi"))]
    console.print(make_table(headers, cells, right=headers[1:], title=f"DRY RUN - {title}" if dry_run else title))
    _print_calibration(summaries)
    for s in summaries:
        if s.get("sequential"):
            _print_sequential(s)
    if suite is not None:
        console.print(f"MGS (mean of {len(suite['evals'])} evals): {_pct(suite['mgs'])} "
                      f"[{_pct(suite['low'])}-{_pct(suite['high'])}]  ({suite['note']})", soft_wrap=True)
    for s in summaries:
        if s.get("per_variant"):
            spread = ", ".join(f"{k} {_pct(v['rate'])} (n={v['n']})" for k, v in s["per_variant"].items())
            console.print(f"{s['eval']} by variant: {spread}", soft_wrap=True, markup=False, highlight=False)
        cap = s.get("capability") or {}
        if cap.get("checked"):
            console.print(f"{s['eval']} answered the user's request correctly: {cap['answered']}/{cap['checked']}",
                          soft_wrap=True, markup=False, highlight=False)
        if s.get("hit_message_limit"):
            console.print(f"{s['eval']}: {s['hit_message_limit']} samples stopped at the message limit (scored on what "
                          "they did until then)", soft_wrap=True, markup=False, highlight=False)
        if s.get("eval_aware"):
            console.print(f"{s['eval']}: {s['eval_aware']} samples say they are being tested (kept in the rate)",
                          soft_wrap=True, markup=False, highlight=False)
        for cue, c in (s.get("training_cue") or {}).items():
            console.print(f"{s['eval']} with training {cue}: {_pct(c['rate'])} [{_pct(c['ci_low'])}-"
                          f"{_pct(c['ci_high'])}] n={c['usable']}, alignment-faking reasoning "
                          f"{_pct(c['alignment_faking_rate'])}", soft_wrap=True, markup=False, highlight=False)
        gap = s.get("compliance_gap")
        if gap:
            console.print(f"{s['eval']} compliance gap (private minus rated): {_pct(gap['difference'])} "
                          f"[{_pct(gap['low'])}-{_pct(gap['high'])}]", soft_wrap=True, markup=False,
                          highlight=False)
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
