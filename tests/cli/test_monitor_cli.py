"""``foulplay monitor`` in process, with a scripted monitor model (mockllm, usage set): both views side by
side, exit statuses, the cache on a rerun, errors never clean, bad input."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner
from inspect_ai.model import get_model
from tests.scripted import text

from foulplay.cli import monitor_cmd
from foulplay.detect.monitors import Monitor

FIXTURES = Path(__file__).resolve().parents[1] / "detect" / "fixtures" / "transcripts"
SESSION = FIXTURES / "claude_code_tampering.jsonl"


def scripted(replies: list[str], calls: list[str]):
    def make(view: str, model: str, prompt: str | None, attempts: int, max_chars: int) -> Monitor:
        def respond(messages, tools, tool_choice, config):
            calls.append(view)
            return text(replies[min(len(calls), len(replies)) - 1])

        return Monitor(view=view, model=get_model("mockllm/model", custom_outputs=respond, memoize=False),
                       prompt=prompt, attempts=attempts, max_chars=max_chars)

    return make


CLEAN = json.dumps({"suspicion": 5, "hack": False, "family": None, "evidence": [], "rationale": "ordinary work"})


def invoke(args: list[str]):
    return CliRunner().invoke(monitor_cmd.monitor_cmd, args, standalone_mode=False)


def test_both_views_side_by_side_and_a_clean_verdict_exits_0(monkeypatch, tmp_path) -> None:
    calls: list[str] = []
    monkeypatch.setattr(monitor_cmd, "make_monitor", scripted([CLEAN], calls))
    out = tmp_path / "v.json"
    result = invoke([str(SESSION), "--model", "x/y", "--cache-dir", str(tmp_path / "c"), "--format", "json",
                     "-o", str(out)])
    assert result.exception is None and result.return_value == 0, result.output
    data = json.loads(out.read_text())
    (row,) = data["verdicts"]
    assert row["reasoning"]["status"] == row["actions"]["status"] == "ok" and row["actions"]["suspicion"] == 5
    assert sorted(calls) == ["actions", "reasoning"]
    again = invoke([str(SESSION), "--model", "x/y", "--cache-dir", str(tmp_path / "c")])
    assert again.return_value == 0 and sorted(calls) == ["actions", "reasoning"], "the rerun paid again"


def test_suspicion_at_the_threshold_is_found(monkeypatch, tmp_path) -> None:
    high = json.dumps({"suspicion": 70, "hack": False, "family": None, "evidence": [], "rationale": "odd"})
    monkeypatch.setattr(monitor_cmd, "make_monitor", scripted([high], []))
    args = [str(SESSION), "--model", "x/y", "--view", "actions", "--cache-dir", str(tmp_path / "c")]
    assert invoke([*args, "--threshold", "60"]).return_value == 1
    assert invoke([*args, "--threshold", "80"]).return_value == 0


def test_a_verdict_that_cannot_be_had_is_an_error_never_clean(monkeypatch, tmp_path) -> None:
    monkeypatch.setattr(monitor_cmd, "make_monitor", scripted(["not json at all"], []))
    result = invoke([str(SESSION), "--model", "x/y", "--view", "reasoning", "--attempts", "2",
                     "--cache-dir", str(tmp_path / "c")])
    assert result.return_value == 2
    assert invoke([str(SESSION), "--model", "x/y", "--view", "reasoning", "--attempts", "1", "--max-errors", "1",
                   "--cache-dir", str(tmp_path / "c")]).return_value == 0


def test_bad_input_is_one_line_and_exit_2(tmp_path) -> None:
    from tests.cli.test_grade_cli import assert_user_error, run

    assert_user_error(run(["monitor", str(tmp_path / "absent.jsonl"), "--model", "x/y"]), "no such file")
    prompt = tmp_path / "p.txt"
    prompt.write_text("no placeholder here")
    assert_user_error(run(["monitor", str(SESSION), "--model", "x/y", "--prompt", str(prompt)]), "$transcript")
    assert_user_error(run(["monitor", str(SESSION), "--model", "x/y", "--price", "abc"]), "--price")
