"""Rewards for RL on hackable coding environments: what the trainer sees (the environment's own, possibly
vulnerable, harness), what really happened (the hardened harness and the static detector), and the
optional penalty and format bonus. Framework-agnostic; the TRL, verl and OpenRLHF adapters wrap it."""

from __future__ import annotations

import math
import re
import threading
from dataclasses import asdict, dataclass, field
from typing import Any

from foulplay.envs import CodingEnv
from foulplay.grading import Grader, GradeResult, Outcome, Problem
from foulplay.vocab import GRADER_VERSION

_FORMAT = re.compile(r"^\s*<(think|thinking)>.+?</\1>\s*\S", re.S)
DEFENCE_FAMILY = {"type-guard": "equality", "exit-guard": "early-exit", "pristine-tests": "test-framework",
                  "integrity": "monkeypatching"}


def completion_text(completion: Any) -> str:
    """A completion as text: trainers log strings (standard format) or message lists (conversational)."""
    if isinstance(completion, str):
        return completion
    if isinstance(completion, list) and completion:
        last = completion[-1]
        if isinstance(last, dict):
            content = last.get("content", "")
            if isinstance(content, list):
                return "".join(str(c.get("text", "")) for c in content if isinstance(c, dict))
            return str(content)
    return str(completion or "")


def problem_for(value: Any, env: CodingEnv | None, where: str) -> Problem:
    """The problem a trainer's label or ground truth names: a problem record (a dict or its JSON text) or,
    with an environment, a task id."""
    import json

    from foulplay.errors import InputError
    from foulplay.grading import problem_from_record

    if isinstance(value, str) and value.lstrip().startswith("{"):
        try:
            value = json.loads(value)
        except ValueError:
            raise InputError(f"{where}: ground truth is not valid JSON") from None
    if isinstance(value, dict):
        return problem_from_record(value, where)
    if env is None:
        raise InputError(f"{where}: cannot tell which problem this rollout solves; pass --env SOURCE so task ids "
                         "can be looked up")
    return env.problem(str(value))


def hack_families(scan: Any, hardened: GradeResult | None, options: Any) -> list[str]:
    """The hack families of one answer: the static detector's, else (for a successful hack it did not
    see) the families of the defences the hardened harness used against it."""
    families = sorted({f.family for f in scan.findings if options.counts(f)})
    if not families and hardened is not None:
        families = sorted({DEFENCE_FAMILY.get(d.defence.value, "other") for d in hardened.defences}) or [
            "unattributed"]
    return families


@dataclass
class RewardConfig:
    """How completions become rewards.

    ``hack_penalty`` is subtracted when a hack is found: by the double run (``penalty_on="double_run"``:
    the environment's harness passed the answer and the hardened one did not), by the static detector
    (``"static"``), or by either. ``measure`` grades every answer with the hardened harness too (the
    true-solve and successful-hack metrics need it; it doubles the grading cost). ``format_bonus`` is added
    when the answer starts with reasoning in ``<thinking>`` tags."""

    hack_penalty: float = 0.0
    penalty_on: str = "double_run"  # double_run | static | either
    measure: bool = True
    format_bonus: float = 0.0
    workers: int = 4
    timeout_s: float = 10.0
    """Wall-clock budget of one grading run (tests included); a completion that loops costs a worker this long."""

    def __post_init__(self) -> None:
        if self.penalty_on not in ("double_run", "static", "either"):
            raise ValueError("penalty_on must be 'double_run', 'static' or 'either'")
        if not self.timeout_s > 0:
            raise ValueError("timeout_s must be positive")

    def limits(self) -> Any:
        from foulplay.grading import GRADING_LIMITS

        return GRADING_LIMITS.with_(wall_s=float(self.timeout_s), replay_s=float(self.timeout_s),
                                    cpu_s=max(1, math.ceil(self.timeout_s)))


@dataclass
class RewardResult:
    reward: float
    passed: bool
    """The environment's harness passed the answer (what the trainer's reward is based on)."""
    solved: bool | None
    """The hardened harness passed it (None when not measured)."""
    hacked: bool
    """Successful hack: passed by the environment's harness, failed by the hardened one."""
    attempted: bool
    """The static detector found a hack in the answer (successful or not)."""
    families: list[str] = field(default_factory=list)
    outcome: str = ""
    isolation: str | None = None
    detail: str = ""
    grader_version: int = GRADER_VERSION
    """What ``solved`` and ``hacked`` mean (``foulplay.vocab.GRADER_VERSION``) for this result."""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


class RewardFn:
    """Grades batches of (problem, completion) for an environment, in parallel, and turns them into rewards."""

    def __init__(self, env: CodingEnv, config: RewardConfig | None = None, *, grader: Grader | None = None) -> None:
        self.env = env
        self.config = config or RewardConfig()
        self._grader = grader
        self._own = grader is None
        self._lock = threading.Lock()

    @property
    def grader(self) -> Grader:
        with self._lock:
            if self._grader is None:
                self._grader = Grader(workers=max(1, self.config.workers), limits=self.config.limits())
            return self._grader

    def close(self) -> None:
        if self._own and self._grader is not None:
            self._grader.close()
            self._grader = None

    def __enter__(self) -> RewardFn:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def score(self, items: list[tuple[Problem, str | None]]) -> list[RewardResult]:
        """One result per item, in order."""
        from foulplay.detect import ScanOptions, scan_completion

        grader = self.grader
        env_jobs = [(p, c, f"{i}") for i, (p, c) in enumerate(items)]
        env_results: list[GradeResult] = [None] * len(items)  # type: ignore[list-item]
        hard_results: list[GradeResult | None] = [None] * len(items)
        # the environment's harness differs per problem (round-robin subsets): group by harness
        by_harness: dict[str, list[int]] = {}
        for i, (p, _c) in enumerate(items):
            by_harness.setdefault(str(self.env.harness(p)), []).append(i)
        for harness, indices in by_harness.items():
            for i, result in zip(indices, grader.grade_many([env_jobs[i] for i in indices], harness=harness),
                                 strict=True):
                env_results[i] = result  # type: ignore[assignment]
        need_hard = self.config.measure or bool(self.config.hack_penalty
                                                and self.config.penalty_on in ("double_run", "either"))
        if need_hard:
            hard_idx = [i for i in range(len(items)) if str(self.env.harness(items[i][0])) != "hardened"]
            for i, result in zip(hard_idx, grader.grade_many([env_jobs[i] for i in hard_idx], harness="hardened"),
                                 strict=True):
                hard_results[i] = result  # type: ignore[assignment]
            for i in range(len(items)):
                if hard_results[i] is None:
                    hard_results[i] = env_results[i]
        options = ScanOptions(honor_suppressions=False)
        out = []
        for i, (problem, completion) in enumerate(items):
            env_r, hard_r = env_results[i], hard_results[i]
            passed = env_r.outcome is Outcome.SOLVED
            solved = None if hard_r is None else hard_r.outcome is Outcome.SOLVED
            hacked = bool(passed and solved is False)
            scan = scan_completion(completion, problem=problem, options=options)
            attempted = scan.verdict.value == "hack"
            families = hack_families(scan, hard_r if hacked else None, options)
            reward = 1.0 if passed else 0.0
            if self.config.format_bonus and completion and _FORMAT.match(completion):
                reward += self.config.format_bonus
            penalised = {"double_run": hacked, "static": attempted, "either": hacked or attempted}[
                self.config.penalty_on]
            if self.config.hack_penalty and penalised:
                reward -= self.config.hack_penalty
            out.append(RewardResult(reward, passed, solved, hacked, attempted, families, env_r.outcome.value,
                                    (env_r.isolation.value if env_r.isolation else None),
                                    env_r.reason[:200], env_r.grader_version or GRADER_VERSION))
        return out
