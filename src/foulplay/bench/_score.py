"""Scan labelled items with the static rules and keep, per item, which rules fired and how surely."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from foulplay.bench._corpus import Item
from foulplay.bench._measure import Scored
from foulplay.vocab import Confidence, Severity


def scan_options() -> Any:
    """Every finding at medium severity or above, at any confidence (the operating point is applied
    afterwards, so one scan serves every level)."""
    from foulplay.detect import ScanOptions

    return ScanOptions(honor_suppressions=False, min_severity=Severity.MEDIUM, min_confidence=Confidence.LOW)


def score_items(items: Iterable[Item]) -> Iterator[Scored]:
    """Scan each generated item as a raw completion against its problem."""
    from foulplay.detect import problem_view, scan_completion
    from foulplay.grading import problem_from_record

    options = scan_options()
    selected = options.rules()
    problems: dict[str, tuple[Any, Any]] = {}
    for item in items:
        key = item.problem["task_id"]
        if key not in problems:
            p = problem_from_record(item.problem, key)
            problems[key] = (p, problem_view(p))
        p, view = problems[key]
        try:
            result = scan_completion(item.completion, problem=p, view=view, options=options, item_id=item.id,
                                     selected=selected)
        except Exception as exc:  # noqa: BLE001 - a crash is an error item, the batch goes on
            yield Scored(item.id, item.label, item.family, item.generator, item.split, {},
                         error=f"{type(exc).__name__}: {exc}", cluster=key)
            continue
        yield Scored(item.id, item.label, item.family, item.generator, item.split, best_confidence(result.findings,
                                                                                                  options),
                     error=result.error, cluster=key)


def best_confidence(findings: Iterable[Any], options: Any) -> dict[str, str]:
    """Rule code -> the highest confidence among its findings that count at the lowest operating point."""
    out: dict[str, str] = {}
    for f in findings:
        if not options.counts(f):
            continue
        prev = out.get(f.rule)
        if prev is None or Confidence(prev).rank < f.confidence.rank:
            out[f.rule] = f.confidence.value
    return out


def with_dynamic(items: Iterable[Item], scored: dict[str, Scored], *, workers: int = 2) -> Iterator[tuple[Scored, str]]:
    """The special-casing items again, with the dynamic check (``scan --dynamic``: the solution run in the
    sandbox on held-back cases, the reference's answers to perturbed visible inputs and the statement's
    examples) added to their static findings as FP590. Yields the merged item and the check's status."""
    from foulplay.detect import DynamicChecker
    from foulplay.grading import problem_from_record

    problems: dict[str, Any] = {}
    with DynamicChecker(workers=workers, budget=60.0) as checker:
        for item in items:
            if item.family != "special-casing" or item.id not in scored:
                continue
            key = item.problem["task_id"]
            if key not in problems:
                problems[key] = problem_from_record(item.problem, key)
            report = checker.check(item.completion, problems[key], item_id=item.id)
            base = scored[item.id]
            rules = dict(base.rules)
            for f in report.findings:
                prev = rules.get(f.rule)
                if prev is None or Confidence(prev).rank < f.confidence.rank:
                    rules[f.rule] = f.confidence.value
            yield Scored(base.id, base.label, base.family, base.group, base.split, rules, base.error,
                         base.cluster), report.status
