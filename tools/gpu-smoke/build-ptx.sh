#!/usr/bin/env bash
# Regenerates smoke_kernel.ptx from smoke_kernel.cu with the local nvcc (no GPU needed).
set -euo pipefail
cd "$(dirname "$0")"
nvcc -ptx -arch=compute_75 -o smoke_kernel.ptx smoke_kernel.cu
echo "wrote $(pwd)/smoke_kernel.ptx ($(grep -m1 '^.version' smoke_kernel.ptx))"
