"""Inspect entry point (``[project.entry-points.inspect_ai]``): importing this registers foulplay's tasks, so
``inspect eval foulplay/goals`` works, and the offline dry-run model provider, so
``--model foulplay/dry-run`` works (``-M persona=aligned|misaligned|alignment-faker``). When Inspect Scout is
loaded, it also registers the monitors as Scout scanners (``scout scan foulplay/foulplay_monitor``)."""

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


def _register_scout_scanners() -> None:
    """foulplay's monitors as Scout scanners (``scout scan foulplay/foulplay_monitor``). Only when Scout itself
    is loaded (it is what looks scanners up): importing inspect_scout costs a second, and it is optional."""
    import sys

    if "inspect_scout" in sys.modules:
        from foulplay.detect.monitors._scout import foulplay_monitor  # noqa: F401


_register_scout_scanners()
