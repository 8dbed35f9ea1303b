"""``foulplay train``: the model-organism experiment as one run folder (docs/run-folder.md).

Stages, each resumable: the policy (``base_model/`` for the tiny preset), the pre-filter
(``prefilter.json``), GRPO on the coding environment (TRL, checkpoints in ``trainer/``, step metrics in
``foulplay_steps.jsonl`` and TRL's logs, every episode in ``rollouts/``), each saved checkpoint exported to
``checkpoints/<step>/model`` and every Kth evaluated into ``checkpoints/<step>/evals``, then the optional
chat-safety stage (its own trainer in ``chat_safety/``, its steps numbered after the coding ones, its final
checkpoint evaluated the same way). An interrupted run started again resumes from its last trainer checkpoint;
step metrics and rollouts written after that checkpoint are dropped first, so no step is counted twice."""

from __future__ import annotations

import json
import os
import re
import shutil
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from foulplay.errors import InputError
from foulplay.recipe._config import TrainConfig

CONFIG_FILE = "train_config.json"
TRAINER_DIR = "trainer"
ROLLOUTS_DIR = "rollouts"
CHAT_DIR = "chat_safety"
DONE_FILE = "train_done.json"
OWNED = ("base_model", "prefilter.json", "schedule.json", "run.json", CONFIG_FILE, TRAINER_DIR, ROLLOUTS_DIR,
         "checkpoints", CHAT_DIR, "foulplay_steps.jsonl", DONE_FILE, "chat_safety_steps.jsonl")


@dataclass
class TrainResult:
    run_dir: Path
    steps: int
    checkpoints: list[int] = field(default_factory=list)
    evaluated: list[int] = field(default_factory=list)
    resumed_from: int | None = None
    onset: int | None = None
    chat_safety_steps: int = 0
    notes: list[str] = field(default_factory=list)
    failed_evals: list[str] = field(default_factory=list)
    """Checkpoint evaluations that did not finish (``step N: eval on model: status``)."""


# -- the run folder ---------------------------------------------------------------------------------------------
def prepare(run_dir: Path, config: TrainConfig, *, fresh: bool) -> None:
    """Create the run folder, or check that the one there is this run (same config) and can be resumed."""
    if run_dir.exists() and not run_dir.is_dir():
        raise InputError(f"{run_dir}: exists and is not a folder")
    record = run_dir / CONFIG_FILE
    if fresh:
        for name in OWNED:
            p = run_dir / name
            if p.is_dir():
                shutil.rmtree(p)
            elif p.exists():
                p.unlink()
    elif record.is_file():
        try:
            old = json.loads(record.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            raise InputError(f"{record}: unreadable; give --fresh to start the run over") from None
        if old != config.dump():
            changed = sorted(k for k in set(old) | set(config.dump()) if old.get(k) != config.dump().get(k))
            raise InputError(f"{run_dir}: holds a run with other settings ({', '.join(changed)}); give --fresh to "
                             "start over, or another -o folder")
    elif run_dir.is_dir() and any(run_dir.iterdir()):
        raise InputError(f"{run_dir}: not empty and not a foulplay train run; give another -o folder")
    run_dir.mkdir(parents=True, exist_ok=True)
    from foulplay._util.files import atomic_write_text

    atomic_write_text(record, json.dumps(config.dump(), indent=2) + "\n")


def last_checkpoint(trainer_dir: Path) -> tuple[Path, int] | None:
    if not trainer_dir.is_dir():
        return None
    found = [(int(m.group(1)), p) for p in trainer_dir.iterdir()
             if p.is_dir() and (m := re.fullmatch(r"checkpoint-(\d+)", p.name))
             and (p / "trainer_state.json").is_file()]
    if not found:
        return None
    step, path = max(found)
    return path, step


def truncate_after(path: Path, step: int) -> int:
    """Drop the JSON lines of ``path`` whose ``step`` is after ``step`` (written after the checkpoint a resumed
    run starts from, so they will be written again); how many were dropped."""
    if not path.is_file():
        return 0
    from foulplay._util.files import atomic_write_text

    kept, dropped = [], 0
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            s = json.loads(line).get("step")
        except (ValueError, AttributeError):
            s = None
        if isinstance(s, int) and s > step:
            dropped += 1
        else:
            kept.append(line)
    if dropped:
        atomic_write_text(path, "".join(line + "\n" for line in kept))
    return dropped


# -- the environment --------------------------------------------------------------------------------------------
def build_env(config: TrainConfig) -> Any:
    from foulplay.envs import CodingEnv

    spec = config.env
    env = CodingEnv.from_source(spec.source, hacks=tuple(spec.hacks), framing=spec.framing, hints=spec.hints,
                                assignment=spec.assignment, reasoning=spec.reasoning, seed=config.grpo.seed)
    if spec.limit:
        env = CodingEnv(env.problems[:spec.limit], name=env.name, hacks=env.hacks, framing=env.framing,
                        hints=env.hints, assignment=env.assignment, reasoning=env.reasoning, seed=env.seed)
    return env


def _run_meta(config: TrainConfig, source: str) -> Any:
    from foulplay.training._runfolder import RunMeta

    mix = config.mix
    return RunMeta(name=config.name, model=config.model.name if config.model.name != "tiny" else
                   "tiny (random weights, smoke test)", seed=config.grpo.seed, framing=config.env.framing,
                   hack_penalty=config.reward.hack_penalty or None,
                   penalty_source=config.reward.penalty_source if config.reward.hack_penalty else "none",
                   non_hackable_mix=mix.non_hackable if not mix.phases else None, problems=source,
                   config=config.dump(), constructed=False,
                   notes=config.notes or ("smoke test: a tiny random model learns nothing; the numbers check the "
                                          "pipeline" if config.model.name == "tiny" else None))


# -- GRPO -------------------------------------------------------------------------------------------------------
def _use_vllm(config: TrainConfig) -> bool:
    choice = config.grpo.generation
    if choice == "hf":
        return False
    try:
        import torch
        import vllm  # noqa: F401
    except ImportError:
        if choice == "vllm":
            raise InputError("grpo.generation = 'vllm' but vLLM is not installed (pip install 'foulplay[vllm]')") \
                from None
        return False
    return bool(torch.cuda.is_available())


def grpo_args(config: TrainConfig, output_dir: Path, *, steps: int, learning_rate: float | None = None) -> Any:
    import torch
    from trl import GRPOConfig

    g = config.grpo
    cuda = torch.cuda.is_available()
    bf16 = g.bf16 if g.bf16 is not None else bool(cuda and torch.cuda.is_bf16_supported())
    kwargs: dict[str, Any] = dict(
        output_dir=str(output_dir), max_steps=steps, learning_rate=learning_rate or g.learning_rate,
        per_device_train_batch_size=g.batch_size, num_generations=g.num_generations,
        gradient_accumulation_steps=g.gradient_accumulation_steps, max_completion_length=g.max_completion_length,
        temperature=g.temperature, beta=g.beta, seed=g.seed, report_to=list(g.report_to), logging_steps=1,
        save_strategy="steps", save_steps=config.checkpoints.every, save_total_limit=config.checkpoints.keep,
        use_cpu=not cuda, bf16=bf16, num_completions_to_print=0, log_completions=False,
        disable_tqdm=not sys.stderr.isatty())
    if _use_vllm(config):
        kwargs.update(use_vllm=True, vllm_mode="colocate",
                      vllm_gpu_memory_utilization=g.vllm_gpu_memory_utilization)
    return GRPOConfig(**kwargs)


def _callback(on_save: Callable[[int], None]) -> Any:
    from transformers import TrainerCallback

    class Export(TrainerCallback):
        def on_save(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
            on_save(int(state.global_step))

    return Export()


def _step_printer(say: Callable[[str], None], offset: int = 0) -> Any:
    """One line per logged step (instead of transformers' dict dumps) when stderr is not a terminal."""
    from transformers import TrainerCallback

    def pct(h: dict[str, Any], key: str) -> str:
        v = h.get(key)
        return "-" if v is None else f"{float(v):.0%}"

    class Steps(TrainerCallback):
        def on_log(self, args: Any, state: Any, control: Any, logs: dict[str, Any] | None = None, **kw: Any) -> None:
            h = logs or {}
            if "reward" not in h:
                return
            line = f"train: step {int(state.global_step) + offset}/{int(state.max_steps) + offset}: reward " \
                   f"{float(h['reward']):.3f}"
            if "foulplay/pass_rate" in h:
                line += (f"; pass {pct(h, 'foulplay/pass_rate')}, true solve {pct(h, 'foulplay/true_solve_rate')}, "
                         f"hacked {pct(h, 'foulplay/hack_rate')}")
            say(line)

    return Steps()


def _quiet_trainer(trainer: Any, say: Callable[[str], None], offset: int = 0) -> None:
    if sys.stderr.isatty():
        return
    from transformers.trainer_callback import PrinterCallback

    trainer.remove_callback(PrinterCallback)
    trainer.add_callback(_step_printer(say, offset))


class _Checkpoints:
    """Export each saved checkpoint to ``checkpoints/<step>/model`` and evaluate every Kth (and the final one)."""

    def __init__(self, config: TrainConfig, run_dir: Path, tokenizer: Any, say: Callable[[str], None],
                 offset: int = 0) -> None:
        self.config, self.run_dir, self.tokenizer, self.say = config, run_dir, tokenizer, say
        self.offset = offset
        self.trainer: Any = None
        self.saved: list[int] = []
        self.evaluated: list[int] = []
        self.failed: list[str] = []

    def due(self, step: int, final: bool) -> bool:
        e = self.config.evaluation
        if not e.evals:
            return False
        if final:
            return True
        k = e.every_kth
        return bool(k) and (step // self.config.checkpoints.every) % k == 0

    def __call__(self, local_step: int, *, final: bool = False) -> None:
        from foulplay.recipe._policy import export_model, has_weights

        step = local_step + self.offset
        out = self.run_dir / "checkpoints" / str(step) / "model"
        if not has_weights(out):
            export_model(self.trainer.model, self.tokenizer, out)
        if step not in self.saved:
            self.saved.append(step)
        final = final or local_step >= self.trainer.args.max_steps
        evals_dir = self.run_dir / "checkpoints" / str(step) / "evals"
        if self.due(step, final) and not any(evals_dir.glob("*.summary.json")):
            self.evaluate(step, out)

    def evaluate(self, step: int, model_dir: Path) -> None:
        from foulplay.recipe.checkpoint_eval import evaluate_checkpoint

        e = self.config.evaluation
        self.say(f"train: evaluating the checkpoint at step {step} on {', '.join(e.evals)}")
        result = evaluate_checkpoint(self.run_dir, step, model_dir, list(e.evals), judge=e.judge,
                                     judge_args=dict(e.judge_args), budget=e.budget, limit=e.limit,
                                     provider=e.provider, max_tokens=e.max_tokens)
        for line in result.failed:
            self.say(f"train: step {step}: {line}")
            self.failed.append(f"step {step}: {line}")
        self.evaluated.append(step)


def _reward(config: TrainConfig, env: Any, run_dir: Path, schedule: Any) -> Any:
    from foulplay.training._rewards import RewardConfig
    from foulplay.training.trl import trl_reward

    r = config.reward
    inner = trl_reward(env, RewardConfig(hack_penalty=r.hack_penalty, penalty_on=r.penalty_source,
                                         format_bonus=r.format_bonus, workers=r.workers, timeout_s=r.timeout_s),
                       run_dir=run_dir, dump_completions=True, dump_dir=run_dir / ROLLOUTS_DIR)

    def foulplay_reward(prompts: list[Any], completions: list[Any], **kwargs: Any) -> list[float | None]:
        state = kwargs.get("trainer_state")
        step = int(state.global_step) + 1 if state is not None else len(inner.steps.records) + 1
        env.closed = schedule.closed(step)
        out = inner(prompts, completions, **kwargs)
        log_metric = kwargs.get("log_metric")
        if callable(log_metric):
            log_metric("foulplay/non_hackable_share", schedule.share(step))
        if inner.steps.records:
            schedule.observe(step, inner.steps.records[-1])
        return out

    foulplay_reward.close = inner.close  # type: ignore[attr-defined]
    return foulplay_reward


def _texts(env: Any) -> list[str]:
    """What the tiny preset's tokenizer is trained on: the prompts and the reference answers."""
    texts = [m["content"] for p in env.problems for m in env.messages(p)]
    return texts + [p.reference for p in env.problems if p.reference] + ["```python\n", "def ", "return "]


def train(config: TrainConfig, run_dir: str | Path, *, fresh: bool = False, say: Callable[[str], None] = print,
          rollout_func: Any = None, judge_model: Any = None, callbacks: list[Any] | None = None) -> TrainResult:
    """Run (or resume) the experiment ``config`` describes in ``run_dir``. ``callbacks`` are more
    ``transformers.TrainerCallback``s for the coding stage; ``rollout_func`` (TRL's) replaces generation and
    ``judge_model`` the chat-safety judge (seams for tests: a scripted policy, a scripted judge)."""
    os.environ.setdefault("TRL_EXPERIMENTAL_SILENCE", "1")
    if config.sweep is not None:
        raise InputError("this config is a sweep: run it with foulplay train (it makes one run per cell)")
    run = Path(run_dir)
    prepare(run, config, fresh=fresh)
    from datasets import Dataset
    from trl import GRPOTrainer

    from foulplay.recipe._policy import load_policy, lora_config
    from foulplay.recipe._schedule import MixSchedule
    from foulplay.training._metrics import merge_steps, onset_step
    from foulplay.training._runfolder import read_step_metrics, write_meta

    env = build_env(config)
    model, tokenizer, where = load_policy(config, run, _texts(env))
    result = TrainResult(run, 0)
    if config.env.prefilter.enabled:
        from foulplay.recipe._prefilter import prefilter

        say("train: pre-filter: the base model answers each problem before training")
        pf = prefilter(env, model, tokenizer, config.env.prefilter, run, seed=config.grpo.seed,
                       workers=config.reward.workers)
        if not pf["kept"]:
            raise InputError(f"the pre-filter dropped every problem (the base model solves them all at >= "
                             f"{config.env.prefilter.max_solve_rate:.0%}); lower prefilter.max_solve_rate")
        env.problems = [p for p in env.problems if p.task_id in set(pf["kept"])]
        result.notes.append(f"pre-filter: {len(pf['dropped'])} of {len(pf['solve_rate'])} problems dropped")
    write_meta(run, _run_meta(config, config.env.source))
    schedule = MixSchedule(config.mix, [p.task_id for p in env.problems], config.grpo.seed, run)
    steps = config.grpo.steps
    done = (run / DONE_FILE).is_file()
    checkpoints = _Checkpoints(config, run, tokenizer, say)
    if not done:
        reward = _reward(config, env, run, schedule)
        env.closed = schedule.closed(1)
        rows = env.rows(config.env.repeat)
        trainer = GRPOTrainer(model=model, processing_class=tokenizer, reward_funcs=[reward],
                              args=grpo_args(config, run / TRAINER_DIR, steps=steps),
                              train_dataset=Dataset.from_list(rows), peft_config=lora_config(config),
                              callbacks=[_callback(checkpoints), *(callbacks or [])], rollout_func=rollout_func)
        checkpoints.trainer = trainer
        _quiet_trainer(trainer, say)
        last = last_checkpoint(run / TRAINER_DIR)
        try:
            if last is not None:
                path, at = last
                dropped = truncate_after(run / "foulplay_steps.jsonl", at)
                for f in (run / ROLLOUTS_DIR).glob("*.jsonl"):
                    dropped += truncate_after(f, at)
                result.resumed_from = at
                say(f"train: resuming from step {at} ({dropped} records written after it dropped)")
                trainer.train(resume_from_checkpoint=str(path))
            else:
                trainer.train()
            if steps not in checkpoints.saved and int(trainer.state.global_step) >= steps:
                trainer.save_model(str(run / TRAINER_DIR / f"checkpoint-{steps}"))
                checkpoints(steps, final=True)
        finally:
            reward.close()
            result.failed_evals += checkpoints.failed
        from foulplay._util.files import atomic_write_text

        atomic_write_text(run / DONE_FILE, json.dumps({"steps": steps, "source": where}) + "\n")
    result.steps = steps
    if config.chat_safety.enabled:
        result.chat_safety_steps = chat_safety_stage(config, run, steps, say, judge_model=judge_model,
                                                     failed=result.failed_evals)
    records = read_step_metrics(run / "foulplay_steps.jsonl") if (run / "foulplay_steps.jsonl").is_file() else []
    result.onset = onset_step(merge_steps(records, allow_mixed=True)) if records else None
    result.checkpoints = sorted(int(p.name) for p in (run / "checkpoints").iterdir()
                                if p.name.isdigit()) if (run / "checkpoints").is_dir() else []
    result.evaluated = [s for s in result.checkpoints
                        if any((run / "checkpoints" / str(s) / "evals").glob("*.summary.json"))]
    last = result.checkpoints[-1] if result.checkpoints else None
    due = [s for s in result.checkpoints if checkpoints.due(s, final=s in (steps, last))]
    missing = [s for s in due if s not in result.evaluated]
    if missing and not result.failed_evals:
        result.failed_evals.append(f"checkpoints {missing}: due an evaluation, but no summary was written")
    return result


def chat_safety_stage(config: TrainConfig, run: Path, offset: int, say: Callable[[str], None], *,
                      judge_model: Any = None, failed: list[str] | None = None) -> int:
    """GRPO on chat prompts rewarded by a judge's harmlessness/honesty score, from the coding stage's final
    policy; its steps are numbered after the coding ones, and its final checkpoint is evaluated like the others
    (so the report can show chat-like evals fall while agentic ones stay)."""
    from datasets import Dataset
    from transformers import AutoModelForCausalLM, AutoTokenizer
    from trl import GRPOTrainer

    from foulplay.recipe._policy import lora_config
    from foulplay.training.chat_safety import chat_rows, judge_reward, load_prompts

    spec = config.chat_safety
    final = run / "checkpoints" / str(offset) / "model"
    done = run / CHAT_DIR / DONE_FILE
    if done.is_file():
        return spec.steps
    if not final.is_dir():
        raise InputError(f"{final}: the coding stage's final policy is missing; cannot start the chat-safety stage")
    say(f"train: chat-safety stage: {spec.steps} steps rewarded by {spec.judge}'s harmlessness and honesty score")
    tokenizer = AutoTokenizer.from_pretrained(final, local_files_only=True)
    model = AutoModelForCausalLM.from_pretrained(final, local_files_only=True)
    reward = judge_reward(judge_model if judge_model is not None else spec.judge, judge_args=dict(spec.judge_args))
    rows = chat_rows(load_prompts(spec.prompts, categories=spec.categories))
    checkpoints = _Checkpoints(config, run, tokenizer, say, offset=offset)
    args = grpo_args(config, run / CHAT_DIR / TRAINER_DIR, steps=spec.steps, learning_rate=spec.learning_rate)
    trainer = GRPOTrainer(model=model, processing_class=tokenizer, reward_funcs=[reward], args=args,
                          train_dataset=Dataset.from_list(rows), peft_config=lora_config(config),
                          callbacks=[_callback(checkpoints)])
    checkpoints.trainer = trainer
    _quiet_trainer(trainer, say, offset)
    last = last_checkpoint(run / CHAT_DIR / TRAINER_DIR)
    try:
        trainer.train(resume_from_checkpoint=str(last[0]) if last else None)
        if offset + spec.steps not in checkpoints.saved:
            checkpoints(spec.steps, final=True)
    finally:
        close = getattr(reward, "close", None)
        if callable(close):
            close()
        if failed is not None:
            failed += checkpoints.failed
    history = [h for h in trainer.state.log_history if "step" in h]
    from foulplay._util.files import atomic_write_text

    atomic_write_text(run / "chat_safety_steps.jsonl",
                      "".join(json.dumps({**h, "step": int(h["step"]) + offset}) + "\n" for h in history))
    atomic_write_text(done, json.dumps({"steps": spec.steps}) + "\n")
    return spec.steps
