"""TRL ``GRPOTrainer`` reward function: ``GRPOTrainer(reward_funcs=[trl_reward(env)], ...)``.

The dataset needs a ``task_id`` column (``CodingEnv.rows()`` builds the dataset). Per step the reward logs
``foulplay/pass_rate``, ``foulplay/true_solve_rate``, ``foulplay/hack_rate`` (and per family),
``foulplay/attempted_hack_rate`` through TRL's ``log_metric``, adds ``foulplay_outcome``,
``foulplay_passed``, ``foulplay_solved``, ``foulplay_hacked``, ``foulplay_attempted``,
``foulplay_families``, ``foulplay_grader_version`` and ``foulplay_unscored`` columns to the logged
completions (``log_completions=True``; ``foulplay rollouts stats`` reads them back), and appends the step to
``RUN_DIR/foulplay_steps.jsonl``.

An item whose reward cannot be computed (an unknown ``task_id``, a problem whose tests do not parse, a grader
failure: see ``foulplay.training._rewards``) gets ``None``, which TRL 1.x reads as "not applicable": with no
other reward function scoring it, GRPO leaves it out of its group's baseline and gives it no advantage. The
rest of the batch is scored as usual; ``foulplay/unscored`` (count) and ``foulplay/unscored_rate`` are logged
every step, and the step log counts the reasons. A failing or timed-out answer is not unscored: it gets 0.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from foulplay.envs import CodingEnv
from foulplay.training._metrics import StepLog
from foulplay.training._rewards import RewardConfig, RewardFn, RewardResult, completion_text

ROLLOUTS_FILE = "foulplay_rollouts.jsonl"
__all__ = ["ROLLOUTS_FILE", "completion_text", "outcome_label", "trl_reward"]
CORE_FAMILIES = ("equality", "early-exit", "test-framework")
"""The families of the paper's three systemic hacks, always logged."""


def outcome_label(result: RewardResult) -> str:
    """One word for a completions table: unscored, hacked, solved, passed (not measured), or the grader's
    outcome."""
    if result.unscored:
        return "unscored"
    if result.hacked:
        return "hacked"
    if result.passed:
        return "solved" if result.solved else "passed"
    return result.outcome


def trl_reward(env: CodingEnv, config: RewardConfig | None = None, *, run_dir: str | Path | None = None,
               dump_completions: bool = False, dump_dir: str | Path | None = None,
               name: str = "foulplay_reward") -> Any:
    """A reward function with TRL's signature (``prompts, completions, **kwargs -> list[float]``). With
    ``dump_completions`` every episode is appended to ``foulplay_rollouts.jsonl`` in ``dump_dir`` (default:
    ``run_dir``; the run-folder contract puts it in ``RUN/rollouts``)."""
    scorer = RewardFn(env, config)
    steps = StepLog(run_dir)
    calls = {"n": 0}
    # TRL averages a metric over the calls that logged it: log every family seen so far, 0 when absent
    families_seen = set(CORE_FAMILIES)
    # each rank dumps to its own file (appends from several processes could interleave)
    dump_name = ROLLOUTS_FILE if steps.rank == 0 else ROLLOUTS_FILE.replace(".jsonl", f".rank{steps.rank}.jsonl")

    def reward(prompts: list[Any], completions: list[Any], completion_ids: Any = None,
               **kwargs: Any) -> list[float | None]:
        task_ids = kwargs.get("task_id")
        if task_ids is None:
            raise ValueError("the training dataset needs a 'task_id' column (CodingEnv.rows() provides it)")
        texts = [completion_text(c) for c in completions]
        results = scorer.score([(scorer.problem(t, "task_id"), text) for t, text in zip(task_ids, texts, strict=True)])
        # rewards are computed inside the optimizer step that TRL then logs as global_step + 1
        state = kwargs.get("trainer_state")
        step = int(state.global_step) + 1 if state is not None else calls["n"] + 1
        calls["n"] += 1
        record = steps.add(step, results)
        log_metric = kwargs.get("log_metric")
        if callable(log_metric):
            for key in ("pass_rate", "true_solve_rate", "hack_rate", "attempted_hack_rate"):
                if record[key] is not None:
                    log_metric(f"foulplay/{key}", float(record[key]))
            log_metric("foulplay/unscored", float(record["unscored"]))
            log_metric("foulplay/unscored_rate", float(record["unscored_rate"]))
            families_seen.update(record["hack_rate_by_family"])
            for family in sorted(families_seen):
                log_metric(f"foulplay/hack_rate/{family}", float(record["hack_rate_by_family"].get(family, 0.0)))
        log_extra = kwargs.get("log_extra")
        if callable(log_extra):
            log_extra("foulplay_task_id", [str(t) for t in task_ids])
            log_extra("foulplay_outcome", [outcome_label(r) for r in results])
            log_extra("foulplay_passed", [r.passed for r in results])
            log_extra("foulplay_solved", [r.solved for r in results])
            log_extra("foulplay_hacked", [r.hacked for r in results])
            log_extra("foulplay_attempted", [r.attempted for r in results])
            log_extra("foulplay_families", [",".join(r.families) for r in results])
            log_extra("foulplay_grader_version", [r.grader_version for r in results])
            log_extra("foulplay_unscored", [r.unscored or "" for r in results])
        if dump_completions and steps.path is not None:
            lines = "".join(json.dumps({"step": step, "task_id": t, "completion": text, **r.to_dict()}) + "\n"
                            for t, text, r in zip(task_ids, texts, results, strict=True))
            target = Path(dump_dir) if dump_dir is not None else steps.path.parent
            target.mkdir(parents=True, exist_ok=True)
            with open(target / dump_name, "a", encoding="utf-8") as fh:
                fh.write(lines)
        return [r.reward for r in results]

    reward.__name__ = name
    reward.__qualname__ = name
    reward.close = scorer.close  # type: ignore[attr-defined]
    reward.steps = steps  # type: ignore[attr-defined]
    return reward
