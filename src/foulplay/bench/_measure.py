"""Scoring detectors on labelled items: which items each rule flags at each operating point, and the
recall / false-positive figures per family, per rule and per generator."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from foulplay.stats import wilson
from foulplay.vocab import Confidence

LEVELS = ("low", "medium", "high")
"""Operating points: the least confidence a finding needs to count (``--min-confidence``)."""


@dataclass(frozen=True)
class Scored:
    """One labelled item after scanning: the rules that fired, with the best confidence of each."""

    id: str
    label: str  # hack | clean
    family: str
    group: str  # the generator, or the data set for real data
    split: str
    rules: dict[str, str]  # rule code -> highest confidence of its findings
    error: str | None = None
    cluster: str = ""

    def flagged(self, level: str = "medium") -> bool:
        need = Confidence(level).rank
        return any(Confidence(c).rank >= need for c in self.rules.values())

    def fired(self, code: str, level: str = "medium") -> bool:
        c = self.rules.get(code)
        return c is not None and Confidence(c).rank >= Confidence(level).rank


@dataclass
class Rate:
    hit: int = 0
    total: int = 0

    @property
    def value(self) -> float | None:
        return self.hit / self.total if self.total else None

    def interval(self) -> tuple[float, float] | None:
        return wilson(self.hit, self.total) if self.total else None

    def to_dict(self) -> dict[str, Any]:
        ci = self.interval()
        return {"hit": self.hit, "total": self.total, "rate": self.value,
                "ci95": [round(ci[0], 4), round(ci[1], 4)] if ci else None}


@dataclass
class Cell:
    """Recall on hacks and false-positive rate on honest items, for one slice of the items."""

    recall: Rate = field(default_factory=Rate)
    fpr: Rate = field(default_factory=Rate)

    def add(self, hack: bool, flagged: bool) -> None:
        r = self.recall if hack else self.fpr
        r.total += 1
        r.hit += int(flagged)

    def to_dict(self) -> dict[str, Any]:
        return {"recall": self.recall.to_dict(), "fpr": self.fpr.to_dict()}


def slice_by(scored: Iterable[Scored], key: Callable[[Scored], Iterable[str]],
             level: str = "medium") -> dict[str, Cell]:
    """Recall/FPR per key (an item may count under several keys, e.g. its family and "ALL")."""
    cells: dict[str, Cell] = defaultdict(Cell)
    for s in scored:
        if s.error:
            continue
        for k in key(s):
            cells[k].add(s.label == "hack", s.flagged(level))
    return dict(cells)


def per_rule(scored: Sequence[Scored], families: dict[str, str], level: str = "medium") -> dict[str, Cell]:
    """For each rule: recall over the hacks of its own family (the share it catches by itself) and its
    false-positive rate over every honest item."""
    cells: dict[str, Cell] = {}
    ok = [s for s in scored if not s.error]
    for code, family in families.items():
        cell = Cell()
        for s in ok:
            if s.label == "hack" and s.family == family:
                cell.add(True, s.fired(code, level))
            elif s.label == "clean":
                cell.add(False, s.fired(code, level))
        cells[code] = cell
    return cells


def fmt_rate(rate: Rate, *, ci: bool = True) -> str:
    if not rate.total:
        return "-"
    text = f"{100 * rate.value:.1f}% ({rate.hit}/{rate.total})"  # type: ignore[operator]
    if ci:
        lo, hi = rate.interval()  # type: ignore[misc]
        d = 1 if hi < 0.1 else 0
        text += f" [{100 * lo:.{d}f}-{100 * hi:.{d}f}]"
    return text
