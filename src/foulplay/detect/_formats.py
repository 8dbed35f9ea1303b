"""Output formats for scan results: JSON, JSON Lines and SARIF 2.1.0 (GitHub code scanning)."""

from __future__ import annotations

import hashlib
from collections import Counter
from typing import Any

from foulplay import __version__
from foulplay.detect._engine import Rule, rules
from foulplay.detect._scan import ItemResult
from foulplay.vocab import Confidence, Finding, Severity

DOCS_BASE = "https://github.com/foulplay/foulplay/blob/main/docs"
_LEVEL = {Severity.HIGH: "error", Severity.MEDIUM: "warning", Severity.LOW: "note"}
_PRECISION = {Confidence.HIGH: "high", Confidence.MEDIUM: "medium", Confidence.LOW: "low"}


def help_uri(r: Rule) -> str:
    if r.technique:
        return f"{DOCS_BASE}/hacks/{r.technique}.md"
    return f"{DOCS_BASE}/rules.md#{r.code.lower()}"


def summary(items: list[ItemResult]) -> dict[str, Any]:
    by_rule: Counter[str] = Counter()
    verdicts: Counter[str] = Counter()
    for item in items:
        verdicts[item.verdict.value] += 1
        for f in item.findings:
            by_rule[f.rule] += 1
    return {"items": len(items), "verdicts": dict(sorted(verdicts.items())), "by_rule": dict(sorted(by_rule.items()))}


def to_json(items: list[ItemResult], *, scanned: str, options: dict[str, Any]) -> dict[str, Any]:
    return {
        "tool": {"name": "foulplay", "version": __version__},
        "scanned": scanned,
        "options": options,
        "summary": summary(items),
        "items": [i.to_dict() | ({"line": i.line} if i.line else {}) for i in items],
    }


def _fingerprint(f: Finding, item_id: str) -> str:
    text = f"{f.rule}|{item_id}|{f.path}|{' '.join(f.snippet.split())}"
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def _uri(path: str) -> str:
    p = path.replace("\\", "/")
    while p.startswith("./"):
        p = p[2:]
    return p.lstrip("/") if not p.startswith("<") else "completion.txt"


def to_sarif(items: list[ItemResult], *, source_uri: str | None = None) -> dict[str, Any]:
    """SARIF 2.1.0. For rollout/completion inputs every result points at the input file and line."""
    all_rules = rules()
    index = {r.code: i for i, r in enumerate(all_rules)}
    descriptors = [{
        "id": r.code,
        "name": "".join(part.capitalize() for part in r.name.split("-")),
        "shortDescription": {"text": r.name.replace("-", " ")},
        "fullDescription": {"text": r.summary},
        "helpUri": help_uri(r),
        "help": {"text": r.summary, "markdown": f"{r.summary}\n\n[Technique page]({help_uri(r)})"},
        "defaultConfiguration": {"level": _LEVEL[r.severity]},
        "properties": {"tags": ["reward-hacking", r.family], "precision": _PRECISION[r.confidence],
                       "problem.severity": _LEVEL[r.severity], **({"technique": r.technique} if r.technique else {})},
    } for r in all_rules]
    results = []
    notifications = []
    for item in items:
        if item.error:
            notifications.append({"level": "error", "message": {"text": f"{item.id}: {item.error}"}})
        for f in item.findings:
            uri = _uri(source_uri) if source_uri else _uri(f.path or item.id)
            line = item.line if source_uri and item.line else max(1, f.line or 1)
            region: dict[str, Any] = {"startLine": line}
            if not source_uri:
                region.update({"startColumn": max(1, f.col or 1), "endLine": max(line, f.end_line or line)})
            if f.snippet:
                region["snippet"] = {"text": f.snippet}
            where = f" (in {f.path})" if source_uri and f.path else ""
            by = f" ({f.where})" if f.where else ""
            results.append({
                "ruleId": f.rule,
                "ruleIndex": index.get(f.rule, 0),
                "level": _LEVEL[f.severity],
                "message": {"text": f"{f.message}{where}{by}" + (f" [item {item.id}]" if source_uri else "")},
                "locations": [{"physicalLocation": {"artifactLocation": {"uri": uri, "uriBaseId": "%SRCROOT%"},
                                                    "region": region}}],
                "partialFingerprints": {"foulplayFinding/v1": _fingerprint(f, item.id)},
                "properties": {"confidence": f.confidence.value, "severity": f.severity.value,
                               "family": f.family, "source": f.source,
                               **({"technique": f.technique} if f.technique else {})},
            })
    return {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "foulplay", "version": __version__, "semanticVersion": __version__,
                                "informationUri": "https://github.com/foulplay/foulplay", "rules": descriptors}},
            "results": results,
            "invocations": [{"executionSuccessful": not notifications,
                             "toolExecutionNotifications": notifications}],
            "automationDetails": {"id": "foulplay/"},
            "columnKind": "unicodeCodePoints",
        }],
    }


def to_github(items: list[ItemResult], counted: Any) -> str:
    """GitHub Actions workflow commands (``::error file=...::``): annotations without code scanning."""
    level = {Severity.HIGH: "error", Severity.MEDIUM: "warning", Severity.LOW: "notice"}
    lines = []
    for item in items:
        if item.error:
            lines.append(f"::error title=foulplay::{_escape(item.id)}: {_escape(item.error)}")
        for f in item.findings:
            if not counted(f):
                continue
            path = _uri(f.path or item.id)
            where = f" ({f.where})" if f.where else ""
            lines.append(f"::{level[f.severity]} file={_escape_property(path)},line={max(1, f.line or 1)},"
                         f"title={f.rule} {f.name}::{_escape(f.message + where)}")
    return "".join(line + "\n" for line in lines)


def _escape(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape(text).replace(":", "%3A").replace(",", "%2C")
