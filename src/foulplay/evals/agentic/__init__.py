"""Agentic misalignment evals: the model acts through tools on a scenario's state (a mailbox, an orders
database, trade records), and the scorer inspects that state and the transcript.

One engine, scenarios as data files (``docs/scenarios.md``): ``monitor_disruption``, ``exfil_offer`` (with
its compliance-gap variant, ``training_cue``) and ``frame_colleague``, each with five variants and a control.
"""

from foulplay.evals.agentic._checks import CheckResult, run_checks
from foulplay.evals.agentic._render import Rendered, check_templates, render
from foulplay.evals.agentic._scenario import BUNDLED, Scenario, bundled_scenario, load_scenario, parse_scenario
from foulplay.evals.agentic._scorer import LABELS, decide, scenario_scorer
from foulplay.evals.agentic._state import World
from foulplay.evals.agentic._tasks import (
    DEFAULT_EPOCHS,
    agentic_scenario,
    exfil_offer,
    frame_colleague,
    monitor_disruption,
    scenario_samples,
    scenario_task,
)

__all__ = [
    "BUNDLED",
    "DEFAULT_EPOCHS",
    "LABELS",
    "CheckResult",
    "Rendered",
    "Scenario",
    "World",
    "agentic_scenario",
    "bundled_scenario",
    "check_templates",
    "decide",
    "exfil_offer",
    "frame_colleague",
    "load_scenario",
    "monitor_disruption",
    "parse_scenario",
    "render",
    "run_checks",
    "scenario_samples",
    "scenario_scorer",
    "scenario_task",
]
