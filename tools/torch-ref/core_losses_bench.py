#!/usr/bin/env python3
"""Times the PyTorch reference of the `grpo` loss + reference KL (loss and autograd gradient w.r.t. logp).

Called by packages/core/bench/losses.ts with the very inputs the TypeScript side times:
    core_losses_bench.py <dir> <rows> <cols> <threads> <reps> <klType>...
<dir> holds mask.u8, logp.f32, oldLogp.f32, refLogp.f32, advantages.f32 (row-major). Prints one JSON object.
"""
import json
import os
import sys
import time

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from core_losses import COMMON, grpo_total  # noqa: E402


def main():
    d, rows, cols, threads, reps = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
    types = sys.argv[6:]
    torch.set_num_threads(threads)

    def load(name, dtype):
        return torch.from_numpy(np.fromfile(os.path.join(d, name), dtype=dtype).reshape(rows, cols))

    raw = {k: load(f"{k}.f32", np.float32) for k in ("logp", "oldLogp", "refLogp", "advantages")}
    mask_u8 = load("mask.u8", np.uint8)
    results = {"torch": torch.__version__, "threads": torch.get_num_threads(), "types": {}}
    for dtype, label in ((torch.float32, "f32"), (torch.float64, "f64")):
        m = mask_u8.to(dtype)
        t = {k: v.to(dtype) for k, v in raw.items()}
        for kind in types:
            c = dict(COMMON, useKlLoss=True, klLossType=kind)
            times = []
            loss = None
            for _ in range(reps + 1):  # first run warms up
                logp = t["logp"].clone().requires_grad_(True)
                t0 = time.perf_counter()
                total, _ = grpo_total(m, logp, t["oldLogp"], t["refLogp"], None, t["advantages"], c)
                total.backward()
                _ = logp.grad
                times.append(time.perf_counter() - t0)
                loss = total.item()
            best = sorted(times[1:])[len(times[1:]) // 2]
            results["types"].setdefault(kind, {})[label] = {"seconds": best, "loss": loss}
    print(json.dumps(results))


if __name__ == "__main__":
    main()
