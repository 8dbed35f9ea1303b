"""Inspect entry point (``[project.entry-points.inspect_ai]``): importing this registers foulplay's tasks, so
``inspect eval foulplay/goals`` works, and the offline dry-run model provider, so
``--model foulplay/dry-run`` works (``-M persona=aligned|misaligned|alignment-faker``)."""

from inspect_ai.model import ModelAPI, modelapi

from foulplay.evals._scorers import alignment_scorer, emergent_scorer, goals_scorer  # noqa: F401
from foulplay.evals._tasks import alignment_questions, emergent_questions, goals  # noqa: F401
from foulplay.evals.agentic import (  # noqa: F401
    agentic_scenario,
    exfil_offer,
    frame_colleague,
    monitor_disruption,
    scenario_scorer,
)
from foulplay.evals.coding import hack_propensity  # noqa: F401
from foulplay.evals.sabotage import code_sabotage  # noqa: F401
from foulplay.inspect_sandbox import FoulplaySandboxEnvironment  # noqa: F401 - sandbox="foulplay"


@modelapi(name="foulplay")
def foulplay() -> type[ModelAPI]:
    """``foulplay/dry-run``: scripted personas and a keyword judge, no network, no key (results are stamped)."""
    from foulplay.evals._dryrun import DryRunAPI

    return DryRunAPI
