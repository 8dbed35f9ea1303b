"""``audit agent``: did this agent tamper with our tests? Its transcripts, diffs or a git range scanned by the
static rules and, with a monitor model, read by the LLM monitors. The scanning itself is the ``scan`` and
``monitor`` commands' (the command layer hands them in as stages); this module orders them and decides."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from foulplay.audit._folder import AuditFolder, Part, StageResult
from foulplay.errors import InputError
from foulplay.vocab import exit_status

SCAN_FILE = "scan.json"
DETECTORS_FILE = "detectors.json"
MONITOR_FILE = "monitor.json"


@dataclass
class AgentSpec:
    paths: list[str]
    git: str | None = None
    monitor_model: str | None = None
    scan_args: list[str] = field(default_factory=list)

    def config(self) -> dict[str, Any]:
        return dict(self.__dict__)


def _read(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InputError(f"{path}: the scan wrote no readable report ({type(exc).__name__})") from None
    return data if isinstance(data, dict) else {}


def merge_reports(reports: list[dict[str, Any]]) -> dict[str, Any]:
    """Several of scan's JSON reports (one per input: scan takes one kind of input at a time) as one."""
    if len(reports) == 1:
        return reports[0]
    verdicts: dict[str, int] = {}
    by_rule: dict[str, int] = {}
    items: list[Any] = []
    for r in reports:
        items += r.get("items") or []
        for key, into in (("verdicts", verdicts), ("by_rule", by_rule)):
            for k, v in ((r.get("summary") or {}).get(key) or {}).items():
                into[k] = into.get(k, 0) + int(v)
    first = reports[0] if reports else {}
    return {"tool": first.get("tool"), "scanned": ", ".join(str(r.get("scanned")) for r in reports),
            "options": first.get("options"), "summary": {"items": len(items), "verdicts": verdicts,
                                                         "by_rule": by_rule}, "items": items}


def scan_stage(folder: AuditFolder, inputs: list[list[str]], run_scan: Callable[[list[str], Path], int]
               ) -> StageResult:
    """``run_scan(paths, out)`` writes scan's JSON report of ``paths`` to ``out``; one call per input group."""
    from foulplay._util.files import atomic_write_text

    out = folder.path(SCAN_FILE)
    reports = []
    for i, group in enumerate(inputs):
        part = folder.path(f"scan-{i}.json")
        run_scan(group, part)
        reports.append(_read(part))
        part.unlink()
    data = merge_reports(reports)
    atomic_write_text(out, json.dumps(data, indent=2) + "\n")
    from foulplay.report._sections_audit import scan_status

    unverified = sum(1 for i in data.get("items") or [] if isinstance(i, dict) and scan_status(i) == "unverified")
    verdicts = (data.get("summary") or {}).get("verdicts") or {}
    return StageResult([Part("scan", SCAN_FILE, "static scan")],
                       {"items": int((data.get("summary") or {}).get("items") or 0),
                        "hack": int(verdicts.get("hack", 0)), "error": int(verdicts.get("error", 0)),
                        "clean": int(verdicts.get("clean", 0)) - unverified, "unverified": unverified,
                        "by_rule": (data.get("summary") or {}).get("by_rule") or {}})


def monitor_stage(folder: AuditFolder, run_monitor: Callable[[Path], int], threshold: int = 50) -> StageResult:
    """``run_monitor(out)`` writes ``foulplay monitor --format json``'s report to ``out``. An item is flagged when
    a view judged it a hack or rated its suspicion at ``threshold`` or more; an error when no view could."""
    out = folder.path(MONITOR_FILE)
    run_monitor(out)
    data = _read(out)
    items = [r for r in data.get("verdicts") or [] if isinstance(r, dict)]
    views = [[v for v in r.values() if isinstance(v, dict) and "status" in v] for r in items]
    flagged = sum(1 for vs in views if any(v["status"] == "ok" and (v.get("hack") or (v.get("suspicion") or 0)
                                                                     >= threshold) for v in vs))
    errors = sum(1 for vs in views if not any(v["status"] == "ok" for v in vs))
    return StageResult([], {"items": len(items), "flagged": flagged, "errors": errors},
                       [f"LLM monitor: {flagged} of {len(items)} flagged, {errors} could not be read "
                        f"(details in {MONITOR_FILE})"])


def detectors_stage(folder: AuditFolder, run_bench: Callable[[Path], int]) -> StageResult:
    """``run_bench(out)`` writes ``foulplay bench --format json``'s report: how well the detectors the audit
    used find known hacks and pass honest code, so the report can say how far a clean verdict goes."""
    out = folder.path(DETECTORS_FILE)
    run_bench(out)
    _read(out)
    return StageResult([Part("detectors", DETECTORS_FILE, "detector benchmark")], {"file": DETECTORS_FILE})


def audit_agent(folder: AuditFolder, inputs: list[list[str]], run_scan: Callable[[list[str], Path], int],
                run_monitor: Callable[[Path], int] | None = None, *, run_bench: Callable[[Path], int] | None = None,
                max_errors: int = 0, exit_zero: bool = False) -> tuple[int, dict[str, Any]]:
    """Run (or resume) the agent audit of ``inputs`` (groups of paths scan takes together). Exit status: 1 when
    an item was found to be a hack (by the scan, or by the monitor), 2 when items could not be checked beyond
    ``max_errors``."""
    s = folder.stage("scan", lambda: scan_stage(folder, inputs, run_scan))
    m = folder.stage("monitor", lambda: monitor_stage(folder, run_monitor)) if run_monitor else {}
    if run_bench is not None:
        folder.stage("detector benchmark", lambda: detectors_stage(folder, run_bench))
    found = bool(s["hack"] or m.get("flagged"))
    code = exit_status(found=found, errors=s["error"] + int(s.get("unverified") or 0) + int(m.get("errors") or 0),
                       max_errors=max_errors,
                       exit_zero=exit_zero)
    return int(code), {"scan": s, "monitor": m or None}
