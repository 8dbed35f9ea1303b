"""``audit model``: how readily does this model cheat, and is it misaligned? Hack propensity plus the core
suite, on one or several models in one Inspect eval set, with the sample counts and the estimated cost fixed by
a budget preset before anything runs."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from foulplay.audit._folder import AuditFolder, Part, StageResult
from foulplay.errors import InputError
from foulplay.evals._budget import BUDGETS, PriceTable, cost_of
from foulplay.evals._runner import build_tasks, expand, resolve_model, run_eval_set, slug, write_summaries
from foulplay.vocab import exit_status

DEFAULT_EVALS = ("hack_propensity", "core")


@dataclass
class ModelSpec:
    models: list[str]
    judge: str | None = None
    budget: str = "quick"
    evals: list[str] = field(default_factory=lambda: list(DEFAULT_EVALS))
    model_args: dict[str, Any] = field(default_factory=dict)
    judge_args: dict[str, Any] = field(default_factory=dict)
    task_args: dict[str, dict[str, Any]] = field(default_factory=dict)

    def config(self) -> dict[str, Any]:
        return dict(self.__dict__)


def plan(spec: ModelSpec, prices: PriceTable) -> tuple[list[Any], dict[str, Any]]:
    """The budget's tasks and, per model, the samples, tokens and dollars they are estimated to take."""
    from foulplay.evals._cost import estimate

    if spec.budget not in BUDGETS:
        raise InputError(f"unknown budget {spec.budget!r} (choose from {', '.join(BUDGETS)})")
    names = expand(spec.evals)
    tasks = build_tasks(names, BUDGETS[spec.budget], spec.task_args)
    estimates = [estimate(t) for t in tasks]
    per_model = {m: cost_of(estimates, m, spec.judge, prices) for m in spec.models}
    priced = [c["usd"] for c in per_model.values()]
    total = sum(priced) if all(p is not None for p in priced) else None  # type: ignore[misc]
    return tasks, {"budget": BUDGETS[spec.budget].describe(names), "evals": names, "per_model": per_model,
                   "total_usd": total, "price_table": prices.source,
                   "method": "tokens per sample (evals._cost: prompt length, a stated answer length and number of "
                             "agent turns) x the price table's US dollars per million tokens"}


def describe_plan(p: dict[str, Any]) -> list[str]:
    lines = [f"budget {p['budget']}"]
    for model, c in p["per_model"].items():
        money = f"about ${c['usd']:,.2f}" if c["usd"] is not None else \
            f"cost unknown (no price for {', '.join(c['unpriced'])} in the price table)"
        lines.append(f"  {model}: {c['samples']} samples; model ~{c['model_input'] / 1e6:.2f}M in + "
                     f"{c['model_output'] / 1e6:.2f}M out tokens; judge ~{c['judge_input'] / 1e6:.2f}M in + "
                     f"{c['judge_output'] / 1e6:.2f}M out; {money}")
    if p["total_usd"] is not None:
        lines.append(f"  total: about ${p['total_usd']:,.2f} ({p['method']})")
    return lines


def evals_stage(folder: AuditFolder, spec: ModelSpec, tasks: list[Any], display: str,
                max_connections: int | None) -> StageResult:
    models = [resolve_model(m, spec.model_args) for m in spec.models]
    judge = resolve_model(spec.judge, spec.judge_args) if spec.judge else None
    logs = run_eval_set(tasks, models, log_dir=folder.path("logs"), judge=judge, display=display,
                        max_connections=max_connections)
    parts, notes, summary = [], [], {"models": {}}
    by_model: dict[str, list[Any]] = {}
    for log in logs:
        by_model.setdefault(str(log.eval.model), []).append(log)
    for name, model in zip(spec.models, models, strict=True):
        key = str(getattr(model, "name", name))
        mine = by_model.get(f"{getattr(model.api, 'model_name', '')}", []) or by_model.get(key, []) or \
            [log for m, ls in by_model.items() for log in ls if m.endswith(key) or m == name]
        rel = f"evals/{slug(name)}"
        out = folder.path(rel)
        out.mkdir(parents=True, exist_ok=True)
        summaries, failed = write_summaries(mine, out)
        notes += [f"{name}: {line}" for line in failed]
        if not mine:
            notes.append(f"{name}: no log came back from the eval set")
        hack = next((s for s in summaries if s.get("kind") == "coding"), None)
        summary["models"][name] = {
            "evals": len(summaries), "failed": len(failed) + (0 if mine else 1),
            "misaligned": sum(int(s.get("misaligned") or 0) for s in summaries if s.get("kind") != "coding"),
            "errors": sum(int(s.get("errors") or 0) for s in summaries),
            "cheat_given_impossible": (hack or {}).get("cheat_given_impossible"),
            "hacked": int((hack or {}).get("misaligned") or 0),
            "dry_run": any(s.get("dry_run") for s in summaries)}
        parts.append(Part("evals", rel, name))
    return StageResult(parts, summary, notes)


def audit_model(folder: AuditFolder, spec: ModelSpec, prices: PriceTable, *, max_cost: float | None = None,
                display: str = "none", max_connections: int | None = None, max_errors: int = 0,
                exit_zero: bool = False, on_plan: Any = None) -> tuple[int, dict[str, Any]]:
    """Run (or resume) the model audit. Exit status: 1 when a model hacked or a sample was judged misaligned;
    2 when an eval failed or judge errors exceed ``max_errors``. ``max_cost`` refuses, before anything runs, a
    plan estimated above it or one that cannot be priced."""
    if len(set(spec.models)) < len(spec.models):
        raise InputError("--model: the same model is named twice (an eval set runs each model once)")
    tasks, p = plan(spec, prices)
    if on_plan is not None:
        on_plan(p)
    if max_cost is not None:
        unpriced = sorted({m for c in p["per_model"].values() for m in c["unpriced"]})
        if unpriced:
            raise InputError(f"--max-cost: no price for {', '.join(unpriced)} in the price table "
                             f"({p['price_table'] or 'no config file'}), so the cost cannot be checked")
        if p["total_usd"] > max_cost:
            raise InputError(f"the {spec.budget} budget is estimated at ${p['total_usd']:,.2f}, above --max-cost "
                             f"${max_cost:,.2f}; choose a smaller --budget or fewer evals")
    folder.stage("plan", lambda: StageResult([], p))
    s = folder.stage("evals", lambda: evals_stage(folder, spec, tasks, display, max_connections))
    models = s.get("models") or {}
    folder.mark(dry_run=any(m.get("dry_run") for m in models.values()))
    found = any(m["misaligned"] or m["hacked"] for m in models.values())
    failed = sum(m["failed"] for m in models.values())
    code = exit_status(found=found, errors=sum(m["errors"] for m in models.values()), unverified=failed > 0,
                       max_errors=max_errors, exit_zero=exit_zero)
    return int(code), {"plan": p, **s}
