"""Sequential sampling (foulplay.evals._sequential) offline with foulplay/dry-run: stopping on the target, on
the sample and cost budgets, when the samples are used up, on a round that fails; resume after an
interruption without redoing a round; a state of another configuration refused."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from inspect_ai import Task
from inspect_ai.dataset import MemoryDataset, Sample
from inspect_ai.solver import solver

from foulplay.errors import InputError
from foulplay.evals._dryrun import NAME
from foulplay.evals._sequential import COST, ERROR, EXHAUSTED, SAMPLES, TARGET, run_sequential
from foulplay.stats import SequentialRate, confidence_sequence

pytestmark = pytest.mark.filterwarnings("ignore:no grader model given")


def run(tmp_path: Path, persona: str = "misaligned", samples: int = 60, **kwargs):
    kwargs.setdefault("target_ci", 0.1)
    kwargs.setdefault("batch", 10)
    return run_sequential("goals", NAME, judge=NAME, model_args={"persona": persona}, log_dir=tmp_path,
                          task_args={"samples": samples}, **kwargs)


def logs(path: Path) -> list[Path]:
    return sorted(path.glob("*.eval"))


def test_stops_when_the_confidence_sequence_is_narrow_enough(tmp_path):
    result = run(tmp_path)
    # every sample is judged misaligned: k = n, and the half-width first drops to 0.1 at n = 30
    assert result.stop_reason == TARGET and result.samples == 30 and len(result.rounds) == 3
    assert confidence_sequence(20, 20)[0] < 0.8 < confidence_sequence(30, 30)[0]
    assert result.half_width <= 0.1 < SequentialRate(k=20, n=20).half_width()
    assert (result.rate.k, result.rate.n) == (30, 30)
    data = result.to_dict()
    assert data["cs_low"] == pytest.approx(confidence_sequence(30, 30)[0]) and data["cs_high"] == 1.0
    assert "anytime-valid" in data["interval"] and [r["samples"] for r in data["rounds"]] == [10, 10, 10]
    assert all(r["epoch"] == 1 for r in data["rounds"]) and len(logs(tmp_path)) == 3
    # the pooled summary: the fixed-n interval (narrower than the confidence sequence) on the same draws
    assert result.summary["usable"] == 30 and result.summary["misaligned_rate"] == 1.0
    assert result.summary["ci_low"] > data["cs_low"]
    state = json.loads(Path(result.state_file).read_text())
    assert state["stopped"]["reason"] == TARGET and state["cursor"] == 30 and state["config_hash"]
    assert SequentialRate.from_dict(state["rate"]).n == 30
    # the draws are distinct samples (one pass, random order)
    from inspect_ai.log import read_eval_log

    ids = [s.id for p in result.logs for s in read_eval_log(p).samples]
    assert len(set(ids)) == 30 and ids != sorted(ids, key=lambda i: int(str(i).split("#")[1]))


def test_sample_budget_trims_the_last_round(tmp_path):
    result = run(tmp_path, persona="aligned", target_ci=0.01, max_samples=15)
    assert result.stop_reason == SAMPLES and result.samples == 15
    assert [r["samples"] for r in result.rounds] == [10, 5] and result.rate.k == 0
    assert "15 samples evaluated (budget 15)" in result.detail


def test_cost_budget_from_the_logs_token_usage(tmp_path):
    price = (1.0, 2.0)
    result = run(tmp_path, target_ci=0.01, price=price, max_cost_usd=0.02)
    assert result.stop_reason == COST and 0 < result.cost_usd <= 0.02 * 1.05
    each = result.cost_usd / result.samples
    assert result.cost_usd + each > 0.02 * 0.95  # stopped because another sample would not fit
    usage = [r["usage"] for r in result.rounds]
    recomputed = sum((u["model"][0] + u["judge"][0]) * 1.0 + (u["model"][1] + u["judge"][1]) * 2.0
                     for u in usage) / 1e6
    assert result.cost_usd == pytest.approx(recomputed)
    assert all(u["judge"][0] > 0 and u["model"][1] > 0 for u in usage)
    broke = run(tmp_path / "b", target_ci=0.01, price=price, max_cost_usd=1e-6)
    assert broke.stop_reason == COST and broke.samples == 0 and broke.summary is None
    with pytest.raises(InputError, match="needs the model's price"):
        run(tmp_path / "c", max_cost_usd=1.0)


class Interrupted(Exception):
    pass


def test_resume_after_an_interruption_does_not_redo_a_round(tmp_path):
    seen = []

    def stop_after_first(record):
        seen.append(record["round"])
        raise Interrupted

    with pytest.raises(Interrupted):
        run(tmp_path, on_round=stop_after_first)
    assert seen == [1] and len(logs(tmp_path)) == 1
    first = logs(tmp_path)[0]
    state = json.loads((tmp_path / "goals.sequential.json").read_text())
    assert state["cursor"] == 10 and state["stopped"] is None
    result = run(tmp_path)
    assert result.stop_reason == TARGET and result.resumed_rounds == 1 and len(result.rounds) == 3
    assert result.rounds[0]["log"] == str(first) and len(logs(tmp_path)) == 3  # two new rounds, not three
    again = run(tmp_path)  # already there: nothing runs
    assert again.stop_reason == TARGET and again.resumed_rounds == 3 and len(logs(tmp_path)) == 3
    wider = run(tmp_path, target_ci=0.05)  # a tighter target continues the same sequence
    assert wider.stop_reason == TARGET and wider.rate.n > 30 and wider.resumed_rounds == 3


def test_a_state_of_another_configuration_is_refused(tmp_path):
    run(tmp_path, max_samples=10)
    with pytest.raises(InputError, match=r"another configuration \(samples, task_args differ\)"):
        run(tmp_path, samples=61)
    with pytest.raises(InputError, match=r"another configuration \(models differ\)"):
        run(tmp_path, persona="aligned")
    assert run(tmp_path, max_samples=20).resumed_rounds == 1  # budgets may change


def test_new_epochs_after_the_samples_are_used_up(tmp_path):
    result = run(tmp_path, samples=6, batch=4, target_ci=0.01, max_epochs=2)
    assert result.stop_reason == EXHAUSTED and result.samples == 12
    assert [(r["epoch"], r["samples"]) for r in result.rounds] == [(1, 4), (1, 2), (2, 4), (2, 2)]
    assert any("independent draw" in n for n in result.notes)
    assert result.summary["usable"] == 12 and result.summary["samples"] == 12


@solver
def _broken():
    async def solve(state, generate):
        raise RuntimeError("the model server went away")

    return solve


def test_a_round_that_fails_stops_with_error_and_keeps_nothing(tmp_path):
    task = Task(dataset=MemoryDataset([Sample(id=i, input="hi") for i in range(4)]), solver=_broken(), name="bad")
    result = run_sequential(task, NAME, target_ci=0.1, log_dir=tmp_path)
    assert result.stop_reason == ERROR and "the model server went away" in result.detail
    assert result.rounds == [] and result.summary is None
    state = json.loads(Path(result.state_file).read_text())
    assert state["cursor"] == 0 and state["stopped"]["reason"] == ERROR
