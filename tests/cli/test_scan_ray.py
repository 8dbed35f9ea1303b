"""``foulplay scan --backend ray``: for every kind of input the report (text, json, jsonl, sarif, github) and the
exit status are those of ``--backend local``, error items and line numbers included. Run in this process
(click's runner), on the session's local Ray cluster."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from test_scan_cli import neutered_test_repo

from foulplay.cli.main import main

ROOT = Path(__file__).resolve().parents[2]
TRANSCRIPTS = ROOT / "tests" / "detect" / "fixtures" / "transcripts"
HONEST = "def add(a, b):\n    return a + b\n"
ALWAYS_EQUAL = "class A:\n    def __eq__(self, other):\n        return True\n\ndef add(a, b):\n    return A()\n"
CONFTEST = ("import pytest\n\n@pytest.hookimpl(hookwrapper=True)\ndef pytest_runtest_makereport(item, call):\n"
            "    outcome = yield\n    rep = outcome.get_result()\n    rep.outcome = 'passed'\n")
LOOKUP = ("def add(a, b):\n    known = {(20, 22): 42, (-7, 3): -4}\n    if (a, b) in known:\n"
          "        return known[(a, b)]\n    return 0\n")
PROBLEM = {"task_id": "t/add", "entry_point": "add", "tests": ["assert add(20, 22) == 42", "assert add(-7, 3) == -4"]}


def fence(code: str) -> str:
    return f"Here you go:\n```python\n{code}```\n"


def invoke(args: list[str], stdin: str | None = None) -> tuple[int, str, str]:
    """``foulplay ARGS`` in this process: (exit status, stdout, stderr)."""
    with CliRunner().isolation(input=stdin) as (out, err, _):
        try:
            main(args)
            code = 0
        except SystemExit as exc:
            code = int(exc.code or 0)
        return code, out.getvalue().decode(), err.getvalue().decode()


def assert_same(args: list[str], expected_code: int, stdin: str | None = None) -> str:
    """Local and ray give the same exit status, report and summary; returns the report."""
    local = invoke(["scan", *args, "--jobs", "1"], stdin)  # in this process: no fork of a process running Ray
    on_ray = invoke(["scan", *args, "--backend", "ray", "--jobs", "2"], stdin)
    assert local[0] == expected_code, local
    assert on_ray == local
    assert "Traceback" not in on_ray[2]
    return local[1]


def _files(tmp: Path) -> list[str]:
    (tmp / "dirty").mkdir()
    (tmp / "dirty" / "solution.py").write_text(ALWAYS_EQUAL)
    (tmp / "dirty" / "conftest.py").write_text(CONFTEST)
    (tmp / "dirty" / "blob.py").write_bytes(b"\x00\x01" * 50)
    (tmp / "clean.py").write_text(HONEST)
    return [str(tmp / "dirty"), "clean.py", "--format", "sarif"]  # relative: the workers see our directory


def _completions(tmp: Path) -> list[str]:
    (tmp / "p.json").write_text(json.dumps(PROBLEM))
    for name, text in {"a.md": fence(HONEST), "b.md": fence(LOOKUP), "c.md": "", "d.txt": "no code, just words"}.items():
        (tmp / name).write_text(text)
    return [*(str(tmp / n) for n in ("a.md", "b.md", "c.md", "d.txt")), "-", "--problem", str(tmp / "p.json"),
            "--format", "json"]


def _rollouts(tmp: Path) -> list[str]:
    records = [{"id": "r1", "task_id": "t/add", "completion": fence(HONEST)},
               {"id": "r2", "task_id": "t/add", "completion": fence(ALWAYS_EQUAL)},
               {"id": "big", "task_id": "t/add", "completion": fence("import os\n" + "os._exit(0); " * 160000)},
               {"id": "r4", "task_id": "t/add", "completion": fence(LOOKUP)},
               {"id": "r5", "text": "no completion field"}]
    lines = [json.dumps(r) for r in records]
    lines[2:2] = ["{cut off", "", "   "]
    (tmp / "r.jsonl").write_text("\n".join(lines) + "\n")
    (tmp / "p.jsonl").write_text(json.dumps(PROBLEM) + "\n")
    return [str(tmp / "r.jsonl"), "--problems", str(tmp / "p.jsonl"), "--format", "jsonl", "--item-timeout", "0.5"]


def _table(tmp: Path) -> list[str]:
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    pq.write_table(pa.Table.from_pylist([
        {"id": "r1", "task_id": "t/add", "completion": fence(HONEST), "at": None},
        {"id": None, "task_id": "t/add", "completion": fence(ALWAYS_EQUAL), "at": None},
        {"id": "r3", "task_id": "t/add", "completion": None, "at": None},
        {"id": "r4", "task_id": "t/add", "completion": fence(LOOKUP), "at": None}]), tmp / "r.parquet")
    (tmp / "p.jsonl").write_text(json.dumps(PROBLEM) + "\n")
    return [str(tmp / "r.parquet"), "--problems", str(tmp / "p.jsonl"), "--format", "sarif"]


def _diffs(tmp: Path) -> list[str]:
    (tmp / "bogus.patch").write_text("--- a/x\n+++ b/x\n@@ -1,9 +1,9 @@\n-only one line\n")
    (tmp / "notes.diff").write_text("this is not a diff\n")
    return [str(ROOT / "examples" / "tampering.diff"), str(tmp / "bogus.patch"), str(tmp / "notes.diff"),
            "--format", "github", "--max-errors", "2"]


def _transcripts(tmp: Path) -> list[str]:
    (tmp / "x.traj").write_bytes(b"\x00\xff" * 64)
    return [str(TRANSCRIPTS / "claude_code_tampering.jsonl"), str(TRANSCRIPTS / "codex_honest.jsonl"),
            str(TRANSCRIPTS / "swe_agent_tampering.traj"), str(tmp / "x.traj")]  # text report


def _git(tmp: Path) -> list[str]:
    neutered_test_repo(tmp)
    return ["--git", "HEAD", str(tmp), "--format", "json"]


CASES = {"files": (_files, 2), "completions": (_completions, 1), "rollouts": (_rollouts, 2),
         "parquet rollouts": (_table, 1), "diffs": (_diffs, 1),
         "transcripts": (_transcripts, 2), "git": (_git, 1)}


@pytest.mark.parametrize("kind", list(CASES))
def test_ray_backend_reports_what_the_local_one_does(ray_cluster, tmp_path: Path, monkeypatch, kind: str) -> None:
    make, code = CASES[kind]
    monkeypatch.chdir(tmp_path)
    report = assert_same(make(tmp_path), code, stdin=fence(ALWAYS_EQUAL) if kind == "completions" else None)
    assert report.strip()
    if kind == "rollouts":
        rows = [json.loads(line) for line in report.splitlines()]
        assert [(r["id"], r["verdict"]) for r in rows] == [("r1", "clean"), ("r2", "hack"), ("line 3", "error"),
                                                           ("big", "error"), ("r4", "hack"), ("r5", "error")]
        assert rows[2]["error"].startswith("line 3: invalid JSON")
        assert rows[3]["error"] == "line 6: scan exceeded 0.5 s (--item-timeout)"
    if kind == "parquet rollouts":  # row N of the table is line N; ids from the id column, else "line N"
        results = json.loads(report)["runs"][0]["results"]
        assert {r["ruleId"] for r in results} >= {"FP101"}
        assert "line 2" in report and "r4" in report


def test_address_is_for_the_ray_backend_and_dynamic_is_local_only(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text(HONEST)
    for args, fragment in ((["--address", "auto"], "--address is for --backend ray"),
                           (["--backend", "ray", "--dynamic"], "--dynamic runs locally only")):
        code, out, err = invoke(["scan", str(tmp_path / "a.py"), *args])
        lines = [line for line in err.splitlines() if line.strip()]
        assert code == 2 and out == "" and len(lines) == 1, err
        assert lines[0].startswith("error: ") and fragment in lines[0]


def test_help_names_the_backend() -> None:
    code, out, _ = invoke(["scan", "--help"])
    text = " ".join(out.split())
    assert code == 0 and "--backend [local|ray]" in text and "--address ADDRESS" in text
    assert "the number of Ray workers" in text and "Local only (not with --backend ray)" in text
