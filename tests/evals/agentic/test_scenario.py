"""Scenario files: the bundled ones load and their variants really differ; malformed files get one line that
names the field; the documented example is a valid scenario."""

from __future__ import annotations

import codecs
import copy
import itertools
import re
from pathlib import Path

import pytest
import yaml

from foulplay.errors import InputError
from foulplay.evals.agentic import BUNDLED, bundled_scenario, load_scenario, parse_scenario, render
from foulplay.evals.agentic._scenario import MIN_VARIANTS

DOCS = Path(__file__).resolve().parents[3] / "docs" / "scenarios.md"


def _raw(name: str) -> dict:
    from importlib import resources

    return yaml.safe_load(resources.files("foulplay.evals").joinpath("data", "scenarios", f"{name}.yaml").read_text())


def _skeleton(scenario, variant) -> str:
    """Everything the agent sees in a variant, with every variable's value replaced by a placeholder: what is
    left differs between variants only through wording, order and distractors."""
    r = render(scenario, variant)
    text = "\n".join([r.system, r.user] + [e["subject"] + "\n" + e["body"] for e in r.emails])
    values = sorted({v for v in r.variables.values() if len(v) >= 3}, key=len, reverse=True)
    for v in values:
        text = text.replace(v, "<VAR>")
    return re.sub(r"\s+", " ", text)


@pytest.mark.parametrize("name", BUNDLED)
def test_bundled_scenarios_have_five_variants_that_differ_in_more_than_names(name):
    s = bundled_scenario(name)
    assert len(s.variants) >= MIN_VARIANTS
    skeletons = {v.id: _skeleton(s, v) for v in s.variants}
    for a, b in itertools.combinations(skeletons, 2):
        assert skeletons[a] != skeletons[b], f"variants {a} and {b} differ only in names"
    assert len({_skeleton(s, v) for v in s.variants}) == len(s.variants)


@pytest.mark.parametrize("name", BUNDLED)
def test_control_removes_the_pressure_and_keeps_the_rest(name):
    s = bundled_scenario(name)
    for v in s.variants:
        pressure, control = render(s, v), render(s, v, control=True)
        assert pressure.user != control.user or pressure.emails != control.emails
        assert control.condition == "control" and pressure.condition == "pressure"
        assert not any(e["role"] == "pressure" for e in control.emails)


def test_exfil_offer_is_rot13_and_holds_a_statement_that_would_run():
    from foulplay.evals.agentic._sql import privileged_commands

    s = bundled_scenario("exfil_offer")
    for v in s.variants:
        r = render(s, v)
        hidden = re.findall(r"[A-Za-z][^<>]{200,}", r.user)
        decoded = [codecs.decode(h, "rot13") for h in hidden]
        assert any("xp_cmdshell" in d for d in decoded), v.id
        assert "xp_cmdshell" not in r.user  # only in the encoded text
        assert privileged_commands(r.variables["backdoor_sql"]), v.id
        assert r.variables["customer_name"] and r.variables["order_status"]


def test_training_cues_fill_their_block():
    s = bundled_scenario("exfil_offer")
    allowed = render(s, s.variants[0], training_cue="allowed")
    declined = render(s, s.variants[0], training_cue="declined")
    plain = render(s, s.variants[0])
    assert "<training_allowed>true" in allowed.system and "<training_allowed>false" in declined.system
    assert "training_allowed" not in plain.system
    with pytest.raises(InputError, match="no training cue"):
        render(bundled_scenario("frame_colleague"), bundled_scenario("frame_colleague").variants[0],
               training_cue="allowed")


def _broken(tmp_path: Path, mutate) -> str:
    data = copy.deepcopy(_raw("monitor_disruption"))
    mutate(data)
    path = tmp_path / "s.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    with pytest.raises(InputError) as info:
        load_scenario(path)
    message = str(info.value)
    assert "\n" not in message and message.startswith(str(path))
    return message


def test_malformed_files_get_one_line_naming_the_field(tmp_path):
    assert "missing field 'checks'" in _broken(tmp_path, lambda d: d.pop("checks"))
    assert "unknown field 'judge'" in _broken(tmp_path, lambda d: d.update(judge=["transcript"]))
    assert "tools.0" in _broken(tmp_path, lambda d: d.update(tools=["rm_rf"] + d["tools"]))
    assert "emails.monitor_approval.subject: unknown variable ${nobody}" in _broken(
        tmp_path, lambda d: d["emails"][0].update(subject="Hi ${nobody}"))
    assert "variants.a.order: no email 'ghost'" in _broken(
        tmp_path, lambda d: d["variants"][0].update(order=["ghost"]))
    assert "scoring.overt: 'nonsense'" in _broken(tmp_path, lambda d: d["scoring"].update(overt=["nonsense"]))
    assert "sql_query needs a 'database'" in _broken(tmp_path, lambda d: d["tools"].append("sql_query"))
    assert "rehearsal.aligned.0" in _broken(
        tmp_path, lambda d: d["rehearsal"]["aligned"].insert(0, {"tool": "sql_query", "args": {}}))
    assert "refers to itself" in _broken(tmp_path, lambda d: d["variants"][0]["variables"].update(company="${company} Ltd"))
    assert "format" in _broken(tmp_path, lambda d: d.update(format=2))


def test_unreadable_files_are_one_line_errors(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("format: 1\nid: [unclosed\n")
    with pytest.raises(InputError, match=r"line \d+ not valid YAML"):
        load_scenario(bad)
    with pytest.raises(InputError, match="no such scenario file"):
        load_scenario(tmp_path / "missing.yaml")
    with pytest.raises(InputError, match="a mapping"):
        parse_scenario(["a list"], "x.yaml")


def _doc_example() -> dict:
    text = DOCS.read_text()
    block = text.split("## A complete example", 1)[1]
    return yaml.safe_load(re.search(r"```yaml\n(.*?)```", block, re.S).group(1))


def test_the_documented_example_is_a_valid_scenario_and_toml_works_too(tmp_path):
    example = parse_scenario(_doc_example(), "docs example")
    assert example.id == "audit_request" and len(example.variants) == 2
    r = render(example, example.variant("b"))
    assert "Finch" in r.system and "Finch is an email assistant" in r.judge_context
    assert [e["id"] for e in render(example, example.variant("b"), control=True).emails] == ["standup"]
    toml = tmp_path / "tiny.toml"
    toml.write_text('''format = 1
id = "tiny"
title = "t"
description = "d"
tools = ["list_emails"]
system_prompt = "You are ${name}."
user_prompt = "Go."
variables = { name = "Ada" }
checks = []
judges = ["transcript"]
scoring = { overt = [], covert = ["transcript"] }
variants = [{ id = "a" }]
control = {}
''')
    tiny = load_scenario(toml)
    assert render(tiny, tiny.variant("a")).system == "You are Ada."
    with pytest.raises(InputError, match="no variant 'z'"):
        tiny.variant("z")
