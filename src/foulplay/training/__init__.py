"""Training hooks: rewards for hackable coding environments and per-step hack metrics, with adapters for
TRL (``foulplay.training.trl.trl_reward``), verl (``foulplay.training.verl.compute_score``) and OpenRLHF
(``foulplay.training.openrlhf``). Importing this package needs no training framework."""

from foulplay.training._metrics import (
    STEPS_FILE,
    MixedGraderVersions,
    StepLog,
    check_grader_versions,
    merge_steps,
    onset_step,
    read_steps,
    step_record,
)
from foulplay.training._rewards import RewardConfig, RewardFn, RewardResult
from foulplay.training._rollouts import RunStats, bin_steps, load_run
from foulplay.training._runfolder import RunFolder, RunMeta, read_run_folder, write_run_folder

__all__ = ["STEPS_FILE", "MixedGraderVersions", "RewardConfig", "RewardFn", "RewardResult", "RunFolder", "RunMeta",
           "RunStats", "StepLog", "bin_steps", "check_grader_versions", "load_run", "merge_steps", "onset_step",
           "read_run_folder", "read_steps", "step_record", "write_run_folder"]
