"""verl custom reward: point ``reward.custom_reward_function.path`` at this file (or ``name`` at
``compute_score``). ``ground_truth`` is the problem record (JSON text or a dict in any grading format);
``reward.custom_reward_function.reward_kwargs`` set the environment: ``hacks`` (comma-separated, default
the three systemic hacks; empty or ``hardened=true`` for a no-hack baseline; a row's
``extra_info.foulplay_hacks``, written by ``foulplay env export``, wins over it), ``hack_penalty``,
``penalty_on``, ``measure``, ``format_bonus``, ``workers``, ``timeout`` (seconds per grading run),
``unscored_reward`` (default 0.0, see below), ``backend`` (``local``, the default: a sandbox pool in the reward
process, ``workers`` wide; ``ray``: ``workers`` Ray actors with warm sandboxes, on the trainer's own Ray cluster
when the reward runs inside it, as verl's reward workers do: no second cluster, no HTTP hop; see
docs/scale.md) and ``address`` (``ray`` outside a Ray process: the cluster to join).

Returns a dict: ``score`` plus ``passed``, ``solved``, ``hacked``, ``attempted_hack`` and the successful
hacks by family (``hacked_equality``, ``hacked_early_exit``, ``hacked_test_framework``, ``hacked_other``),
all 0/1, ``foulplay_unscored`` (0/1) and the ``grader_version`` (``foulplay.vocab.GRADER_VERSION``), which
verl logs as ``reward_extra_info`` and writes into its rollout dumps.

Items are independent: a ground truth that is not a valid problem record, tests that do not parse, or a
grader failure make that item unscored and leave the rest of the batch alone. verl's reward managers write
``score`` into a float tensor (``None`` is not accepted), so an unscored item gets ``score`` =
``unscored_reward`` (by default 0.0, the environment's failing value), ``foulplay_unscored`` = 1 and 0 in the
other columns; ``foulplay rollouts stats`` leaves such episodes out of its rates and counts them. A failing
or timed-out answer is scored (0), not unscored."""

from __future__ import annotations

import threading
from typing import Any

_LOCK = threading.Lock()
_GRADER: Any = None
_EXECUTOR: Any = None


def _problem(ground_truth: Any) -> Any:
    """The problem record in ``ground_truth``, or an ``Unscorable`` saying why it is not one."""
    from foulplay.training._rewards import Unscorable, resolve_problem

    if isinstance(ground_truth, dict) or (isinstance(ground_truth, (str, bytes))
                                          and ground_truth.lstrip()[:1] in ("{", b"{")):
        return resolve_problem(ground_truth, None, "ground_truth")
    return Unscorable("bad-problem", "ground_truth: must be a problem record (a JSON object, as 'foulplay env "
                                     f"export --target verl' writes it), got {type(ground_truth).__name__}")


def _hacks(extra_info: dict[str, Any] | None, kwargs: dict[str, Any]) -> tuple[str, ...]:
    """The hacks this item's grader is open to: ``extra_info['foulplay_hacks']`` (written by ``foulplay env
    export --target verl``; empty means hardened) over the reward kwargs."""
    if kwargs.get("hardened"):
        return ()
    value = (extra_info or {}).get("foulplay_hacks") if isinstance(extra_info, dict) else None
    if value is None:
        value = kwargs.get("hacks", "always_equal,early_exit,conftest")
    if isinstance(value, (list, tuple)):
        value = ",".join(map(str, value))
    return tuple(h.strip() for h in str(value).split(",") if h.strip())


def _config(kwargs: dict[str, Any]) -> Any:
    from foulplay.training._rewards import RewardConfig

    return RewardConfig(hack_penalty=float(kwargs.get("hack_penalty", 0.0)),
                        penalty_on=str(kwargs.get("penalty_on", "double_run")),
                        measure=bool(kwargs.get("measure", True)),
                        format_bonus=float(kwargs.get("format_bonus", 0.0)),
                        workers=int(kwargs.get("workers", 4)),
                        timeout_s=float(kwargs.get("timeout", 10.0)),
                        unscored_reward=float(kwargs.get("unscored_reward", 0.0)),
                        backend=str(kwargs.get("backend", "local")),
                        address=str(kwargs["address"]) if kwargs.get("address") else None)


def _grader(config: Any) -> tuple[Any, Any]:
    """This process's warm pool, kept across calls: ``(grader, None)`` locally, ``(None, executor)`` on Ray."""
    global _GRADER, _EXECUTOR
    with _LOCK:
        if config.backend == "ray":
            if _EXECUTOR is None:
                from foulplay.executors import make_executor

                _EXECUTOR = make_executor("ray", max(1, config.workers), address=config.address,
                                          task_timeout=2 * config.timeout_s)
            return None, _EXECUTOR
        if _GRADER is None:
            from foulplay.grading import Grader

            _GRADER = Grader(workers=max(1, config.workers), limits=config.limits())
        return _GRADER, None


def shutdown() -> None:
    """Close this process's grading pool (local sandboxes or Ray actors); the next call opens a new one."""
    global _GRADER, _EXECUTOR
    with _LOCK:
        grader, executor, _GRADER, _EXECUTOR = _GRADER, _EXECUTOR, None, None
    if grader is not None:
        grader.close()
    if executor is not None:
        executor.close()


def _score(problems: list[Any], solutions: list[str], hacks: list[tuple[str, ...]], kwargs: dict[str, Any]
           ) -> list[dict[str, Any]]:
    from foulplay.envs import CodingEnv
    from foulplay.errors import InputError
    from foulplay.training._rewards import RewardFn, RewardResult, Unscorable

    config = _config(kwargs)
    grader, executor = _grader(config)
    out: list[dict[str, Any] | None] = [None] * len(problems)
    groups: dict[tuple[str, ...], list[int]] = {}
    for i, (p, h) in enumerate(zip(problems, hacks, strict=True)):
        if isinstance(p, Unscorable):
            out[i] = as_extra_info(RewardResult.unscorable(p.kind, p.reason), config.unscored_reward)
        else:
            groups.setdefault(h, []).append(i)
    for open_hacks, indices in groups.items():
        unique = list({problems[i].task_id: problems[i] for i in indices}.values())
        try:
            env = CodingEnv(unique, name="verl", hacks=open_hacks, hardened=not open_hacks)
        except InputError as exc:  # e.g. extra_info.foulplay_hacks names an unknown hack: these rows only
            for i in indices:
                out[i] = as_extra_info(RewardResult.unscorable("bad-problem", f"extra_info: {exc}"),
                                       config.unscored_reward)
            continue
        scorer = RewardFn(env, config, grader=grader, executor=executor)
        results = scorer.score([(problems[i], solutions[i]) for i in indices])
        for i, r in zip(indices, results, strict=True):
            out[i] = as_extra_info(r, config.unscored_reward)
    return out  # type: ignore[return-value]


FAMILY_KEYS = {"equality": "hacked_equality", "early-exit": "hacked_early_exit",
               "test-framework": "hacked_test_framework"}
"""Successful hacks by family, as numeric columns (verl averages every extra-info column, so no strings)."""


def as_extra_info(result: Any, unscored_reward: float = 0.0) -> dict[str, Any]:
    """A reward result as verl's score dict: ``score`` plus numeric extra-info columns, the same keys for
    every item (verl stacks them into arrays). An unscored item gets ``unscored_reward`` as its score and
    ``foulplay_unscored`` = 1."""
    out = {"score": result.float_reward(unscored_reward), "passed": int(result.passed),
           "solved": int(bool(result.solved)), "hacked": int(result.hacked), "attempted_hack": int(result.attempted)}
    families = set(result.families) if result.hacked else set()
    for family, key in FAMILY_KEYS.items():
        out[key] = int(family in families)
    out["hacked_other"] = int(bool(families - set(FAMILY_KEYS)))
    out["foulplay_unscored"] = int(bool(result.unscored))
    out["grader_version"] = int(result.grader_version)  # what solved/hacked mean; read back by rollouts stats
    return out


def compute_score(data_source: str, solution_str: str, ground_truth: Any, extra_info: dict[str, Any] | None = None,
                  **kwargs: Any) -> dict[str, Any]:
    """verl's naive reward manager calls this once per response."""
    return _score([_problem(ground_truth)], [solution_str], [_hacks(extra_info, kwargs)], kwargs)[0]


def compute_score_batch(data_sources: list[str], solution_strs: list[str], ground_truths: list[Any],
                        extra_infos: list[dict[str, Any]] | None = None, **kwargs: Any) -> list[dict[str, Any]]:
    """verl's batch reward manager: the whole batch graded in parallel."""
    infos = list(extra_infos) if extra_infos is not None else [None] * len(solution_strs)
    if not (len(solution_strs) == len(ground_truths) == len(infos)):
        raise ValueError("solution_strs, ground_truths and extra_infos must have the same length")
    return _score([_problem(g) for g in ground_truths], list(solution_strs), [_hacks(x, kwargs) for x in infos],
                  kwargs)
