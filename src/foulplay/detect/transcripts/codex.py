"""OpenAI Codex CLI rollouts (``rollout-*.jsonl``): envelopes ``{timestamp, type, payload}``; edits come from
``apply_patch`` (V4A patches) and ``patch_apply_end`` events, commands from ``shell``/``exec_command``."""

from __future__ import annotations

import json
from typing import Any

from foulplay.detect.transcripts._edits import parse_v4a, view_edit
from foulplay.detect.transcripts._model import Edit, Step, Transcript


def _text(content: Any) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "\n".join(str(c.get("text", "")) for c in content if isinstance(c, dict))
    return ""


def load_codex(records: list[tuple[int, dict[str, Any]]], source: str) -> Transcript:
    t = Transcript(format="codex", id=source)
    calls: dict[str, Step] = {}
    cwd = None
    for line_no, rec in records:
        kind = rec.get("type")
        payload = rec.get("payload") if isinstance(rec.get("payload"), dict) else {}
        ref = f"line {line_no}"
        if kind == "session_meta":
            t.id = str(payload.get("id") or source)
            cwd = payload.get("cwd")
        elif kind == "turn_context":
            cwd = payload.get("cwd") or cwd
        elif kind == "response_item":
            ptype = payload.get("type")
            if ptype == "message":
                role = str(payload.get("role", "assistant"))
                t.steps.append(Step(ref=ref, role="user" if role in ("user", "developer") else role, kind="text",
                                    text=_text(payload.get("content"))))
            elif ptype == "reasoning":
                summary = payload.get("summary") or []
                text = "\n".join(s.get("text", "") for s in summary if isinstance(s, dict))
                if text:
                    t.steps.append(Step(ref=ref, role="assistant", kind="reasoning", text=text))
            elif ptype in ("function_call", "local_shell_call"):
                call_id = str(payload.get("call_id") or payload.get("id") or "")
                name = str(payload.get("name") or "shell")
                args: Any = payload.get("arguments")
                if isinstance(args, str):
                    try:
                        args = json.loads(args)
                    except (ValueError, RecursionError):
                        args = {"raw": args}
                if not isinstance(args, dict):
                    args = {"raw": args}
                if ptype == "local_shell_call":
                    args = payload.get("action") if isinstance(payload.get("action"), dict) else {}
                command = args.get("command") or args.get("cmd")
                step = Step(ref=f"{ref} (call {call_id}, {name})", role="assistant", kind="tool_call", tool=name,
                            args=args, call_id=call_id)
                t.steps.append(step)
                calls[call_id] = step
                shell = _shell_text(command)
                if shell is not None:
                    if "*** Begin Patch" in shell:
                        patch = shell[shell.index("*** Begin Patch"):]
                        t.edits += parse_v4a(patch, step.ref)
                    else:
                        t.commands.append((step.ref, shell))
                        t.edits.append(Edit(path="", ref=step.ref, new=shell, how="shell"))
            elif ptype == "custom_tool_call":
                call_id = str(payload.get("call_id") or "")
                name = str(payload.get("name") or "")
                step = Step(ref=f"{ref} (call {call_id}, {name})", role="assistant", kind="tool_call", tool=name,
                            args={"input": payload.get("input")}, call_id=call_id)
                t.steps.append(step)
                calls[call_id] = step
                if name == "apply_patch" and isinstance(payload.get("input"), str):
                    try:
                        t.edits += parse_v4a(payload["input"], step.ref)
                    except ValueError:
                        t.notes.append(f"{step.ref}: apply_patch input is not a V4A patch")
            elif ptype in ("function_call_output", "custom_tool_call_output"):
                call_id = str(payload.get("call_id") or "")
                output = payload.get("output")
                if isinstance(output, dict):
                    output = output.get("output") or output.get("content")
                text = output if isinstance(output, str) else json.dumps(output)[:20000] if output else ""
                t.steps.append(Step(ref=f"{ref} (output of {call_id})", role="tool", kind="tool_result", text=text,
                                    call_id=call_id))
                call = calls.get(call_id)
                if call is not None:
                    view = view_edit(_shell_text(call.args.get("command") or call.args.get("cmd")),
                                     _strip_exec_header(text), call.ref)
                    if view is not None:
                        t.edits.append(view)
        elif kind == "event_msg":
            ptype = payload.get("type")
            if ptype == "agent_reasoning" and payload.get("text"):
                t.steps.append(Step(ref=ref, role="assistant", kind="reasoning", text=str(payload["text"])))
            elif ptype == "patch_apply_end" and isinstance(payload.get("changes"), dict) and not any(
                    f"call {payload.get('call_id')}," in e.ref for e in t.edits):
                _changes_event(t, payload, ref)  # the patch itself was not persisted: use the applied changes
    if cwd:
        for e in t.edits:
            if e.path.startswith(cwd.rstrip("/") + "/"):
                e.path = e.path[len(cwd.rstrip("/")) + 1:]
    finals = [s for s in t.steps if s.role == "assistant" and s.kind == "text" and s.text.strip()]
    if finals:
        t.final_answer, t.final_answer_ref = finals[-1].text, finals[-1].ref
    return t


def _shell_text(command: Any) -> str | None:
    if isinstance(command, list) and command:
        if len(command) >= 3 and command[0] in ("bash", "sh", "zsh") and command[1] in ("-lc", "-c"):
            return str(command[2])
        return " ".join(str(c) for c in command)
    return command if isinstance(command, str) else None


def _strip_exec_header(text: str) -> str:
    """Codex wraps outputs as 'Exit code: 0\\nWall time: ...\\nOutput:\\n...'."""
    marker = "\nOutput:\n"
    if text.startswith(("Exit code", "Process exited")) and marker in text:
        return text.split(marker, 1)[1]
    return text


def _changes_event(t: Transcript, payload: dict[str, Any], ref: str) -> None:
    for path, change in payload["changes"].items():
        if not isinstance(change, dict):
            continue
        kind = change.get("type")
        if kind == "add":
            t.edits.append(Edit(path=path, ref=ref, after=str(change.get("content", "")), how="patch_apply_end"))
        elif kind == "delete":
            t.edits.append(Edit(path=path, ref=ref, delete=True, how="patch_apply_end"))
        elif kind == "update" and change.get("unified_diff"):
            diff = str(change["unified_diff"])
            if not diff.startswith("---"):
                diff = f"--- a/{path}\n+++ b/{path}\n{diff}"
            t.edits.append(Edit(path=path, ref=ref, diff=diff, how="patch_apply_end"))
