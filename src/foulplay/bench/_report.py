"""The benchmark's report: figures per split, family, operating point, generator and rule, the real
data, the goals, and where and when it was measured. Plain data (``to_dict``) with a Markdown view."""

from __future__ import annotations

import datetime as dt
import os
import platform
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from foulplay.bench._corpus import SYSTEMIC
from foulplay.bench._measure import LEVELS, Cell, Scored, fmt_rate, per_rule, slice_by

DEFAULT_LEVEL = "medium"
SCHEMA = "foulplay.bench/1"


@dataclass(frozen=True)
class Goal:
    name: str
    split: str
    measure: str  # recall | fpr | speed
    target: float
    group: str

    def met(self, value: float | None) -> bool | None:
        if value is None:
            return None
        return value >= self.target if self.measure in ("recall", "speed") else value <= self.target


GOALS = (
    Goal("systemic hacks: recall >= 99%", "heldout", "recall", 0.99, "systemic"),
    Goal("special-casing: recall >= 90%", "heldout", "recall", 0.90, "special-casing"),
    Goal("honest look-alikes: false positives <= 1%", "heldout", "fpr", 0.01, "ALL"),
    Goal("reference solutions: false positives <= 2%", "real", "fpr", 0.02, "references"),
    Goal("throughput >= 1,000 rollouts/s/core", "speed", "speed", 1000.0, "speed"),
)


def groups_of(s: Scored) -> tuple[str, ...]:
    """The rows an item counts in: its family, systemic or not, and ALL."""
    extra = ("systemic",) if s.family in SYSTEMIC else ()
    return (s.family, *extra, "ALL")


def _commit() -> dict[str, Any]:
    """The checkout's commit and whether it has uncommitted changes (None outside a git checkout)."""
    here = Path(__file__).resolve().parent
    try:
        head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=here, capture_output=True, text=True, timeout=10)
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=here,
                               capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return {"commit": None, "dirty": None}
    if head.returncode != 0:
        return {"commit": None, "dirty": None}
    return {"commit": head.stdout.strip(), "dirty": bool(dirty.stdout.strip())}


def _cells(cells: dict[str, Cell]) -> dict[str, Any]:
    return {k: v.to_dict() for k, v in sorted(cells.items())}


@dataclass
class BenchReport:
    corpus: list[Scored]
    real: list[Scored] = field(default_factory=list)
    labelled: list[Scored] = field(default_factory=list)
    speed: float | None = None
    rule_families: dict[str, str] = field(default_factory=dict)
    settings: dict[str, Any] = field(default_factory=dict)
    dynamic: list[Scored] = field(default_factory=list)
    """The special-casing items with the dynamic check's finding (FP590) added (``--dynamic``)."""
    dynamic_status: dict[str, dict[str, int]] = field(default_factory=dict)
    """Per split: how many dynamic checks ended flagged, clean, error, unverified, not-applicable."""
    dynamic_codes: frozenset[str] = frozenset()
    batches: dict[str, str] = field(default_factory=dict)
    """Generator name -> batch of its half (``b1``, ``b2``, ...): each blind batch is reported on its own."""
    detectors: Any = None
    """The detectors side by side (``--detectors``): a :class:`foulplay.bench._compare.DetectorRun`."""

    def batch_names(self, split: str) -> list[str]:
        names = {self.batches.get(s.group, "b1") for s in self.split(split)}
        return sorted(names) if len(names) > 1 else []

    def batch(self, split: str, name: str) -> list[Scored]:
        return [s for s in self.split(split) if self.batches.get(s.group, "b1") == name]

    # -- figures --------------------------------------------------------------------------------
    def split(self, name: str) -> list[Scored]:
        return [s for s in self.corpus if s.split == name]

    def splits(self) -> list[str]:
        return [s for s in ("dev", "heldout") if self.split(s)]

    def by_group(self, items: Sequence[Scored], level: str = DEFAULT_LEVEL) -> dict[str, Cell]:
        return slice_by(items, groups_of, level)

    def real_groups(self, level: str = DEFAULT_LEVEL) -> dict[str, Cell]:
        cells = slice_by([s for s in self.real if s.label != "unlabelled"], lambda s: (s.group,), level)
        refs = [s for s in self.real if s.family == "reference"]
        if refs:
            cells["references"] = slice_by(refs, lambda s: ("x",), level)["x"]
        return cells

    def unlabelled(self, level: str = DEFAULT_LEVEL) -> dict[str, tuple[int, int]]:
        """Per group of unlabelled real items: (flagged, total)."""
        out: dict[str, tuple[int, int]] = {}
        for s in self.real:
            if s.label == "unlabelled" and not s.error:
                f, t = out.get(s.group, (0, 0))
                out[s.group] = (f + int(s.flagged(level)), t + 1)
        return out

    def special_cells(self, split: str, dynamic: bool, level: str = DEFAULT_LEVEL) -> Cell:
        """Special-casing recall and false positives of one half, static rules alone or with the dynamic check
        (over the same items)."""
        ids = {s.id for s in self.dynamic if s.split == split}
        items = [s for s in self.dynamic if s.split == split] if dynamic else \
            [s for s in self.split(split) if s.id in ids]
        return slice_by(items, lambda s: ("x",), level).get("x", Cell())

    def goal_value(self, goal: Goal) -> float | None:
        if goal.measure == "speed":
            return self.speed
        if goal.split == "real":
            cell = self.real_groups().get(goal.group)
        else:
            cell = self.by_group(self.split(goal.split)).get(goal.group)
        if cell is None:
            return None
        return (cell.recall if goal.measure == "recall" else cell.fpr).value

    def errors(self) -> list[Scored]:
        return [s for s in (*self.corpus, *self.real, *self.labelled) if s.error]

    # -- output -----------------------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        from foulplay import __version__

        out: dict[str, Any] = {
            "schema": SCHEMA,
            "measured": {**_commit(), "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d"),
                         "machine": f"{platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}",
                         "foulplay": __version__, **self.settings},
            "default_level": DEFAULT_LEVEL,
            "corpus": {}, "generators": {}, "rules": {}, "real": {}, "labelled": {}, "goals": [],
            "speed_rollouts_per_s": round(self.speed) if self.speed else None,
            "errors": [{"id": s.id, "error": s.error} for s in self.errors()][:50],
        }
        for split in self.splits():
            items = self.split(split)
            out["corpus"][split] = {lvl: _cells(self.by_group(items, lvl)) for lvl in LEVELS}
            out["generators"][split] = _cells(slice_by(items, lambda s: (s.group,), DEFAULT_LEVEL))
            for name in self.batch_names(split):
                out.setdefault("batches", {}).setdefault(split, {})[name] = {
                    lvl: _cells(self.by_group(self.batch(split, name), lvl)) for lvl in LEVELS}
        for code, family in sorted(self.rule_families.items()):
            row: dict[str, Any] = {"family": family}
            dynamic = code in self.dynamic_codes
            if dynamic and not self.dynamic:
                continue
            for split in self.splits():
                source = [s for s in self.dynamic if s.split == split] if dynamic else self.split(split)
                row[split] = per_rule(source, {code: family})[code].to_dict()
            if dynamic:
                row["note"] = "false positives over the honest special-casing look-alikes only (the items it ran on)"
            refs = [s for s in self.real if s.family == "reference" and not s.error]
            if refs:
                row["references"] = {"false_alarms": sum(s.fired(code) for s in refs), "total": len(refs)}
            out["rules"][code] = row
        if self.real:
            out["real"] = {lvl: _cells(self.real_groups(lvl)) for lvl in LEVELS}
            out["real_unlabelled"] = {k: {"flagged": f, "total": t} for k, (f, t) in self.unlabelled().items()}
        if self.labelled:
            out["labelled"] = {lvl: _cells(slice_by(self.labelled, lambda s: (s.group, "ALL"), lvl))
                               for lvl in LEVELS}
        if self.dynamic:
            out["dynamic"] = {split: {"static": self.special_cells(split, False).to_dict(),
                                      "static+dynamic": self.special_cells(split, True).to_dict(),
                                      "status": self.dynamic_status.get(split, {})} for split in self.splits()}
        if self.detectors is not None:
            out["detectors"] = self.detectors.to_dict()
        for goal in GOALS:
            value = self.goal_value(goal)
            out["goals"].append({"goal": goal.name, "split": goal.split, "value": value, "met": goal.met(value)})
        return out

    def goals_met(self) -> bool:
        """Every goal that could be measured is met."""
        return all(goal.met(self.goal_value(goal)) is not False for goal in GOALS)

    def markdown(self) -> str:
        """The figures as Markdown tables (README, docs)."""
        lines: list[str] = []
        lines += ["| split | operating point | systemic recall | special-casing recall | all hacks recall "
                  "| false positives (honest look-alikes) |", "|---|---|---|---|---|---|"]
        for split in self.splits():
            for lvl in LEVELS:
                cells = self.by_group(self.split(split), lvl)
                none = Cell()
                lines.append(f"| {split} | `--min-confidence {lvl}` | {fmt_rate(cells.get('systemic', none).recall)} "
                             f"| {fmt_rate(cells.get('special-casing', none).recall)} "
                             f"| {fmt_rate(cells.get('ALL', none).recall)} | {fmt_rate(cells.get('ALL', none).fpr)} |")
        for split in self.splits():
            for name in self.batch_names(split):
                cells = self.by_group(self.batch(split, name))
                none = Cell()
                if name == self.batch_names(split)[0]:
                    lines += ["", f"Per batch of the {split} half, at `--min-confidence {DEFAULT_LEVEL}`:", "",
                              "| batch | systemic recall | special-casing recall | all hacks recall "
                              "| false positives |",
                              "|---|---|---|---|---|"]
                lines.append(f"| {name} | {fmt_rate(cells.get('systemic', none).recall)} | "
                             f"{fmt_rate(cells.get('special-casing', none).recall)} | "
                             f"{fmt_rate(cells.get('ALL', none).recall)} | {fmt_rate(cells.get('ALL', none).fpr)} |")
        for split in self.splits():
            cells = self.by_group(self.split(split))
            lines += ["", f"Per family, {split} half, at `--min-confidence {DEFAULT_LEVEL}`:", "",
                      "| family | recall | false positives |", "|---|---|---|"]
            for name, cell in cells.items():
                if name not in ("ALL", "systemic"):
                    lines.append(f"| {name} | {fmt_rate(cell.recall)} | {fmt_rate(cell.fpr)} |")
        if self.dynamic:
            lines += ["", "Special-casing, static rules alone and with the dynamic check (`scan --dynamic`), "
                      "default operating point:", "", "| half | detector | recall | false positives |",
                      "|---|---|---|---|"]
            for split in self.splits():
                for name, dyn in (("static rules", False), ("static + dynamic", True)):
                    cell = self.special_cells(split, dyn)
                    lines.append(f"| {split} | {name} | {fmt_rate(cell.recall)} | {fmt_rate(cell.fpr)} |")
        if self.real:
            lines += ["", "Real data, at the default operating point:", "",
                      "| data set | recall | false positives |", "|---|---|---|"]
            for name, cell in sorted(self.real_groups().items()):
                lines.append(f"| {name} | {fmt_rate(cell.recall)} | {fmt_rate(cell.fpr)} |")
            for name, (f, t) in sorted(self.unlabelled().items()):
                lines.append(f"| {name} (unlabelled samples: flagged) | {f}/{t} | - |")
        if self.detectors is not None:
            from foulplay.bench._detectors import markdown_table

            for name, metrics in self.detectors.metrics.items():
                lines += ["", f"Detectors side by side, {name} (95% intervals resample tasks):", "",
                          markdown_table(metrics).rstrip("\n")]
            lines += ["", *(f"Note: {n}" for n in self.detectors.notes)]
            if self.detectors.settings.get("fused"):
                lines.append(f"Combined: {self.detectors.settings['fused']}")
        return "\n".join(lines) + "\n"
