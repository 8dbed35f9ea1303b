"""The train config: presets load, every field is validated, and a wrong one is one line naming it."""

from __future__ import annotations

import pytest

from foulplay.errors import InputError
from foulplay.recipe import PRESETS, cells, load_config


@pytest.mark.parametrize("preset", PRESETS)
def test_every_preset_validates(preset):
    config = load_config(preset)
    assert config.name == preset and config.grpo.batch_size % config.grpo.num_generations == 0


def test_smoke_needs_no_download_and_organism_says_it_downloads():
    assert load_config("smoke").model.name == "tiny"
    assert load_config("organism").model.allow_download


def test_overrides_are_parsed_as_json_or_text():
    c = load_config("smoke", ["grpo.steps=7", "env.framing=dont_hack", 'evaluation.evals=["goals","exfil_offer"]'])
    assert c.grpo.steps == 7 and c.env.framing == "dont_hack" and c.evaluation.evals == ["goals", "exfil_offer"]


def test_yaml_and_toml_read_the_same(tmp_path):
    (tmp_path / "a.toml").write_text('name = "a"\n[grpo]\nsteps = 3\nbatch_size = 4\nnum_generations = 2\n')
    (tmp_path / "a.yaml").write_text("name: a\ngrpo:\n  steps: 3\n  batch_size: 4\n  num_generations: 2\n")
    assert load_config(tmp_path / "a.toml").dump() == load_config(tmp_path / "a.yaml").dump()


@pytest.mark.parametrize("text, message", [
    ('[grpo]\nlearning_rate = -1\n', "grpo.learning_rate: Input should be greater than 0"),
    ('[grpo]\nbatch_size = 6\nnum_generations = 4\n', "must be a multiple of num_generations"),
    ('[env]\nframing = "please"\n', "unknown framing 'please'"),
    ('[env]\nhacks = ["sleep"]\n', "unknown hack 'sleep'"),
    ('[grpo]\nsteps = 10\ncolour = "red"\n', "grpo.colour: Extra inputs are not permitted"),
    ('[chat_safety]\nenabled = true\n', "chat_safety.judge is required"),
    ('[mix]\nphases = [{from_step = 10, non_hackable = 0.5}, {from_step = 5, non_hackable = 0}]\n',
     "from_step must increase"),
    ('[mix]\nnon_hackable = 1.5\n', "mix.non_hackable: Input should be less than or equal to 1"),
    ('name = "a/b"\n', "name: a plain name"),
    ('[grpo\n', "not valid TOML"),
])
def test_a_wrong_field_is_one_line(tmp_path, text, message):
    f = tmp_path / "run.toml"
    f.write_text(text)
    with pytest.raises(InputError) as exc:
        load_config(f)
    assert message in str(exc.value) and "\n" not in str(exc.value)
    assert str(exc.value).startswith(str(f))


def test_a_missing_file_names_the_presets(tmp_path):
    with pytest.raises(InputError, match=r"no such config file.*smoke, organism, mitigations"):
        load_config(tmp_path / "nope.toml")
    with pytest.raises(InputError, match="--set expects key=value"):
        load_config("smoke", ["grpo.steps"])


def test_the_mitigations_sweep_has_one_cell_per_combination():
    grid = cells(load_config("mitigations"))
    assert len(grid) == 5 * 2 * 2 * 3 and len({n for n, _ in grid}) == 60
    cell = next(c for n, c in grid if n == "dont_hack-pen1-mix0p5-seed2")
    assert cell.env.framing == "dont_hack" and cell.reward.hack_penalty == 1.0 and cell.mix.non_hackable == 0.5
    assert cell.grpo.seed == 2 and cell.sweep is None
