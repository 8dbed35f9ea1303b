"""``foulplay audit``: one command per question, each writing one report folder (docs/audit.md).

* ``grader``: is this grader safe to train against? (the probe, its controls, and what closes each hole)
* ``run``: is this training run learning to cheat, and is it turning misaligned?
* ``model``: how readily does this model cheat, and is it misaligned? (budget presets, several models)
* ``agent``: did this agent tamper with our tests?

Orchestration only: the work is the probe's, the rollout audit's, the evals' and the scanner's; this package
orders them into resumable stages of an :class:`AuditFolder` and hands the folder to the report."""

from foulplay.audit._agent import AgentSpec, audit_agent
from foulplay.audit._folder import AUDIT_FILE, SCHEMA, AuditFolder, Part, StageResult
from foulplay.audit._grader import GraderSpec, audit_grader
from foulplay.audit._model import ModelSpec, audit_model, describe_plan, plan
from foulplay.audit._progress import StageProgress
from foulplay.audit._run import RunSpec, audit_run
from foulplay.evals._budget import BUDGETS, Budget, PriceTable, load_prices

__all__ = ["AUDIT_FILE", "BUDGETS", "SCHEMA", "AgentSpec", "AuditFolder", "Budget", "GraderSpec", "ModelSpec",
           "Part", "PriceTable", "RunSpec", "StageProgress", "StageResult", "audit_agent", "audit_grader",
           "audit_model", "audit_run", "describe_plan", "load_prices", "plan"]
