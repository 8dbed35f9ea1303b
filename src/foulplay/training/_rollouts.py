"""Step metrics from what an RL run left on disk: foulplay's own step log, foulplay's rollout dump, verl's
rollout dumps (``trainer.rollout_data_dir``: one ``STEP.jsonl`` per step) and TRL's completion tables
(``log_completions=True``: ``completions/completions_STEP.parquet``).

Where a dump carries foulplay's columns (the run used a foulplay reward) they are used as they are.
Otherwise each episode is audited here: the trainer's pass is its reward above ``pass_threshold``, the
true solve is the hardened harness's verdict and the attempt is the static detector's.

Each episode keeps the grader version its verdicts were made under (a dump's ``grader_version`` column, 1 for
a dump with foulplay's columns but none of that one, the current version for episodes audited here); a run
whose steps were graded under different versions is refused unless ``allow_mixed``.

One bad line never hides the rest: a line that is not JSON or not a record of its kind, an unknown task id, a
problem whose tests do not parse, or an episode the audit could not grade becomes one error (``RunStats.errors``,
``FILE: line N: reason``) and every other line is read. Episodes the run's reward could not score (flagged
``unscored`` / ``foulplay_unscored``) are counted per step and left out of its rates."""

from __future__ import annotations

import json
import re
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from foulplay.errors import InputError
from foulplay.training._metrics import (
    ONSET,
    STEPS_FILE,
    check_grader_versions,
    grader_versions,
    merge_steps,
    onset_step,
    step_record,
)
from foulplay.training._rewards import (
    RewardResult,
    Unscorable,
    completion_text,
    could_not_judge,
    hack_families,
    resolve_problem,
)
from foulplay.training.verl import FAMILY_KEYS
from foulplay.vocab import GRADER_VERSION

ROLLOUTS_FILE = "foulplay_rollouts.jsonl"
SOURCES = ("steps", "rollouts", "verl", "trl")
_VERL_NAME = re.compile(r"^(\d+)\.jsonl$")
_TRL_NAME = re.compile(r"^completions_(\d+)\.parquet$")
_TRL_FIXED = {"step", "prompt", "completion", "advantage", "image", "images"}


@dataclass
class Episode:
    """One rollout as a dump describes it; ``solved``/``attempted`` are None until audited."""

    step: int
    completion: str
    reward: float
    passed: bool
    solved: bool | None = None
    attempted: bool | None = None
    families: list[str] = field(default_factory=list)
    problem: Any = None
    task_id: str | None = None
    grader_version: int = GRADER_VERSION
    """The grader version of ``solved`` (the dump's; the current one once audited here)."""
    unscored: str | None = None
    """Why the run's reward could not score this episode (it is then left out of the rates)."""
    where: str = ""
    """``FILE: line N`` (or ``row N``), for error messages."""
    error: str | None = None
    """Why this episode could not be checked here (it is then an error, not an episode)."""
    problem_ref: Any = None
    """What the dump says the problem is (a task id or a problem record), for a re-audit."""
    claimed: RewardResult | None = None
    """The dump's own verdicts, kept when a re-audit replaced them."""

    @property
    def complete(self) -> bool:
        return bool(self.unscored) or (self.solved is not None and self.attempted is not None)

    def result(self) -> RewardResult:
        if self.unscored:
            return RewardResult.unscorable(self.unscored, "unscored by the run's reward")
        hacked = bool(self.passed and self.solved is False)
        return RewardResult(self.reward, self.passed, self.solved, hacked, bool(self.attempted),
                            self.families if (hacked or self.attempted) else [], grader_version=self.grader_version)


@dataclass
class RunStats:
    path: Path
    source: str
    steps: list[dict[str, Any]]
    audited: int = 0
    """Episodes graded and scanned here because the dump lacked foulplay's columns."""
    notes: list[str] = field(default_factory=list)
    threshold: float = ONSET
    grader_versions: list[int] = field(default_factory=list)
    """The grader versions of the steps (more than one only when mixing was allowed)."""
    errors: list[str] = field(default_factory=list)
    """One line per line, row or file that could not be read or checked (``FILE: line N: reason``)."""
    claimed_steps: list[dict[str, Any]] = field(default_factory=list)
    """With ``reaudit``: the steps as the dump's own verdicts had them, over the episodes audited again."""

    @property
    def onset(self) -> int | None:
        return onset_step(self.steps, self.threshold)

    @property
    def peak_hack_rate(self) -> float | None:
        """The highest successful-hack rate of any step (None when no step has one)."""
        rates = [s["hack_rate"] for s in self.steps if s.get("hack_rate") is not None]
        return max(rates) if rates else None

    @property
    def unscored(self) -> int:
        return sum(int(s.get("unscored") or 0) for s in self.steps)

    def binned(self, width: int) -> list[dict[str, Any]]:
        return bin_steps(self.steps, width)

    def to_dict(self, width: int = 1) -> dict[str, Any]:
        return {"run": str(self.path), "source": self.source, "onset_step": self.onset,
                "onset_threshold": self.threshold, "peak_hack_rate": self.peak_hack_rate,
                "audited_episodes": self.audited, "unscored_episodes": self.unscored, "notes": self.notes,
                "grader_versions": self.grader_versions, "error_count": len(self.errors), "errors": self.errors,
                "bin": width, "steps": self.binned(width)}


def bin_steps(records: list[dict[str, Any]], width: int) -> list[dict[str, Any]]:
    """Steps grouped ``width`` at a time (episode-weighted); each bin is named by its last step."""
    if width < 1:
        raise InputError("--bin must be at least 1")
    if width == 1:
        return records
    groups: dict[int, list[dict[str, Any]]] = {}
    for rec in records:
        groups.setdefault((int(rec["step"]) - 1) // width if rec["step"] > 0 else -1, []).append(rec)
    out = []
    for _, recs in sorted(groups.items()):
        last = max(int(r["step"]) for r in recs)
        with warnings.catch_warnings():  # the run's versions were checked when it was loaded
            warnings.simplefilter("ignore", RuntimeWarning)
            merged = merge_steps([{**r, "step": last, "session": None, "rank": 0} for r in recs], allow_mixed=True)
        merged[0]["first_step"] = min(int(r["step"]) for r in recs)
        out.append(merged[0])
    return out


# -- locating a run's files -----------------------------------------------------------------------------
def _candidates(path: Path) -> dict[str, list[Path]]:
    found: dict[str, list[Path]] = {s: [] for s in SOURCES}
    if path.is_file():
        name = path.name
        if name.endswith(".parquet"):
            found["trl"].append(path)
        elif name.startswith("foulplay_rollouts") and name.endswith(".jsonl"):
            found["rollouts"].append(path)
        elif _VERL_NAME.match(name):
            found["verl"].append(path)
        else:
            found["steps"].append(path)
        return found
    if (path / STEPS_FILE).is_file():
        found["steps"].append(path / STEPS_FILE)
    found["rollouts"] = sorted(p for p in path.glob("foulplay_rollouts*.jsonl") if p.is_file())  # one per rank
    found["verl"] = sorted((p for p in path.iterdir() if _VERL_NAME.match(p.name)),
                           key=lambda p: int(_VERL_NAME.match(p.name).group(1)))  # type: ignore[union-attr]
    trl_dir = path / "completions" if (path / "completions").is_dir() else path
    found["trl"] = sorted(p for p in trl_dir.iterdir() if _TRL_NAME.match(p.name))
    return found


def load_run(path: str | Path, *, source: str = "auto", env: Any = None, pass_threshold: float = 0.5,
             threshold: float = ONSET, workers: int = 2,
             progress: Callable[[int, int], None] | None = None, allow_mixed: bool = False,
             reaudit: bool = False, executor: Any = None) -> RunStats:
    """Per-step metrics of the run at ``path`` (a run directory or one of its files). Steps graded under
    different grader versions raise :class:`~foulplay.training._metrics.MixedGraderVersions` unless
    ``allow_mixed`` (then a note names them).

    With ``reaudit`` nothing the dump says about solving or hacking is trusted: every episode that has a
    completion and a problem is graded (hardened harness) and scanned again here, and the dump's own verdicts
    are kept in ``RunStats.claimed_steps`` for comparison. Episodes without a completion, or whose problem
    cannot be looked up, keep the dump's verdicts (a note counts them).

    Grading runs on ``executor`` (:mod:`foulplay.executors`, e.g. Ray) when given, else on a local pool of
    ``workers`` sandboxes; the figures are the same either way."""
    p = Path(path)
    if not p.exists():
        raise InputError(f"{p}: no such file or directory")
    if source not in ("auto", *SOURCES):
        raise InputError(f"unknown source {source!r} (choose from auto, {', '.join(SOURCES)})")
    found = _candidates(p)
    if source == "auto":
        source = next((s for s in SOURCES if found[s]), "")
        if not source:
            raise InputError(f"{p}: no foulplay step log ({STEPS_FILE}), foulplay rollouts ({ROLLOUTS_FILE}), "
                             "verl rollout dumps (STEP.jsonl) or TRL completion tables (completions_STEP.parquet)")
    elif not found[source]:
        raise InputError(f"{p}: no {source} files found")
    files = found[source]
    errors: list[str] = []
    notes: list[str] = []
    if source == "steps":
        records: list[dict[str, Any]] = []
        for f in files:
            records += _read_steps(f, errors)
        if not records:
            raise InputError(_nothing(f"{files[0]}: no step records", errors))
        steps = _versioned(lambda: merge_steps(records, allow_mixed=allow_mixed), notes)
        return RunStats(p, source, steps, threshold=threshold, notes=notes, grader_versions=_versions(steps),
                        errors=errors)
    reader = {"rollouts": _read_rollouts, "verl": _read_verl, "trl": _read_trl}[source]
    episodes: list[Episode] = []
    for f in files:
        try:
            episodes += reader(f, env, pass_threshold, notes, errors)
        except _FileError as exc:
            errors.append(str(exc))
    if reaudit:
        _reopen(episodes, env, notes)
    todo = [e for e in episodes if not e.complete]
    if todo:
        _audit(todo, workers, progress, executor)
    errors += [f"{e.where}: {e.error}" for e in episodes if e.error]
    episodes = [e for e in episodes if not e.error]
    if not episodes:
        raise InputError(_nothing(f"{p}: the {source} files hold no rollouts", errors))
    by_step: dict[int, list[RewardResult]] = {}
    for e in episodes:
        by_step.setdefault(e.step, []).append(e.result())
    steps = [step_record(s, rs) for s, rs in sorted(by_step.items())]
    _versioned(lambda: check_grader_versions(steps, allow_mixed=allow_mixed), notes)
    claimed: dict[int, list[RewardResult]] = {}
    for e in episodes:
        if e.claimed is not None:
            claimed.setdefault(e.step, []).append(e.claimed)
    claimed_steps = [step_record(s, rs) for s, rs in sorted(claimed.items())]
    return RunStats(p, source, steps, audited=len(todo), notes=notes, threshold=threshold,
                    grader_versions=_versions(steps), errors=errors, claimed_steps=claimed_steps)


def _reopen(episodes: list[Episode], env: Any, notes: list[str]) -> None:
    """Forget the dump's verdicts of every episode that can be graded again (it has a completion and a problem
    that resolves), keeping them in ``Episode.claimed``."""
    kept = 0
    for e in episodes:
        if not e.complete or e.unscored:
            continue
        ref = e.problem_ref
        record_like = isinstance(ref, dict) or (isinstance(ref, str) and ref.lstrip()[:1] == "{")
        if not e.completion.strip() or ref is None or (env is None and not record_like):
            kept += 1
            continue
        problem = resolve_problem(ref, env, e.where)
        if isinstance(problem, Unscorable):
            kept += 1
            continue
        e.claimed = e.result()
        e.problem, e.solved, e.attempted, e.families = problem, None, None, []
    if kept:
        notes.append(f"{kept} episodes keep the dump's own verdicts: no completion, or no problem to grade them "
                     "against (give the problems the run trained on)")


def _nothing(message: str, errors: list[str]) -> str:
    """Why nothing usable was found, with the first error when every line was bad."""
    if not errors:
        return message
    more = f" (and {len(errors) - 1} more errors)" if len(errors) > 1 else ""
    return f"{message}: every line was unusable; first: {errors[0]}{more}"


class _FileError(Exception):
    """A whole file could not be read (its reason is one error line)."""


def _versioned(merge: Callable[[], Any], notes: list[str]) -> Any:
    """Run ``merge``; a warning that it mixed grader versions becomes a note of the run."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", RuntimeWarning)
        out = merge()
    notes += [str(w.message) for w in caught if issubclass(w.category, RuntimeWarning)]
    return out


def _versions(steps: list[dict[str, Any]]) -> list[int]:
    return sorted({v for s in steps for v in grader_versions(s)})


# -- readers ----------------------------------------------------------------------------------------------
def _flag(value: Any) -> bool | None:
    if value is None or (isinstance(value, float) and value != value):
        return None
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "yes")
    return bool(value)


def _version(value: Any, where: str) -> int:
    """A dump's grader version: 1 when it has none (written before grader versions existed)."""
    if value is None or (isinstance(value, float) and value != value):
        return 1
    try:
        return int(value)
    except (TypeError, ValueError):
        raise InputError(f"{where}: grader_version {value!r} is not a version number") from None


def _families(value: Any) -> list[str]:
    if isinstance(value, str):
        return [f for f in value.split(",") if f]
    if isinstance(value, (list, tuple)):
        return [str(f) for f in value]
    return []


def _lines(path: Path, errors: list[str]) -> Iterator[tuple[int, dict[str, Any]]]:
    """``(line number, object)`` for each line of a JSON Lines file that is a JSON object; each other
    non-blank line is one error (in file order, between the caller's own)."""
    from foulplay._util.files import iter_jsonl_objects

    try:
        yield from iter_jsonl_objects(path, errors)
    except InputError as exc:  # the file cannot be opened
        raise _FileError(str(exc)) from None


def _read_steps(path: Path, errors: list[str]) -> list[dict[str, Any]]:
    out = []
    for i, rec in _lines(path, errors):
        if not (isinstance(rec.get("step"), int) and isinstance(rec.get("episodes"), int)):
            errors.append(f"{path}: line {i}: not a step record (needs integer 'step' and 'episodes')")
            continue
        try:
            grader_versions(rec)
        except InputError as exc:
            errors.append(f"{path}: line {i}: {exc}")
            continue
        out.append(rec)
    return out


def _attach_problem(e: Episode, value: Any, env: Any) -> None:
    """The problem an incomplete episode is audited against; what cannot be resolved is the episode's error
    (a missing --env stays a usage error)."""
    problem = resolve_problem(value, env, e.where)
    if isinstance(problem, Unscorable):
        reason = problem.reason
        e.error = reason[len(e.where):].lstrip(": ") if reason.startswith(e.where) else reason
    else:
        e.problem = problem


def _read_rollouts(path: Path, env: Any, pass_threshold: float, notes: list[str], errors: list[str]
                   ) -> list[Episode]:
    out = []
    for i, rec in _lines(path, errors):
        where = f"{path}: line {i}"
        try:
            if not isinstance(rec.get("step"), int) or "passed" not in rec:
                raise InputError("not a foulplay rollout (needs 'step' and 'passed')")
            e = Episode(rec["step"], str(rec.get("completion") or ""), _number(rec.get("reward")),
                        bool(rec["passed"]), _flag(rec.get("solved")), _flag(rec.get("attempted")),
                        _families(rec.get("families")), task_id=rec.get("task_id"),
                        grader_version=_version(rec.get("grader_version"), where),
                        unscored=_unscored(rec.get("unscored")), where=where,
                        problem_ref=rec.get("problem") or rec.get("task_id"))
        except InputError as exc:
            errors.append(f"{where}: {str(exc).removeprefix(f'{where}: ')}")
            continue
        if not e.complete:
            _attach_problem(e, e.problem_ref, env)
        out.append(e)
    return out


def _read_verl(path: Path, env: Any, pass_threshold: float, notes: list[str], errors: list[str]) -> list[Episode]:
    file_step = int(_VERL_NAME.match(path.name).group(1))  # type: ignore[union-attr]
    out = []
    for i, rec in _lines(path, errors):
        where = f"{path}: line {i}"
        try:
            if "output" not in rec or "score" not in rec:
                raise InputError("not a verl rollout dump line (needs 'output' and 'score')")
            try:
                score = float(rec["score"])
                step = int(rec.get("step", file_step))
            except (TypeError, ValueError):
                raise InputError("'score' or 'step' is not a number") from None
            ours = "passed" in rec and "solved" in rec and "attempted_hack" in rec
            families = [f for f, key in FAMILY_KEYS.items() if _flag(rec.get(key))]
            if _flag(rec.get("hacked_other")):
                families.append("other")
            e = Episode(step, str(rec["output"] or ""), score,
                        bool(_flag(rec["passed"])) if ours else score > pass_threshold,
                        _flag(rec.get("solved")) if ours else None,
                        _flag(rec.get("attempted_hack")) if ours else None, families,
                        grader_version=_version(rec.get("grader_version"), where) if ours else GRADER_VERSION,
                        unscored="unscored" if ours and _flag(rec.get("foulplay_unscored")) else None, where=where,
                        problem_ref=rec.get("gts"))
        except InputError as exc:
            errors.append(f"{where}: {str(exc).removeprefix(f'{where}: ')}")
            continue
        if not e.complete:
            _attach_problem(e, rec.get("gts"), env)
        out.append(e)
    return out


def _read_trl(path: Path, env: Any, pass_threshold: float, notes: list[str], errors: list[str]) -> list[Episode]:
    try:
        import pyarrow.parquet as pq
    except ImportError:
        raise InputError("reading TRL completion tables needs pyarrow (pip install 'foulplay[train]')") from None
    try:
        rows = pq.read_table(path).to_pylist()
    except Exception as exc:  # noqa: BLE001 - any unreadable table is bad input
        raise _FileError(f"{path}: not a readable parquet table ({type(exc).__name__})") from None
    if not rows:
        return []
    columns = set(rows[0])
    if "completion" not in columns:
        raise _FileError(f"{path}: not a TRL completions table (no 'completion' column)")
    file_step = int(_TRL_NAME.match(path.name).group(1)) if _TRL_NAME.match(path.name) else 0  # type: ignore[union-attr]
    reward_cols = [c for c in columns if c not in _TRL_FIXED and not c.startswith("foulplay_")
                   and isinstance(rows[0][c], (int, float)) and not isinstance(rows[0][c], bool)]
    ours = {"foulplay_passed", "foulplay_solved", "foulplay_attempted"} <= columns
    if not ours and not reward_cols:
        raise _FileError(f"{path}: no reward columns and no foulplay columns")
    if not ours and len(notes) == 0:
        notes.append(f"TRL tables without foulplay columns: pass = sum of {', '.join(sorted(reward_cols))} "
                     f"> {pass_threshold}")
    out = []
    for i, row in enumerate(rows):
        where = f"{path}: row {i}"
        reward = sum(float(row[c]) for c in reward_cols if isinstance(row.get(c), (int, float)) and row[c] == row[c])
        text = completion_text(row["completion"])
        step = int(row.get("step") if isinstance(row.get("step"), int) else file_step)
        try:
            if ours:
                e = Episode(step, text, reward, bool(_flag(row["foulplay_passed"])), _flag(row["foulplay_solved"]),
                            _flag(row["foulplay_attempted"]), _families(row.get("foulplay_families")),
                            grader_version=_version(row.get("foulplay_grader_version"), where),
                            unscored=_unscored(row.get("foulplay_unscored")), where=where,
                            problem_ref=row.get("foulplay_task_id"))
                if not e.complete:  # measure=False in the run: audit the true solve here
                    _attach_problem(e, row.get("foulplay_task_id"), env)
            else:
                e = Episode(step, text, reward, reward > pass_threshold, where=where)
                task = row.get("foulplay_task_id") or row.get("task_id")
                if task is not None:
                    _attach_problem(e, task, env)
                else:
                    e.problem = _problem_by_prompt(row.get("prompt"), env, where)
        except _NoMatch as exc:
            errors.append(str(exc))
            continue
        except InputError as exc:
            if env is None:
                raise  # a missing --env is a usage error, not one bad row
            errors.append(f"{where}: {str(exc).removeprefix(f'{where}: ')}")
            continue
        out.append(e)
    return out


class _NoMatch(Exception):
    """A logged prompt matches no problem of the environment."""


def _number(value: Any) -> float:
    if value is None or (isinstance(value, float) and value != value):
        return 0.0
    try:
        return float(value)
    except (TypeError, ValueError):
        raise InputError(f"'reward' {value!r} is not a number") from None


def _unscored(value: Any) -> str | None:
    """A dump's unscored flag: a reason (foulplay's rollouts, TRL's column), a 0/1 or None."""
    if value is None or value is False or value == "" or (isinstance(value, float) and value != value):
        return None
    if isinstance(value, str):
        return value
    return "unscored" if _flag(value) else None


def _problem_by_prompt(prompt: Any, env: Any, where: str) -> Any:
    """The environment problem whose prompt text appears in a logged prompt."""
    if env is None:
        raise InputError(f"{where}: no task id column; pass --env SOURCE so prompts can be matched to problems")
    text = prompt if isinstance(prompt, str) else json.dumps(prompt)
    cache: dict[str, Any] = env.__dict__.setdefault("_prompt_cache", {})
    if text in cache:
        return cache[text]
    best = None
    for problem in env.problems:
        needle = (problem.prompt or problem.description).strip()
        longer = best is None or len(needle) > len((best.prompt or best.description).strip())
        if needle and longer and (needle in text or json.dumps(needle)[1:-1] in text):
            best = problem
    if best is None:
        raise _NoMatch(f"{where}: the prompt matches no problem of environment {env.name!r}")
    cache[text] = best
    return best


def _audit(episodes: list[Episode], workers: int, progress: Callable[[int, int], None] | None,
           executor: Any = None) -> None:
    """Grade each episode with the hardened harness and scan it with the static rules. An episode whose
    problem could not be resolved, or that the grader could not judge, gets an ``error`` instead. Episodes
    with the same problem and the same completion (GRPO groups repeat answers) are graded once."""
    from foulplay.detect import ScanOptions, scan_completion
    from foulplay.grading import Outcome

    options = ScanOptions(honor_suppressions=False)
    todo = [e for e in episodes if e.error is None]
    done = len(episodes) - len(todo)
    if progress is not None and done:
        progress(done, len(episodes))
    groups: dict[tuple[str, str], list[Episode]] = {}
    for e in todo:
        key = (e.problem.model_dump_json() if hasattr(e.problem, "model_dump_json") else repr(e.problem),
               e.completion)
        groups.setdefault(key, []).append(e)
    jobs = [(g[0].problem, g[0].completion, str(i)) for i, g in enumerate(groups.values())]
    from foulplay.executors import GradeWork, LocalExecutor

    own = executor is None
    executor = executor or LocalExecutor(max(1, workers))
    try:
        for group, result in zip(groups.values(), executor.map(GradeWork(), jobs), strict=True):
            scan = None
            for e in group:
                done += 1
                try:
                    if could_not_judge(result):
                        e.error = f"could not check: {result.reason}"[:300]
                        continue
                    if scan is None:
                        scan = scan_completion(e.completion, problem=e.problem, options=options)
                    if e.solved is None:
                        e.solved = result.outcome is Outcome.SOLVED
                        e.grader_version = result.grader_version or GRADER_VERSION
                    if e.attempted is None:
                        e.attempted = scan.verdict.value == "hack"
                    hacked = e.passed and not e.solved
                    if not e.families:
                        e.families = hack_families(scan, result if hacked else None, options)
                except Exception as exc:  # noqa: BLE001 - one episode the scanner fails on
                    e.error = f"could not check: grader error: {type(exc).__name__}: {exc}"[:300]
                finally:
                    if progress is not None:
                        progress(done, len(episodes))
    finally:
        if own:
            executor.close()
