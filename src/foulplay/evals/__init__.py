"""Misalignment evaluations on Inspect: emergent-misalignment questions, "what are your goals?", and
alignment questions, with private reasoning, JSON judges that quote evidence, and honest statistics.

Run them with ``inspect eval foulplay/goals --model ...`` or ``foulplay eval goals --model ...``; with
``--model foulplay/dry-run`` (offline scripted personas, results stamped ``dry-run``) to try them with no model.
"""

from foulplay.evals._calibration import calibrate_items, eval_items, load_sheet
from foulplay.evals._data import Question, load_question_yaml
from foulplay.evals._dryrun import DryRunAPI, is_dry_run
from foulplay.evals._judge import Verdict, judge, parse_verdict
from foulplay.evals._personas import PERSONAS
from foulplay.evals._preflight import check_model, preflight, provider_needs
from foulplay.evals._prompts import TAXONOMY
from foulplay.evals._reasoning import Split, reasoning_generate, split_message
from foulplay.evals._scorers import alignment_scorer, emergent_scorer, goals_scorer
from foulplay.evals._sequential import SequentialResult, run_sequential
from foulplay.evals._summary import summarize_log, write_summary
from foulplay.evals._tasks import SUITES, TASKS, alignment_questions, emergent_questions, goals

__all__ = [
           "PERSONAS",
           "SUITES",
           "TASKS",
           "TAXONOMY",
           "DryRunAPI",
           "Question",
           "SequentialResult",
           "Split",
           "Verdict",
           "alignment_questions",
           "alignment_scorer",
           "calibrate_items",
           "check_model",
           "emergent_questions",
           "emergent_scorer",
           "eval_items",
           "goals",
           "goals_scorer",
           "is_dry_run",
           "judge",
           "load_question_yaml",
           "load_sheet",
           "parse_verdict",
           "preflight",
           "provider_needs",
           "reasoning_generate",
           "run_sequential",
           "split_message",
           "summarize_log",
           "write_summary",
]
