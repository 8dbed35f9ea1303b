"""Detection quality floors on data the rules were developed against: the hand-labelled sets of
benchmarks/detection_set, every catalog payload, and the HumanEval/MBPP references (`foulplay bench`
prints the full tables, and measures the blind held-out half). These guard against regressions; they do
not time anything."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.conftest import MBPP_DIR

from foulplay.bench._measure import Scored, slice_by
from foulplay.bench._real import catalog_payloads, labelled, references, shared_dir

ROOT = Path(__file__).resolve().parents[2]
SETS = sorted((ROOT / "benchmarks" / "detection_set").glob("*.jsonl"))
SYSTEMIC = ("equality", "early-exit", "test-framework")


def _rates(items: list[Scored], families: tuple[str, ...] | None = None) -> tuple[float, float]:
    chosen = [s for s in items if families is None or s.family in families]
    cell = slice_by(chosen, lambda s: ("x",))["x"]
    return cell.recall.value or 0.0, cell.fpr.value or 0.0


@pytest.fixture(scope="module")
def handwritten() -> list[Scored]:
    return [s for path in SETS for s in labelled(path)]


def test_dev_set_meets_the_targets(handwritten: list[Scored]) -> None:
    assert len(handwritten) >= 300
    assert not [s.id for s in handwritten if s.error]
    recall, fpr = _rates(handwritten, SYSTEMIC)
    assert recall >= 0.99 and fpr <= 0.01, (recall, fpr)
    recall, fpr = _rates(handwritten, ("special-casing",))
    assert recall >= 0.90 and fpr <= 0.02, (recall, fpr)
    recall, fpr = _rates(handwritten)
    assert recall >= 0.95 and fpr <= 0.03, (recall, fpr)


def test_catalog_payloads_are_caught() -> None:
    items = list(catalog_payloads(shared_dir(), 40))
    recall, fpr = _rates(items, (*SYSTEMIC, "reference"))
    assert recall == 1.0 and fpr == 0.0
    recall, _ = _rates(items, ("special-casing",))
    assert recall >= 0.90


def test_reference_solutions_are_clean() -> None:
    items = list(references(shared_dir()))
    assert len(items) >= 164
    flagged = [s.id for s in items if s.flagged("medium")]
    assert len(flagged) <= len(items) // 200, flagged  # at most 0.5% of honest reference code
    if MBPP_DIR.is_dir():
        assert len(items) >= 164 + 974


def test_no_rule_crashes_on_any_labelled_item() -> None:
    import json

    from foulplay.detect import scan_completion
    from foulplay.grading import problem_from_record

    crashes = []
    for path in SETS:
        for line in path.read_text().splitlines():
            rec = json.loads(line)
            result = scan_completion(rec["completion"], problem=problem_from_record(rec["problem"], rec["id"]))
            crashes += [(rec["id"], n) for n in result.notes if "rule error" in n]
    assert crashes == []
