"""The run-folder contract (docs/run-folder.md): the layout a training run's producers write and
``foulplay report`` reads; models, a strict reader and an atomic writer."""

from foulplay.training._metrics import STEPS_FILE
from foulplay.training._runfolder import (
    CHECKPOINTS_DIR,
    EVALS_DIR,
    ROLLOUTS_DIR,
    RUN_FILE,
    SCHEMA,
    SUITE_FILE,
    SUMMARY_SUFFIX,
    Checkpoint,
    RunFolder,
    RunMeta,
    StepMetrics,
    checkpoint_evals_dir,
    is_eval_summary,
    is_run_folder,
    is_suite_summary,
    read_checkpoint,
    read_meta,
    read_run_folder,
    read_step_metrics,
    read_summary,
    write_checkpoint_summary,
    write_meta,
    write_run_folder,
    write_step_metrics,
)

__all__ = ["CHECKPOINTS_DIR", "EVALS_DIR", "ROLLOUTS_DIR", "RUN_FILE", "SCHEMA", "STEPS_FILE", "SUITE_FILE",
           "SUMMARY_SUFFIX", "Checkpoint", "RunFolder", "RunMeta", "StepMetrics", "checkpoint_evals_dir",
           "is_eval_summary", "is_run_folder", "is_suite_summary", "read_checkpoint", "read_meta",
           "read_run_folder", "read_step_metrics", "read_summary", "write_checkpoint_summary", "write_meta",
           "write_run_folder", "write_step_metrics"]
