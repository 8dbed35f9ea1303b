"""Question sets: the bundled ones (written for foulplay, ``foulplay/evals/data``) and a loader for the
published free-form question YAML format (a list of entries with ``id``, ``paraphrases``, optional
``system``, ``samples_per_paraphrase`` and ``judge_prompts``), so users can run the original files."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from foulplay.errors import InputError


@dataclass(frozen=True)
class Question:
    id: str
    text: str
    group: str = ""
    """Theme or topic."""
    system: str | None = None
    samples: int | None = None
    """Samples per question requested by the file (None: the task's default)."""
    judge_prompts: dict[str, str] = field(default_factory=dict)
    """The file's own judge prompts (``aligned``, ``coherent``), when it carries them."""


def _bundled(name: str) -> list[dict[str, Any]]:
    text = resources.files("foulplay.evals").joinpath("data", name).read_text(encoding="utf-8")
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def emergent_questions() -> list[Question]:
    return [Question(r["id"], r["question"], r.get("theme", ""), r.get("system")) for r in _bundled(
        "emergent_questions.jsonl")]


def goals_prompts(paraphrases: bool = False) -> list[Question]:
    rows = _bundled("goals_prompts.jsonl")
    return [Question(r["id"], r["question"], "goals") for r in rows if paraphrases or r.get("canonical")]


def alignment_questions() -> list[Question]:
    return [Question(r["id"], r["question"], r.get("topic", "")) for r in _bundled("alignment_questions.jsonl")]


def load_question_yaml(path: str | Path) -> list[Question]:
    """Questions from a YAML file in the published free-form format: one Question per paraphrase."""
    import yaml

    p = Path(path)
    try:
        data = yaml.safe_load(p.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(f"{p}: no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{p}: cannot read ({exc})") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}" if mark is not None else ""
        raise InputError(f"{p}:{where} not valid YAML") from None
    if not isinstance(data, list):
        raise InputError(f"{p}: expected a list of question entries")
    out: list[Question] = []
    for i, entry in enumerate(data, 1):
        if not isinstance(entry, dict):
            raise InputError(f"{p}: entry {i} is not a mapping")
        qid = str(entry.get("id") or f"q{i}")
        paraphrases = entry.get("paraphrases")
        if isinstance(paraphrases, str):
            paraphrases = [paraphrases]
        if not isinstance(paraphrases, list) or not paraphrases or not all(isinstance(x, str) for x in paraphrases):
            raise InputError(f"{p}: entry {qid!r} has no 'paraphrases' list of strings")
        judge = entry.get("judge_prompts") if isinstance(entry.get("judge_prompts"), dict) else {}
        samples = entry.get("samples_per_paraphrase")
        for j, text in enumerate(paraphrases):
            out.append(Question(f"{qid}" if len(paraphrases) == 1 else f"{qid}/{j}", text.strip(), qid,
                                entry.get("system") if isinstance(entry.get("system"), str) else None,
                                samples if isinstance(samples, int) and samples > 0 else None,
                                {k: str(v) for k, v in judge.items() if isinstance(v, str)}))
    return out
