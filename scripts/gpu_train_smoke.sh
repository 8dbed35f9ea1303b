#!/usr/bin/env bash
# foulplay train on a GPU host, with no model weights and no hub: the smoke preset, then a short run of a
# randomly initialised model at a real organism's dimensions (Qwen3-8B's width and heads; LAYERS layers, 8 by
# default: memory and step time grow about linearly with layers, so scale the figures for 36), printing step
# time, peak GPU memory and the foulplay metrics. vLLM is used when installed (colocated), else HF generation.
#
#   scripts/gpu_train_smoke.sh [OUT]      (OUT default: /tmp/foulplay-gpu-smoke; scripts/gpu_smoke.sh runs it too)
#   WHEELS=wheels/ scripts/gpu_train_smoke.sh   install missing packages (trl, peft, ...) from a wheel folder
#   HIDDEN=64 HEADS=2 KV_HEADS=1 INTERMEDIATE=128 LAYERS=1 scripts/gpu_train_smoke.sh   a dry run on a CPU
#
# Record what it prints in README ("Training on a GPU"), with the GPU's name; label other sizes as estimates.
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${1:-/tmp/foulplay-gpu-smoke}
LAYERS=${LAYERS:-8}
HIDDEN=${HIDDEN:-4096}; HEADS=${HEADS:-32}; KV_HEADS=${KV_HEADS:-8}; INTERMEDIATE=${INTERMEDIATE:-12288}
STEPS=${STEPS:-4}
PY=${PYTHON:-python3}
[ -z "${PYTHON:-}" ] && [ -x .venv/bin/python ] && PY=.venv/bin/python
export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 TRL_EXPERIMENTAL_SILENCE=1 PYTHONWARNINGS=ignore

if [ -n "${WHEELS:-}" ]; then
  $PY -m pip install --quiet --no-index --find-links "$WHEELS" trl peft datasets pyyaml 2>&1 | tail -2 || true
fi
$PY -c 'import foulplay' 2>/dev/null || $PY -m pip install --quiet --no-deps --no-build-isolation -e . 2>&1 | tail -2
$PY - <<'PY'
import torch, transformers, trl
print(f"gpu: {torch.cuda.get_device_name(0) if torch.cuda.is_available() else 'none'}; torch {torch.__version__}; "
      f"transformers {transformers.__version__}; trl {trl.__version__}")
try:
    import vllm
    print(f"vllm {vllm.__version__}")
except ImportError:
    print("vllm: not installed (HF generation)")
PY

report() {  # $1 run folder, $2 label
  $PY - "$1" "$2" <<'PY'
import json, sys
from pathlib import Path
run, label = Path(sys.argv[1]), sys.argv[2]
state = sorted(run.glob("trainer/checkpoint-*/trainer_state.json"), key=lambda p: int(p.parent.name.split("-")[1]))
hist = json.loads(state[-1].read_text())["log_history"] if state else []
steps = [h for h in hist if "step_time" in h]
times = [float(h["step_time"]) for h in steps]
print(f"{label}: {len(steps)} steps; step time mean {sum(times)/max(1,len(times)):.2f} s "
      f"(first {times[0] if times else float('nan'):.2f} s, last {times[-1] if times else float('nan'):.2f} s)")
for h in steps:
    keys = ["foulplay/pass_rate", "foulplay/hack_rate", "foulplay/true_solve_rate", "completions/mean_length"]
    print("  step", h["step"], {k.split("/")[-1]: h.get(k) for k in keys})
mem = run / "gpu_memory.json"
if mem.exists():
    print(f"  peak GPU memory: {json.loads(mem.read_text())['peak_gib']:.1f} GiB")
PY
}

run_one() {  # $1 label, $2 run folder, then --set overrides
  local label=$1 dir=$2; shift 2
  local start=$(date +%s)
  $PY - "$dir" "$@" <<'PY'
import json, sys
from pathlib import Path
import torch
from foulplay.recipe import load_config, train
dir, sets = sys.argv[1], sys.argv[2:]
config = load_config("smoke", sets)
torch.cuda.reset_peak_memory_stats() if torch.cuda.is_available() else None
result = train(config, dir, fresh=True, say=lambda s: print(s, flush=True))
peak = torch.cuda.max_memory_allocated() / 2**30 if torch.cuda.is_available() else 0.0
Path(dir, "gpu_memory.json").write_text(json.dumps({"peak_gib": peak}))
print(f"checkpoints {result.checkpoints}; evaluated {result.evaluated}")
PY
  echo "$label: wall $(( $(date +%s) - start )) s"
  report "$dir" "$label"
}

run_one "smoke preset" "$OUT/smoke"
run_one "random Qwen3-8B-width model, $LAYERS layers" "$OUT/organism-dims" \
  "grpo.steps=$STEPS" "grpo.generation=auto" "grpo.batch_size=8" "grpo.num_generations=4" \
  "grpo.max_completion_length=256" "model.dtype=bfloat16" "model.tiny_hidden=$HIDDEN" "model.tiny_layers=$LAYERS" \
  "model.tiny_heads=$HEADS" "model.tiny_kv_heads=$KV_HEADS" "model.tiny_intermediate=$INTERMEDIATE" "model.tiny_vocab=4096" \
  "model.lora={\"r\": 32, \"alpha\": 64, \"dropout\": 0.0}" "evaluation.evals=[]" "checkpoints.every=$STEPS"
