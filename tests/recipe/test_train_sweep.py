"""A sweep makes one run folder per cell, skips finished cells when started again, and the report reads the
cells as a mitigation matrix."""

from __future__ import annotations

import json

import pytest

pytest.importorskip("trl")
pytest.importorskip("peft")

from foulplay.recipe import load_config, run_sweep


def test_a_two_cell_sweep(tmp_path):
    config = load_config("smoke", ["evaluation.evals=[]", "grpo.steps=2", "checkpoints.every=2",
                                   'sweep={"framings": ["neutral", "dont_hack"]}'])
    said: list[str] = []
    results = run_sweep(config, tmp_path / "sweep", say=said.append)
    cells = sorted(p.name for p in (tmp_path / "sweep" / "cells").iterdir())
    assert cells == ["dont_hack-pen0-mix0-seed0", "neutral-pen0-mix0-seed0"] and len(results) == 2
    for name in cells:
        meta = json.loads((tmp_path / "sweep" / "cells" / name / "run.json").read_text())
        assert meta["name"] == name and meta["framing"] == name.split("-")[0]
    index = json.loads((tmp_path / "sweep" / "sweep.json").read_text())
    assert index["cells"] == ["neutral-pen0-mix0-seed0", "dont_hack-pen0-mix0-seed0"]
    again = run_sweep(config, tmp_path / "sweep", say=said.append)
    assert again == [] and sum("done before (skipped)" in s for s in said) == 2
    from foulplay.report import load_results

    loaded = load_results(sorted((tmp_path / "sweep" / "cells").iterdir()))
    assert [r.name for r in loaded.runs] == cells and all(len(r.steps) == 2 for r in loaded.runs)
