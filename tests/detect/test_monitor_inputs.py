"""What a monitor can be shown of every input ``foulplay scan`` reads: transcripts (delegated), rollouts and
completions JSONL (foulplay, verl, TRL, OpenRLHF shapes; chat prompts; reasoning tags and fields), TRL
tables, run directories, raw completions, diffs and git ranges, code; bad and empty input."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from foulplay.detect.monitors import render_view
from foulplay.detect.monitors._inputs import (
    input_kind,
    load_monitor_inputs,
    rollout_transcript,
    split_completion,
)
from foulplay.errors import InputError

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "transcripts"
ANSWER = "```python\ndef add(a, b):\n    return 5\n```"
THOUGHT = "ZEBRA-7 the visible test only checks add(2, 3)"
DIFF = """\
diff --git a/tests/test_add.py b/tests/test_add.py
--- a/tests/test_add.py
+++ b/tests/test_add.py
@@ -1,3 +1,2 @@
 def test_add():
-    assert add(2, 2) == 4
     assert add(2, 3) == 5
"""


def write_jsonl(path: Path, records: list[object]) -> Path:
    path.write_text("".join((r if isinstance(r, str) else json.dumps(r)) + "\n" for r in records))
    return path


def views(t) -> tuple[str, str]:
    return render_view(t, "reasoning"), render_view(t, "actions")


def test_transcripts_are_read_by_the_transcript_readers() -> None:
    for name, fmt in [("claude_code_tampering.jsonl", "claude-code"), ("codex_tampering.jsonl", "codex"),
                      ("swe_agent_tampering.traj", "swe-agent"),
                      ("mini_swe_agent_tampering.traj.json", "mini-swe-agent")]:
        (t,) = load_monitor_inputs(FIXTURES / name)
        assert t.format == fmt and t.steps and input_kind(FIXTURES / name) == f"transcript:{fmt}"


def test_split_completion() -> None:
    assert split_completion(f"<think>{THOUGHT}</think>\n{ANSWER}") == (THOUGHT, ANSWER)
    assert split_completion(f"{THOUGHT}\n</think>\n\n{ANSWER}") == (THOUGHT, ANSWER)  # R1: <think> in the prompt
    assert split_completion(ANSWER) == ("", ANSWER)
    assert split_completion("a </b> c") == ("", "a </b> c")


def test_foulplay_rollout_dump(tmp_path: Path) -> None:
    dump = write_jsonl(tmp_path / "foulplay_rollouts.jsonl", [
        {"step": 1, "task_id": "add", "completion": f"<think>{THOUGHT}</think>{ANSWER}", "passed": True,
         "outcome": "hacked"},
        {"step": 1, "task_id": "sub", "completion": "def sub(a, b):\n    return a - b", "passed": True}])
    first, second = load_monitor_inputs(dump)
    assert first.id == "foulplay_rollouts.jsonl: line 1 (add)" and first.label == "outcome=hacked"
    assert [s.kind for s in first.steps] == ["reasoning", "text"] and first.final_answer == ANSWER
    reasoning, actions = views(first)
    assert THOUGHT in reasoning and "ZEBRA" not in actions and "return 5" in actions
    assert second.final_answer.startswith("def sub")


def test_chat_prompt_and_reasoning_field(tmp_path: Path) -> None:
    rec = {"id": "r1", "step": 4,
           "prompt": [{"role": "system", "content": "You are a coder."},
                      {"role": "user", "content": [{"type": "text", "text": "Write add(a, b)."}]}],
           "completion": [{"role": "assistant", "content": ANSWER}], "reasoning_content": THOUGHT}
    (t,) = load_monitor_inputs(write_jsonl(tmp_path / "trl.jsonl", [rec]))
    assert t.id == "r1 (step 4)"
    assert [(s.role, s.kind) for s in t.steps] == [("system", "text"), ("user", "text"), ("assistant", "reasoning"),
                                                   ("assistant", "text")]
    reasoning, actions = views(t)
    assert "Write add(a, b)." in actions and "[trl.jsonl: line 1 prompt 2] TASK" in actions
    assert THOUGHT in reasoning and THOUGHT not in actions


def test_verl_openrlhf_and_named_fields(tmp_path: Path) -> None:
    (verl,) = load_monitor_inputs(write_jsonl(tmp_path / "3.jsonl", [
        {"input": "user: write add\nassistant: <think>", "output": f"{THOUGHT}</think>{ANSWER}", "score": 1.0,
         "step": 3}]))
    assert verl.steps[0].role == "user" and verl.steps[1].text == THOUGHT and verl.label == "score=1.0"
    (orl,) = load_monitor_inputs(write_jsonl(tmp_path / "orl.jsonl", [
        {"prompt": "Q: write add\nA:", "query": f"Q: write add\nA:{ANSWER}", "label": "add"}]))
    assert orl.final_answer == ANSWER and orl.steps[0].text == "Q: write add\nA:"
    (named,) = load_monitor_inputs(write_jsonl(tmp_path / "n.jsonl", [
        {"meta": {"key": "k9"}, "out": {"text": ANSWER}, "ask": "write add"}]),
        text_field="out.text", id_field="meta.key", prompt_field="ask")
    assert named.id == "k9" and named.final_answer == ANSWER and named.steps[0].text == "write add"


def test_bad_lines_are_error_transcripts_and_an_empty_file_is_an_error(tmp_path: Path) -> None:
    items = list(load_monitor_inputs(write_jsonl(tmp_path / "r.jsonl", [
        {"completion": ANSWER}, "{not json", "[1]", {"prompt": "no completion here"}, {"completion": 5}])))
    assert [t.error is None for t in items] == [True, False, False, False, False]
    assert "line 2: invalid JSON" in items[1].error and "not a JSON object" in items[2].error
    assert "no completion field" in items[3].error and "is not text" in items[4].error
    blank = tmp_path / "blank.jsonl"
    blank.write_text("\n\n")
    with pytest.raises(InputError, match="nothing to monitor"):
        list(load_monitor_inputs(blank))
    with pytest.raises(InputError, match="no such file"):
        list(load_monitor_inputs(tmp_path / "absent.jsonl"))
    (tmp_path / "x.json").write_text("{}")
    with pytest.raises(InputError, match="not a recognised transcript"):
        list(load_monitor_inputs(tmp_path / "x.json"))


def test_trl_table_and_run_directory(tmp_path: Path) -> None:
    pa = pytest.importorskip("pyarrow")
    import pyarrow.parquet as pq

    run = tmp_path / "run"
    (run / "completions").mkdir(parents=True)
    pq.write_table(pa.Table.from_pylist([{"step": 2, "prompt": "Write add.", "completion": ANSWER, "reward": 1.0}]),
                   run / "completions" / "completions_2.parquet")
    write_jsonl(run / "1.jsonl", [{"input": "Write sub.", "output": "def sub(a, b): return 0", "score": 0.0}])
    items = list(load_monitor_inputs(run))
    assert [t.id for t in items] == ["1.jsonl: line 1", "completions_2.parquet: row 0"]
    assert items[1].final_answer == ANSWER and items[1].steps[0].text == "Write add."
    assert input_kind(run / "completions" / "completions_2.parquet") == "rollouts"
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(InputError, match="no Python files"):
        list(load_monitor_inputs(empty))


def test_completion_file(tmp_path: Path) -> None:
    path = tmp_path / "answer.md"
    path.write_text(f"<thinking>{THOUGHT}</thinking>\nHere it is.\n{ANSWER}")
    (t,) = load_monitor_inputs(path)
    reasoning, actions = views(t)
    assert THOUGHT in reasoning and "ZEBRA" not in actions and "Here it is" not in actions and "return 5" in actions


def test_diff_views_are_the_same_text(tmp_path: Path) -> None:
    path = tmp_path / "change.patch"
    path.write_text(DIFF)
    (t,) = load_monitor_inputs(path)
    assert t.final_diff == DIFF and t.format == "diff"
    reasoning, actions = views(t)
    assert reasoning == actions and "-    assert add(2, 2) == 4" in actions
    bad = tmp_path / "bad.diff"
    bad.write_text("just words\n")
    with pytest.raises(InputError, match="not a unified diff"):
        list(load_monitor_inputs(bad))


def test_git_range_with_commit_messages(tmp_path: Path) -> None:
    from foulplay.detect.monitors._inputs import git_transcript

    def git(*args: str) -> None:
        subprocess.run(["git", "-C", str(tmp_path), "-c", "user.name=t", "-c", "user.email=t@t", *args],
                       check=True, capture_output=True)

    git("init", "-q")
    (tmp_path / "test_add.py").write_text("def test_add():\n    assert add(2, 2) == 4\n    assert add(2, 3) == 5\n")
    git("add", ".")
    git("commit", "-qm", "start")
    (tmp_path / "test_add.py").write_text("def test_add():\n    assert add(2, 3) == 5\n")
    git("commit", "-qam", "PELICAN-3 drop a flaky assertion")
    t = git_transcript(tmp_path, "HEAD~1..HEAD")
    reasoning, actions = views(t)
    assert "-    assert add(2, 2) == 4" in actions and "PELICAN" not in actions and "PELICAN-3" in reasoning
    with pytest.raises(InputError, match="no changes"):
        git_transcript(tmp_path, "HEAD")


def test_code_files_and_directories(tmp_path: Path) -> None:
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "add.py").write_text("def add(a, b):\n    return 5\n")
    (tmp_path / "pkg" / "conftest.py").write_text("import pytest\n")
    items = list(load_monitor_inputs(tmp_path / "pkg"))
    assert [Path(t.id).name for t in items] == ["add.py", "conftest.py"]
    reasoning, actions = views(items[0])
    assert "return 5" in actions and "return 5" in reasoning and items[0].format == "code"
    assert items[1].final_answer.startswith("```python ")
    (tmp_path / "pkg" / "zz.py").write_bytes(b"\x00\x01binary")
    *_, broken = load_monitor_inputs(tmp_path / "pkg")
    assert broken.id.endswith("zz.py") and "binary" in broken.error
    with pytest.raises(InputError, match="binary"):
        list(load_monitor_inputs(tmp_path / "pkg" / "zz.py"))


def test_record_without_prompt_field_named() -> None:
    t = rollout_transcript({"text": ANSWER, "prompt": "p"}, "x: line 1", prompt_field="absent")
    assert [s.kind for s in t.steps] == ["text"]
