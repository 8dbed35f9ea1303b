"""GPU smoke test of foulplay's training hooks: a short GRPO run with TRL on CUDA, a tiny causal LM built from
a config (no download), foulplay's reward on a hackable environment, then the verl and OpenRLHF adapters on
the completions the run produced. Prints one JSON summary line last; exits non-zero on any failure.

    bash scripts/gpu_smoke.sh            # on a machine with a CUDA GPU
    FOULPLAY_SMOKE_DEVICE=cpu bash scripts/gpu_smoke.sh   # dry run on the CPU
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
ROOT = Path(__file__).resolve().parents[1]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--steps", type=int, default=4)
    parser.add_argument("--device", default=os.environ.get("FOULPLAY_SMOKE_DEVICE", "cuda"))
    parser.add_argument("--hidden", type=int, default=256)
    args = parser.parse_args()

    import torch
    from datasets import Dataset
    from trl import GRPOConfig, GRPOTrainer

    from foulplay.envs import CodingEnv
    from foulplay.sandbox import available_isolation
    from foulplay.training import RewardConfig, load_run
    from foulplay.training import verl as verl_adapter
    from foulplay.training.openrlhf import RewardService, make_server
    from foulplay.training.tiny import tiny_causal_lm
    from foulplay.training.trl import ROLLOUTS_FILE, trl_reward

    cuda = args.device == "cuda"
    if cuda and not torch.cuda.is_available():
        print("error: CUDA is not available (set FOULPLAY_SMOKE_DEVICE=cpu for a CPU dry run)", file=sys.stderr)
        return 2
    device_name = torch.cuda.get_device_name(0) if cuda else "cpu"
    print(f"torch {torch.__version__}, device {device_name}", flush=True)
    env = CodingEnv.from_source("humaneval", framing="hacking_okay", assignment="round-robin",
                                only={f"HumanEval/{i}" for i in range(16)})
    rows = env.rows()
    texts = [m["content"] for r in rows for m in r["prompt"]] + [p.reference or "" for p in env.problems]
    torch.manual_seed(0)
    model, tokenizer = tiny_causal_lm(texts * 2, hidden=args.hidden, layers=4, vocab_size=1000)
    run_dir = Path(tempfile.mkdtemp(prefix="foulplay-smoke-"))
    reward = trl_reward(env, RewardConfig(hack_penalty=0.5, format_bonus=0.1, workers=8), run_dir=run_dir,
                        dump_completions=True)
    timings: list[float] = []

    def timed_reward(prompts, completions, **kwargs):
        t = time.perf_counter()
        out = reward(prompts, completions, **kwargs)
        timings.append(time.perf_counter() - t)
        return out

    timed_reward.__name__ = "foulplay_reward"
    config = GRPOConfig(output_dir=str(run_dir), per_device_train_batch_size=16, num_generations=8,
                        max_completion_length=64, max_steps=args.steps, report_to=[], save_strategy="no",
                        use_cpu=not cuda, bf16=cuda, logging_steps=1, learning_rate=1e-4, log_completions=True,
                        num_completions_to_print=0, seed=0)
    trainer = GRPOTrainer(model=model, reward_funcs=[timed_reward], args=config,
                          train_dataset=Dataset.from_list(rows), processing_class=tokenizer)
    param_device = str(next(trainer.model.parameters()).device)
    t0 = time.perf_counter()
    trainer.train()
    train_s = time.perf_counter() - t0
    logged = [h for h in trainer.state.log_history if "foulplay/pass_rate" in h]
    assert len(timings) == args.steps, f"reward called {len(timings)} times for {args.steps} steps"
    assert [h["step"] for h in logged] == list(range(1, args.steps + 1)), "foulplay metrics missing from the log"
    if cuda:
        assert param_device.startswith("cuda"), f"model ran on {param_device}"
    stats = load_run(run_dir)
    assert [s["step"] for s in stats.steps] == list(range(1, args.steps + 1))
    reward.close()

    # the same completions through the verl and OpenRLHF adapters
    dumped = [json.loads(line) for line in (run_dir / ROLLOUTS_FILE).read_text().splitlines()]
    verl_rows = {r["extra_info"]["task_id"]: r for r in env.export_rows("verl")}
    t = time.perf_counter()
    verl_out = verl_adapter.compute_score_batch(
        ["foulplay/humaneval"] * len(dumped), [d["completion"] for d in dumped],
        [verl_rows[d["task_id"]]["reward_model"]["ground_truth"] for d in dumped],
        [verl_rows[d["task_id"]]["extra_info"] for d in dumped], workers=8)
    verl_s = time.perf_counter() - t
    assert [o["passed"] for o in verl_out] == [int(d["passed"]) for d in dumped], "verl and TRL disagree"
    service = RewardService(env, RewardConfig(workers=8))
    server = make_server(service, port=0)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    body = json.dumps({"query": [d["completion"] for d in dumped], "prompts": [""] * len(dumped),
                       "labels": [d["task_id"] for d in dumped]}).encode()
    req = urllib.request.Request(f"http://127.0.0.1:{server.server_address[1]}/get_reward", data=body,
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=300) as resp:
        remote = json.loads(resp.read())
    server.shutdown()
    service.close()
    assert len(remote["rewards"]) == len(dumped)

    summary = {
        "ok": True, "device": device_name, "torch": torch.__version__, "steps": args.steps,
        "episodes": sum(s["episodes"] for s in stats.steps), "train_s": round(train_s, 2),
        "reward_s_per_step": round(sum(timings) / len(timings), 3),
        "reward_share_of_train": round(sum(timings) / train_s, 3),
        "verl_batch_s": round(verl_s, 3), "pass_rate_by_step": [round(s["pass_rate"], 3) for s in stats.steps],
        "hack_rate_by_step": [round(s["hack_rate"], 3) for s in stats.steps], "onset_step": stats.onset,
        "isolation": next((d["isolation"] for d in dumped if d["isolation"]), None)
        or f"{available_isolation().value} (no completion reached the sandbox)",
    }
    if cuda:
        summary["max_gpu_mem_mb"] = round(torch.cuda.max_memory_allocated() / 2**20, 1)
    print(json.dumps(summary))
    return 0


if __name__ == "__main__":
    sys.exit(main())
