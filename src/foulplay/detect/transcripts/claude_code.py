"""Claude Code sessions (``~/.claude/projects/<cwd>/<session>.jsonl``; also ``--output-format stream-json``).

Conversation lines are ``user``/``assistant``/``system``; other line types are skipped. Assistant lines carry
one content block each (text, thinking, tool_use). Edits come from Edit/MultiEdit/Write/NotebookEdit tool
calls (with the richer ``toolUseResult`` when present: original file, structured patch); Bash commands are
replayed for heredocs, sed -i, rm and mv.
"""

from __future__ import annotations

from typing import Any

from foulplay.detect.transcripts._edits import view_edit
from foulplay.detect.transcripts._model import Edit, Step, Transcript

_EDIT_TOOLS = {"Edit", "MultiEdit", "Write", "NotebookEdit", "str_replace_based_edit_tool", "create_file"}


def _blocks(message: Any) -> list[dict[str, Any]]:
    if not isinstance(message, dict):
        return []
    content = message.get("content")
    if isinstance(content, str):
        return [{"type": "text", "text": content}]
    return [b for b in content if isinstance(b, dict)] if isinstance(content, list) else []


def _result_text(block: dict[str, Any]) -> str:
    content = block.get("content")
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "\n".join(str(c.get("text", "")) for c in content if isinstance(c, dict))
    return ""


def load_claude_code(records: list[tuple[int, dict[str, Any]]], source: str) -> Transcript:
    t = Transcript(format="claude-code", id=source)
    calls: dict[str, Step] = {}
    cwd: str | None = None
    for line_no, rec in records:
        kind = rec.get("type")
        if kind not in ("user", "assistant", "system"):
            continue
        t.id = str(rec.get("sessionId") or rec.get("session_id") or t.id)
        cwd = rec.get("cwd") or cwd
        ref = f"line {line_no}"
        for block in _blocks(rec.get("message")):
            btype = block.get("type")
            if btype == "text" and str(block.get("text", "")).strip():
                role = "assistant" if kind == "assistant" else "user" if kind == "user" else "system"
                t.steps.append(Step(ref=ref, role=role, kind="text", text=str(block["text"])))
            elif btype == "thinking" and str(block.get("thinking", "")).strip():
                t.steps.append(Step(ref=ref, role="assistant", kind="reasoning", text=str(block["thinking"])))
            elif btype == "tool_use":
                call_id = str(block.get("id", ""))
                name = str(block.get("name", ""))
                args = block.get("input") if isinstance(block.get("input"), dict) else {}
                step = Step(ref=f"{ref} (tool call {call_id}, {name})", role="assistant", kind="tool_call",
                            tool=name, args=args, call_id=call_id)
                t.steps.append(step)
                calls[call_id] = step
                if name == "Bash" and isinstance(args.get("command"), str):
                    t.commands.append((step.ref, args["command"]))
                    t.edits.append(Edit(path="", ref=step.ref, new=args["command"], how="shell"))
            elif btype == "tool_result":
                call_id = str(block.get("tool_use_id", ""))
                text = _result_text(block)
                t.steps.append(Step(ref=f"{ref} (result of {call_id})", role="tool", kind="tool_result", text=text,
                                    call_id=call_id))
                call = calls.get(call_id)
                structured = rec.get("toolUseResult", rec.get("tool_use_result"))
                if call is not None and call.tool in _EDIT_TOOLS and not block.get("is_error"):
                    t.edits += _edits(call, structured if isinstance(structured, dict) else {}, cwd)
                elif call is not None and call.tool == "Bash":
                    out = structured.get("stdout") if isinstance(structured, dict) else None
                    view = view_edit(call.args.get("command"), out if isinstance(out, str) else text, call.ref)
                    if view is not None:
                        t.edits.append(view)
                elif call is not None and call.tool == "Read" and isinstance(structured, dict):
                    file = structured.get("file") if isinstance(structured.get("file"), dict) else {}
                    content = file.get("content")
                    if isinstance(content, str) and file.get("numLines") == file.get("totalLines"):
                        t.edits.append(Edit(path=_rel(str(call.args.get("file_path", "")), cwd), ref=call.ref,
                                            after=content, how="view"))
    # tool calls whose results never came (interrupted sessions): still edits the model asked for
    answered = {s.call_id for s in t.steps if s.kind == "tool_result"}
    for step in t.steps:
        if step.kind == "tool_call" and step.tool in _EDIT_TOOLS and step.call_id not in answered:
            t.edits += _edits(step, {}, cwd)
            t.notes.append(f"{step.ref}: no tool result (the edit may not have been applied)")
    finals = [s for s in t.steps if s.role == "assistant" and s.kind == "text"]
    if finals:
        t.final_answer, t.final_answer_ref = finals[-1].text, finals[-1].ref
    return t


def _rel(path: str, cwd: str | None) -> str:
    if cwd and path.startswith(cwd.rstrip("/") + "/"):
        return path[len(cwd.rstrip("/")) + 1:]
    return path.removeprefix("./")


def _edits(call: Step, result: dict[str, Any], cwd: str | None) -> list[Edit]:
    args = call.args
    path = _rel(str(args.get("file_path") or args.get("path") or result.get("filePath") or ""), cwd)
    original = result.get("originalFile") if isinstance(result.get("originalFile"), str) else None
    how = call.tool or ""
    if call.tool in ("Write", "create_file"):
        content = args.get("content") if isinstance(args.get("content"), str) else result.get("content")
        before = original if result.get("type") == "update" else None
        return [Edit(path=path, ref=call.ref, before=before, after=str(content or ""), how=how)]
    if call.tool == "Edit":
        old, new = str(args.get("old_string", "")), str(args.get("new_string", ""))
        if original is not None and old in original:
            after = original.replace(old, new) if args.get("replace_all") else original.replace(old, new, 1)
            return [Edit(path=path, ref=call.ref, before=original, after=after, how=how)]
        return [Edit(path=path, ref=call.ref, old=old, new=new, how=how)]
    if call.tool == "MultiEdit":
        edits = args.get("edits") if isinstance(args.get("edits"), list) else []
        if original is not None:
            after = original
            for e in edits:
                if isinstance(e, dict) and str(e.get("old_string", "")) in after:
                    o, n = str(e.get("old_string", "")), str(e.get("new_string", ""))
                    after = after.replace(o, n) if e.get("replace_all") else after.replace(o, n, 1)
            return [Edit(path=path, ref=call.ref, before=original, after=after, how=how)]
        return [Edit(path=path, ref=call.ref, old=str(e.get("old_string", "")), new=str(e.get("new_string", "")),
                     how=how) for e in edits if isinstance(e, dict)]
    if call.tool == "str_replace_based_edit_tool":
        command = args.get("command")
        if command == "create":
            return [Edit(path=path, ref=call.ref, after=str(args.get("file_text", "")), how=how)]
        if command == "str_replace":
            return [Edit(path=path, ref=call.ref, old=str(args.get("old_str", "")), new=str(args.get("new_str", "")),
                         how=how)]
    return [Edit(path=path, ref=call.ref, how=f"{how} (not reconstructed)")]
