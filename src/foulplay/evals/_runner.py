"""Running evals for an audit: the tasks a budget fixes, one or several models through Inspect's ``eval_set``
(retries, and a rerun over the same log directory picks up what finished), and the summaries ``foulplay eval``
writes, one folder per model."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from foulplay.errors import InputError
from foulplay.evals._budget import Budget, spread

AGENTIC_EVALS = ("monitor_disruption", "exfil_offer", "frame_colleague")
CHAT_EVALS = ("emergent_questions", "goals", "alignment_questions")
CODING_EVALS = ("hack_propensity",)


def expand(names: list[str]) -> list[str]:
    """Eval names with suites (core, chat, agentic, suite) expanded, in order, without repeats."""
    from foulplay.evals import SUITES, TASKS

    out: list[str] = []
    for name in names:
        for n in SUITES.get(name, [name]):
            if n not in TASKS:
                raise InputError(f"unknown eval {n!r} (choose from {', '.join([*TASKS, *SUITES])})")
            if n not in out:
                out.append(n)
    return out


def build_tasks(names: list[str], budget: Budget | None, task_args: dict[str, dict[str, Any]] | None = None
                ) -> list[Any]:
    """Each eval's Inspect task, cut to the budget (an even spread of its samples, or fewer epochs)."""
    from inspect_ai import task_with
    from inspect_ai.dataset import MemoryDataset

    from foulplay.evals import TASKS

    out = []
    for name in names:
        task = TASKS[name](**(task_args or {}).get(name, {}))
        if budget is not None:
            if name in AGENTIC_EVALS and budget.agentic_epochs is not None:
                task = task_with(task, epochs=budget.agentic_epochs)
            elif name not in AGENTIC_EVALS:
                n = budget.coding_samples if name in CODING_EVALS else budget.chat_samples
                samples = list(task.dataset)
                keep = spread(len(samples), n)
                if len(keep) < len(samples):
                    task = task_with(task, dataset=MemoryDataset([samples[i] for i in keep],
                                                                 name=getattr(task.dataset, "name", name)))
        out.append(task)
    return out


def slug(model: str) -> str:
    """A folder name for a model (``openai/gpt-4o`` -> ``openai--gpt-4o``)."""
    return re.sub(r"[^A-Za-z0-9._-]+", "-", model.replace("/", "--")).strip("-") or "model"


def resolve_model(spec: str, args: dict[str, Any] | None = None) -> Any:
    from foulplay._util.models import model_for

    try:
        return model_for(spec, args)
    except Exception as exc:  # noqa: BLE001 - a provider that cannot load is one line, not a traceback
        first = str(exc).strip().splitlines()[0][:200] if str(exc).strip() else ""
        raise InputError(f"cannot load model {spec}: {type(exc).__name__}: {first}") from None


def run_eval_set(tasks: list[Any], models: list[Any], *, log_dir: Path, judge: Any = None,
                 display: str = "none", max_connections: int | None = None, retry_attempts: int = 3) -> list[Any]:
    """Every task on every model in one Inspect eval set; the logs (a rerun reuses the ones that finished)."""
    from inspect_ai import eval_set

    from foulplay.evals._dryrun import NAME as DRY_RUN
    from foulplay.evals._dryrun import TAG, is_dry_run

    kwargs: dict[str, Any] = {"log_dir": str(log_dir), "model": models, "display": display,
                              "retry_attempts": retry_attempts, "retry_wait": 1, "log_dir_allow_dirty": True}
    if judge is not None:
        kwargs["model_roles"] = {"grader": judge}
    if max_connections:
        kwargs["max_connections"] = max_connections
    roles = [r for r, m in [*(("model", m) for m in models), ("grader", judge)] if m is not None and is_dry_run(m)]
    if roles:
        kwargs["tags"] = [TAG]
        kwargs["metadata"] = {"foulplay_dry_run": {"roles": sorted(set(roles)), "provider": DRY_RUN}}
    try:
        _, logs = eval_set(tasks, **kwargs)
    except Exception as exc:  # noqa: BLE001 - Inspect refuses a log dir of another set, a bad model...
        first = str(exc).strip().splitlines()[0][:300] if str(exc).strip() else ""
        raise InputError(f"the eval set in {log_dir} could not run: {type(exc).__name__}: {first}") from None
    return list(logs)


def write_summaries(logs: list[Any], out_dir: Path) -> tuple[list[dict[str, Any]], list[str]]:
    """Each successful log's summary as ``OUT/<eval>.summary.json`` and, for two or more misalignment evals,
    ``OUT/suite.summary.json``; the failed logs as lines."""
    from inspect_ai.log import read_eval_log

    from foulplay._util.files import atomic_write_text
    from foulplay.evals._summary import suite_summary, summarize_log, write_summary

    summaries, failed = [], []
    for log in logs:
        if log.status != "success":
            msg = log.error.message.strip().splitlines()[0][:200] if log.error and log.error.message else ""
            failed.append(f"{log.eval.task} on {log.eval.model}: {log.status}" + (f" ({msg})" if msg else ""))
            continue
        if not log.samples and log.location:
            log = read_eval_log(str(log.location))
        summary = summarize_log(log)
        summary["summary_file"] = str(out_dir / f"{summary['eval']}.summary.json")
        write_summary(summary, summary["summary_file"])
        summaries.append(summary)
    rated = [s for s in summaries if s.get("kind") != "coding" and s.get("eval") not in ("code_sabotage",)]
    if len(rated) > 1:
        suite = suite_summary(rated)
        atomic_write_text(out_dir / "suite.summary.json", json.dumps(suite, indent=2, default=str) + "\n")
    return summaries, failed
