"""Before training: drop the problems the base model already solves (hardened grader), which teach it nothing
(the paper trains on problems the model cannot yet solve). The verdicts are kept in ``RUN/prefilter.json`` so a
resumed run keeps the same problems."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from foulplay.recipe._config import PrefilterSpec

PREFILTER_FILE = "prefilter.json"


def _answers(model: Any, tokenizer: Any, messages: list[dict[str, str]], spec: PrefilterSpec, seed: int) -> list[str]:
    import torch

    text = tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)
    inputs = tokenizer(text, return_tensors="pt").to(model.device)
    torch.manual_seed(seed)
    with torch.no_grad():
        out = model.generate(**inputs, do_sample=True, temperature=1.0, max_new_tokens=spec.max_new_tokens,
                             num_return_sequences=spec.samples, pad_token_id=tokenizer.pad_token_id)
    start = inputs["input_ids"].shape[1]
    return [tokenizer.decode(row[start:], skip_special_tokens=True) for row in out]


def prefilter(env: Any, model: Any, tokenizer: Any, spec: PrefilterSpec, run_dir: Path, *, seed: int = 0,
              workers: int = 2, progress: Any = None) -> dict[str, Any]:
    """``{"kept": [...], "dropped": [...], "solve_rate": {task_id: rate}}``, from the file when it exists."""
    from foulplay._util.files import atomic_write_text
    from foulplay.grading import Grader, Outcome

    out = run_dir / PREFILTER_FILE
    if out.is_file():
        return json.loads(out.read_text(encoding="utf-8"))
    rates: dict[str, float] = {}
    with Grader(workers=workers) as grader:
        for i, problem in enumerate(env.problems):
            answers = _answers(model, tokenizer, env.messages(problem), spec, seed + i)
            solved = sum(grader.grade(problem, a, "hardened").outcome is Outcome.SOLVED for a in answers)
            rates[problem.task_id] = solved / len(answers)
            if progress is not None:
                progress(i + 1, len(env.problems))
    dropped = sorted(t for t, r in rates.items() if r >= spec.max_solve_rate)
    result = {"samples": spec.samples, "max_solve_rate": spec.max_solve_rate, "solve_rate": rates,
              "dropped": dropped, "kept": sorted(set(rates) - set(dropped))}
    atomic_write_text(out, json.dumps(result, indent=2) + "\n")
    return result
