"""A tiny randomly initialised causal LM and a tokenizer trained on the spot, for checking that a trainer,
foulplay's reward and the logging are wired together, with no download (needs ``foulplay[train]``)."""

from __future__ import annotations

from typing import Any

CHAT_TEMPLATE = ("{% for m in messages %}{{ m['role'] }}: {{ m['content'] }}\n{% endfor %}"
                 "{% if add_generation_prompt %}assistant: {% endif %}")


def tiny_causal_lm(texts: list[str], *, hidden: int = 32, layers: int = 1, vocab_size: int = 400,
                   max_positions: int = 4096, heads: int | None = None, kv_heads: int | None = None,
                   intermediate: int | None = None) -> tuple[Any, Any]:
    """``(model, tokenizer)``: a byte-level BPE tokenizer trained on ``texts`` (so any text round-trips)
    with a plain chat template, and a Qwen2-architecture model of the given size with random weights (by
    default ``hidden // 32`` heads, half as many key/value heads, and an MLP four times as wide; give real
    dimensions to time a model of that size without its weights)."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast, Qwen2Config, Qwen2ForCausalLM

    tok = Tokenizer(models.BPE(unk_token=None))
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    tok.train_from_iterator(texts, trainers.BpeTrainer(vocab_size=vocab_size, special_tokens=["<pad>", "<eos>"],
                                                       initial_alphabet=pre_tokenizers.ByteLevel.alphabet()))
    tokenizer = PreTrainedTokenizerFast(tokenizer_object=tok, pad_token="<pad>", eos_token="<eos>")
    tokenizer.chat_template = CHAT_TEMPLATE
    heads = heads or max(2, hidden // 64 * 2)
    config = Qwen2Config(vocab_size=len(tokenizer), hidden_size=hidden, intermediate_size=intermediate or 4 * hidden,
                         num_hidden_layers=layers, num_attention_heads=heads,
                         num_key_value_heads=kv_heads or max(1, heads // 2),
                         max_position_embeddings=max_positions, pad_token_id=tokenizer.pad_token_id,
                         eos_token_id=tokenizer.eos_token_id)
    return Qwen2ForCausalLM(config), tokenizer
