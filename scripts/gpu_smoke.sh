#!/usr/bin/env bash
# GPU smoke test: a short GRPO run with foulplay's TRL reward on CUDA, then the verl and OpenRLHF adapters, then
# `foulplay train`'s smoke preset and a random model at a real organism's dimensions (scripts/gpu_train_smoke.sh).
# Uses .venv when present (make install-train), else the python on PATH. Wheels in $FOULPLAY_WHEELS (a
# folder, for machines without an index) are installed offline first. FOULPLAY_SMOKE_DEVICE=cpu: dry run.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=python3
[ -x .venv/bin/python ] && PY=.venv/bin/python
if [ -n "${FOULPLAY_WHEELS:-}" ]; then
  "$PY" -m pip install --quiet --disable-pip-version-check --no-index --find-links "$FOULPLAY_WHEELS" -e '.[train]'
fi
if [ "${FOULPLAY_SMOKE_DEVICE:-cuda}" = cuda ] && command -v nvidia-smi >/dev/null 2>&1; then
  nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader
fi
"$PY" scripts/gpu_smoke.py "$@"
if [ "${FOULPLAY_SMOKE_DEVICE:-cuda}" = cuda ]; then
  PYTHON="$PY" bash scripts/gpu_train_smoke.sh "${FOULPLAY_TRAIN_OUT:-/tmp/foulplay-gpu-smoke}"
fi
