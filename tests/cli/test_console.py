"""Tables read the same at any width: nothing cut, no column collapsed, COLUMNS respected."""

from __future__ import annotations

import io

import pytest
from rich.console import Console

from foulplay.cli import _console
from foulplay.vocab import Outcome, Verdict

WORDS = sorted({o.value for o in Outcome} | {v.value for v in Verdict} | {"FOOLED", "RESISTED", "NOT-APPLICABLE",
                                                                         "ERROR", "UNVERIFIED"})
LONG = ("the submission returned a value of a class that claims to equal an unrelated value; its methods never "
        "run on the grader's side, so it is compared as data")


def render(width: int) -> str:
    rows = [[f"task/{i}", word, f"{i}/7", LONG] for i, word in enumerate(WORDS)]
    table = _console.make_table(["task", "verdict", "tests", "why"], rows, wrap=("why",), right=("tests",))
    out = io.StringIO()
    Console(file=out, width=width, highlight=False, color_system=None).print(table)
    return out.getvalue()


def words(text: str) -> list[str]:
    return "".join(ch if ch.isalnum() or ch in "/-_'" else " " for ch in text).split()


@pytest.mark.parametrize("width", [60, 200])
def test_every_verdict_word_and_all_text_survive(width):
    text = render(width)
    for word in WORDS:
        assert f" {word} " in text, (word, text)
    assert max(len(line) for line in text.splitlines()) <= width
    assert "…" not in text and "..." not in text


def test_narrow_and_wide_tables_hold_the_same_words():
    narrow, wide = render(60), render(200)
    assert sorted(words(narrow)) != [] and set(words(narrow)) == set(words(wide))
    joined = " ".join(words(narrow))
    assert "compared as data" in " ".join(words(wide)) and "compared" in joined


def test_columns_env_sets_the_width(monkeypatch):
    monkeypatch.setenv("COLUMNS", "77")
    assert _console.make_console().width == 77
    monkeypatch.setenv("COLUMNS", "not a number")
    assert _console.make_console().width in (_console.PIPED_WIDTH, Console().width)
