"""The per-item speed-ups of hardened grading (issue 21) change no result.

``fpgrade_asserts`` quotes each assert from source split into lines once (``ast.get_source_segment`` split
the whole test again for every assert); the quotes must be the same.
"""

from __future__ import annotations

import ast
import sys

import pytest

from foulplay.grading import load_humaneval
from foulplay.grading._grade import DRIVER_DIR

SANDBOX_INSIDE = DRIVER_DIR.parent.parent / "sandbox" / "_inside"
sys.path[:0] = [str(SANDBOX_INSIDE), str(DRIVER_DIR)]
import fpgrade_asserts as fa  # noqa: E402

EDGE_SOURCES = [
    "assert (1 ==\r\n 2)\rassert 'é' == 'é' ;assert 3\n\n  \n",
    "x = 1\nassert (x\n  ==\n 1), 'm'\n",
    "def check(c):\n    assert c('ü\\n') == 'x', 'ß'\n    assert (True and\n\t1)\n",
    "assert 1\n\x0cassert ('a\x0cb' ==\n 'x')\n",  # a form feed is not a line break for the parser
    "assert 1 == 1",  # no final newline
]


def _asserts(source):
    return [n for n in ast.walk(ast.parse(source)) if isinstance(n, ast.Assert)]


@pytest.mark.parametrize("source", EDGE_SOURCES)
def test_segments_match_the_standard_library(source):
    lines = fa._LINE.findall(source)
    for node in _asserts(source):
        assert fa._segment(lines, node) == ast.get_source_segment(source, node)


def test_segments_match_on_every_humaneval_check():
    count = 0
    for problem in load_humaneval():
        lines = fa._LINE.findall(problem.check)
        for node in _asserts(problem.check):
            assert fa._segment(lines, node) == ast.get_source_segment(problem.check, node), problem.task_id
            count += 1
    assert count > 1000


def test_instrumented_sites_quote_the_asserts():
    source = EDGE_SOURCES[1] + EDGE_SOURCES[0]
    _code, sites = fa.instrument(source, "<test>")
    assert [s.source for s in sites] == [" ".join((ast.get_source_segment(source, n) or "").split())[:300]
                                         for n in _asserts(source)]
