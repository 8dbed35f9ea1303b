"""Sequential sampling: run an eval in rounds until its rate is known well enough.

:func:`run_sequential` evaluates an eval's samples a batch at a time through Inspect (one log per round),
reads each round's usable verdicts (:func:`foulplay.evals._summary.sample_flags`), adds them to a
:class:`foulplay.stats.SequentialRate`, and stops when the half-width of its confidence sequence is at most
the target, or a budget is reached:

* ``target reached``: the interval's half-width is at most ``target_ci``;
* ``sample budget``: ``max_samples`` samples (usable or not) were evaluated;
* ``cost budget``: the next sample would take the spend (from the logs' token usage and the prices) past
  ``max_cost_usd``, or it is already there;
* ``samples exhausted (all samples x max epochs)``: every sample was run ``max_epochs`` times;
* ``error``: a round did not finish (a rerun retries it).

The interval is a confidence sequence (beta-binomial mixture; see :func:`foulplay.stats.confidence_sequence`):
valid however often it is looked at, so stopping on it is honest, and wider than a fixed-n Wilson interval.

What a draw is. Each pass over the dataset takes its samples in a seeded random order (a new order per
pass), so within the first pass every draw is a sample chosen at random, without replacement, from the
eval's samples: the rate estimated is the eval's rate over its samples. When the samples are used up, further
passes run them again (new epochs, at most ``max_epochs`` passes in all). The interval counts every (sample,
pass) as one independent draw. It is not: repeats of one sample, and the samples of one question, are
correlated, so when per-question rates differ the interval can be too narrow. The result therefore also
gives the fixed-n interval clustered by question (``summary``), computed on all the draws.

Resume. After each round the state (the config and its hash, the completed rounds and their logs, the
cursor in the sampling plan, the :class:`SequentialRate` as ``to_dict``) is written atomically to
``<log_dir>/<task>.sequential.json``. Running the same configuration again continues after the last
completed round; a state written by another configuration (task, arguments, models, seed, alpha) is refused.
Budgets and the target may change between runs: the confidence sequence is valid whatever the stopping rule.
"""

from __future__ import annotations

import hashlib
import json
import math
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from foulplay.errors import InputError

STATE_VERSION = 1
TARGET = "target reached"
SAMPLES = "sample budget"
COST = "cost budget"
EXHAUSTED = "samples exhausted (all samples x max epochs)"
ERROR = "error"
INTERVAL_NOTE = ("anytime-valid confidence sequence (beta-binomial mixture): valid under repeated looks, so wider "
                 "than a fixed-n Wilson interval; it counts each (sample, epoch) as an independent draw, while "
                 "repeats of one question are correlated (the clustered fixed-n interval is given beside it)")


@dataclass
class SequentialResult:
    """Where a sequential run stopped and why, the rate with its confidence sequence, and the rounds."""

    task: str
    stop_reason: str
    detail: str
    rate: Any
    target_ci: float
    rounds: list[dict[str, Any]]
    samples: int
    cost_usd: float | None
    state_file: str
    logs: list[str]
    resumed_rounds: int = 0
    summary: dict[str, Any] | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def half_width(self) -> float:
        return self.rate.half_width()

    def to_dict(self) -> dict[str, Any]:
        low, high = self.rate.interval()
        return {"task": self.task, "stop_reason": self.stop_reason, "detail": self.detail,
                "target_ci": self.target_ci, "samples": self.samples, "usable": self.rate.n,
                "misaligned": self.rate.k, "rate": self.rate.rate if self.rate.n else None,
                "cs_low": low, "cs_high": high, "half_width": (high - low) / 2, "alpha": self.rate.alpha,
                "interval": INTERVAL_NOTE, "sequential_state": self.rate.to_dict(), "cost_usd": self.cost_usd,
                "rounds": self.rounds, "resumed_rounds": self.resumed_rounds, "state_file": self.state_file,
                "logs": self.logs, "notes": self.notes}


def _task_name(task: Any) -> str:
    return str((task.metadata or {}).get("foulplay_eval") or task.name)


def _model_id(model: Any) -> dict[str, Any] | None:
    if model is None:
        return None
    if isinstance(model, str):
        return {"model": model, "args": {}}
    return {"model": str(model), "args": dict(getattr(model, "model_args", None) or {})}


def _usage(log: Any) -> dict[str, list[int]]:
    """Tokens of the evaluated model and of the judge (the ``grader`` role) in one log."""
    stats = getattr(log, "stats", None)
    total_in = sum(u.input_tokens for u in (getattr(stats, "model_usage", None) or {}).values())
    total_out = sum(u.output_tokens for u in (getattr(stats, "model_usage", None) or {}).values())
    grader = (getattr(stats, "role_usage", None) or {}).get("grader")
    j_in, j_out = (grader.input_tokens, grader.output_tokens) if grader is not None else (0, 0)
    return {"model": [max(0, total_in - j_in), max(0, total_out - j_out)], "judge": [j_in, j_out]}


def _usd(usage: dict[str, list[int]], price: tuple[float, float] | None,
         judge_price: tuple[float, float] | None) -> float | None:
    if price is None:
        return None
    jp = judge_price or price
    return (usage["model"][0] * price[0] + usage["model"][1] * price[1] + usage["judge"][0] * jp[0]
            + usage["judge"][1] * jp[1]) / 1e6


def _digest(config: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(config, sort_keys=True, default=str).encode()).hexdigest()[:16]


def _order(n: int, seed: int, epoch: int) -> list[int]:
    order = list(range(n))
    random.Random(f"foulplay-sequential:{seed}:{epoch}").shuffle(order)
    return order


def _max_epochs(task: Any) -> int:
    epochs = task.epochs
    value = epochs if isinstance(epochs, int) else getattr(epochs, "epochs", 1)
    return max(1, int(value or 1))


def run_sequential(task: Any, model: Any, *, target_ci: float, max_samples: int | None = None,
                   max_cost_usd: float | None = None, batch: int = 20, max_epochs: int | None = None,
                   log_dir: str | Path = "logs", judge: Any = None, task_args: dict[str, Any] | None = None,
                   limit: int | None = None, price: tuple[float, float] | None = None,
                   judge_price: tuple[float, float] | None = None, alpha: float = 0.05, seed: int = 0,
                   identity: dict[str, Any] | None = None, on_round: Callable[[dict[str, Any]], None] | None = None,
                   **eval_kwargs: Any) -> SequentialResult:
    """Evaluate ``task`` on ``model`` in rounds of ``batch`` samples until the confidence sequence of its
    misaligned rate has a half-width of at most ``target_ci`` or a budget is reached (see the module
    docstring). ``task`` is a foulplay eval's name (built with ``task_args``) or an Inspect ``Task``;
    ``model`` and ``judge`` (the ``grader`` role) are model names or Inspect models. ``max_epochs`` (default:
    the task's own epochs) bounds the passes over the samples; ``limit`` keeps the first N samples. Prices are
    US dollars per million input and output tokens (``judge_price`` defaults to ``price``); ``max_cost_usd``
    needs ``price``. ``identity`` replaces the description of the models in the config hash (the CLI passes
    the names and arguments it was given). ``on_round`` is called with each completed round's record after
    the state is written. Other keyword arguments go to Inspect's ``eval`` (``display``, ``tags``, ...)."""
    from inspect_ai import eval as inspect_eval
    from inspect_ai.dataset import MemoryDataset

    from foulplay._util.files import atomic_write_text
    from foulplay.evals._summary import sample_flags, summarize_logs
    from foulplay.stats import SequentialRate

    if not 0 < target_ci <= 0.5:
        raise InputError(f"the target half-width must be in (0, 0.5], got {target_ci}")
    if batch < 1 or (max_samples is not None and max_samples < 1):
        raise InputError("batch and max_samples must be at least 1")
    if max_cost_usd is not None and price is None:
        raise InputError("a cost budget (--max-cost) needs the model's price (--price IN,OUT)")
    task_args = dict(task_args or {})
    if isinstance(task, str):
        from foulplay.evals._tasks import TASKS

        if task not in TASKS:
            raise InputError(f"unknown eval {task!r}")
        name, build = task, (lambda: TASKS[task](**task_args))
    else:
        name, build = _task_name(task), (lambda: task)
    built = build()
    population = list(built.dataset)[:limit] if limit else list(built.dataset)
    if not population:
        raise InputError(f"{name}: no samples")
    ids = [str(s.id) for s in population]
    if len(set(ids)) != len(ids) or any(s.id is None for s in population):
        raise InputError(f"{name}: samples need unique ids for sequential sampling")
    epochs = max_epochs or _max_epochs(built)
    config = {"task": name, "task_args": task_args, "samples": _digest({"ids": ids}), "limit": limit,
              "models": identity or {"model": _model_id(model), "judge": _model_id(judge),
                                     "model_args": eval_kwargs.get("model_args") or {}},
              "seed": seed, "alpha": alpha}
    digest = _digest(config)
    log_dir = Path(log_dir)
    state_file = log_dir / f"{name}.sequential.json"
    state: dict[str, Any] = {"version": STATE_VERSION, "config": config, "config_hash": digest, "cursor": 0,
                             "samples": 0, "rate": SequentialRate(alpha=alpha).to_dict(), "rounds": [],
                             "usage": {"model": [0, 0], "judge": [0, 0]}, "stopped": None}
    if state_file.exists():
        try:
            old = json.loads(state_file.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            raise InputError(f"{state_file}: unreadable sequential state (remove it to start again)") from None
        if old.get("config_hash") != digest:
            differ = sorted(k for k in set(config) | set(old.get("config") or {})
                            if (old.get("config") or {}).get(k) != config.get(k)) or ["version"]
            raise InputError(f"{state_file}: a sequential run of another configuration ({', '.join(differ)} "
                             "differ): use another --log-dir, or remove the file to start again")
        state = old
    resumed = len(state["rounds"])
    rate = SequentialRate.from_dict(state["rate"])
    total = len(population) * epochs

    def save() -> None:
        state["rate"] = rate.to_dict()
        atomic_write_text(state_file, json.dumps(state, indent=1, default=str) + "\n")

    def spent() -> float | None:
        return _usd(state["usage"], price, judge_price)

    def per_sample_usd() -> float | None:
        if price is None:
            return None
        if state["samples"]:
            return (spent() or 0.0) / state["samples"]
        from foulplay.evals._cost import estimate

        e = estimate(built, limit=1, epochs=1)
        return e.usd(price, judge_price)

    reason, detail, failure = "", "", None
    while True:
        half = rate.half_width()
        if rate.n and half <= target_ci:
            reason, detail = TARGET, f"half-width {half:.4f} <= target {target_ci} after {rate.n} usable samples"
            break
        if max_samples is not None and state["samples"] >= max_samples:
            reason, detail = SAMPLES, f"{state['samples']} samples evaluated (budget {max_samples})"
            break
        if state["cursor"] >= total:
            reason, detail = EXHAUSTED, f"all {len(population)} samples x {epochs} epoch(s) evaluated"
            break
        size = min(batch, len(population) - state["cursor"] % len(population))
        if max_samples is not None:
            size = min(size, max_samples - state["samples"])
        if max_cost_usd is not None:
            used, each = spent() or 0.0, per_sample_usd() or 0.0
            afford = size if each <= 0 else math.floor((max_cost_usd - used) / each + 1e-9)
            if used >= max_cost_usd or afford < 1:
                reason, detail = COST, (f"${used:.4f} spent of ${max_cost_usd:g}" + (
                    f"; the next sample would cost about ${each:.4f}" if used < max_cost_usd else ""))
                break
            size = min(size, afford)
        epoch = state["cursor"] // len(population) + 1
        start = state["cursor"] % len(population)
        chosen = [population[i] for i in _order(len(population), seed, epoch)[start:start + size]]
        round_task = build()
        round_task.dataset = MemoryDataset(chosen, name=getattr(built.dataset, "name", None) or name)
        kwargs = {"display": "none", **eval_kwargs, "log_dir": str(log_dir), "epochs": 1}
        if judge is not None:
            kwargs["model_roles"] = {"grader": judge}
        try:
            (log,) = inspect_eval(round_task, model=model, **kwargs)
        except (KeyboardInterrupt, InputError):
            raise
        except Exception as exc:  # noqa: BLE001 - the run stops with the reason; completed rounds are kept
            failure = f"{type(exc).__name__}: {exc}"
            log = None
        if log is None or log.status != "success":
            if log is not None:
                failure = f"{log.status}" + (f": {log.error.message}" if log.error else "")
            reason, detail = ERROR, f"round {len(state['rounds']) + 1} did not finish ({failure}); a rerun retries it"
            break
        flags = sample_flags(log)
        usable = [f["flag"] for f in flags if f["flag"] is not None]
        usage = _usage(log)
        rate.update(sum(usable), len(usable))
        state["cursor"] += size
        state["samples"] += size
        for role in ("model", "judge"):
            state["usage"][role] = [a + b for a, b in zip(state["usage"][role], usage[role], strict=True)]
        low, high = rate.interval()
        record = {"round": len(state["rounds"]) + 1, "log": str(log.location), "epoch": epoch, "samples": size,
                  "usable": len(usable), "misaligned": sum(usable),
                  "errors": sum(1 for f in flags if f["flag"] is None and not f["excluded"]),
                  "excluded": sum(1 for f in flags if f["excluded"]), "usage": usage,
                  "cost_usd": _usd(usage, price, judge_price), "k": rate.k, "n": rate.n, "cs_low": low,
                  "cs_high": high}
        state["rounds"].append(record)
        state["stopped"] = None
        save()
        if on_round is not None:
            on_round(record)
    state["stopped"] = {"reason": reason, "detail": detail}
    save()
    logs = [r["log"] for r in state["rounds"]]
    summary = None
    notes = []
    if logs:
        from inspect_ai.log import read_eval_log

        found = [p for p in logs if Path(p).exists()]
        if len(found) < len(logs):
            notes.append(f"{len(logs) - len(found)} round log(s) are missing: the clustered summary leaves them out")
        if found:
            summary = summarize_logs([read_eval_log(p) for p in found])
    if epochs > 1 and state["cursor"] > len(population):
        notes.append("samples were run more than once (new epochs): the confidence sequence counts each run as an "
                     "independent draw; repeats are correlated, so compare with the clustered interval")
    return SequentialResult(name, reason, detail, rate, target_ci, state["rounds"], state["samples"], spent(),
                            str(state_file), logs, resumed, summary, notes)
