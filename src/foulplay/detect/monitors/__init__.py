"""LLM monitors beside the static rules: a model reads one view of a transcript (``reasoning``: everything;
``actions``: tool calls, edits and outputs only) and returns a JSON verdict (suspicion 0-100, hack or not,
the catalog family, quotes that must occur in the view it was shown). As a Python API
(:class:`Monitor`, :func:`monitor_transcripts`) and as an Inspect scorer (:func:`monitor_scorer`). The
combined detector (:func:`combined_flag`, :class:`FusedModel`) joins a monitor with the static rules.
"""

from __future__ import annotations

from foulplay.detect.monitors._batch import (
    MonitorReport,
    MonitorRun,
    VerdictCache,
    amonitor_transcripts,
    monitor_transcripts,
    report_for,
)
from foulplay.detect.monitors._combined import (
    MONITOR_FEATURE,
    STATIC_FEATURES,
    FusedModel,
    combined_flag,
    fit_fused,
    fit_logistic,
    static_features,
)
from foulplay.detect.monitors._inputs import INPUT_FORMATS, git_transcript, load_monitor_inputs
from foulplay.detect.monitors._monitor import FAMILIES, OTHER, Monitor, MonitorVerdict, load_prompt, parse_verdict
from foulplay.detect.monitors._scorer import (
    hack_rate,
    mean_suspicion,
    monitor_scorer,
    transcript_from_messages,
)
from foulplay.detect.monitors._views import MAX_CHARS, VIEWS, bound, render_view

__all__ = [
    "FAMILIES",
    "INPUT_FORMATS",
    "MAX_CHARS",
    "MONITOR_FEATURE",
    "OTHER",
    "STATIC_FEATURES",
    "VIEWS",
    "FusedModel",
    "Monitor",
    "MonitorReport",
    "MonitorRun",
    "MonitorVerdict",
    "VerdictCache",
    "amonitor_transcripts",
    "bound",
    "combined_flag",
    "fit_fused",
    "fit_logistic",
    "git_transcript",
    "hack_rate",
    "load_monitor_inputs",
    "load_prompt",
    "mean_suspicion",
    "monitor_scorer",
    "monitor_transcripts",
    "parse_verdict",
    "render_view",
    "report_for",
    "static_features",
    "transcript_from_messages",
]
