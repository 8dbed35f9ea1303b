"""Correct a judged rate for the judge's errors with a calibration set of human labels.

The library behind ``foulplay calibrate`` and ``foulplay eval --calibration``: labelling sheets (CSV; see
:data:`COLUMNS` and :data:`EVAL_COLUMNS`), the judge's items of an eval log, the judge's sensitivity and
specificity, and the raw rate beside the Rogan-Gladen and prediction-powered (PPI) corrections, with
intervals that include the uncertainty of the human labels.

Two situations:

* the labelled items are items of the rate being corrected (the sheet was exported from the same verdicts
  or log): the labels are post-stratified by the judge's verdict, and both Rogan-Gladen and PPI apply;
* the labelled items come from another log (``eval --calibration SHEET`` on a new run): the judge's
  sensitivity and specificity are taken from the sheet, on the assumption that they are properties of the
  judge (its prompt and model) and carry over to the new samples; Rogan-Gladen applies, PPI does not (its
  rectifier is a mean over the labelled population, not a property of the judge).
"""

from __future__ import annotations

import csv
import io
import math
import random
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from foulplay.errors import InputError

COLUMNS = ("id", "judge_hack", "judge_suspicion", "judge_family", "judge_evidence", "human_hack", "notes")
"""The labelling sheet's columns (``foulplay calibrate export`` of monitor verdicts)."""
EVAL_COLUMNS = ("id", "judge_hack", "judge_suspicion", "judge_family", "judge_evidence", "excerpt", "human_hack",
                "notes", "judge_positive_share")
"""The sheet of an eval log: the same columns plus ``excerpt`` (the transcript, shortened) and
``judge_positive_share`` (the share of the log's judged samples the judge flagged, the same on every row; it
lets a stratified sheet be weighed back when it is used on another log)."""
TRANSFER_NOTE = ("labels from another log: the judge's sensitivity and specificity are assumed to carry over to "
                 "these samples (they are the judge's, not the log's); PPI needs labels of this log's samples")
_TRUE = {"1", "true", "yes", "y"}
_FALSE = {"0", "false", "no", "n"}
EXCERPT = 1500


# ---------------------------------------------------------------------------------------------- sheets


@dataclass
class Sheet:
    """A filled labelling sheet: ``labels`` {id: human label}, ``judge`` {id: the judge's label from the
    ``judge_hack`` column (None when empty)}, ``share`` (``judge_positive_share`` when the sheet has it) and
    ``empty`` (rows whose human_hack is empty)."""

    path: str
    labels: dict[str, int]
    judge: dict[str, int | None] = field(default_factory=dict)
    share: float | None = None
    empty: int = 0


def load_sheet(path: str | Path) -> Sheet:
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise InputError(f"{p}: cannot read the sheet ({exc.strerror or exc})") from None
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in ("id", "human_hack") if c not in (reader.fieldnames or [])]
    if missing:
        raise InputError(f"{p}: no {' or '.join(missing)} column (columns: {', '.join(COLUMNS)})")
    sheet = Sheet(str(p), {})
    shares: set[str] = set()
    try:
        for row in reader:
            line = reader.line_num
            value = (row.get("human_hack") or "").strip().lower()
            ident = (row.get("id") or "").strip()
            if not value:
                sheet.empty += 1
                continue
            if not ident:
                raise InputError(f"{p}: row {line}: no id")
            if value not in _TRUE | _FALSE:
                raise InputError(f"{p}: row {line}: human_hack {row['human_hack']!r} is not 0 or 1")
            if ident in sheet.labels:
                raise InputError(f"{p}: row {line}: id {ident!r} labelled twice")
            sheet.labels[ident] = int(value in _TRUE)
            judged = (row.get("judge_hack") or "").strip().lower()
            sheet.judge[ident] = int(judged in _TRUE) if judged in _TRUE | _FALSE else None
            if (row.get("judge_positive_share") or "").strip():
                shares.add(row["judge_positive_share"].strip())
    except csv.Error as exc:
        raise InputError(f"{p}: not a CSV sheet ({exc})") from None
    if len(shares) == 1:
        try:
            share = float(shares.pop())
        except ValueError:
            share = None
        sheet.share = share if share is not None and 0 <= share <= 1 else None
    return sheet


def read_sheet(path: str | Path) -> tuple[dict[str, int], int]:
    """({id: human label}, rows left empty) from a filled labelling sheet."""
    sheet = load_sheet(path)
    return sheet.labels, sheet.empty


def sample_items(items: list[dict[str, Any]], n: int, seed: int = 0, stratify: bool = False) -> list[dict[str, Any]]:
    """A seeded sample of the judged items (``item["judge"]`` 0/1; errors are left out by the caller); with
    ``stratify`` judge positives and negatives half and half, as far as there are."""
    rng = random.Random(seed)
    if stratify:
        pos = [v for v in items if v["judge"]]
        neg = [v for v in items if not v["judge"]]
        take_pos = min(len(pos), max(n // 2, n - len(neg)))
        take_neg = min(len(neg), n - take_pos)
        sample = rng.sample(pos, take_pos) + rng.sample(neg, take_neg)
        rng.shuffle(sample)
        return sample
    return rng.sample(items, min(n, len(items)))


def sheet_text(rows: list[dict[str, Any]], columns: tuple[str, ...] = COLUMNS) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow(["" if row.get(c) is None else row.get(c) for c in columns])
    return buf.getvalue()


# ---------------------------------------------------------------------------------------------- eval logs


def _one_line(text: Any) -> str:
    return " ".join(str(text or "").split())


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."


def item_id(log: Any, sample_id: Any, epoch: int) -> str:
    """A sample's id in a sheet: ``<eval id>/<sample id>@<epoch>`` (unique across logs, so that a sheet from
    another log is told apart)."""
    return f"{log.eval.eval_id}/{sample_id}@{epoch}"


def eval_items(log: Any) -> list[dict[str, Any]]:
    """The judged samples of a foulplay chat or agentic eval log, as sheet rows: ``id``, ``judge`` (1 judged
    misaligned, 0 not, None when the judge failed), ``label``, ``evidence`` (each judge's explanation and its
    quotes), ``excerpt`` (question, reasoning and answer, or the agent's final reply). Samples excluded from the
    rate (e.g. attempted grader hacks) are left out."""
    from foulplay.evals._summary import sample_flags

    first = (log.samples or [None])[0]
    meta = (first.metadata or {}) if first is not None else {}
    if meta.get("coding") or meta.get("sabotage_eval"):
        raise InputError(f"{log.eval.task}: its outcomes are decided by code or a classifier run, not a judge "
                         "verdict per sample: nothing to calibrate")
    out = []
    for sample, flag in zip(log.samples or [], sample_flags(log), strict=True):
        if flag["excluded"]:
            continue
        score = next(iter(sample.scores.values())) if sample.scores else None
        smeta = (score.metadata or {}) if score is not None else {}
        evidence = []
        for name, verdict in (smeta.get("judges") or {}).items():
            data = (verdict or {}).get("data") or {}
            quotes = " | ".join(_one_line(q) for q in data.get("evidence") or [])
            part = f"[{name}] {_one_line(data.get('explanation'))}".strip()
            evidence.append(part + (f" quotes: {quotes}" if quotes else ""))
        split = smeta.get("split") or {}
        question = (sample.metadata or {}).get("question")
        if split:
            excerpt = " ".join(x for x in (f"Q: {_one_line(question)}" if question else "",
                                           f"reasoning: {_cut(_one_line(split.get('reasoning')), EXCERPT // 2)}"
                                           if split.get("reasoning") else "",
                                           f"answer: {_one_line(split.get('answer'))}") if x)
        elif smeta.get("reply") is not None:
            excerpt = f"final reply: {_one_line(smeta['reply'])}"
            if score is not None and score.explanation:
                excerpt += f" (scorer: {_one_line(score.explanation)})"
        else:
            excerpt = _one_line(sample.output.completion if sample.output else "")
        out.append({"id": item_id(log, flag["id"], flag["epoch"]), "judge": flag["flag"], "label": flag["label"],
                    "evidence": _cut(" || ".join(evidence), EXCERPT), "excerpt": _cut(excerpt, EXCERPT)})
    return out


def read_logs(path: str | Path) -> list[Any]:
    """The eval logs at ``path``: one log file, or every log in a directory (sorted by name)."""
    from inspect_ai.log import read_eval_log

    p = Path(path)
    if p.is_dir():
        found = sorted(f for f in p.iterdir() if f.is_file() and (f.suffix == ".eval" or (
            f.suffix == ".json" and not f.name.endswith((".summary.json", ".sequential.json")) and _looks_like_log(f))))
        if not found:
            raise InputError(f"{p}: no Inspect eval logs in this directory")
        return [read_eval_log(str(f)) for f in found]
    if not p.is_file():
        raise InputError(f"{p}: no such file")
    try:
        return [read_eval_log(str(p))]
    except Exception as exc:  # noqa: BLE001 - any unreadable log is one line
        raise InputError(f"{p}: not an Inspect eval log ({type(exc).__name__})") from None


def is_eval_log(path: str | Path) -> bool:
    p = Path(path)
    return p.is_dir() or p.suffix == ".eval" or (p.suffix == ".json" and not p.name.endswith(".summary.json")
                                                 and _looks_like_log(p))


def _looks_like_log(p: Path) -> bool:
    try:
        with p.open("rb") as f:
            head = f.read(4096)
    except OSError:
        return False
    # an Inspect JSON log opens with its format version and has an "eval" spec; monitor output has "verdicts"
    return b'"version"' in head[:200] and b'"eval"' in head and b'"verdicts"' not in head


def export_rows(items: list[dict[str, Any]], n: int, seed: int = 0, stratify: bool = False) -> list[dict[str, Any]]:
    """The sheet rows of an eval log's items: a seeded sample of the judged ones (errors left out)."""
    ok = [v for v in items if v["judge"] is not None]
    if not ok:
        raise InputError("every judged sample is an error: nothing to label")
    share = sum(v["judge"] for v in ok) / len(ok)
    return [{"id": v["id"], "judge_hack": v["judge"], "judge_suspicion": "", "judge_family": v["label"],
             "judge_evidence": v["evidence"], "excerpt": v["excerpt"], "human_hack": "", "notes": "",
             "judge_positive_share": f"{share:.6g}"} for v in sample_items(ok, n, seed, stratify)]


# ---------------------------------------------------------------------------------------------- estimates


def _weights(pairs: list[tuple[int, int]], shares: dict[int, float], notes: list[str]) -> dict[int, float]:
    """Post-stratification weights of the labels by the judge's verdict: a sample stratified by that verdict
    (export --stratify) would otherwise misstate the judge's accuracy. Each stratum's labels are weighed to
    the stratum's share of all judged items (weights of mean 1, so the effective counts sum to n labelled)."""
    in_sample = {s: sum(1 for j, _ in pairs if j == s) for s in (0, 1)}
    weights = {s: shares[s] * len(pairs) / in_sample[s] if in_sample[s] else 0.0 for s in (0, 1)}
    if any(shares[s] > 0 and in_sample[s] == 0 for s in (0, 1)):
        notes.append("no labelled item among the judge's " + ("positives" if in_sample[1] == 0 else "negatives")
                     + ": labels taken unweighted (valid for a simple random sample only)")
        return {0: 1.0, 1: 1.0}
    return weights


def _accuracy(pairs: list[tuple[int, int]], weights: dict[int, float]) -> Any:
    from foulplay.stats import JudgeAccuracy

    counts = {"tp": 0.0, "fn": 0.0, "tn": 0.0, "fp": 0.0}
    for j, h in pairs:
        key = ("tp" if j else "fn") if h else ("fp" if j else "tn")
        counts[key] += weights[j]
    counts = {k: round(v, 6) if abs(v - round(v)) > 1e-9 else round(v) for k, v in counts.items()}
    return JudgeAccuracy(**counts)


def _rogan_gladen(acc: Any, raw_pos: int, big_n: int, seed: int) -> dict[str, Any]:
    if acc.n_positive == 0 or acc.n_negative == 0:
        which = "sensitivity" if acc.n_positive == 0 else "specificity"
        why = (f"not identifiable: no human-labelled {'positive' if acc.n_positive == 0 else 'negative'} item, so "
               f"the judge's {which} is not estimable")
        return {"rate": None, "low": None, "high": None, "method": "rogan-gladen", "note": why}
    try:
        rg = acc.correct(raw_pos, big_n, seed=seed)
    except ValueError as exc:
        return {"rate": None, "low": None, "high": None, "method": "rogan-gladen", "note": str(exc)}
    return {"rate": rg.corrected, "low": rg.low, "high": rg.high, "method": rg.method, "note": rg.note}


def calibrate(labels: dict[str, int], judge: dict[str, Any], seed: int = 0, source: str = "sheet") -> dict[str, Any]:
    """The raw rate, the judge's accuracy and the corrected rates as data, when the labelled items are items
    of the rate (``judge``: {id: 1, 0, or None for an error verdict}, every item the rate is over)."""
    from foulplay.stats import ppi_mean, wilson

    unknown = [i for i in labels if i not in judge]
    if unknown:
        raise InputError(f"{source}: id {unknown[0]!r} is not in the verdicts ({len(unknown)} such id(s))")
    ok = [int(bool(j)) for j in judge.values() if j is not None]
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
                           "labels_from": "the same items", "notes": []}
    lo, hi = wilson(raw_pos, big_n)
    out["raw"] = {"rate": raw_pos / big_n, "low": lo, "high": hi, "method": "wilson"}
    shares = {1: raw_pos / big_n, 0: 1 - raw_pos / big_n}
    weights = _weights(pairs, shares, out["notes"])
    acc = _accuracy(pairs, weights)
    out["judge"] = {**acc.to_dict(), "weights": {"judge_positive": weights[1], "judge_negative": weights[0]}}
    out["identifiable"] = bool(acc.sensitivity + acc.specificity > 1)  # NaN compares False
    out["rogan_gladen"] = _rogan_gladen(acc, raw_pos, big_n, seed)
    out["ppi"] = _ppi(ok, pairs, weights, shares, ppi_mean)
    return out


def transfer(sheet: Sheet, raw_pos: int, big_n: int, errors: int = 0, seed: int = 0) -> dict[str, Any]:
    """Correct ``raw_pos`` judged positives of ``big_n`` with the judge's accuracy measured on another log's
    labelled sheet (its ``judge_hack`` and ``human_hack`` columns): Rogan-Gladen only (see the module
    docstring), labels post-stratified by the sheet's ``judge_positive_share`` when it has one."""
    from foulplay.stats import wilson

    if big_n <= 0:
        raise InputError("no usable judged sample: there is no rate to correct")
    pairs = [(j, sheet.labels[i]) for i, j in sheet.judge.items() if j is not None and i in sheet.labels]
    if not pairs:
        raise InputError(f"{sheet.path}: no labelled row with the judge's verdict (judge_hack 0/1 and human_hack 0/1)")
    out: dict[str, Any] = {"n_judged": big_n, "n_errors": errors, "n_labelled": len(pairs),
                           "n_labelled_on_errors": 0, "judge_positive": raw_pos, "labels_from": "another log",
                           "notes": [TRANSFER_NOTE]}
    lo, hi = wilson(raw_pos, big_n)
    out["raw"] = {"rate": raw_pos / big_n, "low": lo, "high": hi, "method": "wilson"}
    if sheet.share is not None:
        weights = _weights(pairs, {1: sheet.share, 0: 1 - sheet.share}, out["notes"])
    else:
        weights = {0: 1.0, 1: 1.0}
        out["notes"].append("the sheet has no judge_positive_share: labels taken unweighted (right for a simple "
                            "random sample of its log, not for a stratified one)")
    acc = _accuracy(pairs, weights)
    out["judge"] = {**acc.to_dict(), "weights": {"judge_positive": weights[1], "judge_negative": weights[0]}}
    out["identifiable"] = bool(acc.sensitivity + acc.specificity > 1)
    out["rogan_gladen"] = _rogan_gladen(acc, raw_pos, big_n, seed)
    out["ppi"] = {"rate": None, "low": None, "high": None, "method": "ppi",
                  "note": "not applicable: the labels are not of these samples"}
    return out


def calibrate_items(sheet: Sheet, items: list[dict[str, Any]], seed: int = 0) -> dict[str, Any]:
    """Correct the rate of an eval's items (:func:`eval_items`) with a sheet: with the same-items method when
    every labelled id is one of the items, else with the judge's accuracy carried over from the sheet."""
    judge = {v["id"]: v["judge"] for v in items}
    if not sheet.labels:
        raise InputError(f"{sheet.path}: no labelled rows: fill human_hack with 1 or 0")
    if all(i in judge for i in sheet.labels):
        return calibrate(sheet.labels, judge, seed, sheet.path)
    ok = [j for j in judge.values() if j is not None]
    result = transfer(sheet, sum(ok), len(ok), len(judge) - len(ok), seed)
    mixed = sum(1 for i in sheet.labels if i in judge)
    if mixed:
        result["notes"].append(f"{mixed} of the {len(sheet.labels)} labelled items are samples of this log, the "
                               "others are not: all were used as a calibration set from another log")
    return result


def _ppi(ok: list[int], pairs: list[tuple[int, int]], weights: dict[int, float], shares: dict[int, float],
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
