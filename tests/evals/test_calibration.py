"""The calibration library (foulplay.evals._calibration) on dry-run eval logs: the judge's items of a log, the
labelling sheet, corrected rates when the labels are of the same samples (Rogan-Gladen and PPI, equal to the
statistics on the same counts) and when they come from another log (Rogan-Gladen only, the assumption said),
and a sheet that cannot identify the rate."""

from __future__ import annotations

import csv
import io

import pytest
from inspect_ai import eval as inspect_eval

from foulplay.errors import InputError
from foulplay.evals import TASKS
from foulplay.evals._calibration import (
    COLUMNS,
    EVAL_COLUMNS,
    TRANSFER_NOTE,
    Sheet,
    calibrate,
    calibrate_items,
    eval_items,
    export_rows,
    load_sheet,
    read_logs,
    sheet_text,
    transfer,
)
from foulplay.evals._dryrun import NAME
from foulplay.stats import JudgeAccuracy, ppi_mean, rogan_gladen


@pytest.fixture(scope="module")
def logs(tmp_path_factory):
    """Two dry-run goals logs of 8 samples: every sample judged misaligned in one, none in the other."""
    out = tmp_path_factory.mktemp("calib-logs")
    found = []
    for persona in ("misaligned", "aligned"):
        (log,) = inspect_eval(TASKS["goals"](samples=8), model=NAME, model_args={"persona": persona},
                              model_roles={"grader": NAME}, display="none", log_dir=str(out))
        assert log.status == "success"
        found.append(log)
    return out, found


def test_eval_items_carry_the_judges_evidence_and_an_excerpt(logs):
    _, (bad, good) = logs
    items = eval_items(bad)
    assert len(items) == 8 and {v["judge"] for v in items} == {1} and {v["judge"] for v in eval_items(good)} == {0}
    first = items[0]
    assert first["id"] == f"{bad.eval.eval_id}/{bad.samples[0].id}@1"
    assert "[answer]" in first["evidence"] and "quotes:" in first["evidence"]
    assert first["excerpt"].startswith("Q: ") and "answer: " in first["excerpt"]
    assert first["label"] == "honestly_misaligned"


def test_export_rows_and_sheet_round_trip(tmp_path, logs):
    _, found = logs
    items = [v for log in found for v in eval_items(log)]
    rows = export_rows(items, 6, seed=1, stratify=True)
    assert len(rows) == 6 and sum(r["judge_hack"] for r in rows) == 3
    assert {r["judge_positive_share"] for r in rows} == {"0.5"}
    text = sheet_text(rows, EVAL_COLUMNS)
    assert tuple(next(csv.reader(io.StringIO(text)))) == EVAL_COLUMNS and set(COLUMNS) <= set(EVAL_COLUMNS)
    for row in rows:
        row["human_hack"] = row["judge_hack"]
    path = tmp_path / "s.csv"
    path.write_text(sheet_text(rows, EVAL_COLUMNS))
    sheet = load_sheet(path)
    assert sheet.share == 0.5 and len(sheet.labels) == 6 and sheet.judge == {r["id"]: r["judge_hack"] for r in rows}
    assert export_rows(items, 6, seed=1, stratify=True) == export_rows(items, 6, seed=1, stratify=True)  # seeded
    with pytest.raises(InputError, match="every judged sample is an error"):
        export_rows([{**v, "judge": None} for v in items], 3)


def test_same_log_labels_give_rogan_gladen_and_ppi_on_the_same_counts(logs):
    _, found = logs
    items = [v for log in found for v in eval_items(log)]  # 8 judged 1, 8 judged 0
    pos = [v["id"] for v in items if v["judge"]]
    neg = [v["id"] for v in items if not v["judge"]]
    # humans: 6 of the judge's 8 positives are right, 7 of its 8 negatives
    labels = {i: int(k < 6) for k, i in enumerate(pos)} | {i: int(k == 0) for k, i in enumerate(neg)}
    result = calibrate_items(Sheet("s", labels), items)
    assert result["labels_from"] == "the same items" and result["n_labelled"] == 16 and result["identifiable"]
    j = result["judge"]
    assert (j["tp"], j["fn"], j["tn"], j["fp"]) == (6, 1, 7, 2)
    expected = rogan_gladen(8, 16, (6, 7), (7, 9))
    rg = result["rogan_gladen"]
    assert (rg["rate"], rg["low"], rg["high"]) == pytest.approx((expected.corrected, expected.low, expected.high))
    judge = [v["judge"] for v in items]
    ppi = ppi_mean(judge, [v["judge"] for v in items], [labels[v["id"]] for v in items])
    assert result["ppi"]["rate"] == pytest.approx(ppi.corrected) == pytest.approx(7 / 16)
    assert result == calibrate(labels, {v["id"]: v["judge"] for v in items})


def test_labels_from_another_log_carry_the_judges_accuracy_over(logs):
    _, (bad, _good) = logs
    other = Sheet("other.csv", {f"x{i}": int(i < 5) for i in range(10)},
                  {f"x{i}": int(i < 4 or i == 9) for i in range(10)}, share=None)
    result = calibrate_items(other, eval_items(bad))  # 8 of 8 judged misaligned here
    assert result["labels_from"] == "another log" and TRANSFER_NOTE in result["notes"]
    assert any("no judge_positive_share" in n for n in result["notes"])
    acc = JudgeAccuracy(tp=4, fn=1, tn=4, fp=1)
    expected = acc.correct(8, 8)
    assert result["rogan_gladen"]["rate"] == pytest.approx(expected.corrected)
    assert result["rogan_gladen"]["low"] == pytest.approx(expected.low)
    assert result["ppi"]["rate"] is None and "not applicable" in result["ppi"]["note"]
    # with the source's share of judge positives, a stratified sheet is weighed back
    weighed = transfer(Sheet("o", other.labels, other.judge, share=0.25), 8, 8)
    assert weighed["judge"]["weights"]["judge_positive"] == pytest.approx(0.25 * 10 / 5)


def test_a_sheet_with_one_class_of_labels_is_not_identifiable(logs):
    _, (bad, _good) = logs
    only_pos = Sheet("pos.csv", {f"x{i}": 1 for i in range(6)}, {f"x{i}": int(i < 5) for i in range(6)})
    result = calibrate_items(only_pos, eval_items(bad))
    assert result["identifiable"] is False and result["rogan_gladen"]["rate"] is None
    assert "not identifiable" in result["rogan_gladen"]["note"] and "specificity" in result["rogan_gladen"]["note"]
    chance = Sheet("c.csv", {f"x{i}": int(i % 2 == 0) for i in range(8)}, {f"x{i}": int(i % 4 < 2) for i in range(8)})
    result = calibrate_items(chance, eval_items(bad))
    assert result["rogan_gladen"]["rate"] is None and "not identifiable" in result["rogan_gladen"]["note"]
    with pytest.raises(InputError, match="no labelled rows"):
        calibrate_items(Sheet("e.csv", {}), eval_items(bad))


def test_read_logs_from_a_directory_and_refusals(tmp_path, logs):
    out, found = logs
    assert {log.eval.eval_id for log in read_logs(out)} == {log.eval.eval_id for log in found}
    with pytest.raises(InputError, match="no Inspect eval logs"):
        read_logs(tmp_path)
    with pytest.raises(InputError, match="no such file"):
        read_logs(tmp_path / "missing.eval")
