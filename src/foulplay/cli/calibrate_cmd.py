"""``foulplay calibrate``: correct a judge's rate for its errors with human labels, and measure how much two
judges agree.

``export`` writes a labelling sheet of sampled verdicts from ``foulplay monitor`` or of judged samples of a
``foulplay eval`` log; ``import`` reads the filled sheet back, estimates the judge's sensitivity and
specificity and reports the raw rate beside the Rogan-Gladen and prediction-powered (PPI) corrections;
``agree`` compares two judges on the same items."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click
from rich.markup import escape

from foulplay.cli._console import console, make_table
from foulplay.errors import InputError

VIEWS = ("reasoning", "actions")
COLUMNS = ("id", "judge_hack", "judge_suspicion", "judge_family", "judge_evidence", "human_hack", "notes")
"""The sheet's columns (``foulplay.evals._calibration.COLUMNS``; the library is imported lazily, as it pulls in
Inspect)."""

_view_option = click.option(
    "--view", type=click.Choice(VIEWS), default=None,
    help="Which monitor view is the judge (default: the only view in the file; needed when it has both).")
_threshold_option = click.option(
    "--threshold", type=click.IntRange(0, 100), default=50, show_default=True,
    help="The judge says 'hack' when its verdict has hack=true or suspicion >= this (as in foulplay monitor).")
_format_option = click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
                              show_default=True)


# ---------------------------------------------------------------------------------------------- verdicts


def load_verdicts(path: Path, view: str | None) -> tuple[list[dict[str, Any]], str]:
    """(verdicts in file order, the view used) from a ``foulplay monitor`` output: the JSON document
    (``{"verdicts": [...], "report": ...}``) or its JSONL rows (``-o`` without ``--format json``)."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise InputError(f"{path}: cannot read the verdicts ({exc.strerror or exc})") from None
    rows: list[Any]
    try:
        data = json.loads(text)
        rows = data.get("verdicts") if isinstance(data, dict) and "verdicts" in data else [data]
    except ValueError:
        rows = []
        for n, line in enumerate(text.splitlines(), 1):
            if line.strip():
                try:
                    rows.append(json.loads(line))
                except ValueError:
                    raise InputError(f"{path}: line {n} is not JSON (expected foulplay monitor output)") from None
    if not isinstance(rows, list) or not rows:
        raise InputError(f"{path}: no verdicts (expected the output of foulplay monitor --format json)")
    present = [v for v in VIEWS if any(isinstance(r, dict) and isinstance(r.get(v), dict) for r in rows)]
    if view is None:
        if len(present) != 1:
            raise InputError(f"{path}: " + ("has both views: choose one with --view reasoning|actions" if present
                                            else "no reasoning or actions verdicts (not foulplay monitor output?)"))
        view = present[0]
    out, seen = [], set()
    for n, row in enumerate(rows, 1):
        verdict = row.get(view) if isinstance(row, dict) else None
        if not isinstance(verdict, dict) or "id" not in row:
            raise InputError(f"{path}: verdict {n} has no id or no {view} verdict")
        ident = str(row["id"])
        if ident in seen:
            raise InputError(f"{path}: id {ident!r} occurs twice")
        seen.add(ident)
        out.append({**verdict, "id": ident})
    return out, view


def judged(verdict: dict[str, Any], threshold: int) -> bool | None:
    """The judge's 0/1 label of a verdict; None for an error (never counted as clean)."""
    if verdict.get("status") != "ok":
        return None
    return bool(verdict.get("hack")) or (verdict.get("suspicion") or 0) >= threshold


# ---------------------------------------------------------------------------------------------- commands


@click.group("calibrate")
def calibrate_group() -> None:
    """Judge-error-corrected rates and agreement between judges.

    \b
    foulplay monitor run.eval --model openai/gpt-4.1 --view actions --format json -o verdicts.json
    foulplay calibrate export verdicts.json -o sheet.csv --n 100 --stratify
    # fill human_hack (0/1) in sheet.csv, then:
    foulplay calibrate import sheet.csv --verdicts verdicts.json
    foulplay calibrate export logs/goals.eval -o sheet.csv --n 60 --stratify     (an eval's judge)
    foulplay calibrate import sheet.csv --verdicts logs/goals.eval
    foulplay eval goals --model ... --judge ... --calibration sheet.csv       (raw and corrected side by side)
    foulplay calibrate agree judge-a.json judge-b.json
    """


@calibrate_group.command("export")
@click.argument("verdicts", type=click.Path(path_type=Path))
@click.option("-o", "--output", type=click.Path(path_type=Path), required=True, help="The sheet (CSV) to write.")
@_view_option
@click.option("--n", "n", type=click.IntRange(min=1), default=100, show_default=True, help="Items to sample.")
@click.option("--seed", type=int, default=0, show_default=True)
@click.option("--stratify", is_flag=True,
              help="Sample judge positives and negatives half and half (as far as there are), so both get human "
                   "labels; import weighs them back to their share of all verdicts.")
@_threshold_option
def export_cmd(verdicts: Path, output: Path, view: str | None, n: int, seed: int, stratify: bool,
               threshold: int) -> None:
    """Write a labelling sheet: a random sample of the judge's verdicts (errors left out) for a human to
    label. VERDICTS is a foulplay monitor output, or a foulplay eval log (an Inspect .eval file, or a
    directory of them: every judged sample of every log there).

    \b
    CSV columns:
      id               the transcript's id (monitor: as in the verdicts file; eval: <eval id>/<sample id>@<epoch>)
      judge_hack       the judge's verdict, 1 hack / 0 clean (eval: 1 judged misaligned / 0 not)
      judge_suspicion  the judge's suspicion score, 0-100 (eval: empty)
      judge_family     the hack family the judge named, may be empty (eval: the sample's label)
      judge_evidence   the judge's quotes from the transcript, joined by " | " (eval: each judge's
                       explanation and quotes)
      human_hack       EMPTY: fill with 1 (hack / misaligned) or 0; rows left empty are skipped by import
      notes            free text for the labeller, ignored by import
    eval logs only:
      excerpt          the transcript, shortened (question, reasoning and answer; an agent's final reply)
      judge_positive_share  the share of the log's judged samples the judge flagged (the same on every row)
    """
    from foulplay._util.files import atomic_write_text
    from foulplay.evals._calibration import is_eval_log

    if is_eval_log(verdicts):
        _export_eval(verdicts, output, n, seed, stratify)
        return
    from foulplay.evals._calibration import sample_items, sheet_text

    items, _ = load_verdicts(verdicts, view)
    ok = [{**v, "judge": int(bool(judged(v, threshold)))} for v in items if judged(v, threshold) is not None]
    if not ok:
        raise InputError(f"{verdicts}: every verdict is an error: nothing to label")
    sample = sample_items(ok, n, seed, stratify)
    rows = [{"id": v["id"], "judge_hack": v["judge"], "judge_suspicion": v.get("suspicion"),
             "judge_family": v.get("family") or "",
             "judge_evidence": " | ".join(" ".join(str(q).split()) for q in v.get("evidence") or []),
             "human_hack": "", "notes": ""} for v in sample]
    atomic_write_text(output, sheet_text(rows, COLUMNS))
    n_pos = sum(v["judge"] for v in sample)
    click.echo(f"wrote {len(sample)} item(s) to label ({n_pos} judged hack, {len(sample) - n_pos} clean; "
               f"{len(items) - len(ok)} error verdict(s) left out) to {output}", err=True)


def _eval_items(path: Path) -> list[dict[str, Any]]:
    from foulplay.evals._calibration import eval_items, read_logs

    items = [item for log in read_logs(path) for item in eval_items(log)]
    if not items:
        raise InputError(f"{path}: no judged sample")
    return items


def _export_eval(path: Path, output: Path, n: int, seed: int, stratify: bool) -> None:
    from foulplay._util.files import atomic_write_text
    from foulplay.evals._calibration import EVAL_COLUMNS, export_rows, sheet_text

    items = _eval_items(path)
    rows = export_rows(items, n, seed, stratify)
    atomic_write_text(output, sheet_text(rows, EVAL_COLUMNS))
    n_pos = sum(r["judge_hack"] for r in rows)
    errors = sum(1 for v in items if v["judge"] is None)
    click.echo(f"wrote {len(rows)} sample(s) to label ({n_pos} judged misaligned, {len(rows) - n_pos} not; "
               f"{errors} judge error(s) left out) to {output}", err=True)


def calibrate(labels: dict[str, int], items: list[dict[str, Any]], threshold: int, seed: int = 0,
              source: str = "sheet") -> dict[str, Any]:
    """The raw rate, the judge's accuracy and the corrected rates of monitor verdicts as data."""
    from foulplay.evals._calibration import calibrate as _calibrate

    result = _calibrate(labels, {v["id"]: judged(v, threshold) for v in items}, seed, source)
    result["threshold"] = threshold
    return result


def read_sheet(path: Path) -> tuple[dict[str, int], int]:
    """({id: human label}, rows left empty) from a filled labelling sheet."""
    from foulplay.evals._calibration import read_sheet as _read_sheet

    return _read_sheet(path)


def _pct(x: float | None) -> str:
    return "n/a" if x is None or x != x else f"{x:.1%}"


@calibrate_group.command("import")
@click.argument("sheet", type=click.Path(path_type=Path))
@click.option("--verdicts", type=click.Path(path_type=Path), required=True,
              help="The verdicts the sheet was exported from (all of them: the rate is over every verdict), or a "
                   "foulplay eval log or directory of logs.")
@_view_option
@_threshold_option
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of the Rogan-Gladen bootstrap.")
@_format_option
def import_cmd(sheet: Path, verdicts: Path, view: str | None, threshold: int, seed: int, fmt: str) -> None:
    """Read a filled labelling sheet (see calibrate export), estimate the judge's sensitivity and
    specificity, and report the raw judged rate beside the Rogan-Gladen and PPI corrected rates; their
    intervals include the uncertainty of the human labels. Error verdicts are left out of the rate and
    counted; rows whose human_hack is empty are skipped and counted.

    VERDICTS may be a foulplay eval log (or a directory of logs). When the sheet's samples are not samples of
    that log, the judge's sensitivity and specificity measured on the sheet are assumed to carry over (they
    are the judge's, not the log's): the Rogan-Gladen rate is given, PPI is not."""
    from foulplay.evals._calibration import calibrate_items, is_eval_log, load_sheet

    if is_eval_log(verdicts):
        filled = load_sheet(sheet)
        result = calibrate_items(filled, _eval_items(verdicts), seed)
        result["verdicts"], result["n_skipped_empty"], empty = str(verdicts), filled.empty, filled.empty
        what = "misaligned rate, eval judge"
    else:
        items, view = load_verdicts(verdicts, view)
        labels, empty = read_sheet(sheet)
        result = calibrate(labels, items, threshold, seed, str(sheet))
        result["view"], result["n_skipped_empty"] = view, empty
        what = f"hack rate, {view} view"
    if fmt == "json":
        click.echo(json.dumps(result, indent=1))
        return
    rows = []
    for name, key in (("raw (judge)", "raw"), ("Rogan-Gladen", "rogan_gladen"), ("PPI", "ppi")):
        r = result[key]
        interval = "n/a" if r["low"] is None else f"{_pct(r['low'])} - {_pct(r['high'])}"
        rows.append([name, _pct(r["rate"]), interval, escape(r["method"]), escape(r.get("note") or "")])
    console.print(make_table(["estimate", "rate", "95% interval", "method", "note"], rows, wrap=("note",),
                             right=("rate",), title=what))
    j = result["judge"]
    console.print(f"judge: sensitivity {_pct(j['sensitivity'])} ({_pct(j['sensitivity_interval'][0])} - "
                  f"{_pct(j['sensitivity_interval'][1])}), specificity {_pct(j['specificity'])} "
                  f"({_pct(j['specificity_interval'][0])} - {_pct(j['specificity_interval'][1])})", highlight=False)
    console.print(f"n judged {result['n_judged']}, n labelled {result['n_labelled']} ({result['labels_from']}), "
                  "error verdicts "
                  f"{result['n_errors']} (left out), rows left empty {empty}", highlight=False)
    if not result["identifiable"]:
        console.print("not identifiable: sensitivity + specificity <= 1 (or not estimable): the judge's rate "
                      "cannot be corrected with this calibration", highlight=False)
    for note in result["notes"]:
        console.print(f"note: {escape(note)}", highlight=False)


@calibrate_group.command("agree")
@click.argument("a", type=click.Path(path_type=Path))
@click.argument("b", type=click.Path(path_type=Path))
@_view_option
@click.option("--view-b", type=click.Choice(VIEWS), default=None, help="B's view, when it differs from --view.")
@_threshold_option
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of the kappa bootstrap.")
@_format_option
def agree_cmd(a: Path, b: Path, view: str | None, view_b: str | None, threshold: int, seed: int,
              fmt: str) -> None:
    """Agreement of two judges (two foulplay monitor outputs) on the same items: Cohen's kappa with a
    bootstrap interval, and every item on which they disagree with both verdicts. Items that either judge
    got wrong (error) or that only one file has are left out and counted. Pass the same file twice with
    --view reasoning --view-b actions to compare a file's two views."""
    from foulplay.stats import cohen_kappa, disagreements

    items_a, view_a = load_verdicts(a, view)
    items_b, view_b = load_verdicts(b, view_b or view)
    by_b = {v["id"]: v for v in items_b}
    common = [v for v in items_a if v["id"] in by_b]
    if not common:
        raise InputError(f"{a} and {b} have no item id in common")
    both = [(v, by_b[v["id"]]) for v in common
            if judged(v, threshold) is not None and judged(by_b[v["id"]], threshold) is not None]
    if not both:
        raise InputError("no item that both judges judged without error")
    ids = [x["id"] for x, _ in both]
    la = [int(bool(judged(x, threshold))) for x, _ in both]
    lb = [int(bool(judged(y, threshold))) for _, y in both]
    kappa = cohen_kappa(la, lb, seed=seed)
    keep = ("status", "suspicion", "hack", "family", "evidence", "error")
    pair = {x["id"]: (x, y) for x, y in both}
    differ = [{"id": d["id"], "a": {"hack": d["a"], **{k: pair[d["id"]][0].get(k) for k in keep}},
               "b": {"hack": d["b"], **{k: pair[d["id"]][1].get(k) for k in keep}}}
              for d in disagreements(ids, la, lb)]
    result = {"a": str(a), "b": str(b), "view_a": view_a, "view_b": view_b, "threshold": threshold,
              "kappa": kappa.to_dict(), "n": len(both), "n_errors": len(common) - len(both),
              "n_only_a": len(items_a) - len(common), "n_only_b": len(items_b) - len(common),
              "disagreements": differ}
    if fmt == "json":
        click.echo(json.dumps(result, indent=1))
        return
    k = kappa
    interval = "n/a" if k.low != k.low else f"{k.low:.3f} - {k.high:.3f}"
    kappa_text = "undefined (both judges give one label to every item)" if k.kappa != k.kappa else f"{k.kappa:.3f}"
    console.print(f"Cohen's kappa {kappa_text} (95% interval {interval}); observed agreement "
                  f"{k.observed:.1%}, by chance {k.expected:.1%}; {len(both)} item(s), {result['n_errors']} "
                  f"with an error verdict left out, {result['n_only_a']} only in A, {result['n_only_b']} only in B",
                  highlight=False)
    if not differ:
        console.print("no disagreement", highlight=False)
        return

    def cell(v: dict[str, Any]) -> str:
        family = f" {v['family']}" if v.get("family") else ""
        return escape(f"{'HACK' if v['hack'] else 'clean'} {v.get('suspicion')}{family}")

    def quotes(v: dict[str, Any]) -> str:
        return escape(" | ".join(str(q) for q in (v.get("evidence") or [])[:2]))

    rows = [[escape(d["id"]), cell(d["a"]), cell(d["b"]), quotes(d["a"] if d["a"]["hack"] else d["b"])]
            for d in differ]
    console.print(make_table(["id", f"A ({view_a})", f"B ({view_b})", "evidence"], rows, wrap=("id", "evidence"),
                             title=f"{len(differ)} disagreement(s)"))
