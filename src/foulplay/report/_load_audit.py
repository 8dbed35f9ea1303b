"""The audit inputs of ``foulplay report``: probe reports (``foulplay probe --format json``), detector benches
(``foulplay bench --detectors ... --format json``), scan reports (``foulplay scan --format json``) and audit
folders (``audit.json`` naming such files, run folders and eval folders as its parts). Every file is
recognised by its keys, not its name; a malformed one is one :class:`~foulplay.errors.InputError` naming it."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from foulplay.errors import InputError

AUDIT_FILE = "audit.json"
AUDIT_SCHEMA = "foulplay.audit/1"
AUDIT_KINDS = ("grader", "run", "model", "agent")
PART_KINDS = ("probe", "scan", "detectors", "run", "evals")


@dataclass
class Loaded:
    """One audit input: its display name, its JSON data and where it came from."""

    name: str
    data: dict[str, Any]
    source: Path


@dataclass
class Part:
    kind: str
    path: Path
    name: str


@dataclass
class Audit:
    """An audit folder's ``audit.json``: what it is, whether it finished, and the parts it lists."""

    path: Path
    kind: str
    title: str
    created: str
    complete: bool
    constructed: bool = False
    dry_run: bool = False
    notes: list[str] = field(default_factory=list)
    parts: list[Part] = field(default_factory=list)
    missing: list[Part] = field(default_factory=list)
    answer: list[str] = field(default_factory=list)
    """The audit's answer to its question, one line per finding (``foulplay audit`` writes it when done)."""

    def banner(self) -> str | None:
        """The warning shown at the top of the page when the audit did not finish or lacks parts."""
        if self.complete and not self.missing:
            return None
        gone = ", ".join(f"{p.kind} {p.name!r} ({p.path.name})" for p in self.missing)
        state = "did not finish" if not self.complete else "is missing parts"
        return (f"audit {self.title!r} ({self.path}) {state}: "
                + (f"missing {gone}" if gone else "every part it lists is there, but more were planned"))


def read_json(path: Path) -> Any:
    from foulplay.training._runfolder import _read_json

    return _read_json(path)


# -- recognising a JSON file ----------------------------------------------------------------------------------
def is_probe(data: Any) -> bool:
    return isinstance(data, dict) and "techniques" in data and "controls" in data


def is_bench(data: Any) -> bool:
    return isinstance(data, dict) and (str(data.get("schema", "")).startswith("foulplay.bench/")
                                       or (isinstance(data.get("sets"), dict) and "settings" in data))


def is_scan(data: Any) -> bool:
    return isinstance(data, dict) and isinstance(data.get("items"), list) and isinstance(data.get("summary"), dict)


def is_audit(data: Any) -> bool:
    return isinstance(data, dict) and data.get("schema") == AUDIT_SCHEMA


def kind_of(data: Any) -> str | None:
    """probe | detectors | scan | audit, or None (then it may be an eval summary)."""
    for name, test in (("audit", is_audit), ("probe", is_probe), ("detectors", is_bench), ("scan", is_scan)):
        if test(data):
            return name
    return None


# -- checking each kind -----------------------------------------------------------------------------------------
def _rows(path: Path, data: dict[str, Any], key: str, needs: tuple[str, ...]) -> None:
    rows = data.get(key)
    if not isinstance(rows, list):
        raise InputError(f"{path}: {key!r} is not a list")
    for i, row in enumerate(rows):
        if not isinstance(row, dict) or any(not isinstance(row.get(k), str) for k in needs):
            raise InputError(f"{path}: {key}[{i}] needs {', '.join(needs)} as text")


def check_probe(path: Path, data: dict[str, Any]) -> dict[str, Any]:
    _rows(path, data, "techniques", ("technique", "family", "verdict"))
    _rows(path, data, "controls", ("control", "status"))
    return data


def bench_sets(path: Path, data: dict[str, Any]) -> dict[str, Any]:
    """The detector comparison of a bench report (``detectors``) or of a bare ``DetectorRun.to_dict()``."""
    run = data.get("detectors") if "schema" in data else data
    if run is None:
        raise InputError(f"{path}: a bench report without a detector comparison (run foulplay bench --detectors "
                         "static,... --format json)")
    if not isinstance(run, dict) or not isinstance(run.get("sets"), dict):
        raise InputError(f"{path}: the detector comparison has no 'sets' table")
    for split, by_detector in run["sets"].items():
        if not isinstance(by_detector, dict) or not all(isinstance(m, dict) for m in by_detector.values()):
            raise InputError(f"{path}: sets[{split!r}] is not a table of detectors")
    return run


def check_scan(path: Path, data: dict[str, Any]) -> dict[str, Any]:
    _rows(path, data, "items", ("id", "verdict"))
    for i, item in enumerate(data["items"]):
        if not isinstance(item.get("findings", []), list):
            raise InputError(f"{path}: items[{i}].findings is not a list")
    return data


def loaded(kind: str, path: Path, data: dict[str, Any], name: str | None = None) -> Loaded:
    """A checked :class:`Loaded` of one probe, detectors or scan file."""
    check = {"probe": check_probe, "detectors": bench_sets, "scan": check_scan}[kind]
    body = check(path, data)
    if kind == "detectors":
        body = {**body, "measured": data.get("measured") if isinstance(data.get("measured"), dict) else {}}
    default = str(data["target"]) if kind == "probe" and isinstance(data.get("target"), str) else path.stem
    return Loaded(name or default, body, path)


# -- audit folders ----------------------------------------------------------------------------------------------
def _text(path: Path, data: dict[str, Any], key: str, default: str | None = None) -> str:
    v = data.get(key, default)
    if not isinstance(v, str):
        raise InputError(f"{path}: {key!r} must be text")
    return v


def _flag(path: Path, data: dict[str, Any], key: str) -> bool:
    v = data.get(key, False)
    if not isinstance(v, bool):
        raise InputError(f"{path}: {key!r} must be true or false")
    return v


def _part(path: Path, root: Path, i: int, raw: Any) -> Part:
    if not isinstance(raw, dict) or raw.get("kind") not in PART_KINDS or not isinstance(raw.get("path"), str):
        raise InputError(f"{path}: parts[{i}] needs a kind ({', '.join(PART_KINDS)}) and a path")
    target = (root / raw["path"]).resolve()
    if not target.is_relative_to(root.resolve()):
        raise InputError(f"{path}: parts[{i}] path {raw['path']!r} leaves the audit folder")
    name = raw.get("name") if isinstance(raw.get("name"), str) and raw.get("name") else Path(raw["path"]).stem
    return Part(raw["kind"], target, name)


def read_audit(where: Path) -> Audit:
    """``where/audit.json`` (or the audit file ``where`` itself), checked: its parts' paths must stay inside its
    folder; parts not there are listed in ``missing``."""
    path = where / AUDIT_FILE if where.is_dir() else where
    folder = path.parent
    data = read_json(path)
    if not is_audit(data):
        raise InputError(f"{path}: not a foulplay audit (needs \"schema\": \"{AUDIT_SCHEMA}\")")
    kind = _text(path, data, "kind")
    if kind not in AUDIT_KINDS:
        raise InputError(f"{path}: kind {kind!r} is not one of {', '.join(AUDIT_KINDS)}")
    notes = data.get("notes") or []
    if not isinstance(notes, list) or not all(isinstance(n, str) for n in notes):
        raise InputError(f"{path}: 'notes' must be a list of text")
    if not isinstance(data.get("parts", []), list):
        raise InputError(f"{path}: 'parts' must be a list")
    parts = [_part(path, folder, i, raw) for i, raw in enumerate(data.get("parts") or [])]
    answer = data.get("answer") or []
    if not isinstance(answer, list) or not all(isinstance(n, str) for n in answer):
        raise InputError(f"{path}: 'answer' must be a list of text")
    return Audit(folder, kind, _text(path, data, "title", folder.name), _text(path, data, "created", ""),
                 _flag(path, data, "complete"), _flag(path, data, "constructed"), _flag(path, data, "dry_run"),
                 list(notes), [p for p in parts if p.path.exists()], [p for p in parts if not p.path.exists()],
                 list(answer))


def load_part_file(part: Part) -> Loaded:
    """A probe, scan or detectors part: the file must be that kind."""
    if not part.path.is_file():
        raise InputError(f"{part.path}: a {part.kind} part must be a JSON file")
    data = read_json(part.path)
    found = kind_of(data)
    if found != part.kind:
        raise InputError(f"{part.path}: listed as a {part.kind} part, but it is "
                         + (f"a {found} file" if found else "not a foulplay report"))
    return loaded(part.kind, part.path, data, part.name)
