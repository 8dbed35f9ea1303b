"""The non-hackable share over training: fixed, phased, or the paper's two-phase switch, kept across resumes."""

from __future__ import annotations

from foulplay.recipe._config import MixSpec, Phase
from foulplay.recipe._schedule import MixSchedule

IDS = [f"t{i}" for i in range(10)]


def test_a_fixed_share_closes_the_same_problems_every_step():
    s = MixSchedule(MixSpec(non_hackable=0.5), IDS, seed=3)
    assert len(s.closed(1)) == 5 and s.closed(1) == s.closed(99)
    assert MixSchedule(MixSpec(non_hackable=0.5), IDS, seed=3).closed(1) == s.closed(1)  # seeded


def test_phases_switch_at_their_steps_and_a_larger_share_closes_a_superset():
    s = MixSchedule(MixSpec(phases=[Phase(from_step=0, non_hackable=0.2), Phase(from_step=5, non_hackable=0.6)]),
                    IDS, seed=0)
    assert len(s.closed(4)) == 2 and len(s.closed(5)) == 6 and s.closed(4) <= s.closed(5)


def test_two_phase_switches_delay_steps_after_the_pass_rate_and_remembers_it(tmp_path):
    spec = MixSpec(non_hackable=0.0, switch_after_pass_rate=0.5, switch_delay=3, second_phase_non_hackable=0.5)
    s = MixSchedule(spec, IDS, seed=0, run_dir=tmp_path)
    s.observe(1, {"pass_rate": 0.2})
    assert s.switch_step is None
    s.observe(2, {"pass_rate": 0.6})
    s.observe(3, {"pass_rate": 0.9})  # the first time counts
    assert s.switch_step == 5 and s.share(4) == 0.0 and s.share(5) == 0.5
    resumed = MixSchedule(spec, IDS, seed=0, run_dir=tmp_path)
    assert resumed.switch_step == 5 and len(resumed.closed(6)) == 5
