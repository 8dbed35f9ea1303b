"""``audit grader``: is this grader safe to train against? The probe (every applicable technique of the
catalog, after the three mandatory controls) and, for each hole it finds, what closes it."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from foulplay.audit._folder import AuditFolder, Part, StageResult
from foulplay.audit._progress import StageProgress
from foulplay.vocab import exit_status

PROBE_FILE = "probe.json"


@dataclass
class GraderSpec:
    """What to probe: ``target`` (grader.toml or module:function) or ``harness``, and how."""

    target: str | None = None
    harness: str | None = None
    problems: str | None = None
    reference: str | None = None
    limit: int | None = None
    visible: str | None = None
    techniques: list[str] = field(default_factory=list)
    families: list[str] = field(default_factory=list)
    pass_score: float = 1.0
    timeout: float | None = None

    @property
    def name(self) -> str:
        return self.target or f"harness {self.harness}"

    def config(self) -> dict[str, Any]:
        return dict(self.__dict__)


def probe_stage(folder: AuditFolder, spec: GraderSpec, workers: int, progress: StageProgress) -> StageResult:
    from foulplay._util.files import atomic_write_text
    from foulplay.hacks._advice import advice_for
    from foulplay.hacks._probe import open_target, run_probe, select_techniques

    techniques = select_techniques(spec.techniques, spec.families)
    target, closers = open_target(spec.target, spec.harness, problems_path=spec.problems,
                                  reference_path=spec.reference, limit=spec.limit, visible=spec.visible,
                                  workers=workers, timeout=spec.timeout, pass_score=spec.pass_score)
    try:
        with progress.bar("probing") as update:
            report = run_probe(target, techniques, workers=workers, on_progress=lambda: update())
    finally:
        for c in closers:
            c.close()
    data = report.to_json_dict()
    data["advice"] = advice_for(data)
    atomic_write_text(folder.path(PROBE_FILE), json.dumps(data, indent=2) + "\n")
    summary = {"verdict": data["verdict"], "found": bool(report.found), "unverified": bool(report.unverified),
               "errors": int(report.errors),
               "headline": data["headline"], "counts": data["summary"], "isolation": data["isolation"],
               "holes": len(data["advice"])}
    return StageResult([Part("probe", PROBE_FILE, spec.name)], summary)


def audit_grader(folder: AuditFolder, spec: GraderSpec, *, workers: int, progress: StageProgress,
                 max_errors: int = 0, exit_zero: bool = False) -> tuple[int, dict[str, Any]]:
    """Run (or resume) the grader audit; its exit status (the probe's rule) and summary."""
    summary = folder.stage("probe", lambda: probe_stage(folder, spec, workers, progress))
    code = exit_status(found=summary["found"], errors=summary["errors"], unverified=summary["unverified"],
                       max_errors=max_errors, exit_zero=exit_zero)
    return int(code), summary
