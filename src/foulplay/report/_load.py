"""What ``foulplay report`` reads: run folders (docs/run-folder.md), eval summary JSON files, suite summaries and
folders of them (an Inspect log directory ``foulplay eval`` wrote), and the audit inputs of ``_load_audit``
(probe, bench and scan reports, audit folders), loaded into :class:`Results`."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from foulplay.errors import InputError
from foulplay.evals._summary import AGENTIC
from foulplay.report._load_audit import (
    AUDIT_FILE,
    Audit,
    Loaded,
    kind_of,
    load_part_file,
    loaded,
    read_audit,
    read_json,
)
from foulplay.training._runfolder import (
    EVALS_DIR,
    SUITE_FILE,
    SUMMARY_SUFFIX,
    RunMeta,
    is_eval_summary,
    is_run_folder,
    is_suite_summary,
    read_run_folder,
    read_summary,
)

CHAT_LIKE = ("emergent_questions", "goals", "alignment_questions")


def is_coding(summary: dict[str, Any]) -> bool:
    """A hack-propensity summary (an agent in a repository; its rate is the share that cheated)."""
    return summary.get("kind") == "coding" or summary.get("eval") == "hack_propensity"


def is_agentic(summary: dict[str, Any]) -> bool:
    return summary.get("kind") == "agentic" or summary.get("eval") in AGENTIC


def rate_of(summary: dict[str, Any]) -> float | None:
    """The summary's misaligned rate, None when it has none (no usable sample)."""
    r = summary.get("misaligned_rate")
    return None if r is None or (isinstance(r, float) and math.isnan(r)) else float(r)


@dataclass
class EvalSet:
    """Eval summaries made together: one checkpoint of a run, or the summaries of one folder or file list."""

    name: str
    summaries: list[dict[str, Any]]
    suite: dict[str, Any] | None = None
    step: int | None = None
    source: Path | None = None
    coding: list[dict[str, Any]] = field(default_factory=list)
    """Hack-propensity summaries (``kind: coding``): their rate is a hack rate, not a misalignment rate, so
    they are kept apart from ``summaries`` and shown in their own section."""

    def __post_init__(self) -> None:
        self.split_coding()

    def split_coding(self) -> None:
        self.coding += [s for s in self.summaries if is_coding(s)]
        self.summaries = [s for s in self.summaries if not is_coding(s)]

    @property
    def usable(self) -> list[dict[str, Any]]:
        return [s for s in self.summaries if rate_of(s) is not None]

    def mgs(self) -> dict[str, Any] | None:
        """The suite's MGS with its interval; without a suite summary, the plain mean of the evals' rates (no
        interval: the per-sample data a bootstrap needs is not in the summaries)."""
        if self.suite is not None and isinstance(self.suite.get("mgs"), (int, float)) and \
                not math.isnan(self.suite["mgs"]):
            return {"rate": float(self.suite["mgs"]), "low": self.suite.get("low"), "high": self.suite.get("high"),
                    "method": self.suite.get("method", ""), "n_evals": len(self.suite.get("evals") or [])}
        rates = [r for r in (rate_of(s) for s in self.summaries) if r is not None]
        if len(rates) < 2:
            return None
        return {"rate": sum(rates) / len(rates), "low": None, "high": None, "method": "mean, no interval",
                "n_evals": len(rates)}

    @property
    def dry_run(self) -> bool:
        return any(s.get("dry_run") for s in self.summaries) or bool((self.suite or {}).get("dry_run"))

    @property
    def constructed(self) -> bool:
        return any(s.get("constructed") for s in self.summaries) or bool((self.suite or {}).get("constructed"))


@dataclass
class RunResult:
    name: str
    path: Path
    meta: RunMeta
    steps: list[dict[str, Any]] = field(default_factory=list)
    checkpoints: list[EvalSet] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    trainer_steps: list[dict[str, Any]] = field(default_factory=list)
    """The trainer's own step metrics when ``steps`` are an audit's (drawn beside them)."""

    @property
    def evaluated(self) -> list[EvalSet]:
        return [c for c in self.checkpoints if c.summaries]

    @property
    def final(self) -> EvalSet | None:
        done = self.evaluated
        return done[-1] if done else None


@dataclass
class Results:
    runs: list[RunResult] = field(default_factory=list)
    eval_sets: list[EvalSet] = field(default_factory=list)
    """Summaries given outside a run folder."""
    notes: list[str] = field(default_factory=list)
    grader_audits: list[Loaded] = field(default_factory=list)
    """Probe reports (``foulplay probe --format json``)."""
    detectors: list[Loaded] = field(default_factory=list)
    """Detector comparisons (the ``detectors`` table of ``foulplay bench --detectors ... --format json``)."""
    scans: list[Loaded] = field(default_factory=list)
    """Scan reports (``foulplay scan --format json``)."""
    audits: list[Audit] = field(default_factory=list)
    """Audit folders given (their parts are loaded into the lists above)."""

    @property
    def constructed(self) -> bool:
        return any(r.meta.constructed for r in self.runs) or any(
            c.constructed for r in self.runs for c in r.checkpoints) or any(
            s.constructed for s in self.eval_sets) or any(a.constructed for a in self.audits)

    @property
    def dry_run(self) -> bool:
        return any(c.dry_run for r in self.runs for c in r.checkpoints) or any(
            s.dry_run for s in self.eval_sets) or any(a.dry_run for a in self.audits)

    @property
    def banners(self) -> list[str]:
        """Audit folders that did not finish or lack parts, one line each (shown at the top of the page)."""
        return [b for b in (a.banner() for a in self.audits) if b]

    def final_sets(self) -> list[tuple[str, EvalSet]]:
        """One eval set per row of a comparison: each run's last evaluated checkpoint, each standalone set."""
        out = [(r.name, r.final) for r in self.runs if r.final is not None]
        out += [(s.name, s) for s in self.eval_sets if s.summaries]
        return out  # type: ignore[return-value]

    @property
    def empty(self) -> bool:
        return not any(r.steps or r.evaluated for r in self.runs) and not any(
            s.summaries or s.coding for s in self.eval_sets) and not (
            self.grader_audits or self.detectors or self.scans)


def _unique(name: str, taken: set[str]) -> str:
    out, i = name, 2
    while out in taken:
        out, i = f"{name} ({i})", i + 1
    taken.add(out)
    return out


def _add_summary(groups: dict[Path, EvalSet], f: Path, notes: list[str]) -> None:
    data = read_summary(f)
    group = groups.setdefault(f.parent, EvalSet(f.parent.name or str(f.parent), [], source=f.parent))
    if is_suite_summary(data):
        group.suite = data
    elif is_eval_summary(data):
        data.setdefault("summary_file", str(f))
        group.summaries.append(data)
    else:
        notes.append(f"{f}: {data.get('eval')} summary left out (not a misalignment eval: no misaligned_rate)")


def _latest_per_eval(summaries: list[dict[str, Any]], where: str, notes: list[str]) -> list[dict[str, Any]]:
    """One summary per eval (and condition): the last in file-name order, which for ``foulplay eval``'s log
    names (they start with a timestamp) is the newest; the others are named in a note."""
    by_key: dict[tuple[str, str], dict[str, Any]] = {}
    for s in sorted(summaries, key=lambda s: str(s.get("summary_file") or "")):
        key = (str(s["eval"]), str(s.get("condition") or "pressure"))
        if key in by_key:
            notes.append(f"{where}: two summaries of {key[0]} ({by_key[key].get('summary_file')}, "
                         f"{s.get('summary_file')}); the report uses the later one")
        by_key[key] = s
    return sorted(by_key.values(), key=lambda s: str(s["eval"]))


class _Loader:
    """One ``load_results`` call: the results so far, the names taken and the summaries grouped by folder."""

    def __init__(self) -> None:
        self.results = Results()
        self.taken: set[str] = set()
        self.groups: dict[Path, EvalSet] = {}

    def path(self, p: Path) -> None:
        if not p.exists():
            raise InputError(f"{p}: no such file or directory")
        if p.is_dir() and (p / AUDIT_FILE).is_file():
            self.audit(p)
        elif p.is_dir() and is_run_folder(p):
            self.run(p)
        elif p.is_dir():
            self.summary_folder(p)
        elif p.name.endswith(".json"):
            self.json_file(p)
        else:
            raise InputError(f"{p}: not a run folder or an eval summary (*{SUMMARY_SUFFIX}, {SUITE_FILE}), nor an "
                             "audit folder or a probe, bench or scan JSON report")

    def run(self, p: Path) -> None:
        run = read_run_folder(p)
        sets = [EvalSet(f"step {c.step}", _latest_per_eval(c.summaries, str(c.path), self.results.notes), c.suite,
                        c.step, c.path / EVALS_DIR) for c in run.checkpoints]
        self.results.runs.append(RunResult(_unique(run.name, self.taken), p, run.meta, run.steps, sets, run.notes,
                                           run.trainer_steps))

    def summary_folder(self, p: Path, name: str | None = None) -> None:
        files = sorted(f for f in p.iterdir() if f.is_file() and f.name.endswith(SUMMARY_SUFFIX))
        if not files:
            raise InputError(f"{p}: neither a run folder (no run.json), an audit folder (no {AUDIT_FILE}) nor a "
                             f"folder of eval summaries (no *{SUMMARY_SUFFIX})")
        if name is not None:
            self.groups.setdefault(p, EvalSet(name, [], source=p))
        for f in files:
            _add_summary(self.groups, f, self.results.notes)

    def json_file(self, p: Path) -> None:
        data = read_json(p)
        kind = kind_of(data)
        if kind == "audit":
            self.audit(p)
        elif kind in ("probe", "detectors", "scan"):
            self.add(kind, loaded(kind, p, data))
        else:
            _add_summary(self.groups, p, self.results.notes)

    def add(self, kind: str, item: Loaded) -> None:
        target = {"probe": self.results.grader_audits, "detectors": self.results.detectors,
                  "scan": self.results.scans}[kind]
        item.name = _unique(item.name, self.taken)
        target.append(item)

    def audit(self, path: Path) -> None:
        audit = read_audit(path)
        self.results.audits.append(audit)
        if not audit.answer:  # with an answer, the answer section shows the notes under it
            self.results.notes += [f"audit {audit.title}: {n}" for n in audit.notes]
        for part in audit.parts:
            if part.kind == "run":
                if not (part.path.is_dir() and is_run_folder(part.path)):
                    raise InputError(f"{part.path}: a run part must be a run folder (with run.json)")
                self.run(part.path)
            elif part.kind == "evals":
                if not part.path.is_dir():
                    raise InputError(f"{part.path}: an evals part must be a folder of *{SUMMARY_SUFFIX}")
                self.summary_folder(part.path, part.name)
            else:
                self.add(part.kind, load_part_file(part))

    def finish(self, examples: bool) -> Results:
        results = self.results
        for group in self.groups.values():
            if not group.summaries and group.suite is not None:
                group.summaries = [_from_suite(k, v) for k, v in sorted((group.suite.get("per_eval") or {}).items())]
            group.summaries = _latest_per_eval(group.summaries, str(group.source), results.notes)
            group.split_coding()
            group.name = _unique(group.name, self.taken)
            results.eval_sets.append(group)
        if examples:
            from foulplay.report._examples import attach_examples

            attach_examples([c for r in results.runs for c in r.checkpoints] + results.eval_sets, results.notes)
        return results


def load_results(paths: list[str | Path], *, examples: bool = True) -> Results:
    """Run folders, eval/suite summary files and folders holding ``*.summary.json``, probe, bench and scan JSON
    reports and audit folders (``audit.json``) into one :class:`Results`. Summaries given as files are grouped by
    their folder. Errors are :class:`~foulplay.errors.InputError`. With ``examples``, summaries that carry no
    example samples get some from their Inspect log when it is found (``_examples.attach_examples``)."""
    loader = _Loader()
    for raw in paths:
        loader.path(Path(raw))
    return loader.finish(examples)


def _from_suite(name: str, per_eval: dict[str, Any]) -> dict[str, Any]:
    """An eval summary rebuilt from a suite summary's ``per_eval`` entry (when only the suite was given)."""
    return {"eval": name, "misaligned_rate": per_eval.get("rate"), "ci_low": per_eval.get("ci_low"),
            "ci_high": per_eval.get("ci_high"), "usable": per_eval.get("usable", 0),
            "errors": per_eval.get("errors", 0), "covert_share": per_eval.get("covert_share"),
            "kind": "agentic" if name in AGENTIC else None}
