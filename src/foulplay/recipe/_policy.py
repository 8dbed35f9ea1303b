"""The policy to train: a local model folder, a hub name (only with ``allow_download``), or ``tiny`` (a randomly
initialised model and a tokenizer trained on the spot, saved in ``RUN/base_model`` so a resumed run and the
checkpoint evaluations use the very same one)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from foulplay.errors import InputError
from foulplay.recipe._config import TrainConfig
from foulplay.recipe.checkpoint_eval import has_weights

BASE_DIR = "base_model"


def _dtype(name: str) -> Any:
    import torch

    return {"auto": "auto", "float32": torch.float32, "bfloat16": torch.bfloat16, "float16": torch.float16}[name]


def load_policy(config: TrainConfig, run_dir: Path, texts: list[str]) -> tuple[Any, Any, str]:
    """``(model, tokenizer, where)``: ``where`` is the folder or name the weights came from."""
    from transformers import AutoModelForCausalLM, AutoTokenizer

    spec = config.model
    base = run_dir / BASE_DIR
    if spec.name == "tiny":
        if not has_weights(base):
            import torch

            from foulplay.training.tiny import tiny_causal_lm

            torch.manual_seed(config.grpo.seed)
            model, tokenizer = tiny_causal_lm(texts, hidden=spec.tiny_hidden, layers=spec.tiny_layers,
                                              vocab_size=spec.tiny_vocab, heads=spec.tiny_heads,
                                              kv_heads=spec.tiny_kv_heads, intermediate=spec.tiny_intermediate)
            if spec.dtype in ("bfloat16", "float16"):
                model = model.to(_dtype(spec.dtype))
            base.mkdir(parents=True, exist_ok=True)
            model.save_pretrained(base)
            tokenizer.save_pretrained(base)
        source = str(base)
        local = True
    else:
        path = Path(spec.name).expanduser()
        local = path.exists()
        if local and not has_weights(path):
            raise InputError(f"{path}: no model weights (config.json and *.safetensors or pytorch_model*.bin) in "
                             "this folder")
        if not local and not spec.allow_download:
            raise InputError(f"model {spec.name!r}: no such local folder, and downloading is off (set "
                             "model.allow_download = true to fetch it from the hub)")
        source = str(path) if local else spec.name
    try:
        tokenizer = AutoTokenizer.from_pretrained(source, local_files_only=local)
        model = AutoModelForCausalLM.from_pretrained(source, local_files_only=local, dtype=_dtype(spec.dtype))
    except OSError as exc:
        first = str(exc).strip().splitlines()[0][:200] if str(exc).strip() else type(exc).__name__
        raise InputError(f"model {spec.name!r}: cannot load it ({first})") from None
    if tokenizer.pad_token is None:
        tokenizer.pad_token = tokenizer.eos_token
    if getattr(tokenizer, "chat_template", None) is None:
        raise InputError(f"model {spec.name!r}: its tokenizer has no chat template (the environment's prompts are "
                         "chat messages); use an instruct model")
    return model, tokenizer, source


def lora_config(config: TrainConfig) -> Any:
    if config.model.full_finetune or config.model.lora is None:
        return None
    from peft import LoraConfig

    spec = config.model.lora
    return LoraConfig(r=spec.r, lora_alpha=spec.alpha, lora_dropout=spec.dropout,
                      target_modules=spec.target_modules, task_type="CAUSAL_LM")


def export_model(model: Any, tokenizer: Any, out: Path) -> Path:
    """The policy as a plain HF model folder (a LoRA adapter merged into a copy of the weights), for evaluating
    it through Inspect's hf/ or vllm/ provider."""
    import copy

    out.mkdir(parents=True, exist_ok=True)
    plain = model
    if hasattr(model, "merge_and_unload"):
        plain = copy.deepcopy(model).merge_and_unload()
    plain.save_pretrained(out)
    tokenizer.save_pretrained(out)
    return out
