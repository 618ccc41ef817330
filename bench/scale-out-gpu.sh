#!/usr/bin/env bash
# Issue 23, point 5: the scale-out trainer on a GPU machine (device), steps/s and peak GPU memory per process.
# Usage: bash bench/scale-out-gpu.sh BUNDLE [STEPS]
#   BUNDLE: a folder written by `unisight export-training BUNDLE --preset paper` (of the 2,000-study demo library),
#   or that folder as a .tar.gz (extracted beside it first). Prints the trainer's JSON lines; the last holds
#   stepsPerSecond, samplesPerSecond and peakGpuMemoryBytes (rank 0).
set -euo pipefail
bundle="$1"
steps="${2:-300}"
if [[ "$bundle" == *.tar.gz ]]; then
  folder="${bundle%.tar.gz}"
  mkdir -p "$folder" && tar -xzf "$bundle" -C "$folder"
  bundle="$folder"
fi
gpus=$(nvidia-smi -L | wc -l)
python3 -c 'import torch; print("torch", torch.__version__, "cuda", torch.version.cuda, torch.cuda.get_device_name(0))'
cd "$bundle"
rm -rf gpu-run
torchrun --standalone --nproc_per_node "$gpus" train.py --out gpu-run --max-steps "$steps" 2>&1 | grep '^{\|"step"' | tail -5
