"""Inspect logs (``.eval`` or ``.json``), read through inspect_ai's own log reader: one transcript per sample.

Edits come from ``text_editor`` tool calls and shell commands in ``bash`` calls; HumanEval-style metadata
(``prompt``, ``test``, ``entry_point``) becomes the sample's problem, so a final code answer is checked
against the tests the model was shown.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from foulplay.detect.transcripts._edits import view_edit
from foulplay.detect.transcripts._model import Edit, Step, Transcript
from foulplay.errors import InputError


def _content_parts(message: Any) -> tuple[str, str]:
    """(text, reasoning) of a chat message."""
    content = getattr(message, "content", "")
    if isinstance(content, str):
        return content, ""
    texts, reasoning = [], []
    for part in content or []:
        kind = getattr(part, "type", "")
        if kind == "text":
            texts.append(str(getattr(part, "text", "")))
        elif kind == "reasoning":
            reasoning.append(str(getattr(part, "reasoning", "") or getattr(part, "summary", "") or ""))
    return "\n".join(texts), "\n".join(r for r in reasoning if r)


def _problem(sample: Any) -> tuple[Any, Any, str | None]:
    """The sample's problem from HumanEval-style metadata and its view, or None and why not (a note on the
    sample)."""
    meta = sample.metadata or {}
    if not isinstance(meta, dict) or not all(isinstance(meta.get(k), str) for k in ("prompt", "test", "entry_point")):
        return None, None, None
    from foulplay.detect._scan import try_problem_view
    from foulplay.grading import problem_from_record

    try:
        problem = problem_from_record({"task_id": str(meta.get("task_id") or sample.id), "prompt": meta["prompt"],
                                       "test": meta["test"], "entry_point": meta["entry_point"]},
                                      f"sample {sample.id}")
    except InputError as exc:
        return None, None, f"sample {sample.id}: its test metadata is not a usable problem ({exc}): " \
                           "special-casing not checked"
    except Exception as exc:  # noqa: BLE001 - metadata is data from the log: never the end of the scan
        return None, None, f"sample {sample.id}: its test metadata could not be read ({type(exc).__name__}): " \
                           "special-casing not checked"
    # a test string cut off mid-literal: the sample is still scanned, without its tests
    view, why = try_problem_view(problem, f"sample {sample.id}: its tests (metadata 'test')")
    return (problem, view, None) if view is not None else (None, None, why)


def sample_transcript(sample: Any, source: str) -> Transcript:
    epoch = f"/epoch{sample.epoch}" if sample.epoch != 1 else ""
    t = Transcript(format="inspect", id=f"{source}#{sample.id}{epoch}")
    t.problem, t.view, note = _problem(sample)
    if note:
        t.notes.append(note)
    scores = sample.scores or {}
    if scores:
        name, score = next(iter(scores.items()))
        t.label = f"{name}={score.value}"
    calls: dict[str, Step] = {}
    for i, message in enumerate(sample.messages or [], 1):
        ref = f"message {i}"
        role = getattr(message, "role", "user")
        text, reasoning = _content_parts(message)
        if reasoning:
            t.steps.append(Step(ref=ref, role="assistant", kind="reasoning", text=reasoning))
        if role == "tool":
            call_id = str(getattr(message, "tool_call_id", "") or "")
            t.steps.append(Step(ref=f"{ref} (result of {call_id})", role="tool", kind="tool_result", text=text,
                                call_id=call_id))
            call = calls.get(call_id)
            if call is not None:
                view = view_edit(call.args.get("command") or call.args.get("cmd"), text, call.ref)
                if view is not None:
                    t.edits.append(view)
            continue
        if text.strip():
            t.steps.append(Step(ref=ref, role=role, kind="text", text=text))
        for call in getattr(message, "tool_calls", None) or []:
            args = call.arguments if isinstance(call.arguments, dict) else {}
            step = Step(ref=f"{ref} (tool call {call.id}, {call.function})", role="assistant", kind="tool_call",
                        tool=call.function, args=args, call_id=str(call.id))
            t.steps.append(step)
            calls[str(call.id)] = step
            t.edits += _edits(step)
    finals = [s for s in t.steps if s.role == "assistant" and s.kind == "text" and s.text.strip()]
    if finals:
        t.final_answer, t.final_answer_ref = finals[-1].text, finals[-1].ref
    if sample.error is not None:
        t.notes.append(f"sample {sample.id} ended with an error: {str(getattr(sample.error, 'message', ''))[:120]}")
    return t


def _edits(step: Step) -> list[Edit]:
    args = step.args
    name = (step.tool or "").split("/")[-1]
    if name in ("bash", "shell", "bash_session") and isinstance(args.get("command") or args.get("cmd"), str):
        return [Edit(path="", ref=step.ref, new=str(args.get("command") or args.get("cmd")), how="shell")]
    if name in ("text_editor", "str_replace_editor", "str_replace_based_edit_tool"):
        path = str(args.get("path", "")).removeprefix("./")
        command = args.get("command")
        if command == "create":
            return [Edit(path=path, ref=step.ref, after=str(args.get("file_text", "")), how=f"{name} create")]
        if command == "str_replace":
            return [Edit(path=path, ref=step.ref, old=str(args.get("old_str", "")), new=str(args.get("new_str") or ""),
                         how=f"{name} str_replace")]
        if command == "insert":
            return [Edit(path=path, ref=step.ref, old="", new=str(args.get("new_str") or args.get("insert_text") or ""),
                         how=f"{name} insert")]
    if name == "python" and "open(" in str(args.get("code", "")):
        return [Edit(path="", ref=step.ref, how="python (writes files; not reconstructed)")]
    return []


def load_inspect(path: Path) -> Iterator[Transcript]:
    from inspect_ai.log import read_eval_log

    try:
        log = read_eval_log(str(path), resolve_attachments=True)
    except Exception as exc:  # noqa: BLE001 - the reader raises many kinds; one line for the user
        raise InputError(f"{path}: not a readable Inspect log ({type(exc).__name__}: {str(exc)[:120]})") from None
    for n, sample in enumerate(log.samples or [], 1):
        try:
            yield sample_transcript(sample, path.name)
        except Exception as exc:  # noqa: BLE001 - one unreadable sample is that sample's error item
            sample_id = getattr(sample, "id", None)
            yield Transcript(format="inspect", id=f"{path.name}#{sample_id if sample_id is not None else n}",
                             error=f"sample {sample_id if sample_id is not None else n} could not be read: "
                                   f"{type(exc).__name__}: {str(exc)[:160]}")


def looks_like_inspect_json(data: Any) -> bool:
    return isinstance(data, dict) and "eval" in data and ("samples" in data or "version" in data)
