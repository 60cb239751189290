#!/usr/bin/env bash
# GPU check for a machine with a real GPU: every method for a few steps on the device against the CPU backend of the
# same build, perplexity on both, tokens/s (bench/gpu-check.ts). Usage: bench/gpu-check.sh [cuda|vulkan|metal]
# Needs node_modules (npm ci); prints what the driver reports first.
set -euo pipefail
cd "$(dirname "$0")/.."
device="${1:-cuda}"
[ -d node_modules ] || npm ci
if command -v nvidia-smi >/dev/null; then nvidia-smi --query-gpu=name,driver_version,memory.total,memory.free --format=csv || true; fi
node bin/run-ts.js bench/gpu-check.ts --device "$device" "${@:2}"
