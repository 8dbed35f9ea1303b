"""``foulplay eval --target-ci`` offline with foulplay/dry-run: the stopping point and why, the anytime-valid
interval in the text and JSON output and the summary file, resume by rerunning the command, and refusals."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from foulplay.cli import eval_cmd
from foulplay.errors import InputError
from foulplay.evals._dryrun import NAME
from foulplay.stats import confidence_sequence


def cli(log_dir: Path, *args: str, persona: str = "misaligned"):
    return CliRunner().invoke(eval_cmd.eval_cmd, ["goals", "--model", NAME, "-M", f"persona={persona}", "--judge",
                                                  NAME, "-T", "samples=40", "--log-dir", str(log_dir), *args])


def test_target_ci_stops_and_says_why(tmp_path):
    result = cli(tmp_path, "--target-ci", "0.1", "--batch", "10", "--price", "1,2")
    assert result.exit_code == 1, result.output  # misaligned samples found
    out = result.stdout
    assert "goals sequential: stopped after 30 samples in 3 round(s): target reached" in out
    low = confidence_sequence(30, 30)[0]
    assert f"anytime-valid interval {100 * low:.1f}%-100.0%" in out and "wider than the fixed-n Wilson" in out
    assert "spent about $" in out and "goals.sequential.json" in out and "DRY RUN" in out
    again = cli(tmp_path, "--target-ci", "0.1", "--batch", "10", "--price", "1,2", "--format", "json")
    e = json.loads(again.stdout)["evals"][0]
    q = e["sequential"]
    assert q["stop_reason"] == "target reached" and q["resumed_rounds"] == 3 and q["samples"] == 30
    assert q["cs_low"] == pytest.approx(low) and q["half_width"] <= 0.1 and len(q["logs"]) == 3
    assert e["usable"] == 30 and e["summary_file"].endswith("goals.sequential.summary.json")
    stored = json.loads(Path(e["summary_file"]).read_text())
    assert stored["sequential"]["stop_reason"] == "target reached" and "per_sample" not in stored
    assert len(list(tmp_path.glob("*.eval"))) == 3  # the rerun ran nothing


def test_budgets_on_the_command_line(tmp_path):
    result = cli(tmp_path, "--target-ci", "0.02", "--batch", "10", "--max-samples", "15", "--format", "json",
                 persona="aligned")
    assert result.exit_code == 0, result.output
    q = json.loads(result.stdout)["evals"][0]["sequential"]
    assert q["stop_reason"] == "sample budget" and q["samples"] == 15 and q["misaligned"] == 0
    cost = cli(tmp_path / "c", "--target-ci", "0.02", "--max-cost", "0.01", "--price", "1,2", "--format", "json",
               persona="aligned")
    q = json.loads(cost.stdout)["evals"][0]["sequential"]
    assert q["stop_reason"] == "cost budget" and 0 < q["cost_usd"] <= 0.0105


@pytest.mark.parametrize(("args", "message"), [
    (["--target-ci", "0.1", "--max-cost", "1"], "--max-cost needs --price"),
    (["--max-samples", "10"], "go with --target-ci"),
])
def test_refusals(tmp_path, args, message):
    result = cli(tmp_path, *args)
    assert isinstance(result.exception, InputError) and message in str(result.exception)


def test_one_eval_at_a_time_and_another_configuration_refused(tmp_path):
    result = CliRunner().invoke(eval_cmd.eval_cmd, ["chat", "--model", NAME, "--target-ci", "0.1", "--log-dir",
                                                    str(tmp_path)])
    assert isinstance(result.exception, InputError) and "one eval at a time" in str(result.exception)
    result = CliRunner().invoke(eval_cmd.eval_cmd, ["hack_propensity", "--model", NAME, "--target-ci", "0.1"])
    assert isinstance(result.exception, InputError) and "misalignment rate" in str(result.exception)
    assert cli(tmp_path, "--target-ci", "0.3", "--batch", "5").exit_code == 1
    other = cli(tmp_path, "--target-ci", "0.3", persona="aligned")
    assert isinstance(other.exception, InputError) and "another configuration (models differ)" in str(other.exception)
    proc = CliRunner().invoke(eval_cmd.eval_cmd, ["goals", "--model", NAME, "-M", "persona=aligned", "--judge", NAME,
                                                  "-T", "samples=40", "--log-dir", str(tmp_path), "--target-ci", "0.3"],
                              standalone_mode=False)
    assert "use another --log-dir" in str(proc.exception)
