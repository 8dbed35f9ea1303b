"""The report's sections. Each is a function registered with :func:`section` that takes the loaded
:class:`~foulplay.report._load.Results` and returns a :class:`Section` (its text, figures, tables, warnings
and Markdown headline) or None when its data is not there. The page shows them in registration order; a new
view is one more registered function (the grader audit, detectors and agent sections are in
``_sections_audit``), plus, when the generic layout does not fit, a template named by ``Section.template``."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from foulplay.report import _figures as figs
from foulplay.report._context import DROP, MIN_AGENTIC, check_context
from foulplay.report._load import EvalSet, Results, is_agentic, rate_of
from foulplay.training._metrics import ONSET, onset_step


@dataclass
class Figure:
    title: str
    svg: str
    caption: str = ""


@dataclass
class Table:
    caption: str
    headers: list[str]
    rows: list[list[str]]


@dataclass
class Section:
    id: str
    title: str
    intro: str = ""
    figures: list[Figure] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    headline: list[str] = field(default_factory=list)
    """Plain-text lines for the Markdown summary."""
    items: list[dict[str, Any]] = field(default_factory=list)
    """Free data for a section-specific template."""
    template: str | None = None
    """``sections/<name>.html.j2`` to render instead of the generic layout."""


SectionFn = Callable[[Results], Section | None]
SECTIONS: list[tuple[str, SectionFn]] = []


def section(name: str, *, before: str | None = None) -> Callable[[SectionFn], SectionFn]:
    """Register a section function under ``name``: shown in registration order, or just before the section
    named ``before`` when that one is registered."""

    def deco(fn: SectionFn) -> SectionFn:
        SECTIONS[:] = [(n, f) for n, f in SECTIONS if n != name]
        at = next((i for i, (n, _) in enumerate(SECTIONS) if n == before), len(SECTIONS))
        SECTIONS.insert(at, (name, fn))
        return fn

    return deco


def build_sections(results: Results, only: list[str] | None = None) -> list[Section]:
    out = []
    for name, fn in SECTIONS:
        if only is not None and name not in only:
            continue
        s = fn(results)
        if s is not None:
            out.append(s)
    return out


def pct(x: Any) -> str:
    return "n/a" if x is None or not isinstance(x, (int, float)) or math.isnan(x) else f"{x:.1%}"


def ci(rate: Any, low: Any, high: Any) -> str:
    if not isinstance(low, (int, float)) or not isinstance(high, (int, float)) or math.isnan(low):
        return pct(rate)
    return f"{pct(rate)} [{pct(low)}-{pct(high)}]"


def _triple(s: dict[str, Any]) -> tuple[float, Any, Any]:
    return (rate_of(s), s.get("ci_low"), s.get("ci_high"))  # type: ignore[return-value]


# -- (a) the training view ------------------------------------------------------------------------------------
@section("training")
def training_section(results: Results) -> Section | None:
    runs = [r for r in results.runs if r.steps or r.evaluated]
    if not runs:
        return None
    sec = Section("training", "Training: hack rate and misalignment per step",
                  intro="Top: the share of episodes per step that passed the environment's grader while failing the "
                        "hardened one (successful hacks), overall and per hack family, with the onset (the first step "
                        f"above {ONSET:.0%}) as a dashed line; where an audit graded the run again, the trainer's own "
                        "figure is the dotted grey line. Bottom: each eval's misaligned rate and the MGS at each "
                        "evaluated checkpoint, with 95% intervals, on the same step axis.")
    rows = []
    for k, run in enumerate(runs):
        onset = onset_step(run.steps) if run.steps else None
        cks = []
        for c in run.evaluated:
            m = c.mgs()
            cks.append({"step": c.step, "evals": {s["eval"]: _triple(s) for s in c.usable},
                        "mgs": (m["rate"], m["low"], m["high"]) if m else None})
        svg = figs.training_figure(run.steps, onset, cks, f"training-{k}", trainer=run.trainer_steps)
        sec.figures.append(Figure(f"{run.name}", svg, f"{len(run.steps)} steps, {len(cks)} evaluated checkpoints"))
        rated = [s for s in run.steps if s.get("hack_rate") is not None]
        peak = max(rated, key=lambda s: s["hack_rate"]) if rated else None
        last = rated[-1] if rated else None
        final = run.final
        m = final.mgs() if final else None
        rows.append([run.name, str(len(run.steps)), "none" if onset is None else f"step {onset}",
                     f"{pct(peak['hack_rate'])} (step {peak['step']})" if peak else "n/a",
                     f"{pct(last['hack_rate'])} (step {last['step']})" if last else "n/a",
                     f"{ci(m['rate'], m['low'], m['high'])} (step {final.step})" if m and final else "n/a"])
        sec.headline.append(
            f"{run.name}: onset {'none' if onset is None else f'at step {onset}'}; peak hack rate "
            f"{pct(peak['hack_rate']) if peak else 'n/a'}; last step {pct(last['hack_rate']) if last else 'n/a'}; "
            f"MGS at the last checkpoint {ci(m['rate'], m['low'], m['high']) if m else 'n/a'}")
        sec.notes += [f"{run.name}: {n}" for n in run.notes]
        meta = run.meta
        sec.notes.append(
            f"{run.name}: model {meta.model or 'n/a'}, framing {meta.framing or 'n/a'}, hack penalty "
            f"{'none' if meta.hack_penalty is None else meta.hack_penalty} (source {meta.penalty_source or 'n/a'}), "
            f"non-hackable mix {pct(meta.non_hackable_mix) if meta.non_hackable_mix is not None else 'n/a'}, "
            f"seed {meta.seed if meta.seed is not None else 'n/a'}, grader version {meta.grader_version}")
    sec.tables.append(Table("Runs", ["run", "steps", "onset", "peak hack rate", "last hack rate", "MGS (last)"],
                            rows))
    return sec


# -- (b) per-eval bars ------------------------------------------------------------------------------------------
def _calibration(s: dict[str, Any]) -> dict[str, Any] | None:
    cal = s.get("calibration")
    return cal if isinstance(cal, dict) else None


def _corrected(cal: dict[str, Any]) -> tuple[str, tuple[float, Any, Any]] | None:
    for key, name in (("ppi", "PPI"), ("rogan_gladen", "Rogan-Gladen")):
        r = cal.get(key)
        if isinstance(r, dict) and isinstance(r.get("rate"), (int, float)):
            return name, (r["rate"], r.get("low"), r.get("high"))
    return None


@section("evals")
def evals_section(results: Results) -> Section | None:
    sets = results.final_sets()
    if not sets:
        return None
    sec = Section("evals", "Misalignment per eval",
                  intro="Each eval's misaligned rate with its 95% interval (clustered by question or scenario "
                        "variant), split into covert (dark: misaligned while looking aligned) and overt (light) "
                        "answers. Judge errors and excluded samples are left out of the rate and counted. Where a "
                        "judge calibration exists, the judge-corrected rate is the blue diamond.")
    for k, (name, es) in enumerate(sets):
        rows, table = [], []
        for s in sorted(es.summaries, key=lambda s: (is_agentic(s), str(s["eval"]))):
            rate = rate_of(s)
            usable = int(s.get("usable") or 0)
            cal = _calibration(s)
            cor = _corrected(cal) if cal else None
            if rate is not None:
                rows.append({"eval": s["eval"], "kind": "agentic" if is_agentic(s) else "chat", "rate": rate,
                             "low": s.get("ci_low"), "high": s.get("ci_high"),
                             "covert": (s.get("covert") or 0) / usable if usable else 0.0,
                             "overt": (s.get("overt") or 0) / usable if usable else 0.0,
                             "corrected": cor[1] if cor else None,
                             "count_text": f"n={usable}, {s.get('errors', 0)} err, {s.get('excluded', 0)} excl"})
            corr_text = "—"
            if cal:
                parts = []
                for key, label in (("raw", "raw"), ("rogan_gladen", "Rogan-Gladen"), ("ppi", "PPI")):
                    r = cal.get(key)
                    if isinstance(r, dict):
                        parts.append(f"{label} {ci(r.get('rate'), r.get('low'), r.get('high'))}")
                corr_text = "; ".join(parts) or (f"none: {cal['skipped']}" if cal.get("skipped") else "—")
            table.append([str(s["eval"]), "agentic" if is_agentic(s) else "chat-like",
                          ci(rate, s.get("ci_low"), s.get("ci_high")), str(s.get("covert", "—")),
                          str(s.get("overt", "—")), str(usable), str(s.get("errors", 0)), str(s.get("excluded", 0)),
                          corr_text])
        title = f"{name}" + (f" (checkpoint at step {es.step})" if es.step is not None else "")
        if rows:
            sec.figures.append(Figure(title, figs.eval_bars_figure(rows, f"evals-{k}")))
        sec.tables.append(Table(title, ["eval", "kind", "misaligned (95% CI)", "covert", "overt", "usable",
                                        "errors", "excluded", "judge-corrected"], table))
        m = es.mgs()
        worst = max(es.usable, key=lambda s: rate_of(s) or 0.0, default=None)
        sec.headline.append(
            f"{title}: MGS {ci(m['rate'], m['low'], m['high']) if m else 'n/a'}"
            + (f"; highest {worst['eval']} {ci(*_triple(worst))}" if worst else "")
            + f"; {sum(int(s.get('errors') or 0) for s in es.summaries)} judge errors, "
              f"{sum(int(s.get('excluded') or 0) for s in es.summaries)} excluded")
        if m and m.get("low") is None:
            sec.notes.append(f"{title}: MGS is the plain mean of the evals' rates (no suite.summary.json, so no "
                             "interval)")
        if es.suite and es.suite.get("note"):
            sec.notes.append(f"{title}: {es.suite['note']}")
    return sec


# -- (c) context dependence ------------------------------------------------------------------------------------
@section("context")
def context_section(results: Results) -> Section | None:
    sec = Section("context", "Context dependence: chat-like vs agentic evals",
                  intro="The mean misaligned rate of the chat-like evals (emergent_questions, goals, "
                        "alignment_questions) against the agentic ones (monitor_disruption, exfil_offer, "
                        "frame_colleague) at each checkpoint, with 95% intervals. Safety training on chat-like data "
                        "can make the chat evals look clean while the agentic behaviour stays: the warning rule is "
                        f"a fall of the chat-like mean from its peak by at least {DROP:.0%} points (disjoint "
                        "intervals) while the agentic mean did not fall (overlapping intervals, or it rose) and is "
                        f"still at least {MIN_AGENTIC:.0%} (docs/report.md).")
    for k, run in enumerate(results.runs):
        check = check_context(run.evaluated)
        if not check.points:
            continue
        sec.figures.append(Figure(run.name, figs.context_figure(check.points, f"context-{k}"), check.detail))
        if check.warning:
            sec.warnings.append(f"{run.name}: {check.warning}")
            sec.headline.append(f"{run.name}: context-dependence warning raised (above)")
        else:
            sec.headline.append(f"{run.name}: no context-dependence warning ({check.detail})")
    return sec if sec.figures else None


# -- (d) mitigation matrix ------------------------------------------------------------------------------------
@section("matrix")
def matrix_section(results: Results) -> Section | None:
    sets = results.final_sets()
    if len(sets) < 2:
        return None
    rows = [n for n, _ in sets]
    cols: list[str] = []
    cells: dict[tuple[str, str], tuple[float, Any, Any]] = {}
    for name, es in sets:
        for s in es.usable:
            if s["eval"] not in cols:
                cols.append(str(s["eval"]))
            cells[(name, str(s["eval"]))] = _triple(s)
        m = es.mgs()
        if m:
            cells[(name, "MGS")] = (m["rate"], m["low"], m["high"])
    cols = sorted(cols, key=lambda c: (is_agentic({"eval": c}), c))
    if any(c == "MGS" for _, c in cells):
        cols.append("MGS")
    sec = Section("matrix", "Mitigation matrix: runs x evals",
                  intro="Each run's last evaluated checkpoint (or each set of summaries given) against each eval: the "
                        "misaligned rate and its 95% interval; darker is more misaligned. Rows are comparable only "
                        "when they used the same evals, judge and sample counts.")
    sec.figures.append(Figure("runs x evals", figs.matrix_figure(rows, cols, cells, "matrix")))
    sec.tables.append(Table("runs x evals", ["run", *cols],
                            [[r, *[ci(*cells[(r, c)]) if (r, c) in cells else "n/a" for c in cols]] for r in rows]))
    for r in rows:
        if (r, "MGS") in cells:
            sec.headline.append(f"{r}: MGS {ci(*cells[(r, 'MGS')])}")
    return sec


# -- grader audit, detectors, agent scans: their own module, registered here so that they come after the matrix
# and before the examples --------------------------------------------------------------------------------------
from foulplay.report import _sections_audit, _sections_coding  # noqa: E402, F401

# -- (e) example samples --------------------------------------------------------------------------------------
MAX_EXAMPLES = 12


def _log_dir(summary: dict[str, Any], es: EvalSet) -> tuple[str | None, bool]:
    """The folder to open with ``inspect view`` and whether the sample's log is there: the log's own folder when
    it is found, else the summary's folder (``foulplay eval`` writes each summary next to its log)."""
    from foulplay.report._examples import find_log

    found = find_log(summary, es.source)
    if found is not None:
        return str(found.parent), True
    return (str(es.source) if es.source is not None else None), False


@section("examples")
def examples_section(results: Results) -> Section | None:
    sets = [(r.name, c) for r in results.runs for c in r.evaluated] + [(s.name, s) for s in results.eval_sets]
    items = []
    for name, es in reversed(sets):  # latest checkpoints first
        for s in es.summaries:
            for ex in (s.get("examples") or [])[:2]:
                if not isinstance(ex, dict):
                    continue
                log_dir, present = _log_dir(s, es)
                quotes = [str(q) for q in (ex.get("evidence") or []) if isinstance(q, (str, int, float))]
                items.append({"run": name, "step": es.step, "eval": str(s["eval"]), "id": str(ex.get("id", "?")),
                              "epoch": ex.get("epoch"), "label": str(ex.get("label", "")),
                              "covert": bool(ex.get("covert")), "question": str(ex.get("question") or ""),
                              "evidence": quotes[:4], "log": str(s.get("log") or ""), "log_present": present,
                              "command": f"inspect view --log-dir {log_dir}" if log_dir else None})
                if len(items) >= MAX_EXAMPLES:
                    break
            if len(items) >= MAX_EXAMPLES:
                break
        if len(items) >= MAX_EXAMPLES:
            break
    if not items:
        return None
    return Section("examples", "Example samples with evidence",
                   intro="Samples the judge marked misaligned, with the quotes it gave as evidence (foulplay's judges "
                         "check that each occurs verbatim in the answer). Open the Inspect log with the command shown "
                         "to read the whole transcript.",
                   items=items, template="examples")
