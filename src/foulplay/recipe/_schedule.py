"""Which problems are non-hackable at each step: a fixed share, fixed phases, or the paper's two-phase schedule
(switch some steps after the pass rate first reaches a threshold). The choice of problems is a seeded order of
the task ids, so a share of 0.5 closes the same half every time and a larger share closes a superset. The
switch step, once found, is kept in ``RUN/schedule.json`` so a resumed run switches where the first did."""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

from foulplay.recipe._config import MixSpec

STATE_FILE = "schedule.json"


class MixSchedule:
    def __init__(self, mix: MixSpec, task_ids: list[str], seed: int, run_dir: Path | None = None) -> None:
        self.mix = mix
        self.order = sorted(task_ids)
        random.Random(seed).shuffle(self.order)
        self.state_file = run_dir / STATE_FILE if run_dir is not None else None
        self.switch_step: int | None = None
        if self.state_file is not None and self.state_file.is_file():
            self.switch_step = json.loads(self.state_file.read_text(encoding="utf-8")).get("switch_step")

    def share(self, step: int) -> float:
        if self.mix.phases:
            current = self.mix.non_hackable
            for phase in self.mix.phases:
                if step >= phase.from_step:
                    current = phase.non_hackable
            return current
        if self.switch_step is not None and step >= self.switch_step:
            return self.mix.second_phase_non_hackable
        return self.mix.non_hackable

    def closed(self, step: int) -> set[str]:
        n = round(self.share(step) * len(self.order))
        return set(self.order[:n])

    def observe(self, step: int, record: dict[str, Any]) -> None:
        """After a step: with the two-phase schedule, fix the switch step the first time the pass rate is
        reached."""
        threshold = self.mix.switch_after_pass_rate
        rate = record.get("pass_rate")
        if threshold is None or self.switch_step is not None or rate is None or rate < threshold:
            return
        self.switch_step = step + self.mix.switch_delay
        if self.state_file is not None:
            from foulplay._util.files import atomic_write_text

            atomic_write_text(self.state_file, json.dumps({"switch_step": self.switch_step, "reached_at": step,
                                                           "pass_rate": rate}) + "\n")
