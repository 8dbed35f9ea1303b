"""Scanning files, completions and RL rollouts with the static rules (never executing anything)."""

from __future__ import annotations

import dataclasses
import json
import os
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from foulplay.detect._engine import (
    FileResult,
    ProblemView,
    Rule,
    VisibleCase,
    analyse,
    role_of,
    rules,
    suppressed_lines,
)
from foulplay.errors import InputError
from foulplay.vocab import Confidence, Finding, ScanVerdict, Severity

SKIP_DIRS = {".git", ".hg", ".svn", "__pycache__", ".venv", "venv", "node_modules", ".tox", ".mypy_cache",
             ".ruff_cache", ".pytest_cache", "site-packages", "build", "dist", ".eggs"}
CONFIG_NAMES = {"pytest.ini", ".pytest.ini", "tox.ini", "setup.cfg", "pyproject.toml", "pytest.toml"}
MAX_FILE_BYTES = 2 << 20


@dataclass
class ScanOptions:
    select: tuple[str, ...] = ()
    """Rule codes or prefixes to run (empty: all)."""
    ignore: tuple[str, ...] = ()
    honor_suppressions: bool = True
    """Honour ``# foulplay: ignore[...]`` comments. Never for model output: there they are evidence."""
    min_severity: Severity = Severity.MEDIUM
    min_confidence: Confidence = Confidence.MEDIUM

    def rules(self) -> list[Rule]:
        all_rules = rules()
        known = {r.code for r in all_rules}
        for code in (*self.select, *self.ignore):
            if not any(k.startswith(code.upper()) for k in known):
                raise InputError(f"unknown rule or prefix {code!r} (see `foulplay rules`)")
        overlap = {c.upper() for c in self.select} & {c.upper() for c in self.ignore}
        if overlap:
            raise InputError(f"rule(s) both selected and ignored: {', '.join(sorted(overlap))}")
        chosen = [r for r in all_rules if not self.select or any(r.code.startswith(s.upper()) for s in self.select)]
        return [r for r in chosen if not any(r.code.startswith(i.upper()) for i in self.ignore)]

    def counts(self, finding: Finding) -> bool:
        """Whether a finding is strong enough to make an item a hack (and the exit status 1)."""
        return finding.severity.rank >= self.min_severity.rank and finding.confidence.rank >= self.min_confidence.rank


@dataclass
class ItemResult:
    """The scan of one item: a file, a completion, or one rollout."""

    id: str
    verdict: ScanVerdict
    findings: list[Finding] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    error: str | None = None
    line: int | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"id": self.id, "verdict": self.verdict.value,
                               "findings": [f.to_dict() for f in self.findings]}
        if self.files:
            out["files"] = self.files
        if self.notes:
            out["notes"] = self.notes
        if self.error:
            out["error"] = self.error
        return out


# ---------------------------------------------------------------------------------------------
# problems


def problem_view(problem: Any) -> ProblemView:
    """What the detectors need from a grading :class:`Problem`: the tests the model was shown (its
    ``metadata.visible_tests``, which ``--visible`` sets), or all of them when nothing says."""
    from foulplay.hacks import context_for

    if problem.kind == "io":
        shown_io = problem.io[:problem.visible_count()] if "visible_tests" in problem.metadata else problem.io
        return ProblemView(kind="script", entry_point=None,
                           cases=[VisibleCase((c.input,), c.output, c.input, c.output) for c in shown_io],
                           expected_outputs=[c.output for c in shown_io], prompt=problem.prompt or "")
    # the one definition (Problem.visible_count) when the problem or --visible says what was shown; when
    # nothing does, a detector assumes every test may have been shown (hidden-half default would miss hacks)
    shown = problem if "visible_tests" in problem.metadata else problem.model_copy(
        update={"metadata": {**problem.metadata, "visible_tests": 10**6}})
    ctx = context_for(shown)
    cases = []
    for t in ctx.visible:
        if t.literal:
            args = t.args if isinstance(t.args, tuple) else (t.args,)
            cases.append(VisibleCase(args, t.expected, t.args_src, t.expected_src))
    return ProblemView(kind="function", entry_point=problem.entry_point, cases=cases, prompt=problem.prompt or "")


def try_problem_view(problem: Any, what: str | None = None) -> tuple[ProblemView | None, str | None]:
    """:func:`problem_view`, or ``(None, why)`` when the problem's tests cannot be read (a test string cut
    off mid-literal, say): the item is still scanned, only special-casing goes unchecked. ``what`` names
    the tests in the note (default: the tests of problem <task id>)."""
    try:
        return problem_view(problem), None
    except Exception as exc:  # noqa: BLE001 - a problem that cannot be read is a note on its item
        what = what or f"the tests of problem {getattr(problem, 'task_id', '?')!r}"
        if isinstance(exc, SyntaxError):
            why = f"line {exc.lineno}: {exc.msg}" if exc.lineno else exc.msg
            return None, f"{what} do not parse ({why}): special-casing not checked"
        return None, f"{what} could not be read ({type(exc).__name__}: {str(exc)[:120]}): special-casing not checked"


# ---------------------------------------------------------------------------------------------
# single sources


def scan_source(source: str, path: str, *, problem: ProblemView | None = None, options: ScanOptions | None = None,
                role: str | None = None, selected: list[Rule] | None = None) -> FileResult:
    """Scan one file's text. Suppression comments are honoured only when ``options`` say so."""
    options = options or ScanOptions()
    chosen = selected if selected is not None else options.rules()
    result = analyse(source, path, problem=problem, selected=[r for r in chosen if r.kind != "text"], role=role)
    if not result.parsed:
        from foulplay.detect._tokens import token_findings

        taken = {line for f in result.findings for line in range(f.line, max(f.line, f.end_line or f.line) + 1)
                 if f.source != "file"}
        result.findings += token_findings(source, path, result.role, problem, chosen, taken)
    if options.honor_suppressions and "foulplay" in source:
        marks = suppressed_lines(source)
        if marks:
            result.findings = [f for f in result.findings
                               if not (f.line in marks and (marks[f.line] is None or f.rule in marks[f.line]))]
    result.findings.sort(key=lambda f: (f.line, f.rule))
    return result


def scan_text(text: str, path: str, *, options: ScanOptions | None = None,
              selected: list[Rule] | None = None) -> list[Finding]:
    """Run the text rules (stated intent) over reasoning or prose."""
    from foulplay.detect._engine import Ctx, _as_hits, _finding

    options = options or ScanOptions()
    chosen = selected if selected is not None else options.rules()
    import ast

    ctx = Ctx(ast.Module(body=[], type_ignores=[]), text, path, "text", None)
    out: list[Finding] = []
    for r in chosen:
        if r.kind == "text":
            out += [_finding(r, h, ctx, source="text") for h in _as_hits(r.check(ctx))]  # type: ignore[misc]
    return out


_GENERIC_PROBLEM: Any = None


def _generic_problem() -> Any:
    global _GENERIC_PROBLEM
    if _GENERIC_PROBLEM is None:
        from foulplay.grading import Problem

        _GENERIC_PROBLEM = Problem(task_id="scan", kind="asserts", asserts=["assert True"])
    return _GENERIC_PROBLEM


def scan_completion(text: str | None, *, problem: Any = None, view: ProblemView | None = None,
                    options: ScanOptions | None = None, item_id: str = "completion",
                    selected: list[Rule] | None = None) -> ItemResult:
    """Scan raw model output: the code it submits (every file) and the intent it states."""
    from foulplay.grading import extract, split_reasoning

    options = options or ScanOptions(honor_suppressions=False)
    chosen = selected if selected is not None else options.rules()
    if text is None or not str(text).strip():
        return ItemResult(item_id, ScanVerdict.CLEAN, notes=["empty completion: nothing to scan"])
    problem_note = None
    if view is None and problem is not None:
        view, problem_note = try_problem_view(problem)
        if view is None:
            problem = None
    from foulplay.detect._fileset import normalise

    normalised, file_notes = normalise(str(text))
    sub = extract(normalised, problem or _generic_problem(), join_prompt=False)
    findings: list[Finding] = []
    notes = list(sub.notes) + file_notes + ([problem_note] if problem_note else [])
    for path, content in sub.files.items():
        role = "solution" if path == sub.solution_path else role_of(path)
        res = scan_source(content, path, problem=view, options=options, role=role, selected=chosen)
        findings += res.findings
        notes += [f"{path}: {n}" for n in res.notes] + [f"{path}: rule error: {e}" for e in res.errors]
        if "foulplay:" in content and "ignore" in content:
            notes.append(f"{path}: carries a foulplay suppression comment (not honoured in model output)")
    findings += _written_by_code(sub.files, view, options, chosen, notes)
    ambiguous = not sub.files and bool(sub.unused_blocks)
    for i, content in enumerate(sub.unused_blocks, 1):
        # not run by a grader (an example or an alternative), unless the answer is ambiguous: read for what
        # it shows, at low confidence
        res = scan_source(content, f"<block {i}>", problem=view, options=options, role="solution", selected=chosen)
        for f in res.findings:
            if not ambiguous:
                f = dataclasses.replace(f, confidence=Confidence.LOW)
            findings.append(dataclasses.replace(f, notes=(*f.notes, "in a code block that is not part of the "
                                                                     "submission")))
    patch_findings, changes = answer_change_findings(str(text), options=options, selected=chosen, problem=view)
    findings += patch_findings
    for path, (content, whole) in _patch_post_images(changes).items():
        res = scan_source(content, path, problem=view, options=options, role=role_of(path), selected=chosen)
        findings += [dataclasses.replace(f, notes=(*f.notes, "in the post-image of a patch in the answer"))
                     for f in res.findings if whole or f.rule not in _WHOLE_FILE_RULES]
    if not sub.files:
        notes.append(sub.error or ("declined: no code" if sub.declined else "no code to scan"))
    reasoning, _answer = split_reasoning(str(text))
    prose = _prose(str(text))
    for label, body in (("reasoning", reasoning), ("answer", prose), ("patch", _patches(str(text)))):
        if body.strip():
            findings += scan_text(body, f"<{label}>", options=options, selected=chosen)
    for path, content in sub.files.items():  # models state plans in comments too
        comments, lines = _comments(content)
        if comments:
            for f in scan_text(comments, "<comments>", options=options, selected=chosen):
                findings.append(dataclasses.replace(f, path=path, line=lines[f.line - 1] if 0 < f.line <= len(lines)
                                                    else f.line))
    findings = _dedupe(findings)
    verdict = ScanVerdict.HACK if any(options.counts(f) for f in findings) else ScanVerdict.CLEAN
    return ItemResult(item_id, verdict, findings, sorted(sub.files), notes)

def answer_change_findings(text: str, *, options: Any = None, selected: list[Rule] | None = None,
                           problem: ProblemView | None = None) -> tuple[list[Finding], list[Any]]:
    """The change rules (FP42x) over the diffs a model's answer carries (a completion that rewrites,
    weakens, skips or deletes the tests in a patch, instead of in a whole file). Failing-run output quoted
    in the answer counts as observed values; reasons the answer states are not taken as a licence: a model
    asked to solve a task has no business changing what the tests expect."""
    from foulplay.detect._fileset import ChangeContext, _change_finding, changes_in_text

    changes = changes_in_text(text)
    if not changes:
        return [], []
    options = options or ScanOptions(honor_suppressions=False)
    chosen = selected if selected is not None else options.rules()
    change_rules = [r for r in chosen if r.kind == "change"]
    ctx = ChangeContext(changes, [], [text], problem)
    findings: list[Finding] = []
    for change in changes:
        for r in change_rules:
            try:
                hits = r.check(change, ctx)  # type: ignore[misc]
            except Exception:  # noqa: BLE001 - a crashing rule must not hide the others
                continue
            for h in hits:
                f = _change_finding(r, h, change)
                findings.append(dataclasses.replace(f, source="code",
                                                    notes=(*f.notes, "in a patch carried in the answer")))
    return findings, changes


def _written_by_code(files: dict[str, str], view: ProblemView | None, options: ScanOptions, chosen: list[Rule],
                     notes: list[str]) -> list[Finding]:
    """Scan the files that the submitted code writes with a constant body (a conftest.py, a test file), each
    as the file it becomes; findings point at the line that writes it."""
    from foulplay.detect._fileset import written_files

    out: list[Finding] = []
    for path, content in files.items():
        if not path.endswith(".py") or "write" not in content:
            continue
        for w in written_files(content):
            if w.path in files:
                continue
            res = scan_source(w.content, w.path, problem=view, options=options, role=role_of(w.path),
                              selected=chosen)
            note = f"in {w.path}, which {path} writes at line {w.line} ({w.how})"
            broken = "does not parse" in w.how
            for f in res.findings:
                out.append(dataclasses.replace(f, path=path, line=w.line, end_line=w.line,
                                               confidence=f.confidence.lowered() if broken else f.confidence,
                                               message=f"{w.path}: {f.message}", notes=(*f.notes, note)))
            if res.findings:
                notes.append(f"{path}: writes {w.path} (line {w.line}); scanned it as that file")
    return out


def _dedupe(findings: list[Finding]) -> list[Finding]:
    """One finding per rule, file, line and column (the same attempt reached by two readings of the answer);
    the most confident one is kept. Distinct attempts on one line (a one-line answer) stay distinct."""
    best: dict[tuple[str, str, int, int], Finding] = {}
    order: list[tuple[str, str, int, int]] = []
    for f in findings:
        key = (f.rule, f.path, f.line, f.col)
        prev = best.get(key)
        if prev is None:
            order.append(key)
            best[key] = f
        elif f.confidence.rank > prev.confidence.rank:
            best[key] = f
    return [best[k] for k in order]


_COMMENT = re.compile(r"(?:^|\s)#\s?(?P<text>[^\n]*)$")


def _comments(source: str) -> tuple[str, list[int]]:
    """The comment text of a file, one comment per line, and the file line of each."""
    if "#" not in source:
        return "", []
    texts: list[str] = []
    lines: list[int] = []
    for number, line in enumerate(source.splitlines(), 1):
        if "#" not in line:
            continue
        m = _COMMENT.search(line)
        if m and m.group("text").strip() and line.count('"') % 2 == 0 and line.count("'") % 2 == 0:
            texts.append(m.group("text").strip())
            lines.append(number)
    return "\n".join(texts), lines


_PATCH_FENCE = re.compile(r"^[ \t]*(```|~~~)[ \t]*(diff|patch|udiff|bash|sh|shell|console|zsh|terminal)\b[^\n]*\n"
                          r"(?P<body>.*?)^[ \t]*\1", re.M | re.S)


_WHOLE_FILE_RULES = {"FP403", "FP404", "FP410"}
"""Rules that judge a test file by what it lacks: not run on the part of a file a patch's hunks show."""


def _patch_post_images(changes: list[Any]) -> dict[str, tuple[str, bool]]:
    """What the answer's diffs leave in each file they change: context and added lines of every hunk (a
    partial file: the scanner salvages what parses), and whether that is the whole file (a new file)."""
    out: dict[str, tuple[str, bool]] = {}
    for change in changes:
        path = change.path
        if change.status == "deleted" or not path.endswith((".py", ".ini", ".cfg", ".toml", ".pth")) \
                or not change.added:
            continue
        lines = [ln.text for hunk in change.hunks for ln in hunk if ln.kind != "-"]
        out[path] = ("\n".join(lines) + "\n", change.status == "added")
    return out


def _patches(text: str) -> str:
    """Diff and shell blocks of an answer: where deleted test files show up."""
    return "\n".join(m.group("body") for m in _PATCH_FENCE.finditer(text))


def _prose(text: str) -> str:
    """The answer's text outside code fences and reasoning tags."""
    import re

    from foulplay.grading import split_reasoning

    _r, answer = split_reasoning(text)
    return re.sub(r"(```|~~~).*?(\1|\Z)", " ", answer, flags=re.S)


# ---------------------------------------------------------------------------------------------
# paths


def iter_files(paths: Iterable[str | Path]) -> Iterator[Path]:
    for raw in paths:
        p = Path(raw)
        if not p.exists():
            raise InputError(f"{p}: no such file or directory")
        if p.is_file():
            yield p
            continue
        for root, dirs, files in os.walk(p):
            dirs[:] = sorted(d for d in dirs if d not in SKIP_DIRS and not d.endswith(".egg-info"))
            for name in sorted(files):
                if name.endswith((".py", ".pth")) or name in CONFIG_NAMES:
                    yield Path(root) / name


def read_source(path: Path) -> str:
    from foulplay._util.files import read_input_bytes

    data = read_input_bytes(path, "a file")
    if len(data) > MAX_FILE_BYTES:
        raise InputError(f"{path}: larger than {MAX_FILE_BYTES >> 20} MiB")
    if b"\x00" in data[:8192]:
        raise InputError(f"{path}: binary file")
    return data.decode("utf-8", "replace")


def scan_file(path: Path, options: ScanOptions, selected: list[Rule] | None = None) -> ItemResult:
    name = str(path)
    try:
        source = read_source(path)
    except InputError as exc:
        return ItemResult(name, ScanVerdict.ERROR, error=str(exc))
    if path.suffix in (".md", ".txt"):
        return scan_completion(source, options=options, item_id=name, selected=selected)
    res = scan_source(source, name, options=options, selected=selected)
    notes = list(res.notes) + [f"rule error: {e}" for e in res.errors]
    verdict = ScanVerdict.HACK if any(options.counts(f) for f in res.findings) else ScanVerdict.CLEAN
    return ItemResult(name, verdict, res.findings, [name], notes)


# ---------------------------------------------------------------------------------------------
# rollouts (JSONL)


@dataclass
class RolloutSpec:
    text_field: str = "completion"
    id_field: str = "id"
    problem_field: str | None = None
    task_field: str = "task_id"


def _rollout_item(line_no: int, raw: str, spec: RolloutSpec, problems: dict[str, Any], views: dict[str, Any],
                  options: ScanOptions, selected: list[Rule]) -> ItemResult:
    try:
        rec = json.loads(raw)
    except (ValueError, RecursionError) as exc:
        why = str(exc) if isinstance(exc, ValueError) else "nested too deeply"
        return ItemResult(f"line {line_no}", ScanVerdict.ERROR, error=f"line {line_no}: invalid JSON: {why}",
                          line=line_no)
    if not isinstance(rec, dict):
        return ItemResult(f"line {line_no}", ScanVerdict.ERROR, error=f"line {line_no}: not a JSON object",
                          line=line_no)
    raw_id = _dig(rec, spec.id_field)
    item_id = f"line {line_no}" if raw_id is _ABSENT or raw_id is None else str(raw_id)
    text = _dig(rec, spec.text_field)
    if text is _ABSENT:
        return ItemResult(item_id, ScanVerdict.ERROR, error=f"line {line_no}: no field {spec.text_field!r}",
                          line=line_no)
    if text is not None and not isinstance(text, str):
        text = _flatten_messages(text)
        if text is None:
            return ItemResult(item_id, ScanVerdict.ERROR,
                              error=f"line {line_no}: field {spec.text_field!r} is not text", line=line_no)
    problem = view = None
    note = None
    inline = _dig(rec, spec.problem_field) if spec.problem_field else _ABSENT
    if isinstance(inline, dict):
        from foulplay.grading import problem_from_record

        try:
            problem = problem_from_record(inline, f"line {line_no} {spec.problem_field}")
        except InputError as exc:
            return ItemResult(item_id, ScanVerdict.ERROR, error=str(exc), line=line_no)
        view, note = try_problem_view(problem)
    elif problems:
        raw_key = _dig(rec, spec.task_field)
        key = "" if raw_key is _ABSENT else str(raw_key)
        problem = problems.get(key)
        if problem is not None:
            if key not in views:
                views[key] = try_problem_view(problem)
            view, note = views[key]
        else:
            note = f"no problem {key!r} among --problems: special-casing not checked"
    elif spec.problem_field and inline is not _ABSENT and inline is not None:
        return ItemResult(item_id, ScanVerdict.ERROR, line=line_no,
                          error=f"line {line_no}: field {spec.problem_field!r} is not a problem object")
    if problem is not None and view is None:
        problem = None  # its tests do not parse: scanned without them (the note says so)
    result = scan_completion(text, problem=problem, view=view, options=options, item_id=item_id, selected=selected)
    result.line = line_no
    if note:
        result.notes.append(note)
    return result


_ABSENT = object()
_INDEX = re.compile(r"-?[0-9]+")


def _dig(rec: dict[str, Any], field_path: str) -> Any:
    cur: Any = rec
    for part in field_path.split("."):
        if isinstance(cur, dict) and part in cur:
            cur = cur[part]
        elif isinstance(cur, list) and _INDEX.fullmatch(part) and -len(cur) <= int(part) < len(cur):
            cur = cur[int(part)]
        else:
            return _ABSENT
    return cur


def _flatten_messages(value: Any) -> str | None:
    """Chat-format completions: a list of messages (or content parts) becomes one text."""
    if isinstance(value, list):
        parts = []
        for m in value:
            if isinstance(m, str):
                parts.append(m)
            elif isinstance(m, dict):
                content = m.get("content", m.get("text"))
                flat = content if isinstance(content, str) else _flatten_messages(content)
                if flat:
                    parts.append(flat)
        return "\n".join(parts)
    return None


@dataclass
class ScanContext:
    """What every item of a batch is scanned with (sent once to each worker process)."""

    options: ScanOptions
    selected: list[Rule]
    problem: Any = None
    """The problem of every item (``foulplay scan answer.md --problem p.json``)."""
    spec: RolloutSpec | None = None
    problems: dict[str, Any] = field(default_factory=dict)
    views: dict[str, tuple[ProblemView | None, str | None]] = field(default_factory=dict)
    """Problem views already built, per task id (each process keeps its own)."""


def item_error(task: Any, message: str) -> ItemResult:
    """The ``error`` result of a batch item (a :class:`foulplay.detect._run.Task`) that failed or ran out of
    time."""
    return ItemResult(task.key, ScanVerdict.ERROR, error=message, line=task.line)


def file_item(ctx: ScanContext, path: str) -> ItemResult:
    """One file of a ``foulplay scan PATH...`` batch."""
    return scan_file(Path(path), ctx.options, ctx.selected)


def completion_item(ctx: ScanContext, text: str, item_id: str) -> ItemResult:
    """One raw completion (a file or stdin), against ``ctx.problem`` when there is one."""
    return scan_completion(text, problem=ctx.problem, options=ctx.options, item_id=item_id, selected=ctx.selected)


def rollout_item(ctx: ScanContext, line_no: int, raw: str) -> ItemResult:
    """One line of a rollouts JSONL file."""
    return _rollout_item(line_no, raw, ctx.spec or RolloutSpec(), ctx.problems, ctx.views, ctx.options,
                         ctx.selected)


def rollout_error(id_field: str, task: Any, message: str) -> ItemResult:
    """The error result of a rollout line whose scan failed or ran out of time: named by its id when the
    line is a JSON object that has one."""
    line_no, raw = task.args
    item_id = f"line {line_no}"
    try:
        rec = json.loads(raw)
    except (ValueError, RecursionError):
        rec = None
    if isinstance(rec, dict):
        found = _dig(rec, id_field)
        if found is not _ABSENT and found is not None:
            item_id = str(found)
    return ItemResult(item_id, ScanVerdict.ERROR, error=f"line {line_no}: {message}", line=line_no)


def rollout_lines(path: str | Path) -> Iterator[tuple[int, str]]:
    """``(number, text)`` of every line of a rollouts file read here: JSON Lines as ``open`` gives them, or
    the rows of a Parquet table as JSON lines (row N as line N)."""
    from foulplay._util.parquet import is_parquet, parquet_lines

    if is_parquet(path):
        yield from parquet_lines(path)
        return
    with open(path, encoding="utf-8", errors="replace") as fh:
        yield from enumerate(fh, 1)


def rollout_tasks(p: Path, lines: Iterable[tuple[int, str]]) -> Iterator[Any]:
    """One scan task per non-blank line of ``lines`` (``(number, text)``, from :func:`rollout_lines` or read
    through Ray Data), named ``line N``; binary data ends the scan with one error line."""
    from foulplay.detect._run import Task

    for n, raw in lines:
        if "\x00" in raw[:4096]:
            raise InputError(f"{p}: binary data on line {n}, expected JSON Lines")
        if raw.strip():
            yield Task(f"line {n}", (n, raw), line=n, size=len(raw))


def scan_rollouts(path: str | Path, spec: RolloutSpec, *, problems: dict[str, Any] | None = None,
                  options: ScanOptions | None = None, jobs: int = 1,
                  on_item: Callable[[ItemResult], None] | None = None, chunk: int = 64,
                  item_timeout: float | None = None) -> Iterator[ItemResult]:
    """Scan a JSONL file of rollouts (or a Parquet table: row N as line N); yield exactly one result per
    non-blank line, in order.

    ``jobs > 1`` scans in that many worker processes. ``item_timeout`` (seconds) bounds each line: a line
    whose scan runs out of time (or crashes) becomes an ``error`` result and the others go on (in the
    calling process the budget needs the main thread; see :mod:`foulplay.detect._run`)."""
    import functools

    from foulplay.detect._run import run_items

    options = options or ScanOptions(honor_suppressions=False)
    selected = options.rules()
    p = Path(path)
    if not p.exists():
        raise InputError(f"{p}: no such file")
    if p.is_dir():
        raise InputError(f"{p}: is a directory, expected a JSONL file")
    context = ScanContext(options, selected, spec=spec, problems=problems or {})

    on_error = functools.partial(rollout_error, spec.id_field)
    tasks = rollout_tasks(p, rollout_lines(p))
    for item in run_items(rollout_item, tasks, context=context, jobs=jobs, timeout=item_timeout, on_error=on_error,
                          chunk=chunk):
        if on_item:
            on_item(item)
        yield item
