"""The run-folder contract: the layout every producer of a training run writes and ``foulplay report`` reads
(docs/run-folder.md describes it field by field).

```
RUN/
  run.json                          run metadata (RunMeta), required
  foulplay_steps.jsonl              step metrics, one JSON line per step (or per reward call and rank)
  rollouts/                         rollout dumps in any format ``foulplay rollouts stats`` reads
  checkpoints/<step>/evals/         per checkpoint: Inspect logs, ``*.summary.json`` eval summaries
                                    (``foulplay eval``'s shape) and ``suite.summary.json`` (the MGS)
```

Reading is strict: a missing ``run.json``, a file that is not JSON, a step line that is not a step record, a
checkpoint folder that is not a step number or a summary that is not an eval summary is one
:class:`~foulplay.errors.InputError` naming the file (and line). Writing is atomic per file."""

from __future__ import annotations

import datetime as _dt
import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from foulplay.errors import InputError
from foulplay.training._metrics import STEPS_FILE, merge_steps
from foulplay.vocab import GRADER_VERSION

SCHEMA = "foulplay.run/1"
RUN_FILE = "run.json"
ROLLOUTS_DIR = "rollouts"
CHECKPOINTS_DIR = "checkpoints"
EVALS_DIR = "evals"
SUITE_FILE = "suite.summary.json"
SUMMARY_SUFFIX = ".summary.json"
TRAINER_STEPS_FILE = "trainer_steps.jsonl"
LOG_SUFFIXES = (".eval", ".json")


class RunMeta(BaseModel):
    """``run.json``: what was trained, how, and whether the data is real."""

    model_config = ConfigDict(extra="allow")

    schema_: str = Field(SCHEMA, alias="schema")
    name: str
    """A short name for the run (the report's row label in the mitigation matrix)."""
    created: str = Field(default_factory=lambda: _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds"))
    """When the run started (ISO 8601)."""
    model: str | None = None
    """The policy's base model."""
    seed: int | None = None
    grader_version: int = GRADER_VERSION
    """``foulplay.vocab.GRADER_VERSION`` the run's rewards were graded under."""
    framing: str | None = None
    """The environment's prompt framing (``envs.FRAMINGS``), or a free description."""
    hack_penalty: float | None = None
    """Reward subtracted for a detected hack (None: no penalty)."""
    penalty_source: str | None = None
    """What decided the penalty: ``none``, ``static`` (foulplay's rules), ``monitor``, ``hardened`` (the
    hardened grader's verdict), or a free description."""
    non_hackable_mix: float | None = Field(None, ge=0.0, le=1.0)
    """Share of training problems that opened no hack (graded by the hardened harness)."""
    problems: str | None = None
    """The problems the rollouts' task ids name: a JSON/JSONL file (relative to the run folder, or absolute) or a
    source foulplay knows (``humaneval``, ``mbpp``). ``foulplay audit run`` grades the rollouts against them."""
    config: dict[str, Any] = Field(default_factory=dict)
    """The trainer's configuration, as the producer wants it kept (free form)."""
    constructed: bool = False
    """True when the numbers are constructed (a demo, a fixture), not measured: shown as a banner everywhere."""
    notes: str | None = None


class StepMetrics(BaseModel):
    """One line of ``foulplay_steps.jsonl``: the fields ``training.step_record`` writes (``StepLog`` adds rank,
    session and time). Other fields are kept."""

    model_config = ConfigDict(extra="allow")

    step: int
    episodes: int = Field(ge=0)
    pass_rate: float | None = None
    true_solve_rate: float | None = None
    hack_rate: float | None = None
    hack_rate_by_family: dict[str, float] = Field(default_factory=dict)
    attempted_hack_rate: float | None = None
    mean_reward: float | None = None
    unscored: int = 0
    unscored_rate: float = 0.0
    unscored_reasons: dict[str, int] = Field(default_factory=dict)
    unscored_examples: dict[str, str] = Field(default_factory=dict)
    grader_version: int | list[int] = 1
    rank: int | None = None
    session: str | None = None
    time: float | None = None


@dataclass
class Checkpoint:
    """``checkpoints/<step>/evals/``: the eval summaries, the suite summary and the Inspect logs found there."""

    step: int
    path: Path
    summaries: list[dict[str, Any]] = field(default_factory=list)
    suite: dict[str, Any] | None = None
    logs: list[Path] = field(default_factory=list)


@dataclass
class RunFolder:
    path: Path
    meta: RunMeta
    steps: list[dict[str, Any]] = field(default_factory=list)
    """Merged step metrics (one per step), from ``foulplay_steps.jsonl`` or else from ``rollouts/``."""
    steps_source: str | None = None
    """``steps`` (foulplay_steps.jsonl), ``rollouts`` (computed from the dumps) or None."""
    rollouts: Path | None = None
    checkpoints: list[Checkpoint] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    trainer_steps: list[dict[str, Any]] = field(default_factory=list)
    """``trainer_steps.jsonl`` (optional, written by ``foulplay audit run``): the step metrics as the trainer's
    own verdicts had them, when ``foulplay_steps.jsonl`` holds the audit's."""

    @property
    def name(self) -> str:
        return self.meta.name


# -- reading ----------------------------------------------------------------------------------------------
def _first_error(exc: ValidationError) -> str:
    err = exc.errors()[0]
    where = ".".join(str(p) for p in err.get("loc", ())) or "record"
    return f"{where}: {err.get('msg', 'invalid')}"


def _read_json(path: Path) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise InputError(f"{path}: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise InputError(f"{path}: not UTF-8 text") from None
    try:
        return json.loads(text)
    except (ValueError, RecursionError) as exc:
        raise InputError(f"{path}: invalid JSON ({exc})") from None


def read_meta(path: str | Path) -> RunMeta:
    """``run.json`` of a run folder (or the file itself)."""
    p = Path(path)
    f = p / RUN_FILE if p.is_dir() else p
    if not f.exists():
        raise InputError(f"{p}: not a run folder (no {RUN_FILE}; see docs/run-folder.md)")
    data = _read_json(f)
    if not isinstance(data, dict):
        raise InputError(f"{f}: expected a JSON object")
    if data.get("schema", SCHEMA) != SCHEMA:
        raise InputError(f"{f}: schema {data.get('schema')!r} is not {SCHEMA!r}")
    try:
        return RunMeta.model_validate(data)
    except ValidationError as exc:
        raise InputError(f"{f}: {_first_error(exc)}") from None


def read_step_metrics(path: str | Path) -> list[dict[str, Any]]:
    """Every line of a ``foulplay_steps.jsonl`` validated (a bad line is an error naming ``file: line N``),
    as the plain records ``merge_steps`` takes."""
    from foulplay._util.files import iter_jsonl_objects

    p = Path(path)
    out = []
    for i, rec in iter_jsonl_objects(p):
        try:
            out.append(StepMetrics.model_validate(rec).model_dump(exclude_none=False))
        except ValidationError as exc:
            raise InputError(f"{p}: line {i}: not a step record ({_first_error(exc)})") from None
    return out


def is_eval_summary(data: Any) -> bool:
    """A chat or agentic eval summary (``evals._summary.summarize_log``'s shape)."""
    return isinstance(data, dict) and isinstance(data.get("eval"), str) and "misaligned_rate" in data


def is_suite_summary(data: Any) -> bool:
    """A suite summary (``suite.summary.json``: the MGS and its per-eval rates)."""
    return isinstance(data, dict) and "mgs" in data and isinstance(data.get("per_eval", {}), dict)


def read_summary(path: str | Path) -> dict[str, Any]:
    """An eval or suite summary JSON file, checked for the fields the report needs."""
    p = Path(path)
    data = _read_json(p)
    if is_suite_summary(data):
        return data
    if not isinstance(data, dict) or not isinstance(data.get("eval"), str):
        raise InputError(f"{p}: not a foulplay eval summary (needs 'eval' and 'misaligned_rate')")
    if "misaligned_rate" in data:
        for key in ("misaligned_rate", "ci_low", "ci_high"):
            v = data.get(key)
            if v is not None and not isinstance(v, (int, float)):
                raise InputError(f"{p}: {key} {v!r} is not a number")
        for key in ("usable", "errors", "excluded", "covert", "overt"):
            v = data.get(key, 0)
            if not isinstance(v, int) or isinstance(v, bool) or v < 0:
                raise InputError(f"{p}: {key} {v!r} is not a count")
    return data


def read_checkpoint(path: Path) -> Checkpoint:
    try:
        step = int(path.name)
    except ValueError:
        raise InputError(f"{path}: a checkpoint folder is named by its step number") from None
    ck = Checkpoint(step, path)
    evals = path / EVALS_DIR
    if not evals.is_dir():
        return ck
    for f in sorted(evals.iterdir()):
        if not f.is_file():
            continue
        if f.name == SUITE_FILE:
            data = read_summary(f)
            if not is_suite_summary(data):
                raise InputError(f"{f}: not a suite summary (needs 'mgs' and 'per_eval')")
            ck.suite = data
        elif f.name.endswith(SUMMARY_SUFFIX):
            data = read_summary(f)
            if is_suite_summary(data):
                raise InputError(f"{f}: a suite summary must be named {SUITE_FILE}")
            data.setdefault("summary_file", str(f))
            ck.summaries.append(data)
        elif f.suffix in LOG_SUFFIXES:
            ck.logs.append(f)
    return ck


def read_run_folder(path: str | Path, *, rollouts: bool = True) -> RunFolder:
    """Read and validate a run folder. Step metrics come from ``foulplay_steps.jsonl``; without it, and with
    ``rollouts``, from ``rollouts/`` through ``load_run`` (episodes that lack foulplay's columns are then
    audited here, which grades them)."""
    p = Path(path)
    if not p.is_dir():
        raise InputError(f"{p}: no such run folder" if not p.exists() else f"{p}: a run folder is a directory")
    meta = read_meta(p)
    run = RunFolder(p, meta)
    steps_file = p / STEPS_FILE
    if (p / ROLLOUTS_DIR).is_dir():
        run.rollouts = p / ROLLOUTS_DIR
    if steps_file.exists():
        records = read_step_metrics(steps_file)
        run.steps = merge_steps(records)
        run.steps_source = "steps"
    elif run.rollouts is not None and rollouts:
        from foulplay.training._rollouts import load_run

        stats = load_run(run.rollouts)
        run.steps, run.steps_source = stats.steps, "rollouts"
        run.notes += stats.notes + stats.errors
    if (p / TRAINER_STEPS_FILE).is_file():
        run.trainer_steps = merge_steps(read_step_metrics(p / TRAINER_STEPS_FILE), allow_mixed=True)
    cdir = p / CHECKPOINTS_DIR
    if cdir.exists():
        if not cdir.is_dir():
            raise InputError(f"{cdir}: should be a folder of checkpoints/<step>/")
        run.checkpoints = sorted((read_checkpoint(c) for c in cdir.iterdir() if c.is_dir()), key=lambda c: c.step)
    return run


def is_run_folder(path: str | Path) -> bool:
    p = Path(path)
    return p.is_dir() and (p / RUN_FILE).is_file()


# -- writing ----------------------------------------------------------------------------------------------
def _clean(value: Any) -> Any:
    """NaN as null (JSON has no NaN)."""
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_clean(v) for v in value]
    return value


def _dump(data: Any) -> str:
    return json.dumps(_clean(data), indent=2, default=str, allow_nan=False) + "\n"


def write_meta(run_dir: str | Path, meta: RunMeta) -> Path:
    from foulplay._util.files import atomic_write_text

    out = Path(run_dir) / RUN_FILE
    atomic_write_text(out, _dump(meta.model_dump(by_alias=True)))
    return out


def write_step_metrics(run_dir: str | Path, steps: list[dict[str, Any]]) -> Path:
    """Write ``foulplay_steps.jsonl`` whole (a live run appends with ``training.StepLog`` instead)."""
    from foulplay._util.files import atomic_write_text

    out = Path(run_dir) / STEPS_FILE
    lines = [json.dumps(_clean(StepMetrics.model_validate(s).model_dump(exclude_none=True)), allow_nan=False)
             for s in steps]
    atomic_write_text(out, "".join(line + "\n" for line in lines))
    return out


def checkpoint_evals_dir(run_dir: str | Path, step: int) -> Path:
    return Path(run_dir) / CHECKPOINTS_DIR / str(int(step)) / EVALS_DIR


def write_checkpoint_summary(run_dir: str | Path, step: int, summary: dict[str, Any]) -> Path:
    """One eval summary (``evals._summary`` shape) of checkpoint ``step`` as ``<eval>.summary.json``; a suite
    summary (with ``mgs``) as ``suite.summary.json``."""
    from foulplay._util.files import atomic_write_text

    d = checkpoint_evals_dir(run_dir, step)
    if is_suite_summary(summary):
        out = d / SUITE_FILE
    elif is_eval_summary(summary):
        out = d / f"{summary['eval']}{SUMMARY_SUFFIX}"
    else:
        raise InputError("not an eval or suite summary")
    public = {k: v for k, v in summary.items() if k not in ("per_sample", "per_cluster", "summary_file")}
    atomic_write_text(out, _dump(public))
    return out


def write_run_folder(run_dir: str | Path, meta: RunMeta, *, steps: list[dict[str, Any]] | None = None,
                     checkpoints: dict[int, list[dict[str, Any]]] | None = None) -> Path:
    """Write a run folder: ``run.json``, ``foulplay_steps.jsonl`` when ``steps`` and, per checkpoint step, its
    summaries (eval summaries and at most one suite summary)."""
    p = Path(run_dir)
    write_meta(p, meta)
    if steps is not None:
        write_step_metrics(p, steps)
    for step, summaries in sorted((checkpoints or {}).items()):
        for s in summaries:
            write_checkpoint_summary(p, step, s)
    return p
