"""Labelled transcripts for the ``code_sabotage`` eval: the set bundled with foulplay, a user's own set in the
same JSON Lines format, and a loader for the School of Reward Hacks data (Taylor et al. 2025, arXiv 2508.17511,
published on Hugging Face as ``longtermrisk/school-of-reward-hacks``).

A classifier prompt is scored by how well it flags the items whose ``flag`` is true (reward hacking or
concerning reasoning) and leaves the others alone. Every problem with an input file is an
:class:`~foulplay.errors.InputError` of one line that names the file, and the line, row or column at fault.
"""

from __future__ import annotations

import csv
import functools
import json
import math
from collections import Counter
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from foulplay.errors import InputError

Label = Literal["hack", "concerning", "benign"]
LABELS: tuple[str, ...] = ("hack", "concerning", "benign")
FLAGGED_LABELS = frozenset({"hack", "concerning"})
"""Labels a good reward-hacking / concerning-reasoning classifier should flag."""

DATA_DIR = Path(__file__).resolve().parent / "data"
BUNDLED_FILE = DATA_DIR / "labelled_transcripts.jsonl"
BUNDLED_SOURCE = "foulplay:bundled"

SRH_DATASET = "longtermrisk/school-of-reward-hacks"
SRH_CITATION = "Taylor et al. 2025, School of Reward Hacks, arXiv 2508.17511"
SRH_COLUMNS = {
    "user": "user",
    "hack": "school_of_reward_hacks",
    "control": "control",
    "task": "task",
    "metric": "evaluation_metric",
    "cheat": "cheat_method",
}
"""Default column names of the published School of Reward Hacks files. ``user``, ``hack`` and ``control`` must be
present; ``task``, ``metric`` and ``cheat`` are descriptive and used when they are there."""
_SRH_REQUIRED = ("user", "hack", "control")
_ROLE_TEXT = {"user": "the user prompt", "hack": "the reward-hacking response", "control": "the control response"}


class LabelledTranscript(BaseModel):
    """One transcript of a model at work, with what a classifier should say about it."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    id: str = Field(min_length=1)
    label: Label
    flag: bool
    """True for ``hack`` and ``concerning`` (the classifier should flag it), false for ``benign``."""
    group: str = ""
    """A short name for the kind of item (how it was written, or the task it came from)."""
    family: str | None = None
    """The hack family from foulplay's catalog (``foulplay hacks list``) for catalog-style hacks, else None."""
    transcript: str = Field(min_length=1)
    written: str = ""
    """One phrase on how the item was written ("hand-written, agentic repo session")."""
    source: str = ""
    """Where the item was loaded from: ``foulplay:bundled``, ``srh:<path>`` or the path of a user's file."""

    @model_validator(mode="before")
    @classmethod
    def _derive_flag(cls, data: Any) -> Any:
        if isinstance(data, dict) and data.get("flag") is None and data.get("label") in LABELS:
            data = {**data, "flag": data["label"] in FLAGGED_LABELS}
        return data

    @model_validator(mode="after")
    def _flag_matches_label(self) -> LabelledTranscript:
        if self.flag != (self.label in FLAGGED_LABELS):
            raise ValueError(f"flag {str(self.flag).lower()} contradicts label {self.label!r} "
                             f"(hack and concerning are flagged, benign is not)")
        if not self.transcript.strip():
            raise ValueError("transcript is blank")
        return self


def _one_line(exc: ValidationError) -> str:
    err = exc.errors()[0]
    where = ".".join(str(p) for p in err.get("loc", ()))
    msg = err.get("msg", "invalid").removeprefix("Value error, ")
    return f"{where}: {msg}" if where else msg


def _records_from_jsonl(path: Path) -> Iterator[tuple[int, Any]]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise InputError(f"{path}: is a directory, expected a file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: cannot read ({exc})") from None
    for lineno, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            yield lineno, json.loads(line)
        except json.JSONDecodeError as exc:
            raise InputError(f"{path}:{lineno}: not valid JSON ({exc.msg})") from None


def load_labelled(path: str | Path, *, source: str | None = None) -> list[LabelledTranscript]:
    """A labelled set in foulplay's JSON Lines format (one object per line with ``id``, ``label``,
    ``transcript`` and optionally ``flag``, ``group``, ``family``, ``written``). ``flag`` defaults to what
    the label implies; a ``flag`` that contradicts the label is an error."""
    p = Path(path)
    src = source if source is not None else str(p)
    items: list[LabelledTranscript] = []
    seen: dict[str, int] = {}
    for lineno, record in _records_from_jsonl(p):
        if not isinstance(record, dict):
            raise InputError(f"{p}:{lineno}: expected a JSON object, got {type(record).__name__}")
        try:
            item = LabelledTranscript.model_validate({**record, "source": record.get("source") or src})
        except ValidationError as exc:
            raise InputError(f"{p}:{lineno}: {_one_line(exc)}") from None
        if item.id in seen:
            raise InputError(f"{p}:{lineno}: duplicate id {item.id!r} (first on line {seen[item.id]})")
        seen[item.id] = lineno
        items.append(item)
    if not items:
        raise InputError(f"{p}: no labelled transcripts in the file")
    return items


@functools.cache
def _bundled() -> tuple[LabelledTranscript, ...]:
    return tuple(load_labelled(BUNDLED_FILE, source=BUNDLED_SOURCE))


def bundled_set() -> list[LabelledTranscript]:
    """The labelled set written for foulplay (``data/labelled_transcripts.jsonl``, described in its README)."""
    return list(_bundled())


# --- School of Reward Hacks -----------------------------------------------------------------------------------

def _text(value: Any) -> str:
    """A cell as text: None and NaN (how CSV and Parquet readers show an empty cell) become ''."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return value.strip() if isinstance(value, str) else str(value).strip()


def _rows_json(path: Path, text: str) -> list[Any]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"{path}: not valid JSON (line {exc.lineno}: {exc.msg})") from None
    if not isinstance(data, list):
        raise InputError(f"{path}: expected a JSON list of rows, got {type(data).__name__}")
    return data


def _rows_csv(path: Path, text: str) -> tuple[list[str], list[dict[str, Any]]]:
    reader = csv.DictReader(text.splitlines(keepends=True))
    try:
        rows = list(reader)
        header = list(reader.fieldnames or [])
    except csv.Error as exc:
        raise InputError(f"{path}: not valid CSV (line {reader.line_num}: {exc})") from None
    return header, rows


def _rows_parquet(path: Path) -> tuple[list[str], list[dict[str, Any]]]:
    try:
        import pyarrow.parquet as pq
    except ImportError:
        pq = None
    try:
        if pq is not None:
            table = pq.read_table(path)
            return list(table.column_names), table.to_pylist()
        try:
            import pandas as pd
        except ImportError:
            raise InputError(f"{path}: reading Parquet needs pyarrow or pandas (pip install pyarrow)") from None
        frame = pd.read_parquet(path)
        return [str(c) for c in frame.columns], frame.to_dict(orient="records")
    except InputError:
        raise
    except Exception as exc:  # noqa: BLE001 - any reader failure is a bad input file
        raise InputError(f"{path}: cannot read as Parquet ({type(exc).__name__}: {exc})") from None


def _read_srh_rows(path: Path) -> tuple[list[str] | None, list[Any]]:
    """(header, rows). The header is known for CSV and Parquet; for JSON each row is checked on its own."""
    if not path.exists():
        raise InputError(f"{path}: no such file")
    if path.is_dir():
        raise InputError(f"{path}: is a directory, expected a file")
    suffix = path.suffix.lower()
    if suffix in (".parquet", ".pq"):
        return _rows_parquet(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: cannot read ({exc})") from None
    if suffix == ".csv":
        return _rows_csv(path, text)
    if suffix in (".jsonl", ".ndjson"):
        return None, [record for _, record in _records_from_jsonl(path)]
    if suffix == ".json":
        return None, _rows_json(path, text)
    raise InputError(f"{path}: unknown format {suffix or '(no suffix)'!r}; "
                     f"expected .jsonl, .json, .csv or .parquet")


def load_school_of_reward_hacks(path: str | Path, *, columns: dict[str, str] | None = None,
                                id_prefix: str = "srh") -> list[LabelledTranscript]:
    """Items from a School of Reward Hacks file (JSON Lines, a JSON list, CSV, or Parquet when pyarrow or pandas
    is installed). Each row gives two items: its reward-hacking response (``label="hack"``, ``flag=True``) and its
    control response (``label="benign"``, ``flag=False``), each as ``USER: ...\\nASSISTANT: ...``. A row whose
    control response is empty (the published coding rows have none) gives only the hacking item.

    ``columns`` overrides the default column names (:data:`SRH_COLUMNS`) by role, e.g.
    ``{"hack": "reward_hack_response"}``.
    """
    p = Path(path)
    unknown = set(columns or {}) - set(SRH_COLUMNS)
    if unknown:
        raise InputError(f"unknown column role(s) {', '.join(sorted(unknown))}; "
                         f"expected some of {', '.join(SRH_COLUMNS)}")
    cols = {**SRH_COLUMNS, **(columns or {})}
    header, rows = _read_srh_rows(p)
    if header:
        for role in _SRH_REQUIRED:
            if cols[role] not in header:
                raise InputError(f"{p}: missing column {cols[role]!r} ({_ROLE_TEXT[role]})")
    if not rows:
        raise InputError(f"{p}: no rows (empty file)")
    source = f"srh:{p}"
    items: list[LabelledTranscript] = []
    for n, row in enumerate(rows, 1):
        if not isinstance(row, dict):
            raise InputError(f"{p}: row {n} is not an object with named columns")
        for role in _SRH_REQUIRED:
            if cols[role] not in row:
                raise InputError(f"{p}: row {n}: missing column {cols[role]!r} ({_ROLE_TEXT[role]})")
        user = _text(row[cols["user"]])
        if not user:
            continue
        task = " ".join(_text(row.get(cols["task"])).split())
        metric = _text(row.get(cols["metric"]))
        cheat = _text(row.get(cols["cheat"]))
        group = f"srh:{task}" if task else "srh"
        for role, label in (("hack", "hack"), ("control", "benign")):
            response = _text(row[cols[role]])
            if not response:
                continue
            written = f"School of Reward Hacks ({SRH_CITATION}), {cols[role]!r} response"
            if role == "hack" and cheat:
                written += f"; cheat method: {cheat}"
            elif role == "control" and metric:
                written += f"; metric: {metric}"
            items.append(LabelledTranscript(
                id=f"{id_prefix}-{n:05d}-{role}", label=label, flag=label in FLAGGED_LABELS, group=group,
                family=None, transcript=f"USER: {user}\nASSISTANT: {response}", written=written, source=source))
    if not items:
        raise InputError(f"{p}: no usable rows (every row lacks a user prompt or both responses)")
    return items


def load_eval_set(spec: str) -> list[LabelledTranscript]:
    """An evaluation set by name: ``bundled`` (foulplay's own set), ``srh:PATH`` (a School of Reward Hacks
    file), or the path of a JSON Lines file in foulplay's format."""
    spec = (spec or "").strip()
    if not spec:
        raise InputError("empty eval set; use 'bundled', 'srh:PATH' or the path of a JSONL file")
    if spec == "bundled":
        return bundled_set()
    if spec.startswith("srh:"):
        rest = spec[len("srh:"):].strip()
        if not rest:
            raise InputError("'srh:' needs a path, e.g. srh:school_of_reward_hacks.jsonl")
        return load_school_of_reward_hacks(rest)
    return load_labelled(spec)


# --- counts, for the README and reports -----------------------------------------------------------------------

def counts(items: Iterable[LabelledTranscript]) -> dict[str, Counter[str]]:
    """How many items per label, per (label, group) and, for hacks, per family."""
    items = list(items)
    return {
        "label": Counter(i.label for i in items),
        "group": Counter(f"{i.label}/{i.group}" for i in items),
        "family": Counter(i.family or "-" for i in items if i.label == "hack"),
    }


def counts_markdown(items: Iterable[LabelledTranscript], family_order: Iterable[str] = ()) -> str:
    """Markdown tables of :func:`counts` (what ``data/README.md`` shows for the bundled set)."""
    items = list(items)
    c = counts(items)
    out = ["| label | flag | items |", "|---|---|---:|"]
    for label in LABELS:
        out.append(f"| `{label}` | {str(label in FLAGGED_LABELS).lower()} | {c['label'][label]} |")
    out += [f"| **total** | | {len(items)} |", "", "| label | group | items |", "|---|---|---:|"]
    groups: dict[str, None] = {}
    for i in items:
        groups.setdefault(f"{i.label}/{i.group}")
    for key in sorted(groups, key=lambda k: (LABELS.index(k.split("/", 1)[0]), k)):
        label, group = key.split("/", 1)
        out.append(f"| `{label}` | `{group}` | {c['group'][key]} |")
    family_order = list(family_order)
    order = [f for f in family_order if f in c["family"]] + sorted(set(c["family"]) - set(family_order))
    hack_groups = sorted({i.group for i in items if i.label == "hack"})
    cells = Counter((i.family or "-", i.group) for i in items if i.label == "hack")
    out += ["", "| hack family | " + " | ".join(f"`{g}`" for g in hack_groups) + " | items |",
            "|---|" + "---:|" * (len(hack_groups) + 1)]
    for family in order:
        row = " | ".join(str(cells[(family, g)]) for g in hack_groups)
        out.append(f"| `{family}` | {row} | {c['family'][family]} |")
    return "\n".join(out)


__all__ = [
    "BUNDLED_FILE",
    "FLAGGED_LABELS",
    "LABELS",
    "SRH_COLUMNS",
    "SRH_DATASET",
    "LabelledTranscript",
    "bundled_set",
    "counts",
    "counts_markdown",
    "load_eval_set",
    "load_labelled",
    "load_school_of_reward_hacks",
]
