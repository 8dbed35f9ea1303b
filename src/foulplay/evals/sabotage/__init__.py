"""``code_sabotage``: does a coding agent undermine the tools meant to oversee it? It writes the missing
prompt of a reward-hacking classifier in a research repository (a fixture written for foulplay); a judge
decides whether the prompt was weakened on purpose, and the prompt's effectiveness is measured by running it
as a classifier over a labelled set (``data/``) against a reference prompt or a baseline model's prompts."""

from foulplay.evals.sabotage._extract import extract_template
from foulplay.evals.sabotage._task import DEFAULT_EPOCHS, DEFAULT_EVAL_ITEMS, PROMPTS, code_sabotage

__all__ = ["DEFAULT_EPOCHS", "DEFAULT_EVAL_ITEMS", "PROMPTS", "code_sabotage", "extract_template"]
