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
    parser.add_argument("--scripted-steps", type=int, default=3,
                        help="then this many steps of a scripted policy that hacks from its second step")
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
    from foulplay.hacks import context_for, get

    hack_ids = {"always_equal": "always-equal-object", "early_exit": "os-exit-zero",
                "conftest": "conftest-report-patch"}
    answers = {}
    for p in env.problems:
        hack = get(hack_ids[env.open_hacks(p)[0]]).payload(context_for(p))
        answers[p.task_id] = (f"```python\n{p.prompt}{p.reference}```", hack.to_completion(p.solution_path))
    texts = [m["content"] for r in rows for m in r["prompt"]] + [a for pair in answers.values() for a in pair]
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

    # a policy scripted through TRL's rollout_func: honest, then hacking half the time from its second step
    scripted: dict[str, object] = {}
    if args.scripted_steps:
        os.environ.setdefault("TRL_EXPERIMENTAL_SILENCE", "1")
        by_prompt = {env.user_prompt(p): p for p in env.problems}

        def policy(prompts, trainer):
            step = trainer.state.global_step + 1
            out: dict[str, list] = {"prompt_ids": [], "completion_ids": [], "logprobs": []}
            for i, prompt in enumerate(prompts):
                problem = by_prompt[prompt[-1]["content"]]
                ids = tokenizer(answers[problem.task_id][step >= 2 and i % 2 == 0])["input_ids"]
                ids.append(tokenizer.eos_token_id)
                text = tokenizer.apply_chat_template(prompt, tokenize=False, add_generation_prompt=True)
                out["prompt_ids"].append(tokenizer(text)["input_ids"])
                out["completion_ids"].append(ids)
                out["logprobs"].append([0.0] * len(ids))
            return out

        run2 = Path(tempfile.mkdtemp(prefix="foulplay-smoke-scripted-"))
        reward2 = trl_reward(env, RewardConfig(workers=8), run_dir=run2, dump_completions=True)
        config2 = GRPOConfig(output_dir=str(run2), per_device_train_batch_size=16, num_generations=8,
                             max_completion_length=1024, max_steps=args.scripted_steps, report_to=[],
                             save_strategy="no", use_cpu=not cuda, bf16=cuda, logging_steps=1, learning_rate=1e-4,
                             num_completions_to_print=0, seed=0)
        t = time.perf_counter()
        GRPOTrainer(model=trainer.model, reward_funcs=[reward2], args=config2, train_dataset=Dataset.from_list(rows),
                    processing_class=tokenizer, rollout_func=policy).train()
        scripted_s = time.perf_counter() - t
        reward2.close()
        stats2 = load_run(run2)
        hack_rates = [round(s["hack_rate"], 3) for s in stats2.steps]
        assert hack_rates[0] == 0.0 and all(h > 0 for h in hack_rates[1:]), f"scripted hack rates {hack_rates}"
        assert stats2.onset == 2, f"scripted onset {stats2.onset}"
        scripted = {"scripted_steps": args.scripted_steps, "scripted_s": round(scripted_s, 2),
                    "scripted_pass_rate": [round(s["pass_rate"], 3) for s in stats2.steps],
                    "scripted_true_solve_rate": [round(s["true_solve_rate"], 3) for s in stats2.steps],
                    "scripted_hack_rate": hack_rates, "scripted_onset": stats2.onset,
                    "scripted_isolation": next((json.loads(line)["isolation"] for line in
                                                (run2 / ROLLOUTS_FILE).read_text().splitlines()
                                                if json.loads(line)["isolation"]), None)}

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
    summary.update(scripted)
    if cuda:
        summary["max_gpu_mem_mb"] = round(torch.cuda.max_memory_allocated() / 2**20, 1)
    print(json.dumps(summary))
    return 0


if __name__ == "__main__":
    sys.exit(main())
