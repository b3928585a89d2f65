#!/usr/bin/env bash
# `npm run gpu-check`: the one prepared check for a session that has a GPU machine (the device tool). On a machine
# without an NVIDIA GPU it says so and exits 0 at once.
#
# Preparation, here (the dev machine), once per session:
#   npm run build                          # packages' dist, the committed PTX checked, the emulator
#   node tools/gpu-check/bundle.mjs        # tools/gpu-check/dist: main.mjs + koffi + the fast CPU addon (~8 MB)
#   tools/gpu-smoke/prepare-node.sh        # a Node binary for a machine that may have none (tools/gpu-smoke/.node)
# Then the device tool's run with
#   command:   bash tools/gpu-check/run.sh
#   carry:     ["tools/gpu-check/dist", "tools/gpu-smoke/.node"]
#   timeout_s: 300                         (the checks stop themselves at ~240 s)
# and give the machine back afterwards. The PTX (packages/compute-cuda/ptx) and the model fixtures are tracked files,
# so they travel with the working tree. Output: $OUT/gpu-check.log (everything printed) and $OUT/gpu-check.jsonl (one
# JSON record per check: conformance test by test with cuBLAS and with our SGEMM, PyTorch fixtures, CUDA vs CPU on the
# 11M bench model, tokens/s of a training step and of scoring on the bench model and a Qwen2.5-0.5B-shaped model).
# Record the results in packages/compute-cuda/README.md ("GPU runs").
set -uo pipefail
cd "$(dirname "$0")/../.."
if [ ! -e /dev/nvidia0 ] && ! command -v nvidia-smi >/dev/null 2>&1; then
  echo "gpu-check: no NVIDIA GPU on this machine (no /dev/nvidia0, no nvidia-smi): nothing to check."
  echo "gpu-check: run it on a GPU machine; preparation and carry list are in the header of tools/gpu-check/run.sh."
  exit 0
fi
out="${OUT:-/tmp/sentrl-gpu-check}"
mkdir -p "$out"
NODE="$(command -v node || true)"
if [ -z "$NODE" ] && [ -f tools/gpu-smoke/.node/node.tar.xz ]; then
  mkdir -p /tmp/sentrl-node && tar -xJf tools/gpu-smoke/.node/node.tar.xz -C /tmp/sentrl-node && NODE=/tmp/sentrl-node/bin/node
fi
if [ -z "$NODE" ]; then echo "gpu-check: no node here and none carried (tools/gpu-smoke/prepare-node.sh, carry tools/gpu-smoke/.node)"; exit 1; fi
if [ ! -f tools/gpu-check/dist/main.mjs ]; then echo "gpu-check: tools/gpu-check/dist/main.mjs is missing (node tools/gpu-check/bundle.mjs here, then carry tools/gpu-check/dist)"; exit 1; fi
export PATH="$(dirname "$NODE"):$PATH"
export NODE_PATH="$PWD/tools/gpu-check/dist/node_modules"   # koffi for gpu-smoke.mjs
{
  echo "### nvidia-smi"; nvidia-smi 2>&1 | head -15
  echo "### gpu-smoke"; timeout 60 bash tools/gpu-smoke/gpu-smoke; smoke=$?
  echo "### checks"
  rm -f "$out/gpu-check.jsonl"
  OUT="$out" SENTRL_ROOT="$PWD" SENTRL_CUDA_PTX_DIR="$PWD/packages/compute-cuda/ptx" timeout 240 "$NODE" tools/gpu-check/dist/main.mjs; checks=$?
  echo "### summary: gpu-smoke rc=$smoke checks rc=$checks (124 = stopped at the time limit)"
} 2>&1 | tee "$out/gpu-check.log"
