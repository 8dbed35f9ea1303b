"""The test tree itself: pytest imports test modules by basename (no packages), so two files with one name
in different folders stop the whole collection."""

from __future__ import annotations

from collections import Counter
from pathlib import Path


def test_test_module_names_are_unique() -> None:
    names = Counter(p.name for p in Path(__file__).parent.rglob("test_*.py") if ".logs" not in p.parts)
    assert [n for n, c in names.items() if c > 1] == []


# Each layer may import only the layers below it (ARCHITECTURE.md). ``stats`` is pure statistics: it imports
# nothing else of foulplay, so every layer may use it. ``audit`` and ``recipe`` are siblings. ``executors`` sits
# between ``detect`` and ``training``: its works wrap grading and scanning; commands and trainers choose one.
LAYERS = {"errors": -2, "vocab": -1, "_util": 0, "stats": 0, "sandbox": 1, "inspect_sandbox": 2, "grading": 2,
          "hacks": 3, "detect": 4, "executors": 4.5, "envs": 5, "training": 5, "evals": 6, "bench": 7, "report": 8,
          "audit": 9, "recipe": 9, "cli": 10, "_registry": 10}


def test_imports_point_down() -> None:
    import ast

    root = Path(__file__).resolve().parents[1] / "src" / "foulplay"
    wrong = []
    for f in sorted(root.rglob("*.py")):
        layer = f.relative_to(root).parts[0].removesuffix(".py")
        if layer not in LAYERS:
            continue
        for node in ast.walk(ast.parse(f.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("foulplay."):
                target = node.module.split(".")[1]
                if target != layer and LAYERS.get(target, -1) >= LAYERS[layer] and not (
                        {layer, target} <= {"envs", "training"}):
                    wrong.append(f"{f.relative_to(root)} imports foulplay.{target}")
    assert wrong == []
