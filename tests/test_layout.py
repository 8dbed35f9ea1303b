"""The test tree itself: pytest imports test modules by basename (no packages), so two files with one name
in different folders stop the whole collection."""

from __future__ import annotations

from collections import Counter
from pathlib import Path


def test_test_module_names_are_unique() -> None:
    names = Counter(p.name for p in Path(__file__).parent.rglob("test_*.py") if ".logs" not in p.parts)
    assert [n for n, c in names.items() if c > 1] == []
