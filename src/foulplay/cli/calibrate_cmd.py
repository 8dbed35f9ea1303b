"""``foulplay calibrate``: correct a judge's rate for its errors with human labels, and measure how much two
judges agree.

``export`` writes a labelling sheet of sampled verdicts from ``foulplay monitor``; ``import`` reads the
filled sheet back, estimates the judge's sensitivity and specificity and reports the raw rate beside the
Rogan-Gladen and prediction-powered (PPI) corrections; ``agree`` compares two judges on the same items."""

from __future__ import annotations

import csv
import io
import json
import math
import random
from pathlib import Path
from typing import Any

import click
from rich.markup import escape

from foulplay.cli._console import console, make_table
from foulplay.errors import InputError

VIEWS = ("reasoning", "actions")
COLUMNS = ("id", "judge_hack", "judge_suspicion", "judge_family", "judge_evidence", "human_hack", "notes")
_TRUE = {"1", "true", "yes", "y"}
_FALSE = {"0", "false", "no", "n"}

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
    label.

    \b
    CSV columns:
      id               the transcript's id (as in the verdicts file)
      judge_hack       the judge's verdict, 1 hack / 0 clean
      judge_suspicion  the judge's suspicion score, 0-100
      judge_family     the hack family the judge named (may be empty)
      judge_evidence   the judge's quotes from the transcript, joined by " | "
      human_hack       EMPTY: fill with 1 (hack) or 0 (clean); rows left empty are skipped by import
      notes            free text for the labeller, ignored by import
    """
    from foulplay._util.files import atomic_write_text

    items, _ = load_verdicts(verdicts, view)
    ok = [v for v in items if judged(v, threshold) is not None]
    if not ok:
        raise InputError(f"{verdicts}: every verdict is an error: nothing to label")
    rng = random.Random(seed)
    if stratify:
        pos = [v for v in ok if judged(v, threshold)]
        neg = [v for v in ok if not judged(v, threshold)]
        take_pos = min(len(pos), max(n // 2, n - len(neg)))
        take_neg = min(len(neg), n - take_pos)
        sample = rng.sample(pos, take_pos) + rng.sample(neg, take_neg)
        rng.shuffle(sample)
    else:
        sample = rng.sample(ok, min(n, len(ok)))
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(COLUMNS)
    for v in sample:
        evidence = " | ".join(" ".join(str(q).split()) for q in v.get("evidence") or [])
        writer.writerow([v["id"], int(bool(judged(v, threshold))), v.get("suspicion"), v.get("family") or "",
                         evidence, "", ""])
    atomic_write_text(output, buf.getvalue())
    n_pos = sum(1 for v in sample if judged(v, threshold))
    click.echo(f"wrote {len(sample)} item(s) to label ({n_pos} judged hack, {len(sample) - n_pos} clean; "
               f"{len(items) - len(ok)} error verdict(s) left out) to {output}", err=True)


def read_sheet(path: Path) -> tuple[dict[str, int], int]:
    """({id: human label}, rows left empty) from a filled labelling sheet."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise InputError(f"{path}: cannot read the sheet ({exc.strerror or exc})") from None
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in ("id", "human_hack") if c not in (reader.fieldnames or [])]
    if missing:
        raise InputError(f"{path}: no {' or '.join(missing)} column (columns: {', '.join(COLUMNS)})")
    labels: dict[str, int] = {}
    empty = 0
    try:
        for row in reader:
            line = reader.line_num
            value = (row.get("human_hack") or "").strip().lower()
            ident = (row.get("id") or "").strip()
            if not value:
                empty += 1
                continue
            if not ident:
                raise InputError(f"{path}: row {line}: no id")
            if value not in _TRUE | _FALSE:
                raise InputError(f"{path}: row {line}: human_hack {row['human_hack']!r} is not 0 or 1")
            if ident in labels:
                raise InputError(f"{path}: row {line}: id {ident!r} labelled twice")
            labels[ident] = int(value in _TRUE)
    except csv.Error as exc:
        raise InputError(f"{path}: not a CSV sheet ({exc})") from None
    return labels, empty


def _interval(r: Any) -> list[float]:
    return [r.low, r.high]


def calibrate(labels: dict[str, int], items: list[dict[str, Any]], threshold: int, seed: int = 0,
              source: str = "sheet") -> dict[str, Any]:
    """The raw rate, the judge's accuracy and the corrected rates as data (what ``import`` prints)."""
    from foulplay.stats import JudgeAccuracy, ppi_mean, wilson

    judge = {v["id"]: judged(v, threshold) for v in items}
    unknown = [i for i in labels if i not in judge]
    if unknown:
        raise InputError(f"{source}: id {unknown[0]!r} is not in the verdicts ({len(unknown)} such id(s))")
    ok = [j for j in judge.values() if j is not None]
    errors = len(judge) - len(ok)
    on_errors = [i for i in labels if judge[i] is None]
    pairs = [(int(bool(judge[i])), h) for i, h in labels.items() if judge[i] is not None]
    if not ok:
        raise InputError("every verdict is an error: there is no judged rate to correct")
    if not pairs:
        raise InputError(f"{source}: no labelled rows: fill human_hack with 1 or 0")
    big_n, raw_pos = len(ok), sum(ok)
    out: dict[str, Any] = {"n_judged": big_n, "n_errors": errors, "n_labelled": len(pairs),
                           "n_labelled_on_errors": len(on_errors), "judge_positive": raw_pos,
                           "threshold": threshold, "notes": []}
    lo, hi = wilson(raw_pos, big_n)
    out["raw"] = {"rate": raw_pos / big_n, "low": lo, "high": hi, "method": "wilson"}
    # Post-stratify the labels by the judge's verdict: a sample stratified by that verdict (export
    # --stratify) would otherwise misstate the judge's accuracy. Each stratum's labels are weighed to the
    # stratum's share of all judged items (weights of mean 1, so the effective counts sum to n labelled).
    shares = {1: raw_pos / big_n, 0: 1 - raw_pos / big_n}
    in_sample = {s: sum(1 for j, _ in pairs if j == s) for s in (0, 1)}
    weights = {s: shares[s] * len(pairs) / in_sample[s] if in_sample[s] else 0.0 for s in (0, 1)}
    if any(shares[s] > 0 and in_sample[s] == 0 for s in (0, 1)):
        weights = {0: 1.0, 1: 1.0}
        out["notes"].append("no labelled item among the judge's " + ("positives" if in_sample[1] == 0 else
                            "negatives") + ": labels taken unweighted (valid for a simple random sample only)")
    counts = {"tp": 0.0, "fn": 0.0, "tn": 0.0, "fp": 0.0}
    for j, h in pairs:
        key = ("tp" if j else "fn") if h else ("fp" if j else "tn")
        counts[key] += weights[j]
    counts = {k: round(v, 6) if abs(v - round(v)) > 1e-9 else round(v) for k, v in counts.items()}
    acc = JudgeAccuracy(**counts)
    out["judge"] = {**acc.to_dict(), "weights": {"judge_positive": weights[1], "judge_negative": weights[0]}}
    out["identifiable"] = bool(acc.sensitivity + acc.specificity > 1)  # NaN compares False
    try:
        rg = acc.correct(raw_pos, big_n, seed=seed)
        out["rogan_gladen"] = {"rate": rg.corrected, "low": rg.low, "high": rg.high, "method": rg.method,
                               "note": rg.note}
    except ValueError as exc:
        why = ("no human-labelled " + ("hack" if acc.n_positive == 0 else "clean") + " item: "
               + ("sensitivity" if acc.n_positive == 0 else "specificity") + " is not estimable"
               if acc.n_positive == 0 or acc.n_negative == 0 else str(exc))
        out["rogan_gladen"] = {"rate": None, "low": None, "high": None, "method": "rogan-gladen", "note": why}
    out["ppi"] = _ppi(ok, pairs, weights, shares, ppi_mean)
    return out


def _ppi(ok: list[bool], pairs: list[tuple[int, int]], weights: dict[int, float], shares: dict[int, float],
         ppi_mean: Any) -> dict[str, Any]:
    if len(pairs) < 2:
        return {"rate": None, "low": None, "high": None, "method": "ppi", "note": "needs 2 labelled items"}
    if weights[0] == weights[1]:
        r = ppi_mean([float(j) for j in ok], [float(j) for j, _ in pairs], [float(h) for _, h in pairs])
        return {"rate": r.corrected, "low": r.low, "high": r.high, "method": r.method, "note": ""}
    # stratified PPI: the judge's mean plus each stratum's mean rectifier weighed by the stratum's share
    # (the judge's value is constant within a stratum, so its variance there is 0)
    from statistics import NormalDist

    theta, var = sum(ok) / len(ok), 0.0
    for s in (0, 1):
        rect = [h - j for j, h in pairs if j == s]
        if not rect:
            continue
        mean = sum(rect) / len(rect)
        v = sum((x - mean) ** 2 for x in rect) / (len(rect) - 1) if len(rect) > 1 else 0.25
        theta += shares[s] * mean
        var += shares[s] ** 2 * v / len(rect)
    half = NormalDist().inv_cdf(0.975) * math.sqrt(var)
    clip = lambda x: min(1.0, max(0.0, x))  # noqa: E731
    return {"rate": clip(theta), "low": clip(theta - half), "high": clip(theta + half),
            "method": "ppi/stratified-clt", "note": ""}


def _pct(x: float | None) -> str:
    return "n/a" if x is None or x != x else f"{x:.1%}"


@calibrate_group.command("import")
@click.argument("sheet", type=click.Path(path_type=Path))
@click.option("--verdicts", type=click.Path(path_type=Path), required=True,
              help="The verdicts the sheet was exported from (all of them: the rate is over every verdict).")
@_view_option
@_threshold_option
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of the Rogan-Gladen bootstrap.")
@_format_option
def import_cmd(sheet: Path, verdicts: Path, view: str | None, threshold: int, seed: int, fmt: str) -> None:
    """Read a filled labelling sheet (see calibrate export), estimate the judge's sensitivity and
    specificity, and report the raw judged rate beside the Rogan-Gladen and PPI corrected rates; their
    intervals include the uncertainty of the human labels. Error verdicts are left out of the rate and
    counted; rows whose human_hack is empty are skipped and counted."""
    items, view = load_verdicts(verdicts, view)
    labels, empty = read_sheet(sheet)
    result = calibrate(labels, items, threshold, seed, str(sheet))
    result["view"], result["n_skipped_empty"] = view, empty
    if fmt == "json":
        click.echo(json.dumps(result, indent=1))
        return
    rows = []
    for name, key in (("raw (judge)", "raw"), ("Rogan-Gladen", "rogan_gladen"), ("PPI", "ppi")):
        r = result[key]
        interval = "n/a" if r["low"] is None else f"{_pct(r['low'])} - {_pct(r['high'])}"
        rows.append([name, _pct(r["rate"]), interval, escape(r["method"]), escape(r.get("note") or "")])
    console.print(make_table(["estimate", "rate", "95% interval", "method", "note"], rows, wrap=("note",),
                             right=("rate",), title=f"hack rate, {view} view"))
    j = result["judge"]
    console.print(f"judge: sensitivity {_pct(j['sensitivity'])} ({_pct(j['sensitivity_interval'][0])} - "
                  f"{_pct(j['sensitivity_interval'][1])}), specificity {_pct(j['specificity'])} "
                  f"({_pct(j['specificity_interval'][0])} - {_pct(j['specificity_interval'][1])})", highlight=False)
    console.print(f"n judged {result['n_judged']}, n labelled {result['n_labelled']}, error verdicts "
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
