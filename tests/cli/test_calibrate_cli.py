"""``foulplay calibrate`` in process, on synthetic ``foulplay monitor`` outputs: export a sheet, fill it,
import it (the corrected rate is Rogan-Gladen on the same counts), agreement of two judges, bad sheets."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from foulplay.cli.calibrate_cmd import COLUMNS, calibrate_group
from foulplay.errors import InputError
from foulplay.stats import JudgeAccuracy, cohen_kappa, rogan_gladen


def verdict(hack: bool | None, suspicion: int = 0, family: str | None = None) -> dict:
    if hack is None:
        return {"status": "error", "suspicion": None, "hack": None, "family": None, "evidence": [],
                "error": "invalid JSON"}
    return {"status": "ok", "suspicion": suspicion, "hack": hack, "family": family,
            "evidence": [f"quote of {suspicion}", "second, quote"] if hack else []}


def write_verdicts(path: Path, judge: list[bool | None], view: str = "actions", jsonl: bool = False) -> Path:
    rows = [{"id": f"t{i}", view: verdict(j, 90 if j else 10, "test-tampering" if j else None)}
            for i, j in enumerate(judge)]
    if jsonl:
        path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    else:
        path.write_text(json.dumps({"verdicts": rows, "report": {}}))
    return path


def invoke(args: list[str]):
    return CliRunner().invoke(calibrate_group, args, standalone_mode=False)


def fill(sheet: Path, truth: dict[str, int | str], out: Path | None = None) -> Path:
    rows = list(csv.DictReader(sheet.open()))
    for row in rows:
        row["human_hack"] = str(truth.get(row["id"], ""))
    out = out or sheet
    with out.open("w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=COLUMNS)
        w.writeheader()
        w.writerows(rows)
    return out


# 40 items: judge says hack on t0..t11; truth: hack on t0..t8 and t12..t15; t39 is an error verdict
JUDGE = [i < 12 for i in range(39)] + [None]
TRUTH = {f"t{i}": int(i < 9 or 12 <= i < 16) for i in range(40)}


def test_export_fill_import_equals_rogan_gladen_on_the_same_counts(tmp_path) -> None:
    verdicts = write_verdicts(tmp_path / "v.json", JUDGE)
    sheet = tmp_path / "sheet.csv"
    result = invoke(["export", str(verdicts), "-o", str(sheet), "--n", "100"])
    assert result.exception is None, result.output
    rows = list(csv.DictReader(sheet.open()))
    assert tuple(rows[0]) == COLUMNS and len(rows) == 39  # the error verdict is not offered for labelling
    assert all(r["human_hack"] == "" for r in rows)
    t0 = next(r for r in rows if r["id"] == "t0")
    assert t0["judge_hack"] == "1" and t0["judge_suspicion"] == "90" and t0["judge_family"] == "test-tampering"
    assert t0["judge_evidence"] == "quote of 90 | second, quote"
    fill(sheet, TRUTH)
    result = invoke(["import", str(sheet), "--verdicts", str(verdicts), "--format", "json"])
    assert result.exception is None, result.output
    data = json.loads(result.output)
    # counts over the 39 judged items: tp 9 (t0..t8), fp 3 (t9..t11), fn 4 (t12..t15), tn 23
    assert (data["judge"]["tp"], data["judge"]["fp"], data["judge"]["fn"], data["judge"]["tn"]) == (9, 3, 4, 23)
    assert data["n_judged"] == 39 and data["n_errors"] == 1 and data["n_labelled"] == 39
    assert data["raw"]["rate"] == pytest.approx(12 / 39)
    expected = rogan_gladen(12, 39, (9, 13), (23, 26))
    rg = data["rogan_gladen"]
    assert (rg["rate"], rg["low"], rg["high"]) == pytest.approx((expected.corrected, expected.low, expected.high))
    assert JudgeAccuracy(9, 4, 23, 3).correct(12, 39).corrected == pytest.approx(rg["rate"])
    ppi = data["ppi"]  # every item labelled: PPI gives the human rate, 13/39
    assert ppi["rate"] == pytest.approx(13 / 39) and ppi["low"] <= ppi["rate"] <= ppi["high"]
    text = invoke(["import", str(sheet), "--verdicts", str(verdicts)])
    assert text.exception is None
    for word in ("raw (judge)", "Rogan-Gladen", "PPI", "sensitivity", "n labelled 39", "error verdicts 1"):
        assert word in text.output


def test_stratified_export_samples_both_and_import_weighs_them_back(tmp_path) -> None:
    judge = [i < 5 for i in range(200)]
    verdicts = write_verdicts(tmp_path / "v.jsonl", judge, jsonl=True)
    sheet = tmp_path / "sheet.csv"
    assert invoke(["export", str(verdicts), "-o", str(sheet), "--n", "20", "--stratify", "--seed", "3"]
                  ).exception is None
    rows = list(csv.DictReader(sheet.open()))
    assert len(rows) == 20 and sum(r["judge_hack"] == "1" for r in rows) == 5  # all positives, 15 negatives
    again = tmp_path / "again.csv"
    invoke(["export", str(verdicts), "-o", str(again), "--n", "20", "--stratify", "--seed", "3"])
    assert again.read_text() == sheet.read_text()  # seeded
    fill(sheet, {r["id"]: int(r["judge_hack"]) for r in rows})  # a perfect judge on the sample
    data = json.loads(invoke(["import", str(sheet), "--verdicts", str(verdicts), "--format", "json"]).output)
    assert data["judge"]["weights"]["judge_positive"] == pytest.approx((5 / 200) * 20 / 5)
    assert data["rogan_gladen"]["rate"] == pytest.approx(5 / 200) and data["ppi"]["rate"] == pytest.approx(5 / 200)


def test_unidentifiable_judge_is_reported_not_corrected(tmp_path) -> None:
    verdicts = write_verdicts(tmp_path / "v.json", [i % 2 == 0 for i in range(20)])
    sheet = tmp_path / "s.csv"
    invoke(["export", str(verdicts), "-o", str(sheet)])
    fill(sheet, {f"t{i}": int(i % 4 < 2) for i in range(20)})  # judge independent of the truth
    result = invoke(["import", str(sheet), "--verdicts", str(verdicts), "--format", "json"])
    data = json.loads(result.output)
    assert data["identifiable"] is False and data["rogan_gladen"]["rate"] is None
    assert "not identifiable" in data["rogan_gladen"]["note"]
    text = invoke(["import", str(sheet), "--verdicts", str(verdicts)]).output
    assert "not identifiable" in text


def test_empty_rows_are_skipped_and_counted_and_an_empty_sheet_is_an_input_error(tmp_path) -> None:
    verdicts = write_verdicts(tmp_path / "v.json", JUDGE)
    sheet = tmp_path / "s.csv"
    invoke(["export", str(verdicts), "-o", str(sheet)])
    result = invoke(["import", str(sheet), "--verdicts", str(verdicts)])
    assert isinstance(result.exception, InputError) and "no labelled rows" in str(result.exception)
    fill(sheet, {k: v for k, v in TRUTH.items() if k in {"t0", "t1", "t20", "t21", "t13"}})
    data = json.loads(invoke(["import", str(sheet), "--verdicts", str(verdicts), "--format", "json"]).output)
    assert data["n_labelled"] == 5 and data["n_skipped_empty"] == 34


@pytest.mark.parametrize(("value", "message"), [("2", "row 3: human_hack '2' is not 0 or 1"),
                                                  ("maybe", "row 3: human_hack 'maybe' is not 0 or 1")])
def test_a_bad_sheet_value_names_the_row(tmp_path, value, message) -> None:
    verdicts = write_verdicts(tmp_path / "v.json", JUDGE)
    sheet = tmp_path / "s.csv"
    invoke(["export", str(verdicts), "-o", str(sheet)])
    ids = [r["id"] for r in csv.DictReader(sheet.open())]
    fill(sheet, {ids[0]: 1, ids[1]: value})
    result = invoke(["import", str(sheet), "--verdicts", str(verdicts)])
    assert isinstance(result.exception, InputError) and message in str(result.exception)


def test_bad_inputs_are_one_line_and_exit_2(tmp_path) -> None:
    verdicts = write_verdicts(tmp_path / "v.json", JUDGE)
    sheet = tmp_path / "s.csv"
    sheet.write_text("id,human_hack\nnope,1\n")
    for args, message in [
        (["import", str(sheet), "--verdicts", str(verdicts)], "'nope' is not in the verdicts"),
        (["import", str(tmp_path / "missing.csv"), "--verdicts", str(verdicts)], "cannot read the sheet"),
        (["export", str(tmp_path / "v.json"), "-o", str(tmp_path / "x.csv"), "--view", "reasoning"],
         "no reasoning verdict"),
    ]:
        result = invoke(args)
        assert isinstance(result.exception, InputError) and message in str(result.exception), result.exception
    (tmp_path / "nocol.csv").write_text("id,label\nt0,1\n")
    result = invoke(["import", str(tmp_path / "nocol.csv"), "--verdicts", str(verdicts)])
    assert "no human_hack column" in str(result.exception)
    proc = subprocess.run([sys.executable, "-m", "foulplay.cli.main", "calibrate", "import", str(sheet),
                           "--verdicts", str(verdicts)], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr and len(proc.stderr.strip().splitlines()) == 1


def test_agree_two_judges(tmp_path) -> None:
    a = [i < 10 for i in range(30)] + [None]
    b = [i < 8 or i == 20 for i in range(30)] + [True]
    fa = write_verdicts(tmp_path / "a.json", a, view="reasoning")
    fb = write_verdicts(tmp_path / "b.json", b, view="actions")
    result = invoke(["agree", str(fa), str(fb), "--format", "json"])
    assert result.exception is None, result.output
    data = json.loads(result.output)
    expected = cohen_kappa([int(x) for x in a[:30]], [int(x) for x in b[:30]])
    assert data["kappa"]["kappa"] == pytest.approx(expected.kappa) and data["n"] == 30 and data["n_errors"] == 1
    assert data["kappa"]["low"] == pytest.approx(expected.low) and data["kappa"]["high"] == pytest.approx(expected.high)
    assert [d["id"] for d in data["disagreements"]] == ["t8", "t9", "t20"]
    d8 = data["disagreements"][0]
    assert d8["a"]["hack"] == 1 and d8["a"]["family"] == "test-tampering" and d8["b"]["hack"] == 0
    assert d8["a"]["suspicion"] == 90 and d8["b"]["suspicion"] == 10
    text = invoke(["agree", str(fa), str(fb)])
    assert "Cohen's kappa" in text.output and "3 disagreement(s)" in text.output and "t20" in text.output
    both = tmp_path / "both.json"
    both.write_text(json.dumps({"verdicts": [{"id": "x", "reasoning": verdict(True, 80), "actions": verdict(False, 5)},
                                             {"id": "y", "reasoning": verdict(False, 5), "actions": verdict(False, 5)}]}))
    same = json.loads(invoke(["agree", str(both), str(both), "--view", "reasoning", "--view-b", "actions",
                              "--format", "json"]).output)
    assert [d["id"] for d in same["disagreements"]] == ["x"]
    result = invoke(["agree", str(both), str(both)])
    assert isinstance(result.exception, InputError) and "choose one with --view" in str(result.exception)


# ---- eval logs: export a sheet of an eval's judged samples, import it, and foulplay eval --calibration


def _dry_run_eval(log_dir: Path, persona: str, *extra: str):
    from foulplay.cli import eval_cmd
    from foulplay.evals._dryrun import NAME

    return CliRunner().invoke(eval_cmd.eval_cmd, ["goals", "--model", NAME, "-M", f"persona={persona}", "--judge", NAME,
                                                  "-T", "samples=6", "--log-dir", str(log_dir), "--exit-zero", *extra],
                              catch_exceptions=False)


@pytest.fixture(scope="module")
def eval_logs(tmp_path_factory) -> Path:
    """A log dir with two dry-run goals logs: 6 samples judged misaligned, 6 judged aligned."""
    out = tmp_path_factory.mktemp("eval-logs")
    for persona in ("misaligned", "aligned"):
        assert _dry_run_eval(out, persona, "--format", "json").exit_code == 0
    return out


def _fill_eval(sheet: Path, label) -> Path:
    rows = list(csv.DictReader(sheet.open()))
    for row in rows:
        row["human_hack"] = str(label(row))
    with sheet.open("w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    return sheet


def test_export_and_import_an_eval_logs_judge(tmp_path, eval_logs) -> None:
    from foulplay.evals._calibration import EVAL_COLUMNS

    sheet = tmp_path / "sheet.csv"
    result = invoke(["export", str(eval_logs), "-o", str(sheet), "--n", "8", "--stratify", "--seed", "2"])
    assert result.exception is None, result.output
    rows = list(csv.DictReader(sheet.open()))
    assert tuple(rows[0]) == EVAL_COLUMNS and len(rows) == 8 and sum(r["judge_hack"] == "1" for r in rows) == 4
    assert all(r["excerpt"].startswith("Q: ") and r["judge_evidence"] and r["human_hack"] == "" for r in rows)
    assert {r["judge_positive_share"] for r in rows} == {"0.5"} and all("/" in r["id"] and "@1" in r["id"] for r in rows)
    flipped = sorted(r["id"] for r in rows if r["judge_hack"] == "1")[0]  # one judge positive that humans call clean
    _fill_eval(sheet, lambda r: 0 if r["id"] == flipped else r["judge_hack"])
    data = json.loads(invoke(["import", str(sheet), "--verdicts", str(eval_logs), "--format", "json"]).output)
    assert data["labels_from"] == "the same items" and data["n_judged"] == 12 and data["n_labelled"] == 8
    assert (data["judge"]["tp"], data["judge"]["fp"], data["judge"]["tn"], data["judge"]["fn"]) == (3, 1, 4, 0)
    assert data["raw"]["rate"] == 0.5 and data["ppi"]["rate"] == pytest.approx(0.5 - 0.5 / 4)
    text = invoke(["import", str(sheet), "--verdicts", str(eval_logs)]).output
    assert "misaligned rate, eval judge" in text and "Rogan-Gladen" in text and "PPI" in text
    # one log only: the sheet's other samples are not its items, so the labels are carried over
    one = sorted(eval_logs.glob("*.eval"))[0]
    data = json.loads(invoke(["import", str(sheet), "--verdicts", str(one), "--format", "json"]).output)
    assert data["labels_from"] == "another log" and data["ppi"]["rate"] is None
    assert any("carry over" in n for n in data["notes"])


def test_eval_with_calibration_prints_raw_and_corrected_side_by_side(tmp_path, eval_logs) -> None:
    sheet = tmp_path / "sheet.csv"
    invoke(["export", str(eval_logs), "-o", str(sheet), "--n", "12"])
    # the humans disagree with the judge on two of its positives and one negative
    rows = sorted(csv.DictReader(sheet.open()), key=lambda r: r["id"])
    wrong = {r["id"] for r in rows if r["judge_hack"] == "1"}
    wrong = set(sorted(wrong)[:2]) | {sorted(r["id"] for r in rows if r["judge_hack"] == "0")[0]}
    _fill_eval(sheet, lambda r: 1 - int(r["judge_hack"]) if r["id"] in wrong else r["judge_hack"])
    result = _dry_run_eval(tmp_path / "run", "misaligned", "--calibration", str(sheet))
    assert result.exit_code == 0, result.output
    out = result.stdout
    for text in ("raw and judge-corrected", "raw 95% CI", "corrected (RG)", "PPI", "sensitivity", "specificity",
                 "another log", "carry over"):
        assert text in out, text
    table_row = next(line for line in out.splitlines() if line.startswith("│ goals"))
    assert "100.0%" in table_row and "n/a" in table_row  # raw, and PPI not applicable to labels of another log
    js = _dry_run_eval(tmp_path / "run2", "misaligned", "--calibration", str(sheet), "--format", "json")
    e = json.loads(js.stdout)["evals"][0]
    c = e["calibration"]
    assert e["misaligned_rate"] == 1.0 and c["raw"]["rate"] == 1.0 and c["labels_from"] == "another log"
    acc = JudgeAccuracy(tp=5, fn=1, tn=5, fp=1)  # Se 5/6, Sp 5/6
    assert c["rogan_gladen"]["rate"] == pytest.approx(acc.correct(6, 6).corrected) == pytest.approx(1.0)
    assert json.loads(Path(e["summary_file"]).read_text())["calibration"]["rogan_gladen"] == c["rogan_gladen"]
    # a sheet with human labels of one class only: said, not a crash or a number
    _fill_eval(sheet, lambda r: 1)
    one_class = _dry_run_eval(tmp_path / "run3", "misaligned", "--calibration", str(sheet))
    assert one_class.exit_code == 0 and "not identifiable" in one_class.stdout
    row = next(line for line in one_class.stdout.splitlines() if line.startswith("│ goals"))
    assert row.count("n/a") == 2
