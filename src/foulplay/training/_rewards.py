"""Rewards for RL on hackable coding environments: what the trainer sees (the environment's own, possibly
vulnerable, harness), what really happened (the hardened harness and the static detector), and the
optional penalty and format bonus. Framework-agnostic; the TRL, verl and OpenRLHF adapters wrap it.

Every item of a batch is scored on its own. An item whose reward cannot be computed is **unscored**
(``RewardResult.reward is None``, ``RewardResult.unscored`` names why) and the rest of the batch is scored
as usual. Unscored means the grader could not judge, never that the answer was bad:

* ``unknown-problem``: the task id or label names no problem of the environment;
* ``bad-problem``: the problem record is not valid, or its tests do not parse;
* ``grader-error``: the grader itself failed on the item (a driver error, an exception in foulplay);
* ``worker-lost``: the sandbox worker running the item was lost (other than by running out of time).

An answer that fails its tests, times out, holds no code, cannot be extracted (empty or ambiguous output),
does not load, or trips a defence is judged: it gets the environment's failing reward, as before."""

from __future__ import annotations

import logging
import math
import re
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from typing import Any

from foulplay.envs import CodingEnv
from foulplay.errors import InputError
from foulplay.grading import Grader, GradeResult, Outcome, Problem
from foulplay.vocab import GRADER_VERSION

log = logging.getLogger("foulplay.training")

_FORMAT = re.compile(r"^\s*<(think|thinking)>.+?</\1>\s*\S", re.S)
DEFENCE_FAMILY = {"type-guard": "equality", "exit-guard": "early-exit", "pristine-tests": "test-framework",
                  "integrity": "monkeypatching"}
UNSCORED_KINDS = {
    "unknown-problem": "the task id or label names no problem of the environment",
    "bad-problem": "the problem record is not valid, or its tests do not parse",
    "grader-error": "the grader itself failed on this item",
    "worker-lost": "the sandbox worker running this item was lost (not by running out of time)",
}
"""Why an item could not be scored (``RewardResult.unscored``): the grader could not judge it."""


@dataclass(frozen=True)
class Unscorable:
    """Stands in for the problem of an item that cannot be scored (see :data:`UNSCORED_KINDS`)."""

    kind: str
    reason: str


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

    from foulplay.grading import problem_from_record

    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
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


def resolve_problem(value: Any, env: CodingEnv | None, where: str) -> Problem | Unscorable:
    """:func:`problem_for`, with what cannot be resolved (an unknown task id, an invalid record, tests that do
    not parse) as an :class:`Unscorable` instead of an error. Without an environment a task id cannot be
    looked up: that stays an ``InputError`` (the caller's wiring, not the item, is wrong)."""
    record_like = isinstance(value, dict) or (isinstance(value, (str, bytes)) and value.lstrip()[:1] in ("{", b"{"))
    if env is None and not record_like:
        raise InputError(f"{where}: cannot tell which problem this rollout solves; pass --env SOURCE so task ids "
                         "can be looked up")
    try:
        problem = problem_for(value, env, where)
    except InputError as exc:
        return Unscorable("bad-problem" if record_like else "unknown-problem", str(exc))
    except Exception as exc:  # noqa: BLE001 - one label that cannot be read never sinks the batch
        return Unscorable("bad-problem", f"{where}: {type(exc).__name__}: {exc}")
    defect = tests_defect(problem)
    return Unscorable("bad-problem", f"{where} (task {problem.task_id}): {defect}") if defect else problem


@lru_cache(maxsize=4096)
def _parse_error(source: str) -> str | None:
    try:
        compile(source, "<tests>", "exec", dont_inherit=True)
    except SyntaxError as exc:
        return f"{exc.msg} (line {exc.lineno})"
    except (ValueError, RecursionError, MemoryError) as exc:
        return type(exc).__name__
    return None


def tests_defect(problem: Problem) -> str | None:
    """Why the problem's tests cannot be run at all (their code does not parse), else None. Checked here, on
    the trusted side, because a vulnerable harness reports such tests as a plain failure."""
    sources = [("check function", problem.check), ("test setup", problem.setup), ("pytest file", problem.pytest_source)]
    sources += [(f"assert {i + 1}", a) for i, a in enumerate(problem.asserts)]
    for name, source in sources:
        error = _parse_error(source) if source else None
        if error:
            return f"its {name} does not parse: {error}"
    return None


def could_not_judge(result: GradeResult) -> str | None:
    """The :data:`UNSCORED_KINDS` kind when a grading run could not judge the answer, else None. An
    extraction error (empty or ambiguous output, nothing ran) is the answer's own failure, not the grader's."""
    if result.outcome is not Outcome.ERROR:
        return None
    reason = result.reason or ""
    if reason.startswith("sandbox worker"):
        return "worker-lost"
    if result.isolation is not None or reason.startswith("grader error"):
        return "grader-error"
    return None


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
    unscored_reward: float = 0.0
    """What trainers that only take floats (verl, OpenRLHF) get for an unscored item, which they also get
    flagged (``foulplay_unscored``, ``foulplay/unscored``). TRL gets ``None``."""
    backend: str = "local"
    """Where grading runs: ``local`` (a sandbox pool in this process, ``workers`` wide) or ``ray`` (Ray actors,
    ``workers`` of them, each with a warm sandbox; inside a Ray-based trainer this uses the trainer's own
    cluster: no second cluster, no HTTP hop)."""
    address: str | None = None
    """``backend="ray"`` outside a Ray process: the cluster to join (default: a local one)."""

    def __post_init__(self) -> None:
        if self.penalty_on not in ("double_run", "static", "either"):
            raise ValueError("penalty_on must be 'double_run', 'static' or 'either'")
        if self.backend not in ("local", "ray"):
            raise ValueError("backend must be 'local' or 'ray'")
        if not self.timeout_s > 0:
            raise ValueError("timeout_s must be positive")

    def limits(self) -> Any:
        from foulplay.grading import GRADING_LIMITS

        return GRADING_LIMITS.with_(wall_s=float(self.timeout_s), replay_s=float(self.timeout_s),
                                    cpu_s=max(1, math.ceil(self.timeout_s)))


@dataclass
class RewardResult:
    reward: float | None
    """None when the item could not be scored (``unscored`` says why)."""
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
    unscored: str | None = None
    """Why the reward could not be computed (a :data:`UNSCORED_KINDS` key; ``detail`` has the message), else
    None."""

    @classmethod
    def unscorable(cls, kind: str, reason: str) -> RewardResult:
        return cls(None, False, None, False, False, [], "error", None, " ".join(str(reason).split())[:300],
                   unscored=kind)

    def float_reward(self, unscored: float = 0.0) -> float:
        """The reward, or ``unscored`` for an unscored item (for trainers that only take floats)."""
        return float(unscored) if self.reward is None else self.reward

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


class RewardFn:
    """Grades batches of (problem, completion) for an environment, in parallel, and turns them into rewards."""

    def __init__(self, env: CodingEnv, config: RewardConfig | None = None, *, grader: Grader | None = None,
                 executor: Any = None) -> None:
        """``grader``: a local pool to share; ``executor`` (:mod:`foulplay.executors`): where to grade instead,
        e.g. a Ray executor shared by several reward functions; ``config.backend="ray"`` opens one."""
        self.env = env
        self.config = config or RewardConfig()
        self._grader = grader
        self._executor = executor
        self._own = grader is None
        self._own_executor = executor is None
        self._lock = threading.Lock()

    @property
    def grader(self) -> Grader:
        with self._lock:
            if self._grader is None:
                self._grader = Grader(workers=max(1, self.config.workers), limits=self.config.limits())
            return self._grader

    @property
    def executor(self) -> Any:
        """The executor grading runs on (``None``: this process's :attr:`grader`)."""
        with self._lock:
            if self._executor is None and self.config.backend == "ray":
                from foulplay.executors import make_executor

                self._executor = make_executor("ray", max(1, self.config.workers), address=self.config.address,
                                               task_timeout=2 * self.config.timeout_s)
            return self._executor

    def close(self) -> None:
        if self._own and self._grader is not None:
            self._grader.close()
            self._grader = None
        if self._own_executor and self._executor is not None:
            self._executor.close()
            self._executor = None

    def __enter__(self) -> RewardFn:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def problem(self, label: Any, where: str = "label") -> Problem | Unscorable:
        """The problem a trainer's label names (a task id of the environment or a problem record)."""
        return resolve_problem(label, self.env, where)

    def score(self, items: list[tuple[Problem | Unscorable, str | None]]) -> list[RewardResult]:
        """One result per item, in order. Items are independent: one that cannot be scored (an
        :class:`Unscorable` problem, tests that do not parse, a grader failure) gets an unscored result and
        every other item is scored as usual."""
        out: list[RewardResult | None] = [None] * len(items)
        harness: dict[int, str] = {}
        for i, (problem, _c) in enumerate(items):
            if isinstance(problem, Unscorable):
                out[i] = RewardResult.unscorable(problem.kind, problem.reason)
                continue
            defect = tests_defect(problem)
            if defect:
                out[i] = RewardResult.unscorable("bad-problem", f"{problem.task_id}: {defect}")
                continue
            try:
                harness[i] = str(self.env.harness(problem))
            except Exception as exc:  # noqa: BLE001 - e.g. a record label a round-robin env never assigned
                out[i] = RewardResult.unscorable(
                    "unknown-problem", f"{problem.task_id}: not a problem of environment {self.env.name!r} "
                    f"({type(exc).__name__})")
        need_hard = self.config.measure or self._penalty_needs_hardened
        # the environment's harness differs per problem (round-robin subsets); every run of the batch, under
        # any harness, shares one pool as wide as the grader
        jobs = [(i, h) for i, h in harness.items()]
        if need_hard:
            jobs += [(i, "hardened") for i, h in harness.items() if h != "hardened"]
        executor = self.executor
        graded = (self._grade_on(executor, items, jobs) if executor is not None
                  else self._grade_all(self.grader, items, jobs))
        for i, h in harness.items():
            env_r = graded[(i, h)]
            hard_r = (graded[(i, "hardened")] if h != "hardened" else env_r) if need_hard else None
            try:
                out[i] = self._result(items[i], env_r, hard_r)
            except Exception as exc:  # noqa: BLE001 - scanning or scoring one item failed: that item only
                out[i] = RewardResult.unscorable("grader-error", f"{type(exc).__name__}: {exc}")
        results: list[RewardResult] = out  # type: ignore[assignment]
        unscored = [r for r in results if r.unscored]
        if unscored:
            log.warning("%d of %d items could not be scored (%s: %s)", len(unscored), len(results),
                        unscored[0].unscored, unscored[0].detail)
        return results

    @property
    def _penalty_needs_hardened(self) -> bool:
        return bool(self.config.hack_penalty and self.config.penalty_on in ("double_run", "either"))

    @staticmethod
    def _grade_all(grader: Grader, items: list[tuple[Any, str | None]], jobs: list[tuple[int, str]]
                   ) -> dict[tuple[int, str], GradeResult | Exception]:
        """Each (item, harness) run; a run that raises gives its exception instead of sinking the batch."""

        def run(job: tuple[int, str]) -> GradeResult | Exception:
            i, harness = job
            problem, completion = items[i]
            try:
                return grader.grade(problem, completion, harness, id=str(i))
            except Exception as exc:  # noqa: BLE001 - the grader failed on this item only
                return exc

        if not jobs:
            return {}
        with ThreadPoolExecutor(max_workers=max(1, min(len(jobs), grader.sandbox.workers)),
                                thread_name_prefix="foulplay-reward") as pool:
            return dict(zip(jobs, pool.map(run, jobs), strict=True))

    def _grade_on(self, executor: Any, items: list[tuple[Any, str | None]], jobs: list[tuple[int, str]]
                  ) -> dict[tuple[int, str], GradeResult | Exception]:
        """The same runs on an executor: a run that could not be done is an error row ("grader error: ...")."""
        from foulplay.executors import GradeWork

        work = GradeWork(limits=self.config.limits())
        runs = [(items[i][0], items[i][1], str(i), harness) for i, harness in jobs]
        return dict(zip(jobs, executor.map(work, runs), strict=True))

    def _result(self, item: tuple[Problem, str | None], env_r: GradeResult | Exception,
                hard_r: GradeResult | Exception | None) -> RewardResult:
        from foulplay.detect import ScanOptions, scan_completion

        problem, completion = item
        if isinstance(env_r, Exception):
            return RewardResult.unscorable("grader-error", f"grader error: {type(env_r).__name__}: {env_r}")
        kind = could_not_judge(env_r)
        if kind:
            return RewardResult.unscorable(kind, env_r.reason)
        passed = env_r.outcome is Outcome.SOLVED
        detail = env_r.reason[:200]
        if isinstance(hard_r, Exception) or (hard_r is not None and could_not_judge(hard_r)):
            why = (f"grader error: {type(hard_r).__name__}: {hard_r}" if isinstance(hard_r, Exception)
                   else hard_r.reason)  # type: ignore[union-attr]
            if passed and self._penalty_needs_hardened:  # the double-run penalty needs the hardened verdict
                return RewardResult.unscorable(
                    "grader-error" if isinstance(hard_r, Exception) else could_not_judge(hard_r) or "grader-error",
                    f"hardened run: {why}")
            hard_r = None  # the reward stands; the true solve of this item is unknown
            detail = f"{detail}; hardened run could not judge: {why}"[:300]
        solved = None if hard_r is None else hard_r.outcome is Outcome.SOLVED
        hacked = bool(passed and solved is False)
        options = ScanOptions(honor_suppressions=False)
        scan = scan_completion(completion, problem=problem, options=options)
        attempted = scan.verdict.value == "hack"
        families = hack_families(scan, hard_r if hacked else None, options)
        reward = 1.0 if passed else 0.0
        if self.config.format_bonus and completion and _FORMAT.match(completion):
            reward += self.config.format_bonus
        penalised = {"double_run": hacked, "static": attempted, "either": hacked or attempted}[self.config.penalty_on]
        if self.config.hack_penalty and penalised:
            reward -= self.config.hack_penalty
        return RewardResult(reward, passed, solved, hacked, attempted, families, env_r.outcome.value,
                            (env_r.isolation.value if env_r.isolation else None), detail,
                            env_r.grader_version or GRADER_VERSION)
