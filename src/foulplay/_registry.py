"""Inspect entry point (``[project.entry-points.inspect_ai]``): importing this registers foulplay's tasks,
so ``inspect eval foulplay/goals`` works."""

from foulplay.evals._scorers import alignment_scorer, emergent_scorer, goals_scorer  # noqa: F401
from foulplay.evals._tasks import alignment_questions, emergent_questions, goals  # noqa: F401
