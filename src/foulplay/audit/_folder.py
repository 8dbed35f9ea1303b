"""One audit's folder: ``audit.json`` (what was asked, which stages are done, the parts the report reads), the
parts themselves, and ``report.html``/``summary.md``. A stage records itself only when it finished, and every
file is written atomically, so an interrupted audit run again with the same settings skips what is done and
carries on; other settings in the same folder are refused in one line (``--fresh`` starts over)."""

from __future__ import annotations

import datetime as _dt
import json
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from foulplay.errors import InputError

SCHEMA = "foulplay.audit/1"
AUDIT_FILE = "audit.json"
PART_KINDS = ("probe", "scan", "detectors", "run", "evals")
WRITTEN = ("report.html", "summary.md", "logs", "run", "evals", "claimed_steps.jsonl", "probe.json", "scan.json",
           "detectors.json", "monitor.json", "monitor-cache")
"""Everything an audit may write in its folder (``--fresh`` removes these, and nothing else)."""


@dataclass
class Part:
    """One thing the report reads: a JSON file (probe, scan, detectors) or a folder (run, evals)."""

    kind: str
    path: str
    """Relative to the audit folder."""
    name: str

    def to_dict(self) -> dict[str, str]:
        return {"kind": self.kind, "path": self.path, "name": self.name}


@dataclass
class StageResult:
    """What a finished stage leaves: its parts, a small summary for ``audit.json``, notes for the page."""

    parts: list[Part] = field(default_factory=list)
    summary: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def _now() -> str:
    return _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds")


def _normal(config: dict[str, Any]) -> dict[str, Any]:
    """The settings as JSON has them (tuples become lists), so a resumed audit compares like with like."""
    return json.loads(json.dumps(config, sort_keys=True, default=str))


class AuditFolder:
    """The folder of one audit of ``kind`` made with ``config`` (every setting that changes its results)."""

    def __init__(self, root: str | Path, kind: str, config: dict[str, Any], *, title: str, fresh: bool = False,
                 on_stage: Callable[[str, str], None] | None = None) -> None:
        self.root = Path(root)
        self.kind = kind
        self.config = _normal(config)
        self.on_stage = on_stage
        if self.root.exists() and not self.root.is_dir():
            raise InputError(f"{self.root}: exists and is not a folder")
        state_file = self.root / AUDIT_FILE
        old = None
        if state_file.exists():
            try:
                old = self._read(state_file)
            except InputError:
                if not fresh:
                    raise
        if old is not None and not fresh:
            if old.get("kind") != kind or old.get("config") != self.config:
                changed = sorted(k for k in set(self.config) | set(old.get("config") or {})
                                 if (old.get("config") or {}).get(k) != self.config.get(k))
                what = f"a {old.get('kind')} audit" if old.get("kind") != kind else \
                    f"this audit with other settings ({', '.join(changed[:4])})"
                raise InputError(f"{self.root}: holds {what}; give --fresh to start it over, or another -o folder")
            self.state = old
            self.state["complete"] = False
        else:
            if old is not None:
                self._clear(old)
            self.state = {"schema": SCHEMA, "kind": kind, "title": title, "created": _now(), "config": self.config,
                          "complete": False, "constructed": False, "dry_run": False, "notes": [], "parts": [],
                          "stages": {}}
        self.root.mkdir(parents=True, exist_ok=True)
        self.save()

    # -- state ---------------------------------------------------------------------------------------------
    @staticmethod
    def _read(path: Path) -> dict[str, Any]:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise InputError(f"{path}: not a foulplay audit record ({type(exc).__name__}); give --fresh to "
                             "start over") from None
        if not isinstance(data, dict) or data.get("schema") != SCHEMA:
            raise InputError(f"{path}: not a foulplay audit record (schema {SCHEMA}); give --fresh to start over")
        return data

    def _clear(self, old: dict[str, Any]) -> None:
        """Remove what an earlier audit in this folder wrote (its parts and report), nothing else."""
        for stage in (old.get("stages") or {}).values():
            for part in stage.get("parts") or []:
                self._remove(part.get("path"))
        for extra in WRITTEN:
            self._remove(extra)

    def _remove(self, rel: Any) -> None:
        if not isinstance(rel, str) or not rel:
            return
        target = (self.root / rel).resolve()
        if self.root.resolve() not in target.parents:
            return
        if target.is_dir():
            shutil.rmtree(target)
        elif target.exists():
            target.unlink()

    def save(self) -> None:
        from foulplay._util.files import atomic_write_text

        stages = self.state["stages"]
        self.state["parts"] = [p for s in stages.values() if s.get("done") for p in s.get("parts") or []]
        self.state["notes"] = [n for s in stages.values() if s.get("done") for n in s.get("notes") or []]
        atomic_write_text(self.root / AUDIT_FILE, json.dumps(self.state, indent=2, default=str) + "\n")

    def path(self, rel: str) -> Path:
        return self.root / rel

    def done(self, name: str) -> bool:
        stage = self.state["stages"].get(name) or {}
        return bool(stage.get("done")) and all((self.root / p["path"]).exists() for p in stage.get("parts") or [])

    def summary(self, name: str) -> dict[str, Any]:
        return dict((self.state["stages"].get(name) or {}).get("summary") or {})

    def mark(self, *, constructed: bool | None = None, dry_run: bool | None = None) -> None:
        if constructed:
            self.state["constructed"] = True
        if dry_run:
            self.state["dry_run"] = True
        self.save()

    # -- stages --------------------------------------------------------------------------------------------
    def stage(self, name: str, run: Callable[[], StageResult]) -> dict[str, Any]:
        """Run stage ``name`` unless an earlier run of this audit finished it; its summary either way."""
        if self.done(name):
            if self.on_stage:
                self.on_stage(name, "resumed")
            return self.summary(name)
        if self.on_stage:
            self.on_stage(name, "start")
        result = run()
        for part in result.parts:
            if part.kind not in PART_KINDS:
                raise ValueError(f"unknown part kind {part.kind!r}")
        self.state["stages"][name] = {"done": True, "finished": _now(), "summary": result.summary,
                                      "parts": [p.to_dict() for p in result.parts], "notes": result.notes}
        self.save()
        if self.on_stage:
            self.on_stage(name, "done")
        return dict(result.summary)

    def finish(self, *, title: str | None = None, answer: list[str] | None = None,
               inputs: list[str] | None = None) -> Any:
        """Mark the audit complete, record its ``answer`` (one line per finding, shown first on the page) and
        write report.html and summary.md from its parts."""
        from foulplay.report import load_results, write_report

        self.state["complete"] = True
        self.state["answer"] = list(answer or [])
        self.save()
        results = load_results([self.root])
        return write_report(results, self.root, title=title or self.state["title"], inputs=inputs or [str(self.root)])
