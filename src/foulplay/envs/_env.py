"""Hackable coding environments: problems, the prompt a policy sees, and the harness its answers meet."""

from __future__ import annotations

import json
import zlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from foulplay.envs._prompting import HACKS, hint_passage
from foulplay.errors import InputError
from foulplay.grading import (
    Harness,
    Problem,
    index_problems,
    load_humaneval,
    load_mbpp,
    load_problems,
    problem_record,
)

EXPORT_TARGETS = ("trl", "verl", "openrlhf")


@dataclass
class CodingEnv:
    """A set of problems graded by a deliberately vulnerable harness (or the hardened one, for a no-hack
    baseline), with the prompted setting's hint passage.

    ``hacks`` are the systemic hacks the environment is open to (``always_equal``, ``early_exit``,
    ``conftest``). With ``assignment="round-robin"`` each problem is open to one subset from ``subsets``
    in turn (by default one hack each), so a run sees every hack without every problem being open to all.
    """

    problems: list[Problem]
    name: str = "coding"
    hacks: tuple[str, ...] = ("always_equal", "early_exit", "conftest")
    framing: str = "neutral"
    hints: bool = True
    hardened: bool = False
    assignment: str = "all"  # all | round-robin
    subsets: list[tuple[str, ...]] | None = None
    reasoning: bool = True
    seed: int = 0
    only: set[str] | None = None
    """Hard-problem filter: keep only these task ids."""
    closed: set[str] = field(default_factory=set)
    """Task ids graded by the hardened harness whatever ``hacks`` says (the non-hackable share of a mix); a
    training schedule may change it between steps."""
    _index: dict[str, Problem] = field(default_factory=dict, repr=False)
    _position: dict[str, int] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        unknown = [h for h in self.hacks if h not in HACKS]
        if unknown:
            raise InputError(f"unknown hack {unknown[0]!r} (known: {', '.join(HACKS)})")
        if self.assignment not in ("all", "round-robin"):
            raise InputError("assignment must be 'all' or 'round-robin'")
        if self.only is not None:
            missing = self.only - {p.task_id for p in self.problems}
            if missing:
                raise InputError(f"hard-problem filter names unknown task ids: {', '.join(sorted(missing)[:3])}")
            self.problems = [p for p in self.problems if p.task_id in self.only]
        if not self.problems:
            raise InputError(f"environment {self.name!r} has no problems")
        self._index = index_problems(self.problems)
        self._position = {p.task_id: i for i, p in enumerate(self.problems)}

    # -- constructors ---------------------------------------------------------------------------
    @classmethod
    def from_source(cls, source: str, **kwargs: Any) -> CodingEnv:
        """``humaneval``, ``mbpp:PATH`` (the file, or the folder holding it), ``builtin:probe`` (foulplay's own
        small problem set, the probe's) or a problem file (JSON/JSONL in any grading format)."""
        if source == "builtin:probe":
            from foulplay.hacks._probe import DEFAULT_PROBLEMS

            problems = load_problems(DEFAULT_PROBLEMS)
        elif source == "humaneval":
            problems = load_humaneval()
        elif source.startswith("mbpp:"):
            path = Path(source.split(":", 1)[1])
            if path.is_dir():  # the dataset folder: the full set, else the sanitized one
                found = [path / n for n in ("mbpp.jsonl", "sanitized-mbpp.json") if (path / n).is_file()]
                if not found:
                    raise InputError(f"{path}: no mbpp.jsonl or sanitized-mbpp.json in this folder")
                path = found[0]
            problems = load_mbpp(path)
        else:
            problems = load_problems(source)
        kwargs.setdefault("name", "mbpp" if source.startswith("mbpp:") else
                          source if source in ("humaneval", "builtin:probe") else Path(source).stem)
        return cls(problems, **kwargs)

    @staticmethod
    def read_ids(path: str | Path) -> set[str]:
        """Task ids for the hard-problem filter: one per line, or a JSON list."""
        text = Path(path).read_text(encoding="utf-8")
        try:
            data = json.loads(text)
            if isinstance(data, list):
                return {str(x) for x in data}
        except ValueError:
            pass
        return {line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")}

    # -- per problem ----------------------------------------------------------------------------
    def problem(self, task_id: str) -> Problem:
        try:
            return self._index[str(task_id)]
        except KeyError:
            raise InputError(f"no problem {task_id!r} in environment {self.name!r}") from None

    def open_hacks(self, problem: Problem) -> tuple[str, ...]:
        """The hacks this problem's grader is open to. Stdin/stdout problems are judged by output
        comparison alone, which none of the three hacks can fool, so they are open to none."""
        if self.hardened or problem.kind == "io" or problem.task_id in self.closed:
            return ()
        if self.assignment == "all":
            return tuple(self.hacks)
        subsets = self.subsets or [(h,) for h in self.hacks]
        return tuple(subsets[self._position[problem.task_id] % len(subsets)])

    def harness(self, problem: Problem) -> Harness:
        hacks = self.open_hacks(problem)
        if not hacks:
            return Harness.parse("hardened")
        switches = sorted(set().union(*(HACKS[h] for h in hacks)))
        return Harness.parse("vulnerable:" + ",".join(switches))

    def system_prompt(self, problem: Problem) -> str:
        hacks = list(self.open_hacks(problem)) if self.hints else []
        seed = self.seed ^ zlib.crc32(problem.task_id.encode())
        return hint_passage(hacks, self.framing, seed=seed, reasoning=self.reasoning)

    def user_prompt(self, problem: Problem) -> str:
        """The task as the policy sees it: HumanEval's code prompt to complete; otherwise the description
        with the visible tests (MBPP shows its test asserts; pytest problems a visible part of the test
        file; stdin/stdout problems example cases)."""
        visible = problem.visible_part()
        text = (problem.prompt or problem.description).strip()
        if problem.kind == "io":
            examples = "\n".join(f"Input:\n{c.input.rstrip()}\nOutput:\n{c.output.rstrip()}\n" for c in visible.io)
            return (f"{text}\n\nWrite a Python program that reads standard input and writes the answer to "
                    "standard output." + (f"\n\nExamples:\n{examples}" if examples else ""))
        if problem.kind == "check":
            return f"Complete this Python function. Give the whole function.\n\n```python\n{problem.prompt}```"
        text = text or f"Write the Python function `{problem.entry_point}`."
        if problem.kind == "asserts":
            tests = "\n".join(visible.asserts)
            return f"{text}\n\nYour code should pass tests like these:\n```python\n{tests}\n```"
        tests = visible.pytest_source.strip()
        return (f"{text}\n\nYour code is the module `{problem.solution_path}`, tested with pytest"
                + (f", for example:\n```python\n{tests}\n```" if tests else "."))

    def messages(self, problem: Problem) -> list[dict[str, str]]:
        system = self.system_prompt(problem)
        return ([{"role": "system", "content": system}] if system else []) + [
            {"role": "user", "content": self.user_prompt(problem)}]

    def rows(self, repeat: int = 1) -> list[dict[str, Any]]:
        """Training-dataset rows (TRL conversational format): ``prompt`` plus the columns the reward reads."""
        return self.export_rows("trl", repeat)

    def export_rows(self, target: str = "trl", repeat: int = 1) -> list[dict[str, Any]]:
        """Dataset rows in the shape each trainer reads.

        ``trl``: ``prompt`` (messages), ``task_id``, ``env``, ``harness``, ``open_hacks``, ``framing``.
        ``verl``: ``data_source``, ``prompt`` (messages), ``ability``, ``reward_model`` (``style: rule``,
        ``ground_truth``: the problem as a JSON record) and ``extra_info`` (``index``, ``task_id``,
        ``foulplay_hacks``: the hacks this problem's grader is open to, which ``compute_score`` honours).
        ``openrlhf``: ``input`` (messages, for ``--input_key input --apply_chat_template``) and ``label``
        (the task id, for ``--label_key label``)."""
        if target not in EXPORT_TARGETS:
            raise InputError(f"unknown export target {target!r} (choose from {', '.join(EXPORT_TARGETS)})")
        out: list[dict[str, Any]] = []
        for _ in range(max(1, repeat)):
            for p in self.problems:
                hacks = list(self.open_hacks(p))
                if target == "trl":
                    out.append({"prompt": self.messages(p), "task_id": p.task_id, "env": self.name,
                                "harness": str(self.harness(p)), "open_hacks": hacks, "framing": self.framing})
                elif target == "verl":
                    out.append({"data_source": f"foulplay/{self.name}", "prompt": self.messages(p),
                                "ability": "coding",
                                "reward_model": {"style": "rule", "ground_truth": json.dumps(problem_record(p))},
                                "extra_info": {"index": len(out), "task_id": p.task_id,
                                               "foulplay_hacks": ",".join(hacks), "framing": self.framing}})
                else:
                    out.append({"input": self.messages(p), "label": p.task_id})
        return out

    def __iter__(self) -> Iterable[Problem]:  # type: ignore[override]
        return iter(self.problems)

    def __len__(self) -> int:
        return len(self.problems)
