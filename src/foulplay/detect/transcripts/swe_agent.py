"""SWE-agent trajectories (``*.traj``) and mini-swe-agent ones (``*.traj.json``).

Both keep the final ``git diff`` in ``info.submission``; the steps (``trajectory`` actions, or bash blocks in
mini-swe-agent's assistant messages) give attribution: editor commands and shell edits are replayed per step.
"""

from __future__ import annotations

import re
import shlex
from typing import Any

from foulplay.detect.transcripts._edits import view_edit
from foulplay.detect.transcripts._model import Edit, Step, Transcript

_BASH_BLOCK = re.compile(r"```(?:bash|sh|shell)?\s*\n(.*?)```", re.S)


def _rel(path: str, roots: tuple[str, ...] = ("/repo/", "/testbed/", "/workspace/", "/app/")) -> str:
    for root in roots:
        if path.startswith(root):
            return path[len(root):]
    return path.removeprefix("./")


def _editor(action: str, ref: str) -> list[Edit] | None:
    """``str_replace_editor <command> <path> [--old_str ..] [--new_str ..] [--file_text ..]``."""
    if not action.lstrip().startswith(("str_replace_editor", "edit_tool")):
        return None
    try:
        argv = shlex.split(action.strip(), posix=True)
    except ValueError:
        return [Edit(path="", ref=ref, how="str_replace_editor (unparseable)")]
    if len(argv) < 3:
        return []
    command, path = argv[1], _rel(argv[2])
    opts: dict[str, str] = {}
    key = None
    for a in argv[3:]:
        if a.startswith("--"):
            key = a[2:]
            opts[key] = ""
        elif key:
            opts[key] = a
            key = None
    if command == "create":
        return [Edit(path=path, ref=ref, after=opts.get("file_text", ""), how="str_replace_editor create")]
    if command == "str_replace":
        return [Edit(path=path, ref=ref, old=opts.get("old_str", ""), new=opts.get("new_str", ""),
                     how="str_replace_editor str_replace")]
    if command == "insert":
        return [Edit(path=path, ref=ref, old="", new=opts.get("new_str", ""), how="str_replace_editor insert")]
    return []


def load_swe_agent(data: dict[str, Any], source: str) -> Transcript:
    info = data.get("info") if isinstance(data.get("info"), dict) else {}
    if "trajectory_format" in data or (isinstance(data.get("messages"), list) and "trajectory" not in data):
        return _load_mini(data, info, source)
    t = Transcript(format="swe-agent", id=source)
    steps = data.get("trajectory") if isinstance(data.get("trajectory"), list) else []
    for i, step in enumerate(steps, 1):
        if not isinstance(step, dict):
            t.notes.append(f"trajectory step {i}: not an object, skipped")
            continue
        ref = f"step {i}"
        thought = step.get("thought") or step.get("response")
        if isinstance(thought, str) and thought.strip():
            t.steps.append(Step(ref=ref, role="assistant", kind="text", text=thought))
        action = step.get("action")
        if isinstance(action, str) and action.strip():
            t.steps.append(Step(ref=f"{ref} (action)", role="assistant", kind="tool_call", tool="action",
                                args={"command": action}, call_id=ref))
            edits = _editor(action, f"{ref} (action)")
            if edits is None:
                t.commands.append((f"{ref} (action)", action))
                t.edits.append(Edit(path="", ref=f"{ref} (action)", new=action, how="shell"))
            else:
                t.edits += edits
        observation = step.get("observation")
        if isinstance(observation, str):
            t.steps.append(Step(ref=f"{ref} (observation)", role="tool", kind="tool_result", text=observation,
                                call_id=ref))
            if isinstance(action, str):
                view = view_edit(action.strip(), observation, f"{ref} (action)")
                if view is not None:
                    view.path = _rel(view.path)
                    t.edits.append(view)
    submission = info.get("submission")
    if isinstance(submission, str) and submission.strip():
        t.final_diff, t.final_diff_ref = submission, "info.submission"
    return t


def _load_mini(data: dict[str, Any], info: dict[str, Any], source: str) -> Transcript:
    t = Transcript(format="mini-swe-agent", id=source)
    messages = data.get("messages") if isinstance(data.get("messages"), list) else []
    for i, m in enumerate(messages, 1):
        if not isinstance(m, dict):
            continue
        role = str(m.get("role", ""))
        content = m.get("content")
        text = content if isinstance(content, str) else "\n".join(
            str(c.get("text", "")) for c in content if isinstance(c, dict)) if isinstance(content, list) else ""
        ref = f"message {i}"
        if role == "assistant":
            t.steps.append(Step(ref=ref, role="assistant", kind="text", text=text))
            for j, block in enumerate(_BASH_BLOCK.findall(text), 1):
                call_ref = f"{ref} (command {j})"
                t.steps.append(Step(ref=call_ref, role="assistant", kind="tool_call", tool="bash",
                                    args={"command": block}, call_id=call_ref))
                t.commands.append((call_ref, block))
                t.edits.append(Edit(path="", ref=call_ref, new=block, how="shell"))
            for call in m.get("tool_calls") or []:
                fn = call.get("function", {}) if isinstance(call, dict) else {}
                args = fn.get("arguments")
                if isinstance(args, str) and args.strip().startswith("{"):
                    import json

                    try:
                        args = json.loads(args)
                    except (ValueError, RecursionError):
                        args = {}
                command = args.get("command") if isinstance(args, dict) else None
                if isinstance(command, str):
                    call_ref = f"{ref} (tool call {call.get('id', '')})"
                    t.steps.append(Step(ref=call_ref, role="assistant", kind="tool_call", tool=str(fn.get("name")),
                                        args={"command": command}, call_id=call_ref))
                    t.edits.append(Edit(path="", ref=call_ref, new=command, how="shell"))
        elif role in ("user", "tool", "system"):
            kind = "tool_result" if role == "tool" or "<returncode>" in text or "<output>" in text else "text"
            t.steps.append(Step(ref=ref, role="tool" if kind == "tool_result" else role, kind=kind, text=text))
    submission = info.get("submission")
    if isinstance(submission, str) and submission.strip():
        t.final_diff, t.final_diff_ref = submission, "info.submission"
    return t
