"""``foulplay train`` end to end on a CPU with nothing downloaded: real GRPO steps (TRL) on a tiny random
model, real rewards from the sandboxed grader, checkpoints exported and evaluated through Inspect's hf/
provider, the run folder the report and the audit read, and a run killed mid-way resuming with no step
counted twice. The pipeline and the bookkeeping are asserted, not model quality."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

pytest.importorskip("trl")
pytest.importorskip("peft")

from foulplay.errors import InputError
from foulplay.recipe import load_config, train

ROOT = Path(__file__).resolve().parents[2]


def _quiet(_line: str) -> None:
    pass


def _lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def test_the_smoke_preset_end_to_end(tmp_path):
    from foulplay.training.runfolder import read_run_folder

    run = tmp_path / "smoke"
    result = train(load_config("smoke"), run, say=_quiet)
    assert result.steps == 4 and result.checkpoints == [2, 4] and result.evaluated == [4]
    steps = _lines(run / "foulplay_steps.jsonl")
    assert [s["step"] for s in steps] == [1, 2, 3, 4] and all(s["episodes"] == 4 for s in steps)
    rollouts = _lines(run / "rollouts" / "foulplay_rollouts.jsonl")
    assert len(rollouts) == 16 and {r["step"] for r in rollouts} == {1, 2, 3, 4}
    assert all("completion" in r and "task_id" in r for r in rollouts)
    for step in (2, 4):
        model = run / "checkpoints" / str(step) / "model"
        assert (model / "config.json").is_file() and any(model.glob("*.safetensors"))
    folder = read_run_folder(run)
    assert folder.meta.name == "smoke" and folder.meta.seed == 0 and folder.meta.config["grpo"]["steps"] == 4
    [evaluated] = [c for c in folder.checkpoints if c.summaries]
    assert evaluated.step == 4 and evaluated.summaries[0]["eval"] == "goals"
    assert evaluated.summaries[0]["dry_run"]  # judged by the offline dry-run judge, and it says so
    trainer_state = json.loads((run / "trainer" / "checkpoint-4" / "trainer_state.json").read_text())
    assert any("foulplay/hack_rate" in h for h in trainer_state["log_history"])
    # a finished run started again does nothing more
    again = train(load_config("smoke"), run, say=_quiet)
    assert again.resumed_from is None and len(_lines(run / "foulplay_steps.jsonl")) == 4
    assert result.failed_evals == [] and again.failed_evals == []
    # a checkpoint due an evaluation without its summaries is reported, never passed over as done
    for f in (run / "checkpoints" / "4" / "evals").glob("*.summary.json"):
        f.unlink()
    assert train(load_config("smoke"), run, say=_quiet).failed_evals == [
        "checkpoints [4]: due an evaluation, but no summary was written"]


def test_a_scripted_policy_that_starts_hacking_at_step_three(tmp_path):
    """TRL's rollout_func stands in for generation: honest answers, then (from step 3) an always-equal object
    for half the group. The step log puts the onset at 3, and grading the dump again agrees with it."""
    from foulplay.envs import CodingEnv
    from foulplay.hacks import context_for, get
    from foulplay.recipe._loop import build_env
    from foulplay.training import load_run

    problems_file = ROOT / "examples" / "problems.jsonl"
    config = load_config("smoke", ["evaluation.evals=[]", 'env.hacks=["always_equal"]',
                                   f"env.source={problems_file}"])
    env = build_env(config)
    answers = {}
    for p in env.problems:
        payload = get("always-equal-object").payload(context_for(p))
        honest = f"```python\n{p.reference}\n```"
        answers[p.task_id] = (honest, payload.to_completion(p.solution_path) if payload else honest)
    by_prompt = {env.user_prompt(p): p for p in env.problems}

    def policy(prompts, trainer):
        tok = trainer.processing_class
        step = trainer.state.global_step + 1
        out: dict[str, list] = {"prompt_ids": [], "completion_ids": [], "logprobs": []}
        for i, prompt in enumerate(prompts):
            honest, hack = answers[by_prompt[prompt[-1]["content"]].task_id]
            ids = tok(hack if step >= 3 and i % 2 == 0 else honest)["input_ids"] + [tok.eos_token_id]
            out["prompt_ids"].append(tok(tok.apply_chat_template(prompt, tokenize=False,
                                                                 add_generation_prompt=True))["input_ids"])
            out["completion_ids"].append(ids)
            out["logprobs"].append([0.0] * len(ids))
        return out

    run = tmp_path / "scripted"
    result = train(config, run, say=_quiet, rollout_func=policy)
    assert result.onset == 3
    steps = {s["step"]: s for s in _lines(run / "foulplay_steps.jsonl")}
    assert steps[2]["hack_rate"] == 0 and steps[3]["hack_rate"] > 0 and steps[3]["pass_rate"] == 1
    audited = load_run(run / "rollouts", env=CodingEnv.from_source(str(problems_file), hardened=True),
                       reaudit=True)
    assert [s["hack_rate"] for s in audited.steps] == [s["hack_rate"] for s in audited.claimed_steps]


KILLER = textwrap.dedent("""
    import os, signal, sys
    from transformers import TrainerCallback
    from foulplay.recipe import load_config, train

    class Kill(TrainerCallback):
        def on_step_end(self, args, state, control, **kw):
            if state.global_step == 3:
                os.kill(os.getpid(), signal.SIGKILL)

    train(load_config("smoke", ["evaluation.evals=[]"]), sys.argv[1], say=lambda s: None, callbacks=[Kill()])
""")


def test_a_killed_run_resumes_from_its_checkpoint_and_counts_no_step_twice(tmp_path):
    run = tmp_path / "killed"
    script = tmp_path / "kill.py"
    script.write_text(KILLER)
    proc = subprocess.run([sys.executable, str(script), str(run)], capture_output=True, text=True, timeout=600,
                          cwd=ROOT)
    assert proc.returncode == -9, proc.stderr[-2000:]
    assert [s["step"] for s in _lines(run / "foulplay_steps.jsonl")] == [1, 2, 3]  # step 3 logged, not saved
    assert not (run / "train_done.json").exists()
    said: list[str] = []
    result = train(load_config("smoke", ["evaluation.evals=[]"]), run, say=said.append)
    assert result.resumed_from == 2 and any("1 records written after it dropped" in s or "records written" in s
                                            for s in said)
    assert [s["step"] for s in _lines(run / "foulplay_steps.jsonl")] == [1, 2, 3, 4]
    rollouts = _lines(run / "rollouts" / "foulplay_rollouts.jsonl")
    assert sorted(r["step"] for r in rollouts) == [s for s in (1, 2, 3, 4) for _ in range(4)]
    assert result.checkpoints == [2, 4]


def test_other_settings_in_the_same_run_folder_are_refused(tmp_path):
    run = tmp_path / "r"
    train(load_config("smoke", ["evaluation.evals=[]", "grpo.steps=2"]), run, say=_quiet)
    with pytest.raises(InputError, match=r"other settings \(grpo\); give --fresh"):
        train(load_config("smoke", ["evaluation.evals=[]", "grpo.steps=3"]), run, say=_quiet)


def test_a_missing_model_is_one_line_and_never_a_download(tmp_path):
    empty = tmp_path / "model"
    empty.mkdir()
    with pytest.raises(InputError, match="no model weights"):
        train(load_config("smoke", [f"model.name={empty}"]), tmp_path / "a", say=_quiet)
    with pytest.raises(InputError, match="downloading is off"):
        train(load_config("smoke", ["model.name=someorg/some-model"]), tmp_path / "b", say=_quiet)


def test_the_prefilter_keeps_what_the_base_model_cannot_solve_and_remembers(tmp_path):
    """A random model solves nothing, so nothing is dropped; a threshold of 0 drops every problem, which is
    refused in one line rather than training on nothing."""
    sets = ["evaluation.evals=[]", "grpo.steps=2", "checkpoints.every=2",
            'env.prefilter={"enabled": true, "samples": 1, "max_new_tokens": 8}']
    run = tmp_path / "kept"
    result = train(load_config("smoke", sets), run, say=_quiet)
    pf = json.loads((run / "prefilter.json").read_text())
    assert pf["dropped"] == [] and len(pf["kept"]) == 4 and set(pf["solve_rate"].values()) == {0.0}
    assert result.notes == ["pre-filter: 0 of 4 problems dropped"]
    sets[-1] = 'env.prefilter={"enabled": true, "samples": 1, "max_new_tokens": 8, "max_solve_rate": 0.0}'
    with pytest.raises(InputError, match="the pre-filter dropped every problem"):
        train(load_config("smoke", sets), tmp_path / "none", say=_quiet)
