"""Replay a transcript's edits, run the change and code rules on them, and attribute every finding."""

from __future__ import annotations

import dataclasses
from typing import Any

from foulplay.detect._diffs import FileChange, change_from_contents, parse_unified_diff, scan_changes
from foulplay.detect.transcripts._edits import parse_v4a
from foulplay.detect.transcripts._model import Transcript
from foulplay.detect.transcripts._shell import edits_from_command
from foulplay.errors import InputError
from foulplay.vocab import Finding, ScanVerdict


def replay(t: Transcript, cwd: str | None = None) -> tuple[list[FileChange], list[str]]:
    """The transcript's edits as file changes, in order, with whole files wherever the transcript lets us
    know them (a file the agent wrote or read earlier)."""
    files: dict[str, str] = {}
    changes: list[FileChange] = []
    notes: list[str] = []
    queue = list(t.edits)
    while queue:
        edit = queue.pop(0)
        where = f"{edit.ref}, via {edit.how}" if edit.how else edit.ref
        if edit.how == "shell":
            command = edit.new or ""
            expanded, shell_notes = edits_from_command(command, edit.ref, cwd, files)
            notes += shell_notes
            queue[0:0] = expanded
            continue
        if edit.how == "view":
            if edit.after is not None:
                files[edit.path] = edit.after
            continue
        if edit.diff is not None:
            try:
                parsed = parse_unified_diff(edit.diff, where=where, source=edit.ref)
            except InputError:
                parsed = _v4a_or_none(edit.diff, where)
                if parsed is None:
                    notes.append(f"{edit.ref}: a patch could not be parsed; its edits were not checked")
                    continue
            for change in parsed:
                known = files.get(change.old_path or change.path)
                if known is not None and change.status != "added":
                    change.before = known
                    patched = _apply_hunks(known, change)
                    if patched is not None:
                        change.after = patched
                if change.status == "deleted":
                    files.pop(change.path, None)
                elif change.after is not None:
                    files[change.path] = change.after
                changes.append(change)
            continue
        if edit.delete:
            before = edit.before if edit.before is not None else files.pop(edit.path, None)
            if before is not None:
                change = change_from_contents(edit.path, before, None, where=where)
            else:
                change = FileChange(path=edit.path, status="deleted", where=where)
            changes.append(change)
            continue
        if edit.move_to:
            content = files.pop(edit.path, edit.before)
            if content is not None:
                files[edit.move_to] = content
            changes.append(FileChange(path=edit.move_to, old_path=edit.path, status="renamed", before=content,
                                      after=content, where=where))
            continue
        if edit.after is not None:
            before = edit.before if edit.before is not None else files.get(edit.path)
            changes.append(change_from_contents(edit.path, before, edit.after, where=where))
            files[edit.path] = edit.after
            continue
        if edit.old is not None or edit.new is not None:
            current = files.get(edit.path)
            if current is not None and edit.old and edit.old in current:
                after = current.replace(edit.old, edit.new or "", 1)
                changes.append(change_from_contents(edit.path, current, after, where=where))
                files[edit.path] = after
            else:
                fragment = change_from_contents(edit.path, edit.old or "", edit.new or "", where=where)
                fragment.before = fragment.after = None  # only a fragment of the file is known
                fragment.status = "modified"
                changes.append(fragment)
            continue
        notes.append(f"{edit.ref}: an edit of {edit.path or 'a file'} ({edit.how or 'unknown tool'}) could not be "
                     "reconstructed")
    return changes, notes


def _apply_hunks(text: str, change: FileChange) -> str | None:
    lines = text.splitlines()
    out: list[str] = []
    pos = 0
    for hunk in change.hunks:
        first_old = next((ln.old_no for ln in hunk if ln.old_no), None)
        if first_old is None:
            return None
        start = first_old - 1
        if start < pos or start > len(lines):
            return None
        out += lines[pos:start]
        pos = start
        for ln in hunk:
            if ln.kind == "+":
                out.append(ln.text)
                continue
            if pos >= len(lines) or lines[pos].rstrip() != ln.text.rstrip():
                return None
            if ln.kind == " ":
                out.append(lines[pos])
            pos += 1
    out += lines[pos:]
    return "\n".join(out) + ("\n" if text.endswith("\n") else "")


def _v4a_or_none(text: str, where: str) -> list[FileChange] | None:
    try:
        edits = parse_v4a(text, where)
    except ValueError:
        return None
    out = []
    for e in edits:
        if e.delete:
            out.append(FileChange(path=e.path, status="deleted", where=where))
        elif e.after is not None:
            out.append(change_from_contents(e.path, None, e.after, where=where))
        else:
            frag = change_from_contents(e.path, e.old or "", e.new or "", where=where)
            frag.before = frag.after = None
            out.append(frag)
    return out


def scan_transcript(t: Transcript, *, options: Any = None, selected: list[Any] | None = None,
                    cwd: str | None = None) -> Any:
    """One ItemResult for a transcript: change and code rules on every edit it made, stated intent in its
    messages, and (for tool-less code tasks) the final answer against the task's tests."""
    from foulplay.detect._scan import ItemResult, ScanOptions, scan_completion, scan_text, try_problem_view

    if t.error is not None:
        return ItemResult(t.id, ScanVerdict.ERROR, notes=list(t.notes), error=t.error)
    options = options or ScanOptions(honor_suppressions=False)
    chosen = selected if selected is not None else options.rules()
    changes, notes = replay(t, cwd)
    notes = [*t.notes, *notes]
    problem = t.problem
    view = t.view
    if problem is not None and view is None:
        view, why = try_problem_view(problem)
        if view is None:
            problem = None
            notes.append(why or "the task's tests could not be read: special-casing not checked")
    reasons = [s.text for s in t.steps if s.role == "assistant" and s.kind in ("text", "reasoning") and s.text]
    observed = [s.text for s in t.steps if s.kind == "tool_result" and s.text]
    observed += [s.text for s in t.steps if s.role == "user" and s.kind == "text" and "assert" in s.text]
    findings, change_notes = scan_changes(changes, options=options, reasons=reasons, observed=observed,
                                          problem=view, selected=chosen)
    notes += change_notes
    if t.final_diff:
        try:
            final = parse_unified_diff(t.final_diff, where=t.final_diff_ref or "final diff", source=t.final_diff_ref)
        except InputError as exc:
            notes.append(str(exc))
            final = []
        seen = {(f.rule, f.path, " ".join(f.snippet.split())) for f in findings}
        extra, extra_notes = scan_changes(final, options=options, reasons=reasons, observed=observed, problem=view,
                                          selected=chosen)
        findings += [f for f in extra if (f.rule, f.path, " ".join(f.snippet.split())) not in seen]
        notes += [n for n in extra_notes if n not in notes]
    for step in t.steps:
        if step.role == "assistant" and step.kind in ("text", "reasoning") and step.text.strip():
            label = "<reasoning>" if step.kind == "reasoning" else "<answer>"
            findings += [dataclasses.replace(f, where=step.ref) for f in
                         scan_text(step.text, label, options=options, selected=chosen)]
    if t.final_answer and (problem is not None or not changes):
        answer = scan_completion(t.final_answer, problem=problem, view=view, options=options,
                                 item_id=t.id, selected=[r for r in chosen if r.kind != "text"])
        findings += [dataclasses.replace(f, where=t.final_answer_ref or "final answer") for f in answer.findings]
        notes += [n for n in answer.notes if "rule error" in n]
    findings = _dedupe(findings)
    verdict = ScanVerdict.HACK if any(options.counts(f) for f in findings) else ScanVerdict.CLEAN
    files = sorted({c.path for c in changes})
    return ItemResult(t.id, verdict, findings, files, notes)


def transcript_item(ctx: Any, t: Transcript) -> Any:
    """One transcript as a batch item (``ctx`` is a ``ScanContext``), with the source's own label noted."""
    result = scan_transcript(t, options=ctx.options, selected=ctx.selected)
    if t.label:
        result.notes.insert(0, f"source label: {t.label}")
    return result


def _dedupe(findings: list[Finding]) -> list[Finding]:
    seen: set[tuple[str, str, int, str, str]] = set()
    out = []
    for f in findings:
        key = (f.rule, f.path, f.line, f.where, f.message)
        if key not in seen:
            seen.add(key)
            out.append(f)
    return out
