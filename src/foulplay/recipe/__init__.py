"""The model-organism recipe behind ``foulplay train`` (docs/train.md): a config file (or a preset: smoke,
organism, mitigations) in, a run folder out (docs/run-folder.md), with GRPO on foulplay's hackable coding
environment, checkpoint evaluations through Inspect, an optional chat-safety stage and mitigation sweeps."""

from foulplay.recipe._config import PRESETS, TrainConfig, load_config
from foulplay.recipe._loop import TrainResult, train
from foulplay.recipe._schedule import MixSchedule
from foulplay.recipe._sweep import cells, run_sweep

__all__ = ["PRESETS", "MixSchedule", "TrainConfig", "TrainResult", "cells", "load_config", "run_sweep", "train"]
