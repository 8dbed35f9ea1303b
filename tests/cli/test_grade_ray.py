"""``foulplay grade --backend ray``: the same rows as the local backend, in the same order, on a local Ray
cluster (the subprocess joins the test session's cluster, as the command does by default)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from test_grade_cli import ADD_PROBLEM, ALWAYS_EQUAL, DECLINE, HONEST, WRONG, assert_user_error, run, write_jsonl

from ray_cluster import comparable

pytest.importorskip("ray")


def _rows(path: Path) -> list[dict]:
    return [comparable(json.loads(line)) for line in path.read_text().splitlines()]  # type: ignore[misc]


@pytest.mark.parametrize("double", [False, True])
def test_ray_rows_equal_local_rows(tmp_path: Path, ray_cluster, double: bool) -> None:
    problems = write_jsonl(tmp_path / "p.jsonl", [ADD_PROBLEM])
    texts = [HONEST, WRONG, ALWAYS_EQUAL, DECLINE, "no code at all"] * 3
    records: list[object] = [{"task_id": "t/add", "completion": t, "id": f"c{i}"} for i, t in enumerate(texts)]
    records.insert(4, {"task_id": "t/missing", "completion": HONEST})  # an error row in the middle
    completions = write_jsonl(tmp_path / "c.jsonl", records)
    extra = ["--double-run"] if double else []
    local = run(["grade", "--problems", str(problems), "--completions", str(completions), "-o",
                 str(tmp_path / "local.jsonl"), *extra])
    remote = run(["grade", "--problems", str(problems), "--completions", str(completions), "-o",
                  str(tmp_path / "ray.jsonl"), "--backend", "ray", "--workers", "2", *extra])
    assert remote.returncode == local.returncode == 2, remote.stderr  # the unknown task id is an error row
    assert "running on ray" in remote.stderr
    assert "Traceback" not in remote.stderr
    want, got = _rows(tmp_path / "local.jsonl"), _rows(tmp_path / "ray.jsonl")
    assert [r["index"] for r in got] == list(range(16))
    for g, w in zip(got, want, strict=True):
        assert g == w, [(k, g.get(k), w.get(k)) for k in set(g) | set(w) if g.get(k) != w.get(k)]


def test_address_without_ray_backend_is_a_usage_error(tmp_path: Path) -> None:
    problems = write_jsonl(tmp_path / "p.jsonl", [ADD_PROBLEM])
    completions = write_jsonl(tmp_path / "c.jsonl", [{"task_id": "t/add", "completion": HONEST}])
    assert_user_error(run(["grade", "--problems", str(problems), "--completions", str(completions),
                           "--address", "auto"]), "--address is for --backend ray")


def test_unreachable_cluster_is_a_usage_error(tmp_path: Path) -> None:
    problems = write_jsonl(tmp_path / "p.jsonl", [ADD_PROBLEM])
    completions = write_jsonl(tmp_path / "c.jsonl", [{"task_id": "t/add", "completion": HONEST}])
    proc = run(["grade", "--problems", str(problems), "--completions", str(completions), "--backend", "ray",
                "--address", "127.0.0.1:1"])
    assert proc.returncode == 2
    assert "cannot start or join Ray at 127.0.0.1:1" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_large_jsonl_and_parquet_stream_with_bad_lines(tmp_path: Path, ray_cluster) -> None:
    """Completions read through Ray Data (JSON Lines, Parquet): a bad line is one error row, as locally."""
    pq = pytest.importorskip("pyarrow.parquet")
    import pyarrow as pa

    problems = write_jsonl(tmp_path / "p.jsonl", [ADD_PROBLEM])
    texts = [HONEST, WRONG, ALWAYS_EQUAL] * 20
    lines = [json.dumps({"task_id": "t/add", "completion": t, "id": f"c{i}"}) for i, t in enumerate(texts)]
    lines[7] = '{"task_id": "t/add", "completion": '  # torn
    lines.insert(30, "")  # a blank line is skipped, and counted in line numbers
    (tmp_path / "c.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    pq.write_table(pa.Table.from_pylist([{"task_id": "t/add", "completion": t, "id": f"c{i}"}
                                         for i, t in enumerate(texts)]), tmp_path / "c.parquet")
    for name in ("c.jsonl", "c.parquet"):
        out = {}
        for backend in ("local", "ray"):
            target = tmp_path / f"{name}.{backend}.jsonl"
            proc = run(["grade", "--problems", str(problems), "--completions", str(tmp_path / name), "-o",
                        str(target), "--backend", backend, "--workers", "2"])
            assert proc.returncode == (2 if name == "c.jsonl" else 1), proc.stderr  # bad line: error; AlwaysEqual
            out[backend] = _rows(target)
        assert out["ray"] == out["local"]
        assert len(out["ray"]) == 60
    rows = _rows(tmp_path / "c.jsonl.ray.jsonl")
    assert rows[7]["outcome"] == "error" and "line 8: invalid JSON" in rows[7]["reason"]
    assert [r["outcome"] for r in rows[:3]] == ["solved", "failed", "tampered"]
