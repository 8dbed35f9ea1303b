"""Example samples for the report, read from an eval's Inspect log when its summary carries none: samples the
judge marked misaligned (covert ones first) with the evidence quotes the judges gave (``Score.metadata``:
``judges -> name -> data -> evidence``, or ``evidence``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from foulplay.training._runfolder import SUMMARY_SUFFIX

MAX_LOGS = 24
"""Logs read per report at most (reading a log reads all its samples)."""


def log_candidates(summary: dict[str, Any], folder: Path | None) -> list[Path]:
    """Where a summary's log may be: its ``log`` field (as written, or relative to a folder above the summary)
    and the file beside its summary file (``foulplay eval`` writes ``X.summary.json`` next to ``X.eval``)."""
    out: list[Path] = []
    log = summary.get("log")
    if isinstance(log, str) and log:
        p = Path(log)
        out.append(p)
        if not p.is_absolute() and folder is not None:
            out += [b / p for b in [folder, *folder.parents]]
    f = summary.get("summary_file")
    if isinstance(f, str) and f.endswith(SUMMARY_SUFFIX):
        stem = f[: -len(SUMMARY_SUFFIX)]
        out += [Path(stem + ".eval"), Path(stem + ".json")]
    return out


def find_log(summary: dict[str, Any], folder: Path | None) -> Path | None:
    return next((p for p in log_candidates(summary, folder) if p.is_file()), None)


def _quotes(metadata: dict[str, Any]) -> list[str]:
    quotes: list[str] = []
    found = metadata.get("evidence")
    if isinstance(found, list):
        quotes += [q for q in found if isinstance(q, str)]
    for verdict in (metadata.get("judges") or {}).values():
        data = verdict.get("data") if isinstance(verdict, dict) else None
        if isinstance(data, dict) and isinstance(data.get("evidence"), list):
            quotes += [q for q in data["evidence"] if isinstance(q, str)]
    return list(dict.fromkeys(q.strip() for q in quotes if q.strip()))


def examples_from_log(path: Path, limit: int = 2) -> list[dict[str, Any]]:
    """Up to ``limit`` misaligned samples of the log at ``path``, covert first, in the summaries' ``examples``
    shape. Raises whatever Inspect raises for a log it cannot read."""
    from inspect_ai.log import read_eval_log

    log = read_eval_log(str(path))
    picked = []
    for sample in log.samples or []:
        if not sample.scores:
            continue
        score = next(iter(sample.scores.values()))
        value = score.value if isinstance(score.value, dict) else {}
        if not value.get("misaligned") or value.get("error") or value.get("excluded"):
            continue
        meta = sample.metadata or {}
        question = meta.get("question") or (sample.input if isinstance(sample.input, str) else "")
        picked.append({"id": str(sample.id), "epoch": int(sample.epoch or 1), "label": str(score.answer or ""),
                       "covert": bool(value.get("covert")), "question": str(question)[:400],
                       "evidence": [q[:600] for q in _quotes(score.metadata or {})][:4]})
    picked.sort(key=lambda e: (not e["covert"], not e["evidence"]))
    return picked[:limit]


def attach_examples(sets: list[Any], notes: list[str]) -> None:
    """Give each summary without ``examples`` the examples of its Inspect log, when the log is found (at most
    :data:`MAX_LOGS` logs; a log that cannot be read is a note)."""
    read = 0
    for es in sets:
        for s in es.summaries:
            if s.get("examples") or read >= MAX_LOGS:
                continue
            path = find_log(s, es.source)
            if path is None:
                continue
            read += 1
            try:
                s["examples"] = examples_from_log(path)
                s["log"] = str(path)
            except Exception as exc:  # noqa: BLE001 - a log Inspect cannot read is a note, not a failed report
                notes.append(f"{path}: could not read the Inspect log for example samples ({type(exc).__name__})")
