#!/usr/bin/env bash
# The one prepared script for a session that has a GPU machine (device tool). Build here first:
#   npm run build && tools/gpu-smoke/prepare-node.sh
# then call the device tool's run with
#   command: bash tools/gpu-check
#   carry:   ["node_modules/koffi", "node_modules/@sentrl", "packages/compute/dist", "packages/compute-cuda/dist",
#             "tools/gpu-smoke/.node"]
#   timeout_s: 300
# and give the machine back afterwards. Everything it prints is also written to $OUT/gpu-check.log.
# Add new device checks (CUDA kernels against the CPU reference, benchmarks) as steps below, keeping the whole
# script well inside one call.
set -uo pipefail
cd "$(dirname "$0")/.."
log="${OUT:-/tmp}/gpu-check.log"
{
  echo "### gpu-smoke"; bash tools/gpu-smoke/gpu-smoke; smoke=$?
  NODE="$(command -v node || echo /tmp/sentrl-node/bin/node)"
  echo "### compute-cuda device check"; "$NODE" packages/compute-cuda/scripts/device-check.mjs; cuda=$?
  echo "### summary: gpu-smoke rc=$smoke compute-cuda rc=$cuda"
} 2>&1 | tee "$log"
