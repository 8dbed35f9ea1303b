"""``foulplay monitor`` in process, with a scripted monitor model (mockllm, usage set): both views side by
side, exit statuses, the cache on a rerun, errors never clean, bad input."""

from __future__ import annotations

import json
import re
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


# --- every input scan reads; resume; cache switches -----------------------------------------------------

DIFF = """\
--- a/tests/test_add.py
+++ b/tests/test_add.py
@@ -1,3 +1,2 @@
 def test_add():
-    assert add(2, 2) == 4
     assert add(2, 3) == 5
"""


def rollouts(path: Path, n: int) -> Path:
    path.write_text("".join(json.dumps({"id": f"r{i}", "prompt": f"Write add. item-{i}",
                                        "completion": f"<think>plan {i}</think>```python\nreturn {i}\n```"}) + "\n"
                            for i in range(n)))
    return path


def counting(calls: list[str], fail_on: int | None = None, exc: type[BaseException] = KeyboardInterrupt):
    """A monitor factory whose model records which item each call judged and raises ``exc`` on call
    ``fail_on`` (1-based): an interruption in the middle of a run."""

    def make(view: str, model: str, prompt: str | None, attempts: int, max_chars: int) -> Monitor:
        def respond(messages, tools, tool_choice, config):
            item = re.search(r"item-\d+", messages[0].text).group(0)
            calls.append(item)
            if fail_on is not None and len(calls) == fail_on:
                raise exc("interrupted")
            return text(CLEAN)

        return Monitor(view=view, model=get_model("mockllm/model", custom_outputs=respond, memoize=False),
                       prompt=prompt, attempts=attempts, max_chars=max_chars)

    return make


def test_interrupted_run_resumes_paying_only_for_the_rest(monkeypatch, tmp_path) -> None:
    data = rollouts(tmp_path / "r.jsonl", 5)
    out = tmp_path / "v.jsonl"
    args = [str(data), "--model", "x/y", "--view", "actions", "--concurrency", "1", "--cache-dir",
            str(tmp_path / "c"), "--format", "jsonl", "-o", str(out)]
    first: list[str] = []
    monkeypatch.setattr(monitor_cmd, "make_monitor", counting(first, fail_on=3))
    interrupted = invoke(args)
    assert interrupted.exception is not None and first == ["item-0", "item-1", "item-2"]
    assert not out.exists() and not list(tmp_path.glob(".v.jsonl*")), "-o is written whole or not at all"
    assert len(list((tmp_path / "c").glob("*.json"))) == 2, "the verdicts that arrived are cached"
    second: list[str] = []
    monkeypatch.setattr(monitor_cmd, "make_monitor", counting(second))
    resumed = invoke(args)
    assert resumed.exception is None and resumed.return_value == 0, resumed.output
    assert second == ["item-2", "item-3", "item-4"], "only the items without a verdict call the model"
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert [r["id"] for r in rows] == [f"r{i}" for i in range(5)]
    assert [r["actions"]["cached"] for r in rows] == [True, True, False, False, False]
    assert all("plan" not in json.dumps(r) for r in rows)


def test_no_cache_and_no_resume(monkeypatch, tmp_path) -> None:
    data = rollouts(tmp_path / "r.jsonl", 2)
    cache = tmp_path / "c"
    calls: list[str] = []
    monkeypatch.setattr(monitor_cmd, "make_monitor", counting(calls))
    base = [str(data), "--model", "x/y", "--view", "actions", "--cache-dir", str(cache)]
    assert invoke([*base, "--no-cache"]).return_value == 0 and len(calls) == 2 and not cache.exists()
    assert invoke([*base, "--no-resume"]).return_value == 0 and len(calls) == 4
    assert len(list(cache.glob("*.json"))) == 2, "--no-resume still writes the fresh verdicts"
    assert invoke(base).return_value == 0 and len(calls) == 4, "then a plain run reads them"
    assert invoke([*base, "--no-resume"]).return_value == 0 and len(calls) == 6


def test_rollouts_diffs_and_git_in_one_command(monkeypatch, tmp_path) -> None:
    import subprocess

    data = rollouts(tmp_path / "r.jsonl", 1)
    patch = tmp_path / "change.diff"
    patch.write_text(DIFF.replace("def test_add", "def test_add_item-9"))
    calls: list[str] = []
    monkeypatch.setattr(monitor_cmd, "make_monitor", counting(calls))
    out = tmp_path / "v.json"
    result = invoke([str(data), str(patch), "--model", "x/y", "--view", "both", "--cache-dir", str(tmp_path / "c"),
                     "--format", "json", "-o", str(out)])
    assert result.return_value == 0, result.output
    rows = json.loads(out.read_text())["verdicts"]
    assert [(r["id"], r["format"]) for r in rows] == [("r0", "rollout"), (str(patch), "diff")]
    assert sorted(calls) == ["item-0", "item-0", "item-9", "item-9"]

    repo = tmp_path / "repo"
    repo.mkdir()

    def git(*args: str) -> None:
        subprocess.run(["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@t", *args], check=True,
                       capture_output=True)

    git("init", "-q")
    (repo / "a.py").write_text("x = 1\n")
    git("add", ".")
    git("commit", "-qm", "one")
    (repo / "a.py").write_text("x = 2  # item-7\n")
    git("commit", "-qam", "two")
    calls.clear()
    result = invoke([str(repo), "--git", "HEAD~1..HEAD", "--model", "x/y", "--view", "actions", "--cache-dir",
                     str(tmp_path / "c"), "--format", "jsonl"])
    assert result.return_value == 0 and calls == ["item-7"] and '"id": "git HEAD~1..HEAD"' in result.output


def test_a_file_with_nothing_to_monitor_is_a_usage_error(tmp_path) -> None:
    from tests.cli.test_grade_cli import assert_user_error, run

    empty = tmp_path / "empty.jsonl"
    empty.write_text("\n")
    assert_user_error(run(["monitor", str(empty), "--model", "x/y"]), "nothing to monitor")
    assert_user_error(run(["monitor", "--model", "x/y"]), "nothing to monitor")
    bad = tmp_path / "bad.patch"
    bad.write_text("hello\n")
    assert_user_error(run(["monitor", str(bad), "--model", "x/y"]), "not a unified diff")


def test_a_completion_on_stdin(monkeypatch, tmp_path) -> None:
    calls: list[str] = []
    monkeypatch.setattr(monitor_cmd, "make_monitor", counting(calls))
    result = CliRunner().invoke(monitor_cmd.monitor_cmd, ["-", "--model", "x/y", "--view", "actions", "--cache-dir",
                                                          str(tmp_path / "c"), "--format", "jsonl"],
                                input="<think>secret plan</think>```python\nreturn 1  # item-4\n```\n",
                                standalone_mode=False)
    assert result.return_value == 0 and calls == ["item-4"], result.output
    row = json.loads(result.output.splitlines()[0])
    assert row["id"] == "stdin" and row["format"] == "completion"
