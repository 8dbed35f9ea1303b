"""Hackable RL coding environments for the paper's prompted setting: problems from HumanEval, MBPP or any
problem file, a hint passage with one of five framings, and the vulnerable harness each problem is graded
with (or the hardened one for a no-hack baseline)."""

from foulplay.envs._env import CodingEnv
from foulplay.envs._prompting import FRAMINGS, HACKS, HINTS, REASONING_SUFFIX, hint_passage

__all__ = ["FRAMINGS", "HACKS", "HINTS", "REASONING_SUFFIX", "CodingEnv", "hint_passage"]
