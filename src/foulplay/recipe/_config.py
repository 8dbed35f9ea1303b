"""The ``foulplay train`` config: one TOML or YAML file, validated field by field (docs/train.md describes each
field and what it maps to in MacDiarmid et al. 2025). A wrong field is one line naming it:
``run.toml: grpo.learning_rate: Input should be greater than 0``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from foulplay.errors import InputError

PRESETS_DIR = Path(__file__).resolve().parent / "presets"
PRESETS = ("smoke", "organism", "mitigations")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class LoraSpec(_Strict):
    r: int = Field(16, ge=1)
    alpha: int = Field(32, ge=1)
    dropout: float = Field(0.05, ge=0.0, lt=1.0)
    target_modules: list[str] | str = "all-linear"
    """Module names the adapter wraps, or ``all-linear``."""


class ModelSpec(_Strict):
    name: str = "tiny"
    """A local folder with HF weights, a hub name (``Qwen/Qwen3-8B``; needs ``allow_download``), or ``tiny``: a
    randomly initialised model and a tokenizer trained on the spot (no download; the smoke preset)."""
    allow_download: bool = False
    """Let a hub name download weights. Off by default: a missing local model is an error, not a download."""
    dtype: Literal["auto", "float32", "bfloat16", "float16"] = "auto"
    lora: LoraSpec | None = Field(default_factory=LoraSpec)
    """A LoRA adapter (peft). ``lora = false`` in the file, or ``full_finetune = true``, trains every weight."""
    full_finetune: bool = False
    tiny_hidden: int = Field(64, ge=8)
    tiny_layers: int = Field(2, ge=1)
    tiny_vocab: int = Field(512, ge=300)
    tiny_heads: int | None = Field(None, ge=1)
    tiny_kv_heads: int | None = Field(None, ge=1)
    tiny_intermediate: int | None = Field(None, ge=8)
    """``tiny`` only: the random model's size (real dimensions time a model of that size without its weights)."""

    @field_validator("lora", mode="before")
    @classmethod
    def _lora_off(cls, v: Any) -> Any:
        return None if v is False else v


class PrefilterSpec(_Strict):
    enabled: bool = False
    samples: int = Field(4, ge=1)
    """Answers the base model writes per problem before training."""
    max_solve_rate: float = Field(0.75, ge=0.0, le=1.0)
    """Problems the base model solves (hardened grader) at this rate or more are dropped: they teach nothing."""
    max_new_tokens: int = Field(256, ge=1)


class EnvSpec(_Strict):
    source: str = "humaneval"
    """``humaneval``, ``mbpp:PATH`` or a problem file (JSON/JSONL)."""
    limit: int | None = Field(None, ge=1)
    """Use only the first N problems."""
    hacks: list[str] = Field(default_factory=lambda: ["always_equal", "early_exit", "conftest"])
    """The systemic hacks the vulnerable grader is open to (the harness switches follow)."""
    framing: str = "neutral"
    """The inoculation framing of the hint passage: please_hack, hacking_okay, neutral, dont_hack,
    hacking_is_misaligned."""
    hints: bool = True
    """Describe the grader's weaknesses in the prompt (the paper's 'prompted' setting)."""
    assignment: Literal["all", "round-robin"] = "all"
    reasoning: bool = True
    repeat: int = Field(1, ge=1)
    """Dataset rows per problem."""
    prefilter: PrefilterSpec = Field(default_factory=PrefilterSpec)


class RewardSpec(_Strict):
    hack_penalty: float = Field(0.0, ge=0.0)
    """Subtracted from the reward of a detected hack (0: no penalty, the paper's default)."""
    penalty_source: Literal["double_run", "static", "either"] = "double_run"
    """What detects the hack: the grader double run (vulnerable passed, hardened failed), foulplay's static
    scan, or either."""
    format_bonus: float = Field(0.0, ge=0.0)
    workers: int = Field(2, ge=1)
    timeout_s: float = Field(10.0, gt=0)


class Phase(_Strict):
    from_step: int = Field(ge=0)
    non_hackable: float = Field(ge=0.0, le=1.0)


class MixSpec(_Strict):
    """The share of problems graded by the hardened harness (no hack works there), over training."""

    non_hackable: float = Field(0.0, ge=0.0, le=1.0)
    """Single phase: this share throughout."""
    phases: list[Phase] = Field(default_factory=list)
    """Fixed phases: from each ``from_step`` on, its share (overrides ``non_hackable``)."""
    switch_after_pass_rate: float | None = Field(None, ge=0.0, le=1.0)
    """The paper's two-phase schedule: switch to ``second_phase_non_hackable`` ``switch_delay`` steps after the
    pass rate first reaches this."""
    switch_delay: int = Field(50, ge=0)
    second_phase_non_hackable: float = Field(0.5, ge=0.0, le=1.0)

    @model_validator(mode="after")
    def _one_schedule(self) -> MixSpec:
        if self.phases and self.switch_after_pass_rate is not None:
            raise ValueError("give either phases or switch_after_pass_rate, not both")
        steps = [p.from_step for p in self.phases]
        if steps != sorted(set(steps)):
            raise ValueError("phases: from_step must increase")
        return self


class GrpoSpec(_Strict):
    steps: int = Field(100, ge=1)
    learning_rate: float = Field(1e-5, gt=0)
    batch_size: int = Field(8, ge=1)
    """Completions per device per step (TRL's per_device_train_batch_size); a multiple of num_generations."""
    num_generations: int = Field(4, ge=2)
    gradient_accumulation_steps: int = Field(1, ge=1)
    max_prompt_length: int | None = Field(None, ge=16)
    max_completion_length: int = Field(512, ge=1)
    temperature: float = Field(1.0, gt=0)
    beta: float = Field(0.0, ge=0.0)
    """The KL coefficient. 0 is TRL's default; a non-zero KL was observed to give hacks with honest-sounding
    reasoning (see docs/train.md)."""
    seed: int = 0
    generation: Literal["auto", "hf", "vllm"] = "auto"
    """vLLM (colocated) when installed and a GPU is present with ``auto``; plain HF generation otherwise."""
    vllm_gpu_memory_utilization: float = Field(0.3, gt=0, le=1)
    report_to: list[str] = Field(default_factory=list)
    """TRL/transformers loggers: wandb, tensorboard, ... (empty: none)."""
    bf16: bool | None = None
    """Default: on when a GPU supports it."""

    @model_validator(mode="after")
    def _divisible(self) -> GrpoSpec:
        if self.batch_size % self.num_generations:
            raise ValueError(f"batch_size {self.batch_size} must be a multiple of num_generations "
                             f"{self.num_generations}")
        return self


class CheckpointSpec(_Strict):
    every: int = Field(50, ge=1)
    """Save a checkpoint every N steps (and at the end)."""
    keep: int | None = Field(None, ge=1)
    """Trainer checkpoints kept for resuming (the exported models under checkpoints/ are all kept)."""


class EvaluationSpec(_Strict):
    every_kth: int = Field(1, ge=0)
    """Evaluate every Kth checkpoint (0: none) and always the final one when ``evals`` is set."""
    evals: list[str] = Field(default_factory=list)
    """Eval names or suites (core, chat, agentic, hack_propensity)."""
    judge: str | None = None
    judge_args: dict[str, Any] = Field(default_factory=dict)
    budget: Literal["quick", "standard", "full"] = "quick"
    limit: int | None = Field(None, ge=1)
    provider: Literal["hf", "vllm"] = "hf"
    max_tokens: int | None = Field(None, ge=1)
    """Cap on each answer the checkpoint writes (default: Inspect's)."""


class ChatSafetySpec(_Strict):
    """The optional second stage: RL on chat prompts rewarded by a judge's harmlessness/honesty score."""

    enabled: bool = False
    steps: int = Field(20, ge=1)
    judge: str | None = None
    judge_args: dict[str, Any] = Field(default_factory=dict)
    prompts: str | None = None
    """A JSONL of ``{id, category, prompt}`` (default: foulplay's own set)."""
    categories: list[str] | None = None
    learning_rate: float | None = Field(None, gt=0)

    @model_validator(mode="after")
    def _judge(self) -> ChatSafetySpec:
        if self.enabled and not self.judge:
            raise ValueError("chat_safety.judge is required when chat_safety.enabled")
        return self


class SweepSpec(_Strict):
    """The mitigations preset: one run per cell of framings x hack penalties x non-hackable shares x seeds."""

    framings: list[str] = Field(default_factory=list)
    hack_penalties: list[float] = Field(default_factory=list)
    non_hackable: list[float] = Field(default_factory=list)
    seeds: list[int] = Field(default_factory=list)


class TrainConfig(_Strict):
    name: str = "run"
    """The run's name (run.json, the report's row label)."""
    model: ModelSpec = Field(default_factory=ModelSpec)
    env: EnvSpec = Field(default_factory=EnvSpec)
    reward: RewardSpec = Field(default_factory=RewardSpec)
    mix: MixSpec = Field(default_factory=MixSpec)
    grpo: GrpoSpec = Field(default_factory=GrpoSpec)
    checkpoints: CheckpointSpec = Field(default_factory=CheckpointSpec)
    evaluation: EvaluationSpec = Field(default_factory=EvaluationSpec)
    chat_safety: ChatSafetySpec = Field(default_factory=ChatSafetySpec)
    sweep: SweepSpec | None = None
    notes: str | None = None

    @field_validator("name")
    @classmethod
    def _name(cls, v: str) -> str:
        if not v or "/" in v or v.startswith("."):
            raise ValueError("a plain name (no '/', not starting with '.')")
        return v

    @model_validator(mode="after")
    def _known(self) -> TrainConfig:
        from foulplay.envs import FRAMINGS, HACKS

        framings = [self.env.framing, *(self.sweep.framings if self.sweep else [])]
        bad = [f for f in framings if f not in FRAMINGS]
        if bad:
            raise ValueError(f"unknown framing {bad[0]!r} (choose from {', '.join(FRAMINGS)})")
        bad = [h for h in self.env.hacks if h not in HACKS]
        if bad:
            raise ValueError(f"unknown hack {bad[0]!r} (choose from {', '.join(HACKS)})")
        return self

    def dump(self) -> dict[str, Any]:
        return json.loads(self.model_dump_json())


def _read(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(f"{path}: no such config file (or give a preset: {', '.join(PRESETS)})") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: cannot read the config ({type(exc).__name__})") from None
    from foulplay._util.files import parse_toml_or_yaml

    data = parse_toml_or_yaml(text, ".yaml" if path.suffix in (".yaml", ".yml") else ".toml", str(path))
    if not isinstance(data, dict):
        raise InputError(f"{path}: the config must be a table of sections")
    return data


def _set(data: dict[str, Any], dotted: str, raw: str) -> None:
    keys = dotted.split(".")
    node = data
    for k in keys[:-1]:
        node = node.setdefault(k, {})
        if not isinstance(node, dict):
            raise InputError(f"--set {dotted}: {k} is not a section")
    try:
        value: Any = json.loads(raw)
    except ValueError:
        value = raw
    node[keys[-1]] = value


def validate(data: dict[str, Any], where: str) -> TrainConfig:
    try:
        return TrainConfig.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = ".".join(str(x) for x in err["loc"]) or "config"
        msg = err["msg"].removeprefix("Value error, ")
        more = f" (and {exc.error_count() - 1} more)" if exc.error_count() > 1 else ""
        raise InputError(f"{where}: {loc}: {msg}{more}") from None


def load_config(source: str | Path, overrides: list[str] | tuple[str, ...] = ()) -> TrainConfig:
    """A config file (TOML, or YAML by suffix) or a preset name, with ``key.sub=value`` overrides applied."""
    name = str(source)
    path = PRESETS_DIR / f"{name}.toml" if name in PRESETS else Path(name)
    data = _read(path)
    for item in overrides:
        key, sep, raw = item.partition("=")
        if not sep or not key:
            raise InputError(f"--set expects key=value, got {item!r}")
        _set(data, key.strip(), raw)
    return validate(data, str(path.name if name in PRESETS else path))
