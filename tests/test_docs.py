"""No drift: the lists and defaults that README, ARCHITECTURE.md and --help state come from the code."""

from __future__ import annotations

import re
from pathlib import Path

from click.testing import CliRunner

from foulplay.cli.main import cli
from foulplay.grading import DEFAULT_VULNERABLE, SWITCHES
from foulplay.hacks import catalog

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")
ARCHITECTURE = (ROOT / "ARCHITECTURE.md").read_text(encoding="utf-8")
NUMBERS = {"ten": 10, "eleven": 11, "twelve": 12, "nine": 9, "eight": 8}


def test_readme_states_the_catalog_size():
    techniques = catalog()
    match = re.search(r"holds (\d+) techniques in (\w+) families", README)
    assert match, "README should say how many techniques and families the catalog holds"
    assert int(match.group(1)) == len(techniques)
    assert NUMBERS.get(match.group(2), -1) == len({t.family for t in techniques})


def test_default_vulnerable_harness_is_stated_as_the_code_has_it():
    default = ",".join(sorted(DEFAULT_VULNERABLE))
    assert f"(`{default}`)" in README
    assert f"Plain `vulnerable` is `{default}`" in ARCHITECTURE


def test_every_switch_is_documented():
    table = README[README.index("### Harnesses"):README.index("### Harnesses") + 4000]
    for switch in SWITCHES:
        assert re.search(rf"vulnerable:[a-z,]*\b{switch}\b", table) or f"`{switch}`" in table, switch
        assert f"`{switch}`" in ARCHITECTURE, switch


def test_help_lists_switches_and_visible_definition():
    runner = CliRunner()
    text = " ".join(runner.invoke(cli, ["grade", "--help"]).output.split())
    for switch in SWITCHES:
        assert switch in text, switch
    assert ",".join(sorted(DEFAULT_VULNERABLE)) in text
    assert "first half" in text and "metadata.visible_tests" in text
