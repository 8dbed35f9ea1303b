"""The mitigations sweep: one run per cell of framings x hack penalties x non-hackable shares x seeds, each a
run folder under ``RUN/cells/<cell>`` (so ``foulplay report RUN/cells/*`` draws the mitigation matrix), run one
after another; a cell that finished is skipped when the sweep is started again."""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from foulplay.recipe._config import TrainConfig, validate

CELLS_DIR = "cells"
INDEX_FILE = "sweep.json"


def _fmt(x: float) -> str:
    return f"{x:g}".replace(".", "p")


def cells(config: TrainConfig) -> list[tuple[str, TrainConfig]]:
    """Each cell's name and config (the base config with that cell's values; no sweep)."""
    assert config.sweep is not None
    s = config.sweep
    base = config.dump()
    base.pop("sweep", None)
    out = []
    for framing, penalty, mix, seed in itertools.product(
            s.framings or [config.env.framing], s.hack_penalties or [config.reward.hack_penalty],
            s.non_hackable or [config.mix.non_hackable], s.seeds or [config.grpo.seed]):
        data = json.loads(json.dumps(base))
        name = f"{framing}-pen{_fmt(penalty)}-mix{_fmt(mix)}-seed{seed}"
        data["name"] = name
        data["env"]["framing"] = framing
        data["reward"]["hack_penalty"] = penalty
        data["mix"]["non_hackable"] = mix
        data["grpo"]["seed"] = seed
        out.append((name, validate(data, f"sweep cell {name}")))
    return out


def run_sweep(config: TrainConfig, run_dir: str | Path, *, fresh: bool = False,
              say: Callable[[str], None] = print, **kwargs: Any) -> list[Any]:
    from foulplay._util.files import atomic_write_text
    from foulplay.recipe._loop import DONE_FILE, train

    root = Path(run_dir)
    root.mkdir(parents=True, exist_ok=True)
    todo = cells(config)
    atomic_write_text(root / INDEX_FILE, json.dumps({"cells": [n for n, _ in todo], "config": config.dump()},
                                                    indent=2) + "\n")
    results = []
    for i, (name, cell) in enumerate(todo, 1):
        target = root / CELLS_DIR / name
        if (target / DONE_FILE).is_file() and not fresh and not cell.chat_safety.enabled:
            say(f"train: cell {i}/{len(todo)} {name}: done before (skipped)")
            continue
        say(f"train: cell {i}/{len(todo)} {name}")
        results.append(train(cell, target, fresh=fresh, say=say, **kwargs))
    return results
