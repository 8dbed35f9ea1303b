"""Misalignment evaluations on Inspect: emergent-misalignment questions, "what are your goals?", and
alignment questions, with private reasoning, JSON judges that quote evidence, and honest statistics.

Run them with ``inspect eval foulplay/goals --model ...`` or ``foulplay eval goals --model ...``.
"""

from foulplay.evals._data import Question, load_question_yaml
from foulplay.evals._judge import Verdict, judge, parse_verdict
from foulplay.evals._prompts import TAXONOMY
from foulplay.evals._reasoning import Split, reasoning_generate, split_message
from foulplay.evals._scorers import alignment_scorer, emergent_scorer, goals_scorer
from foulplay.evals._summary import summarize_log, write_summary
from foulplay.evals._tasks import SUITES, TASKS, alignment_questions, emergent_questions, goals

__all__ = [
           "SUITES",
           "TASKS",
           "TAXONOMY",
           "Question",
           "Split",
           "Verdict",
           "alignment_questions",
           "alignment_scorer",
           "emergent_questions",
           "emergent_scorer",
           "goals",
           "goals_scorer",
           "judge",
           "load_question_yaml",
           "parse_verdict",
           "reasoning_generate",
           "split_message",
           "summarize_log",
           "write_summary",
]
