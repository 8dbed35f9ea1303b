"""The audit sections: the grader audit (a probe's technique x verdict grid, its controls and how to close each
hole), the detectors' operating points (from a bench report) and the agent and code scans. ``_sections`` imports
this module after its matrix section and before its examples, which fixes their place on the page."""

from __future__ import annotations

from collections import Counter
from typing import Any

from foulplay.report import _figures_audit as figs
from foulplay.report._load import Results
from foulplay.report._load_audit import Loaded
from foulplay.report._sections import Figure, Section, Table, section

MAX_ROWS = 50
"""Longest table shown; the rest is counted in a note."""
PRIORITY = ("FOOLED", "ERROR", "UNVERIFIED", "RESISTED", "NOT-APPLICABLE")


def one_line(text: Any, limit: int = 160) -> str:
    s = " ".join(str(text).split())
    return s if len(s) <= limit else s[: limit - 1] + "…"


def capped(sec: Section, caption: str, headers: list[str], rows: list[list[str]], what: str) -> None:
    """Add a table of at most ``MAX_ROWS`` rows; a note counts those left out."""
    sec.tables.append(Table(caption, headers, rows[:MAX_ROWS]))
    if len(rows) > MAX_ROWS:
        sec.notes.append(f"{caption}: {len(rows) - MAX_ROWS} more {what} left out of the table "
                         f"(the first {MAX_ROWS} of {len(rows)} are shown)")


# -- grader audit -----------------------------------------------------------------------------------------------
def _family_order() -> list[str]:
    from foulplay.hacks import Family

    return [f.value for f in Family]


def _grid_rows(techniques: list[dict[str, Any]]) -> list[tuple[str, str, str]]:
    order = _family_order()
    rows = [(str(t["technique"]), str(t["family"]), str(t["verdict"])) for t in techniques]
    return sorted(rows, key=lambda r: (order.index(r[1]) if r[1] in order else len(order), r[1]))


def _technique_table(techniques: list[dict[str, Any]]) -> list[list[str]]:
    order = _family_order()

    def key(t: dict[str, Any]) -> tuple[int, int, str]:
        v, f = str(t["verdict"]), str(t["family"])
        return (PRIORITY.index(v) if v in PRIORITY else 0, order.index(f) if f in order else len(order), f)

    return [[str(t["technique"]), str(t["family"]), str(t["verdict"]), one_line(t.get("evidence", ""))]
            for t in sorted(techniques, key=key)]


def _control_rows(controls: list[dict[str, Any]]) -> list[list[str]]:
    return [[str(c["control"]), "pass" if c.get("expected_pass") else "fail", str(c["status"]),
             one_line(c.get("detail", ""))] for c in controls]


def _controls_text(controls: list[dict[str, Any]]) -> str:
    bad = [f"{c['control']} {c['status']}" for c in controls if c.get("status") != "ok"]
    return "controls ok" if not bad else "controls: " + ", ".join(bad)


def _advice_rows(advice: list[dict[str, Any]]) -> list[list[str]]:
    """One row per weakness to close (controls first), with the fooling techniques that need it."""
    by_weakness: dict[str, dict[str, Any]] = {}
    for entry in advice:
        for fix in entry["fixes"]:
            row = by_weakness.setdefault(fix["weakness"], {"how": fix["how"], "switch": fix.get("switch"),
                                                           "techniques": []})
            row["techniques"].append(entry["technique"])
    return [[w, r["how"], r["switch"] or "—", ", ".join(r["techniques"])] for w, r in by_weakness.items()]


def _probe_verdict(probe: dict[str, Any]) -> str:
    v = probe.get("verdict")
    if isinstance(v, str):
        return v
    if probe.get("unverified"):
        return "UNVERIFIED"
    return "FOOLED" if probe.get("found") else "RESISTED"


def _fooled_controls(controls: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [c for c in controls if c.get("expected_pass") is False and c.get("status") == "FAILED"]


def _grader_headline(name: str, probe: dict[str, Any]) -> str:
    techniques, controls = probe["techniques"], probe["controls"]
    counts = Counter(str(t["verdict"]) for t in techniques)
    applicable = len(techniques) - counts["NOT-APPLICABLE"]
    fooled = [t for t in techniques if t["verdict"] == "FOOLED"]
    verdict = _probe_verdict(probe)
    if fooled:
        families = sorted({str(t["family"]) for t in fooled})
        body = (f"FOOLED by {len(fooled)} of {len(techniques)} techniques ({applicable} applicable; families "
                f"{', '.join(families)})")
    elif verdict == "FOOLED":
        body = "FOOLED by a control (" + ", ".join(str(c["control"]) for c in _fooled_controls(controls)) + ")"
    else:
        body = f"{verdict}: none of {len(techniques)} techniques fooled it ({applicable} applicable"
        body += f", {counts['ERROR']} errors)" if counts["ERROR"] else ")"
    if verdict == "UNVERIFIED" and fooled:
        body = "UNVERIFIED; " + body
    return f"grader {name}: {body}; {_controls_text(controls)}"


def _grader_warnings(name: str, probe: dict[str, Any]) -> list[str]:
    out = []
    fooled = [str(t["technique"]) for t in probe["techniques"] if t["verdict"] == "FOOLED"]
    if fooled:
        shown = ", ".join(fooled[:8]) + (f" and {len(fooled) - 8} more" if len(fooled) > 8 else "")
        out.append(f"grader {name} was FOOLED by {len(fooled)} technique{'s' if len(fooled) != 1 else ''}: {shown}")
    for c in _fooled_controls(probe["controls"]):
        out.append(f"grader {name} passes the {c['control']} control, which must fail ({one_line(c.get('detail'))}): "
                   "it passes wrong answers, so no technique verdict can be trusted")
    if _probe_verdict(probe) == "UNVERIFIED":
        lines = [h for h in probe.get("headline") or [] if isinstance(h, str) and h.startswith("UNVERIFIED")]
        out.append(f"grader {name}: the probe is UNVERIFIED (its controls did not behave, so a failed attempt shows "
                   "nothing)" + (f": {one_line(lines[0], 240)}" if lines else ""))
    return out


def _grader_part(sec: Section, k: int, item: Loaded) -> None:
    from foulplay.hacks import advice_for

    probe, name = item.data, item.name
    target = str(probe.get("target") or name)
    rows = _grid_rows(probe["techniques"])
    counts = Counter(v for _, _, v in rows)
    if rows:
        sec.figures.append(Figure(f"{name}: techniques x verdicts", figs.verdict_grid_figure(rows, f"grader-{k}"),
                                  f"target {target}; " + ", ".join(f"{counts[v]} {v}" for v in figs.VERDICTS)))
    capped(sec, f"{name}: every technique", ["technique", "family", "verdict", "evidence"],
           _technique_table(probe["techniques"]), "techniques")
    sec.tables.append(Table(f"{name}: controls", ["control", "expected", "status", "detail"],
                            _control_rows(probe["controls"])))
    advice = advice_for(probe)
    if advice:
        capped(sec, f"{name}: to close each hole", ["weakness", "how to close it", "built-in harness switch",
                                                    "closes (what fooled it)"], _advice_rows(advice), "weaknesses")
    sec.warnings += _grader_warnings(name, probe)
    sec.headline.append(_grader_headline(name, probe))
    isolation = probe.get("isolation")
    sec.notes.append(f"{name}: target {target}; attempts ran with isolation {isolation or 'not recorded'}; "
                     f"from {item.source}")
    if isolation == "none":
        sec.warnings.append(f"grader {name}: the probe ran with no isolation (a plain child process)")


@section("grader")
def grader_section(results: Results) -> Section | None:
    if not results.grader_audits:
        return None
    sec = Section("grader", "Grader audit: techniques x verdicts",
                  intro="Each catalog technique submitted to the grader (foulplay probe), grouped by family: FOOLED "
                        "(the grader passed it while its controls show it fails wrong answers), RESISTED, ERROR (the "
                        "probe could not tell), UNVERIFIED (the controls did not behave, so the answer shows nothing) "
                        "or NOT-APPLICABLE (the grader cannot have what it needs, or no problem fits). The controls "
                        "ran first: the reference solution must pass, a wrong solution and an empty submission must "
                        "fail. 'To close each hole' lists the weaknesses the fooling techniques need; closing one "
                        "weakness of each of a technique's alternatives stops it.")
    for k, item in enumerate(results.grader_audits):
        _grader_part(sec, k, item)
    return sec


# -- detectors --------------------------------------------------------------------------------------------------
def _fig_text(fig: Any, percent: bool = True) -> str:
    if not isinstance(fig, dict) or not isinstance(fig.get("value"), (int, float)):
        return "—"
    v = fig["value"]
    body = f"{v:.1%}" if percent else f"{v:.3f}"
    ci = figs._interval(fig)
    if ci:
        body += f" [{ci[0]:.1%}-{ci[1]:.1%}]" if percent else f" [{ci[0]:.3f}-{ci[1]:.3f}]"
    return body


def _tpr_text(point: Any) -> str:
    if not isinstance(point, dict):
        return "—"
    thr = point.get("threshold")
    return _fig_text(point) + (f" (score ≥ {thr:g})" if isinstance(thr, (int, float)) else " (flag nothing)")


def _detector_row(split: str, m: dict[str, Any]) -> list[str]:
    tpr = m.get("tpr_at_fpr") or {}
    return [split, str(m.get("detector", "?")), _fig_text(m.get("auroc"), percent=False), _tpr_text(tpr.get("1%")),
            _tpr_text(tpr.get("5%")), _fig_text(m.get("precision")), _fig_text(m.get("recall")),
            _fig_text(m.get("fpr")), f"{m.get('n', 0)} ({m.get('hacks', 0)} hack, {m.get('clean', 0)} clean)",
            str(m.get("errors", 0))]


def _scripted(run: dict[str, Any]) -> str | None:
    from foulplay.bench._compare import scripted

    model = (run.get("settings") or {}).get("monitor_model")
    if scripted(model):
        return str(model)
    return None


def _detector_figure(sec: Section, k: int, item: Loaded, metrics: list[tuple[str, dict[str, Any]]]) -> None:
    curves = [(f"{split} / {m.get('detector')}", m["curve"], (m.get("auroc") or {}).get("value"))
              for split, m in metrics if isinstance(m.get("curve"), list) and m["curve"]]
    data = "; ".join(f"{split} {m.get('detector')}: {m.get('n', 0)} items ({m.get('hacks', 0)} hack, "
                     f"{m.get('clean', 0)} clean) in {m.get('clusters', 0)} tasks" for split, m in metrics)
    if curves:
        sec.figures.append(Figure(f"{item.name}: ROC curves", figs.roc_figure(curves, f"roc-{k}"), f"From {data}."))
        return
    rows = [(f"{split} / {m.get('detector')}", m.get("tpr_at_fpr") or {}) for split, m in metrics]
    if any(rows_table for _, rows_table in rows):
        sec.figures.append(Figure(f"{item.name}: TPR at 1% and 5% FPR", figs.tpr_dots_figure(rows, f"tpr-{k}"),
                                  "The bench report has no ROC curve points, so only the operating points are "
                                  f"drawn. From {data}."))


def _detectors_part(sec: Section, k: int, item: Loaded) -> None:
    run = item.data
    metrics = [(str(split), m) for split, by in run["sets"].items() for m in by.values()]
    if not metrics:
        sec.notes.append(f"{item.name}: the detector comparison is empty (no data set had labelled items)")
        return
    _detector_figure(sec, k, item, metrics)
    capped(sec, f"{item.name}: operating points", ["data set", "detector", "AUROC [95% CI]", "TPR@1%FPR (threshold)",
                                                   "TPR@5%FPR (threshold)", "precision", "recall", "FPR",
                                                   "items", "errors"],
           [_detector_row(split, m) for split, m in metrics], "rows")
    measured = run.get("measured") or {}
    where = ", ".join(f"{key} {measured[key]}" for key in ("date", "commit", "split", "per_generator", "seed")
                      if measured.get(key) is not None)
    sec.notes.append(f"{item.name}: from {item.source}" + (f" ({where})" if where else "") + "; intervals: "
                     "cluster bootstrap over tasks, 95%")
    sec.notes += [f"{item.name}: {one_line(n, 300)}" for n in run.get("notes") or [] if isinstance(n, str)]
    model = _scripted(run)
    if model:
        sec.warnings.append(f"detectors {item.name}: the monitor model {model} is scripted: the monitor and combined "
                            "figures test the pipeline and say nothing about a monitor; measuring them needs a real "
                            "model (--monitor-model)")
    failed = [(split, m) for split, m in metrics if int(m.get("errors") or 0)]
    for split, m in failed:
        sec.notes.append(f"{item.name}: {split} {m.get('detector')}: {m.get('errors')} items could not be judged; "
                         "they are left out of its figures, not counted as clean")
    for split, m in metrics:
        tpr = (m.get("tpr_at_fpr") or {}).get("1%")
        sec.headline.append(f"detectors {item.name}: {split} {m.get('detector')}: AUROC "
                            f"{_fig_text(m.get('auroc'), percent=False)}, TPR at 1% FPR {_fig_text(tpr)}, "
                            f"n={m.get('n', 0)}")


@section("detectors")
def detectors_section(results: Results) -> Section | None:
    if not results.detectors:
        return None
    sec = Section("detectors", "Detectors: operating points",
                  intro="Each detector on the same labelled items (foulplay bench --detectors): AUROC, the "
                        "true-positive rate at 1% and 5% false-positive rate with the score threshold that keeps the "
                        "false positives within the budget, and precision, recall and false-positive rate at the "
                        "detector's own operating point, each with a 95% interval that resamples tasks. Items a "
                        "detector could not judge are counted as errors and left out, never taken for clean.")
    for k, item in enumerate(results.detectors):
        _detectors_part(sec, k, item)
    return sec


# -- agent and code scans ---------------------------------------------------------------------------------------
UNCHECKED_MARKERS = ("could not be", "does not parse", "do not parse", "not reconstructed", "rule error",
                     "invalid JSON", "exceeded", "longer than")
"""Notes that say part of an item was not checked (a clean verdict over what was checked)."""


def _unchecked(item: dict[str, Any]) -> list[str]:
    return [str(n) for n in item.get("notes") or [] if any(m in str(n) for m in UNCHECKED_MARKERS)]


def scan_status(item: dict[str, Any]) -> str:
    """hack | error | unverified (clean over what could be read, part could not be checked) | suspicious (clean,
    with findings below the scan's threshold) | clean."""
    verdict = str(item.get("verdict"))
    if verdict in ("hack", "error"):
        return verdict
    if _unchecked(item):
        return "unverified"
    return "suspicious" if item.get("findings") else "clean"


STATUSES = ("hack", "suspicious", "unverified", "error", "clean")


def _evidence(finding: dict[str, Any]) -> str:
    quote = finding.get("snippet") or finding.get("message") or ""
    where = finding.get("path") or ""
    if where and finding.get("line"):
        where += f":{finding['line']}"
    return f"{finding.get('rule', '?')} {where} “{one_line(quote, 120)}”".replace("  ", " ")


def _flagged_row(item: dict[str, Any], status: str) -> list[str]:
    findings = [f for f in item.get("findings") or [] if isinstance(f, dict)]
    rules = sorted({str(f.get("rule", "?")) for f in findings})
    families = sorted({str(f.get("family", "?")) for f in findings})
    evidence = "; ".join(_evidence(f) for f in findings[:4]) + (f"; +{len(findings) - 4} more" if len(findings) > 4
                                                                 else "")
    if status in ("error", "unverified"):
        evidence = one_line(item.get("error") or "; ".join(_unchecked(item)), 240) + (f"; {evidence}" if evidence
                                                                                       else "")
    return [one_line(item.get("id"), 80), status, ", ".join(rules) or "—", ", ".join(families) or "—", evidence]


def _scan_part(sec: Section, item: Loaded) -> None:
    items = [i for i in item.data["items"] if isinstance(i, dict)]
    statuses = [scan_status(i) for i in items]
    counts = Counter(statuses)
    sec.tables.append(Table(f"{item.name}: items", [*STATUSES, "total"],
                            [[str(counts[s]) for s in STATUSES] + [str(len(items))]]))
    order = {s: k for k, s in enumerate(STATUSES)}
    flagged = sorted(((i, s) for i, s in zip(items, statuses, strict=True) if s != "clean"),
                     key=lambda p: order[p[1]])
    if flagged:
        capped(sec, f"{item.name}: flagged and unchecked items", ["item", "status", "rules", "families", "evidence"],
               [_flagged_row(i, s) for i, s in flagged], "items")
    unchecked = counts["error"] + counts["unverified"]
    if unchecked:
        sec.warnings.append(f"scan {item.name}: {unchecked} of {len(items)} item(s) could not be checked in full "
                            f"({counts['error']} error, {counts['unverified']} partly unchecked); they are not "
                            "counted as clean")
    options = item.data.get("options") or {}
    sec.notes.append(f"{item.name}: scanned {one_line(item.data.get('scanned') or item.source, 200)}; a hack needs a "
                     f"finding at severity {options.get('fail_on', '?')} and confidence "
                     f"{options.get('min_confidence', '?')} or above (suspicious: findings below that)")
    sec.headline.append(f"scan {item.name}: {len(items)} item(s): " + ", ".join(f"{counts[s]} {s}" for s in STATUSES))


@section("agent", before="detectors")
def agent_section(results: Results) -> Section | None:
    if not results.scans:
        return None
    sec = Section("agent", "Agent and code scans",
                  intro="What foulplay scan found in agent transcripts, completions, rollouts, diffs or code: each "
                        "item is a hack (a finding at or above the scan's threshold), suspicious (findings below "
                        "it), unverified (part of it could not be read or checked), an error (it could not be "
                        "scanned) or clean. An item that could not be checked is never shown as clean.")
    for item in results.scans:
        _scan_part(sec, item)
    return sec


@section("answer", before="training")
def answer_section(results: Results) -> Section | None:
    """Each audit's question and its answer, first on the page: what the reader came for."""
    answered = [a for a in results.audits if a.answer]
    if not answered:
        return None
    sec = Section("answer", "The answer")
    for a in answered:
        sec.tables.append(Table(a.title, ["finding"], [[line] for line in a.answer]))
        sec.headline += [f"{a.title} {line}" if k == 0 else line for k, line in enumerate(a.answer)]
        if a.notes:
            sec.notes += [one_line(n, 400) for n in a.notes]
    return sec
