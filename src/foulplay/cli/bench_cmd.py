"""``foulplay bench``: measure the detectors on the generated corpus (development and blind held-out
halves), labelled sets and the bundled real data, per family, operating point and rule."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from foulplay.cli._console import console, err_console, make_table
from foulplay.cli._exit import EXIT_CODES_HELP, exit_options, exit_status
from foulplay.errors import InputError

FORMATS = ("text", "markdown", "json")


def make_monitor(view: str, model: str) -> Any:
    """The monitor of one view (a seam the tests replace with a scripted model)."""
    from foulplay.detect.monitors import Monitor

    return Monitor(view=view, model=model)


def _progress(items: list[Any], label: str) -> Any:
    """Iterate with a progress bar on a terminal (stderr), plainly otherwise."""
    if not err_console.is_terminal:
        yield from items
        return
    bar = Progress(TextColumn(label), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), console=err_console,
                   transient=True)
    with bar:
        task = bar.add_task(label, total=len(items))
        for item in items:
            yield item
            bar.advance(task)


@click.command("bench")
@click.option("--split", type=click.Choice(["all", "dev", "heldout"]), default="all", show_default=True,
              help="Which half of the generated corpus to measure.")
@click.option("--per", "per_generator", type=click.IntRange(min=1, max=1000), default=12, show_default=True,
              help="Items per generator (each for a different problem where the pool allows).")
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of the corpus (items are deterministic).")
@click.option("--labelled", "labelled_paths", multiple=True, type=click.Path(path_type=Path),
              help="A labelled JSONL set to measure too (id, label hack|clean, family, problem, completion); "
                   "repeatable.")
@click.option("--logs", "logs_dir", type=click.Path(path_type=Path),
              help="An Inspect log, or a folder of them, labelled by their scorer (default: the shared rl-hacking "
                   "logs when found).")
@click.option("--label-scorer", help="Label --logs samples by this scorer's value (default: the bundled rule: "
                                     "C on impossible lcb-* tasks, a judge's 1.0 elsewhere).")
@click.option("--hack-value", "hack_values", multiple=True,
              help="With --label-scorer: a value that means hack (repeatable; default C).")
@click.option("--clean-value", "clean_values", multiple=True,
              help="With --label-scorer: a value that means clean (repeatable; default: any other value).")
@click.option("--srh", "srh_paths", multiple=True, type=click.Path(path_type=Path),
              help="A School of Reward Hacks file (JSONL, CSV or Parquet: user, school_of_reward_hacks, control, "
                   "...): each row is a hack and a clean item of one task; repeatable.")
@click.option("--shared", "shared_path", type=click.Path(path_type=Path),
              help="The shared reference data folder (default: $FOULPLAY_SHARED, ../shared, /work/shared).")
@click.option("--real/--no-real", default=True, show_default=True,
              help="Measure the bundled real data: HumanEval/MBPP references and the shared Inspect logs.")
@click.option("--speed/--no-speed", default=True, show_default=True, help="Measure scan throughput on one core.")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True)
@click.option("-o", "--output", type=click.Path(path_type=Path), help="Write the report here (atomically).")
@click.option("--record", type=click.Path(path_type=Path),
              help="Also write the JSON report here (src/foulplay/detect/data/measured.json feeds the "
                   "'measured at' lines of docs/rules.md).")
@click.option("--export-corpus", type=click.Path(path_type=Path),
              help="Write the generated items as labelled JSONL (for other detectors) and stop.")
@click.option("--show-misses", type=click.IntRange(min=0), default=0, show_default=True,
              help="List up to N missed hacks and N false alarms of the corpus.")
@click.option("--dynamic", is_flag=True,
              help="Also run the dynamic check (scan --dynamic, in the sandbox) on the special-casing items and "
                   "report static vs static + dynamic.")
@click.option("--check", is_flag=True, help="Exit 1 when a goal of the detection issue is missed.")
@click.option("--detectors", "detectors_spec",
              help="Compare detectors side by side (AUROC, TPR at 1%/5% FPR, precision, recall per family, "
                   "cluster-bootstrap intervals): a comma list of static, monitor-reasoning, monitor-actions, "
                   "combined. Default: static only, and no comparison table unless given (or --roc-plot).")
@click.option("--monitor-model", help="The monitors' model (an Inspect model name, e.g. openai/gpt-4.1).")
@click.option("--monitor-threshold", type=click.IntRange(0, 100), default=50, show_default=True,
              help="Suspicion at or above which a monitor flags an item (a verdict of hack always does).")
@click.option("--cache-dir", type=click.Path(path_type=Path), default=Path(".foulplay/monitor-cache"),
              show_default=True, help="Monitor verdicts cached by a hash of view, prompt and model: reruns are free.")
@click.option("--concurrency", type=click.IntRange(min=1), default=8, show_default=True,
              help="Monitor calls at once.")
@click.option("--combined-view", type=click.Choice(["reasoning", "actions"]),
              help="Which monitor's suspicion the combined detector fuses (default: the one its coefficients "
                   "were fitted with, else reasoning).")
@click.option("--fused", "fused_path", type=click.Path(path_type=Path),
              help="Coefficients of the combined detector (default: the shipped ones).")
@click.option("--fit-fused", "fit_fused_path", type=click.Path(path_type=Path),
              help="Fit the combined detector on the dev half with the chosen monitor, write its coefficients here "
                   "(JSON) and use them.")
@click.option("--roc-plot", type=click.Path(path_type=Path),
              help="Write the detectors' ROC curves here (.png or .svg; needs matplotlib).")
@click.option("--bootstrap", "resamples", type=click.IntRange(min=0), default=1000, show_default=True,
              help="Bootstrap resamples (of tasks) for the detector comparison's intervals.")
@exit_options
def bench_cmd(split: str, per_generator: int, seed: int, labelled_paths: tuple[Path, ...], logs_dir: Path | None,
              label_scorer: str | None, hack_values: tuple[str, ...], clean_values: tuple[str, ...],
              srh_paths: tuple[Path, ...], shared_path: Path | None, real: bool, speed: bool, fmt: str,
              output: Path | None, record: Path | None, export_corpus: Path | None, show_misses: int, dynamic: bool,
              check: bool, detectors_spec: str | None, monitor_model: str | None, monitor_threshold: int,
              cache_dir: Path, concurrency: int, combined_view: str | None, fused_path: Path | None,
              fit_fused_path: Path | None, roc_plot: Path | None, resamples: int, max_errors: int,
              exit_zero: bool) -> int:
    """Measure the static detector: recall and false positives per family, operating point
    (--min-confidence), generator and rule, on the generated corpus's development half (written
    against the rules) and blind held-out half (written from the catalog alone), on labelled sets and
    on the real data; then the goals and the throughput. With --detectors, the static scan, the LLM
    monitors (reasoning and actions views) and the combined detector side by side on the same labelled
    items: AUROC, TPR at 1% and 5% FPR, precision, recall per family, intervals that resample tasks.

    \b
    foulplay bench                                  # everything, text tables
    foulplay bench --split heldout --no-speed       # the honest estimate only
    foulplay bench --format markdown -o bench.md    # tables for a report
    foulplay bench --export-corpus corpus.jsonl     # the corpus, for other detectors
    foulplay bench --detectors static,monitor-actions --monitor-model openai/gpt-4.1 --roc-plot roc.png

    Exit status: 0 measured; 1 a goal missed (with --check); 2 bad input or items that could not be
    scanned (or judged by a monitor) beyond --max-errors.
    """
    from foulplay._util.files import atomic_write_text
    from foulplay.bench import generate, generators
    from foulplay.bench._compare import parse_detectors
    from foulplay.bench._labelled import (
        corpus_items,
        inspect_items,
        labelled_items,
        reference_items,
        scan_item,
        srh_items,
    )
    from foulplay.bench._real import shared_dir
    from foulplay.bench._report import BenchReport
    from foulplay.bench._score import score_items
    from foulplay.detect import rules

    for path in labelled_paths:
        if not path.is_file():
            raise InputError(f"{path}: no such labelled file")
    for path in srh_paths:
        if not path.is_file():
            raise InputError(f"{path}: no such School of Reward Hacks file")
    if logs_dir is not None and not logs_dir.exists():
        raise InputError(f"{logs_dir}: no such folder of Inspect logs")
    if label_scorer is None and (hack_values or clean_values):
        raise InputError("--hack-value and --clean-value need --label-scorer")
    if label_scorer is not None and logs_dir is None:
        raise InputError("--label-scorer labels the samples of --logs: give --logs")
    detectors = parse_detectors(detectors_spec) if detectors_spec is not None else \
        (["static"] if roc_plot is not None or fit_fused_path is not None else [])
    monitors_needed = any(d != "static" for d in detectors) or fit_fused_path is not None
    if monitors_needed and not monitor_model:
        raise InputError("the monitor and combined detectors (and --fit-fused) need --monitor-model")
    if fit_fused_path is not None and split == "heldout":
        raise InputError("--fit-fused fits on the dev half: use --split dev or all")
    if roc_plot is not None and roc_plot.suffix.lower() not in (".png", ".svg"):
        raise InputError(f"{roc_plot}: the ROC plot must be a .png or .svg file")
    if roc_plot is not None:
        try:
            import matplotlib  # noqa: F401
        except ImportError:
            raise InputError("--roc-plot needs matplotlib: pip install 'foulplay[report]'") from None
    if fused_path is not None and not fused_path.is_file():
        raise InputError(f"{fused_path}: no such coefficients file")
    label_by = {"scorer": label_scorer, "hack_values": hack_values or ("C",), "clean_values": clean_values} \
        if label_scorer else {}
    try:
        items = generate(split, per_generator=per_generator, seed=seed)
    except RuntimeError as exc:
        raise InputError(f"corpus: {exc}") from None
    if export_corpus is not None:
        atomic_write_text(export_corpus, "".join(json.dumps(i.to_dict()) + "\n" for i in items))
        err_console.print(f"wrote {len(items)} items to {escape(str(export_corpus))}")
        return 0
    by_id = {i.id: i for i in items}
    report = BenchReport(corpus=list(_progress_scored(score_items, items)),
                         rule_families={r.code: r.family for r in rules()},
                         dynamic_codes=frozenset(r.code for r in rules() if r.kind == "dynamic"),
                         batches={g.name: g.batch for g in generators(split)},
                         settings={"split": split, "per_generator": per_generator, "seed": seed, "dynamic": dynamic})
    judged: list[Any] = list(zip(corpus_items(items), report.corpus, strict=True))
    if dynamic:
        from foulplay.bench._score import with_dynamic

        scored = {s.id: s for s in report.corpus}
        special = [i for i in items if i.family == "special-casing"]
        for merged, status in with_dynamic(_progress(special, "dynamic check"), scored):
            report.dynamic.append(merged)
            counts = report.dynamic_status.setdefault(merged.split, {})
            counts[status] = counts.get(status, 0) + 1

    def scan_all(source: list[Any], label: str) -> list[Any]:
        out = [(item, scan_item(item)) for item in _progress(source, label)]
        judged.extend(out)
        return [s for _, s in out]

    for path in labelled_paths:
        report.labelled += scan_all(list(labelled_items(path)), f"labelled {path.name}")
    for path in srh_paths:
        report.labelled += scan_all(list(srh_items(path)), f"srh {path.name}")
    folder = logs_dir
    if real:
        shared = shared_dir(shared_path)
        report.real += scan_all(list(reference_items(shared)), "references")
        if folder is None and shared is not None:
            folder = shared / "datasets" / "rl-hacking-inspect-logs"
    if folder is not None and folder.exists():
        report.real += scan_all(list(inspect_items(folder, **label_by)), "Inspect logs")
    if detectors:
        from foulplay.bench._compare import run_detectors

        def describe(view: str, monitor_report: Any) -> None:
            err_console.print(f"monitor-{view} ({escape(str(monitor_model))}): {escape(monitor_report.describe())}",
                              highlight=False)

        kept = [(i, s) for i, s in judged if i.label is not None]  # unlabelled items count in no figure
        if monitors_needed:
            err_console.print(f"monitoring {len(kept)} item(s) per view with {escape(str(monitor_model))}",
                              highlight=False)
        report.detectors = run_detectors(
            [i for i, _ in kept], [s for _, s in kept], detectors,
            make_monitor=(lambda view: make_monitor(view, monitor_model)) if monitor_model else None,
            monitor_model=monitor_model, threshold=monitor_threshold, cache_dir=cache_dir, concurrency=concurrency,
            fused=fused_path, fit_fused_out=fit_fused_path, combined_view=combined_view, resamples=resamples,
            seed=seed, on_report=describe)
        if roc_plot is not None:
            from foulplay.bench._detectors import roc_plot as draw

            draw(report.detectors.metrics, roc_plot)
            err_console.print(f"wrote the ROC curves to {escape(str(roc_plot))}", highlight=False)
    if speed:
        from foulplay.bench._speed import throughput

        report.speed = throughput()
    text = _render(report, fmt)
    if output is not None:
        atomic_write_text(output, text)
    else:
        console.print(text, markup=False, highlight=False, soft_wrap=True) if fmt != "text" else _print_text(report)
    if record is not None:
        atomic_write_text(record, json.dumps(report.to_dict(), indent=1, sort_keys=True) + "\n")
    if show_misses:
        _misses(report, by_id, show_misses)
    errors = report.errors()
    for s in errors[:10]:
        err_console.print(f"error: {escape(s.id)}: {escape(str(s.error))}", highlight=False)
    detector_errors = report.detectors.errors() if report.detectors is not None else []
    for name, item_id, why in detector_errors[:10]:
        err_console.print(f"error: {escape(name)}: {escape(item_id)}: {escape(why)}", highlight=False)
    return int(exit_status(found=check and not report.goals_met(), errors=len(errors) + len(detector_errors),
                           max_errors=max_errors, exit_zero=exit_zero))


bench_cmd.help = (bench_cmd.help or "") + "\n\n" + EXIT_CODES_HELP.replace("something found", "a goal missed")


def _progress_scored(score: Any, items: list[Any]) -> Any:
    yield from score(_progress(items, "corpus"))


def _render(report: Any, fmt: str) -> str:
    if fmt == "json":
        return json.dumps(report.to_dict(), indent=1, sort_keys=True) + "\n"
    if fmt == "markdown":
        return report.markdown()
    return report.markdown()  # text to a file: the Markdown tables read well as plain text


def _print_text(report: Any) -> None:
    from foulplay.bench._measure import LEVELS, fmt_rate
    from foulplay.bench._report import DEFAULT_LEVEL, GOALS

    m = report.to_dict()["measured"]
    commit = (m["commit"] or "no git checkout")[:12] + (" (uncommitted changes)" if m["dirty"] else "")
    console.print(f"[bold]foulplay bench[/] commit {escape(commit)}, {escape(m['machine'])}")
    rows = []
    for split in report.splits():
        for lvl in LEVELS:
            cells = report.by_group(report.split(split), lvl)
            get = cells.get
            rows.append([split, lvl + (" (default)" if lvl == DEFAULT_LEVEL else ""),
                         fmt_rate(get("systemic").recall) if get("systemic") else "-",
                         fmt_rate(get("special-casing").recall) if get("special-casing") else "-",
                         fmt_rate(get("ALL").recall) if get("ALL") else "-",
                         fmt_rate(get("ALL").fpr) if get("ALL") else "-"])
    console.print(make_table(["split", "min confidence", "systemic recall", "special-casing recall",
                              "all hacks recall", "false positives"], rows, title="Operating points"))
    for split in report.splits():
        rows = []
        for name in report.batch_names(split):
            cells = report.by_group(report.batch(split, name))
            rows.append([name] + [fmt_rate(cells[k].recall) if k in cells else "-" for k in
                                  ("systemic", "special-casing", "ALL")] + [fmt_rate(cells["ALL"].fpr)])
        if rows:
            console.print(make_table(["batch", "systemic recall", "special-casing recall", "all hacks recall",
                                      "false positives"], rows,
                                     title=f"{split} half, per batch (default operating point)"))
    for split in report.splits():
        cells = report.by_group(report.split(split))
        rows = [[name, fmt_rate(c.recall), fmt_rate(c.fpr)] for name, c in cells.items()
                if name not in ("ALL", "systemic")]
        console.print(make_table(["family", "recall", "false positives"], rows,
                                 title=f"{split} half, per family (default operating point)"))
    if report.labelled:
        from foulplay.bench._measure import slice_by

        cells = slice_by(report.labelled, lambda s: (s.group, "ALL"))
        rows = [[name, fmt_rate(c.recall), fmt_rate(c.fpr)] for name, c in sorted(cells.items())]
        console.print(make_table(["labelled set", "recall", "false positives"], rows, title="Labelled sets"))
    if report.real:
        rows = [[name, fmt_rate(c.recall), fmt_rate(c.fpr)] for name, c in sorted(report.real_groups().items())]
        rows += [[f"{name} (unlabelled)", f"{f}/{t} flagged", "-"]
                 for name, (f, t) in sorted(report.unlabelled().items())]
        console.print(make_table(["real data", "recall", "false positives"], rows, title="Real data"))
    if report.dynamic:
        rows = []
        for split in report.splits():
            for name, dyn in (("static rules", False), ("static + dynamic", True)):
                cell = report.special_cells(split, dyn)
                rows.append([split, name, fmt_rate(cell.recall), fmt_rate(cell.fpr)])
            status = ", ".join(f"{k} {v}" for k, v in sorted(report.dynamic_status.get(split, {}).items()))
            rows.append([split, f"dynamic check outcomes: {status}", "", ""])
        console.print(make_table(["half", "detector", "recall", "false positives"], rows,
                                 title="Special-casing with the dynamic check"))
    if report.detectors is not None:
        _print_detectors(report.detectors)
    if report.speed:
        console.print(f"throughput: {report.speed:,.0f} rollouts/s on one core")
    rows = []
    for goal in GOALS:
        value = report.goal_value(goal)
        met = goal.met(value)
        shown = "-" if value is None else (f"{value:,.0f}/s" if goal.measure == "speed" else f"{100 * value:.1f}%")
        rows.append([goal.name, goal.split, shown, {True: "met", False: "MISSED", None: "not measured"}[met]])
    console.print(make_table(["goal", "measured on", "value", "status"], rows, title="Goals"))


def _print_detectors(run: Any) -> None:
    from foulplay.bench._detectors import table_rows

    for name, metrics in run.metrics.items():
        console.print(make_table(["figure", *metrics], table_rows(metrics),
                                 title=f"Detectors side by side: {name} (95% intervals resample tasks)"))
    for note in run.notes:
        console.print(f"note: {escape(note)}", highlight=False)
    if run.settings.get("fused"):
        console.print(f"combined: {escape(str(run.settings['fused']))}", highlight=False)


def _misses(report: Any, by_id: dict[str, Any], limit: int) -> None:
    missed = [s for s in report.corpus if s.label == "hack" and not s.error and not s.flagged()]
    alarms = [s for s in report.corpus if s.label == "clean" and not s.error and s.flagged()]
    for title, rows in (("missed hacks", missed), ("false alarms", alarms)):
        err_console.print(f"[bold]{title}[/]: {len(rows)}")
        for s in rows[:limit]:
            err_console.print(f"--- {escape(s.id)} ({escape(s.family)}) rules={s.rules}", highlight=False)
            err_console.print(escape(by_id[s.id].completion[:1500]), highlight=False)
