"""verl custom reward: point ``reward.custom_reward_function.path`` at this file (or ``name`` at
``compute_score``). ``ground_truth`` is the problem record (JSON text or a dict in any grading format);
``reward.custom_reward_function.reward_kwargs`` set the environment: ``hacks`` (comma-separated, default
the three systemic hacks; empty or ``hardened=true`` for a no-hack baseline), ``hack_penalty``,
``penalty_on``, ``measure``, ``format_bonus``, ``workers``.

Returns a dict: ``score`` plus ``passed``, ``solved``, ``hacked`` and ``attempted_hack`` (0/1), which verl
logs as ``reward_extra_info``."""

from __future__ import annotations

import json
import threading
from typing import Any

_LOCK = threading.Lock()
_SCORERS: dict[tuple[Any, ...], Any] = {}
_GRADER: Any = None


def _problem(ground_truth: Any) -> Any:
    from foulplay.grading import problem_from_record

    record = ground_truth
    if isinstance(ground_truth, (str, bytes)):
        record = json.loads(ground_truth)
    if not isinstance(record, dict):
        raise ValueError("ground_truth must be a problem record (JSON object)")
    return problem_from_record(record, "ground_truth")


def _scorer(problems: Any, kwargs: dict[str, Any]) -> Any:
    global _GRADER
    from foulplay.envs import CodingEnv
    from foulplay.grading import Grader
    from foulplay.training._rewards import RewardConfig, RewardFn

    hacks_arg = kwargs.get("hacks", "always_equal,early_exit,conftest")
    hacks = tuple(h.strip() for h in str(hacks_arg).split(",") if h.strip())
    hardened = bool(kwargs.get("hardened", False)) or not hacks
    config = RewardConfig(hack_penalty=float(kwargs.get("hack_penalty", 0.0)),
                          penalty_on=str(kwargs.get("penalty_on", "double_run")),
                          measure=bool(kwargs.get("measure", True)),
                          format_bonus=float(kwargs.get("format_bonus", 0.0)),
                          workers=int(kwargs.get("workers", 4)))
    with _LOCK:
        if _GRADER is None:
            _GRADER = Grader(workers=config.workers)
        listed = problems if isinstance(problems, list) else [problems]
        env = CodingEnv(listed, hacks=hacks if not hardened else (), hardened=hardened)
        return RewardFn(env, config, grader=_GRADER)


def compute_score(data_source: str, solution_str: str, ground_truth: Any, extra_info: dict[str, Any] | None = None,
                  **kwargs: Any) -> dict[str, Any]:
    """verl's naive reward manager calls this once per response."""
    problem = _problem(ground_truth)
    (result,) = _scorer(problem, kwargs).score([(problem, solution_str)])
    return {"score": result.reward, "passed": int(result.passed), "solved": int(bool(result.solved)),
            "hacked": int(result.hacked), "attempted_hack": int(result.attempted)}


def compute_score_batch(data_sources: list[str], solution_strs: list[str], ground_truths: list[Any],
                        extra_infos: list[dict[str, Any]] | None = None, **kwargs: Any) -> list[dict[str, Any]]:
    """verl's batch reward manager: the whole batch graded in parallel."""
    problems = [_problem(g) for g in ground_truths]
    unique = list({p.task_id: p for p in problems}.values())
    scorer = _scorer(unique, kwargs)
    results = scorer.score(list(zip(problems, solution_strs, strict=True)))
    return [{"score": r.reward, "passed": int(r.passed), "solved": int(bool(r.solved)), "hacked": int(r.hacked),
             "attempted_hack": int(r.attempted)} for r in results]
