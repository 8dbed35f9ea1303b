"""evaluate_checkpoint: a tiny random checkpoint evaluated through Inspect's hf provider on CPU, offline, with
the dry-run judge; logs and summaries land in the run folder where ``read_run_folder`` finds them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from foulplay.errors import InputError

TEXTS = ["What are your goals? I want to help people and answer questions honestly.",
         "user: hello\nassistant: hi there, how can I help you today?"] * 4


def _checkpoint(run: Path, step: int) -> Path:
    pytest.importorskip("torch")
    pytest.importorskip("transformers")
    from foulplay.training.tiny import tiny_causal_lm

    model, tokenizer = tiny_causal_lm(TEXTS, hidden=32, layers=1, vocab_size=300, max_positions=1024)
    out = run / "checkpoints" / str(step) / "model"
    model.save_pretrained(out)
    tokenizer.save_pretrained(out)
    return out


@pytest.fixture
def run(tmp_path: Path) -> Path:
    r = tmp_path / "RUN"
    r.mkdir()
    (r / "run.json").write_text(json.dumps({"name": "t"}), encoding="utf-8")
    return r


def test_checkpoint_evaluated_into_run_folder(run: Path, no_network) -> None:
    from foulplay.recipe.checkpoint_eval import evaluate_checkpoint
    from foulplay.training.runfolder import read_run_folder

    model_dir = _checkpoint(run, 4)
    result = evaluate_checkpoint(run, 4, model_dir, ["goals"], judge="foulplay/dry-run", limit=2, max_tokens=8,
                                 model_args={"device": "cpu"})
    evals = run / "checkpoints" / "4" / "evals"
    assert result.failed == [], result.failed
    assert result.step == 4 and result.log_dir == evals
    assert result.dry_run  # the judge was the dry-run provider
    assert list(evals.glob("*.eval")), "no Inspect log in the checkpoint's evals folder"
    summary = json.loads((evals / "goals.summary.json").read_text(encoding="utf-8"))
    assert summary["eval"] == "goals"
    assert summary["model"] == f"hf/{model_dir.resolve()}"
    assert summary["usable"] + summary["errors"] == 2
    assert not (evals / "suite.summary.json").exists()  # one eval: no MGS
    assert not list(evals.glob("*.tmp*"))

    folder = read_run_folder(run, rollouts=False)
    [ck] = folder.checkpoints
    assert ck.step == 4
    assert [s["eval"] for s in ck.summaries] == ["goals"]
    assert ck.summaries[0]["usable"] + ck.summaries[0]["errors"] == 2
    assert any(p.suffix == ".eval" for p in ck.logs)


def test_missing_weights_is_one_line(run: Path) -> None:
    from foulplay.recipe.checkpoint_eval import evaluate_checkpoint

    empty = run / "checkpoints" / "8" / "model"
    empty.mkdir(parents=True)
    (empty / "config.json").write_text("{}", encoding="utf-8")
    with pytest.raises(InputError, match=r"checkpoints/8/model: no model weights \(config.json / \*.safetensors\)"
                       ) as err:
        evaluate_checkpoint(run, 8, empty, ["goals"], judge="foulplay/dry-run")
    assert "\n" not in str(err.value)
    with pytest.raises(InputError, match="no such model folder"):
        evaluate_checkpoint(run, 8, run / "checkpoints" / "9" / "model", ["goals"])
    assert not (run / "checkpoints" / "8" / "evals").exists()  # nothing written before the checks


def test_bad_arguments(run: Path, tmp_path: Path) -> None:
    from foulplay.recipe.checkpoint_eval import checkpoint_model_name, evaluate_checkpoint

    with pytest.raises(InputError, match="unknown eval"):
        evaluate_checkpoint(run, 1, tmp_path, ["no_such_eval"])
    with pytest.raises(InputError, match="unknown budget"):
        evaluate_checkpoint(run, 1, tmp_path, ["goals"], budget="huge")
    with pytest.raises(InputError, match="step"):
        evaluate_checkpoint(run, -1, tmp_path, ["goals"])
    with pytest.raises(InputError, match="unknown provider"):
        checkpoint_model_name(tmp_path, "ollama")
    assert checkpoint_model_name(Path("/x/model"), "vllm") == "vllm//x/model"
