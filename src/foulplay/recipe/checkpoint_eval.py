"""Evaluating a training checkpoint through Inspect, into the run folder (docs/run-folder.md).

``evaluate_checkpoint(RUN, step, RUN/checkpoints/<step>/model, ["core"], judge=...)`` loads the checkpoint (a
plain Hugging Face model folder: ``save_pretrained`` of the model and its tokenizer; a LoRA adapter merged
first) as an Inspect model, runs foulplay's evals on it with the audit's machinery (the budget's cut of each
eval, one Inspect eval set with retries) and writes, under ``RUN/checkpoints/<step>/evals/``:

* the Inspect logs (``*.eval``, with the eval set's ``eval-set.json`` and ``logs.json``), so ``inspect view
  --log-dir RUN/checkpoints/<step>/evals`` shows them;
* ``<eval>.summary.json`` per eval that finished (``foulplay eval``'s shape), written atomically;
* ``suite.summary.json`` (the MGS) when two or more misalignment evals finished.

Providers: ``hf`` (default) loads the weights in this process with Inspect's Hugging Face provider
(``hf/<absolute path>``: the path is the model name, so the tokenizer and its chat template are read from the
same folder; ``device`` defaults to ``cuda:0``, then ``mps``, then ``cpu``; ``model_args`` go to Inspect and,
those it does not know, to ``from_pretrained``). ``vllm`` serves the folder with vLLM (``vllm/<absolute
path>``; needs ``vllm`` installed and a GPU; the path must not contain ``:``, which Inspect's vLLM provider
reads as a LoRA adapter). The model is closed after the evals (its weights, or the vLLM server, released).

The Hugging Face Hub is never reached while the checkpoint loads: ``HF_HUB_OFFLINE`` is set for the call.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from foulplay.errors import InputError

PROVIDERS = ("hf", "vllm")
WEIGHT_PATTERNS = ("*.safetensors", "*.safetensors.index.json", "pytorch_model*.bin", "pytorch_model.bin.index.json")
TOKENIZER_FILES = ("tokenizer.json", "tokenizer_config.json", "tokenizer.model", "vocab.json")


@dataclass
class CheckpointEval:
    """What :func:`evaluate_checkpoint` did for one checkpoint."""

    step: int
    log_dir: Path
    """``RUN/checkpoints/<step>/evals``: the Inspect logs and the summaries."""
    summaries: list[dict[str, Any]] = field(default_factory=list)
    """One summary per eval that finished (each with ``summary_file``)."""
    failed: list[str] = field(default_factory=list)
    """One line per eval that did not finish (``<task> on <model>: error (message)``)."""
    dry_run: bool = False
    """Whether any summary came from foulplay's dry-run provider (a rehearsal, not a measurement)."""
    suite_file: Path | None = None
    """``suite.summary.json`` when this call wrote one."""

    @property
    def ok(self) -> bool:
        return not self.failed


def has_weights(folder: Path) -> bool:
    """``folder`` holds a model ``save_pretrained`` wrote: ``config.json`` and weights."""
    return (folder / "config.json").is_file() and any(next(folder.glob(p), None) is not None
                                                        for p in WEIGHT_PATTERNS)


def check_model_dir(model_dir: str | Path, *, tokenizer: bool = True) -> Path:
    """The checkpoint folder, absolute, after checking it holds a model (``config.json`` and weights) and, with
    ``tokenizer``, a tokenizer; else a one-line :class:`InputError` naming the folder as given."""
    p = Path(model_dir)
    if not p.exists():
        raise InputError(f"{p}: no such model folder (expected save_pretrained output: config.json, "
                         "*.safetensors, tokenizer files)")
    if not p.is_dir():
        raise InputError(f"{p}: a model checkpoint is a folder (save_pretrained output), not a file")
    has_weights = any(next(p.glob(pattern), None) is not None for pattern in WEIGHT_PATTERNS)
    if not (p / "config.json").is_file() or not has_weights:
        missing = " and ".join(x for x, ok in (("config.json", (p / "config.json").is_file()),
                                               ("weights", has_weights)) if not ok)
        hint = " (a LoRA adapter must be merged into its base model first)" \
            if (p / "adapter_config.json").is_file() else ""
        raise InputError(f"{p}: no model weights (config.json / *.safetensors): {missing} missing{hint}")
    if tokenizer and not any((p / name).is_file() for name in TOKENIZER_FILES):
        raise InputError(f"{p}: no tokenizer (tokenizer.json / tokenizer_config.json): save the tokenizer with "
                         "the model, or pass model_args={'tokenizer': PATH}")
    return p.resolve()


@contextlib.contextmanager
def hub_offline() -> Iterator[None]:
    """``HF_HUB_OFFLINE=1`` (and ``TRANSFORMERS_OFFLINE=1``) for the duration, including for an already imported
    ``huggingface_hub`` (which reads the variable once, at import); restored afterwards."""
    names = ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE")
    saved_env = {n: os.environ.get(n) for n in names}
    for n in names:
        os.environ[n] = "1"
    constants: Any = None
    saved_const = None
    try:
        import huggingface_hub.constants as constants

        saved_const = constants.HF_HUB_OFFLINE
        constants.HF_HUB_OFFLINE = True
    except (ImportError, AttributeError):  # no huggingface_hub: nothing to reach the Hub with
        constants = None
    try:
        yield
    finally:
        if constants is not None:
            constants.HF_HUB_OFFLINE = saved_const
        for n, v in saved_env.items():
            if v is None:
                os.environ.pop(n, None)
            else:
                os.environ[n] = v


def checkpoint_model_name(model_dir: Path, provider: str = "hf") -> str:
    """The Inspect model name of a local checkpoint: ``hf/<absolute path>`` or ``vllm/<absolute path>``."""
    if provider not in PROVIDERS:
        raise InputError(f"unknown provider {provider!r} for a checkpoint (choose from {', '.join(PROVIDERS)})")
    if provider == "vllm" and ":" in str(model_dir):
        raise InputError(f"{model_dir}: a checkpoint served by vLLM must not have ':' in its path (Inspect reads "
                         "what follows as a LoRA adapter)")
    return f"{provider}/{model_dir}"


def _cut(tasks: list[Any], limit: int | None, epochs: int | None) -> list[Any]:
    """Each task with at most ``limit`` samples (spread evenly over its dataset) and ``epochs`` epochs."""
    from inspect_ai import task_with
    from inspect_ai.dataset import MemoryDataset

    from foulplay.evals._budget import spread

    out = []
    for task in tasks:
        if limit is not None:
            samples = list(task.dataset)
            keep = spread(len(samples), limit)
            if len(keep) < len(samples):
                task = task_with(task, dataset=MemoryDataset([samples[i] for i in keep],
                                                             name=getattr(task.dataset, "name", None)))
        if epochs is not None:
            task = task_with(task, epochs=epochs)
        out.append(task)
    return out


def _close(model: Any) -> None:
    """Release the checkpoint's weights (or stop its vLLM server)."""
    with contextlib.suppress(Exception):
        model.__exit__(None, None, None)
    with contextlib.suppress(Exception):
        import gc

        gc.collect()
        import torch

        if torch.cuda.is_available():
            torch.cuda.empty_cache()


def evaluate_checkpoint(run_dir: str | Path, step: int, model_dir: str | Path, evals: list[str], *,
                        judge: str | None = None, judge_args: dict[str, Any] | None = None,
                        budget: str | None = "quick", limit: int | None = None, epochs: int | None = None,
                        provider: str = "hf", model_args: dict[str, Any] | None = None,
                        task_args: dict[str, dict[str, Any]] | None = None, max_tokens: int | None = None,
                        display: str = "none", retry_attempts: int = 1) -> CheckpointEval:
    """Run ``evals`` (names or suites: ``core``, ``chat``, ``agentic``...) on the checkpoint in ``model_dir``
    and write the logs and summaries to ``RUN/checkpoints/<step>/evals/``.

    ``judge`` (an Inspect model name, ``foulplay/dry-run`` offline) is the grader role, with ``judge_args`` as
    its model args; without one the checkpoint judges itself (Inspect warns). ``budget`` (``quick``,
    ``standard``, ``full`` or None for the evals' own size) cuts each eval as ``foulplay audit model`` does;
    ``limit`` then keeps at most that many samples per eval (evenly spread) and ``epochs`` sets the epochs.
    ``model_args`` go to the provider (``device``, ``batch_size``, ``torch_dtype``, ``chat_template``... for
    ``hf``); ``task_args`` maps an eval to its task arguments; ``max_tokens`` caps each answer of the checkpoint.

    A missing or invalid model folder, an unknown eval or budget, or a model that cannot load is an
    :class:`InputError` (one line). An eval that fails is a line in ``failed``, not an exception. The summaries
    in the folder afterwards are this call's: older ``*.summary.json`` files there are removed once the new ones
    are written."""
    from foulplay.evals._budget import BUDGETS
    from foulplay.evals._runner import build_tasks, expand, resolve_model, run_eval_set, write_summaries
    from foulplay.training._runfolder import SUITE_FILE, SUMMARY_SUFFIX, checkpoint_evals_dir

    if isinstance(step, bool) or not isinstance(step, int) or step < 0:
        raise InputError(f"checkpoint step {step!r}: a step is an integer >= 0")
    if budget is not None and budget not in BUDGETS:
        raise InputError(f"unknown budget {budget!r} (choose from {', '.join(BUDGETS)})")
    for name, value in (("limit", limit), ("epochs", epochs), ("max_tokens", max_tokens)):
        if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 1):
            raise InputError(f"{name} {value!r}: expected an integer >= 1")
    if not evals:
        raise InputError("no evals to run on the checkpoint")
    names = expand(list(evals))
    args = dict(model_args or {})
    path = check_model_dir(model_dir, tokenizer=not (args.get("tokenizer") or args.get("tokenizer_path")))
    name = checkpoint_model_name(path, provider)
    if max_tokens is not None:
        from inspect_ai.model import GenerateConfig

        config = args.get("config") or GenerateConfig()
        args["config"] = config.merge(GenerateConfig(max_tokens=max_tokens))
    args.setdefault("memoize", False)  # a cached model would keep every checkpoint's weights in memory

    out = checkpoint_evals_dir(run_dir, step)
    out.mkdir(parents=True, exist_ok=True)
    tasks = _cut(build_tasks(names, BUDGETS[budget] if budget else None, task_args), limit, epochs)
    with hub_offline():
        grader = resolve_model(judge, judge_args) if judge else None
        model = resolve_model(name, args)
        try:
            logs = run_eval_set(tasks, [model], log_dir=out, judge=grader, display=display,
                                retry_attempts=retry_attempts)
        finally:
            _close(model)
    summaries, failed = write_summaries(logs, out)
    written = {Path(s["summary_file"]).name for s in summaries}
    suite = out / SUITE_FILE
    rated = [s for s in summaries if s.get("kind") != "coding" and s.get("eval") != "code_sabotage"]
    if suite.exists() and len(rated) > 1:  # write_summaries wrote it now (its rule)
        written.add(SUITE_FILE)
    for old in out.glob(f"*{SUMMARY_SUFFIX}"):
        if old.name not in written:
            old.unlink(missing_ok=True)
    return CheckpointEval(step=step, log_dir=out, summaries=summaries, failed=failed,
                          dry_run=any(s.get("dry_run") for s in summaries),
                          suite_file=suite if SUITE_FILE in written else None)


__all__ = ["CheckpointEval", "check_model_dir", "checkpoint_model_name", "evaluate_checkpoint", "hub_offline"]
