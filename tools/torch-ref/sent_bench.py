#!/usr/bin/env python3
"""Times the PyTorch reference of the SENT / entropy-baseline losses (loss + autograd gradient, selection included)
on a batch written by a package benchmark (packages/{token-entropy-kl,entropy-baselines}/bench/*.ts).

Usage: sent_bench.py <dir> '<json list of {"loss", "options", "common"}>' [reps]
<dir> holds meta.json ({"rows", "cols", "ctxSeed"}) and raw little-endian arrays: mask.u8, logp.f32, oldLogp.f32,
refLogp.f32, entropy.f32, advantages.f32. Runs in float32 (what verl runs) on 2 threads; prints one JSON line per
case: {"index", "ms" (median of reps after one warm-up), "loss"}.
"""
import json
import os
import statistics
import sys
import time

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(__file__))
from sent_losses import total_loss  # noqa: E402

torch.set_num_threads(2)


def main():
    d, cases = sys.argv[1], json.loads(sys.argv[2])
    reps = int(sys.argv[3]) if len(sys.argv) > 3 else 3
    meta = json.load(open(os.path.join(d, "meta.json")))
    rows, cols = meta["rows"], meta["cols"]

    def load(name, dtype):
        return torch.from_numpy(np.fromfile(os.path.join(d, name), dtype=dtype).reshape(rows, cols))

    base = dict(mask=load("mask.u8", np.uint8), oldLogp=load("oldLogp.f32", np.float32),
                refLogp=load("refLogp.f32", np.float32), entropy=load("entropy.f32", np.float32),
                advantages=load("advantages.f32", np.float32), ctxSeed=meta.get("ctxSeed", 0),
                gatherCodeExact=True)
    logp0 = load("logp.f32", np.float32)
    for i, c in enumerate(cases):
        times = []
        value = None
        for r in range(reps + 1):
            inp = dict(base, logp=logp0.clone().requires_grad_(True))
            t0 = time.perf_counter()
            total, _, _ = total_loss(c["loss"], inp, c.get("options", {}), c.get("common", {}), check_ties=False)
            total.backward()
            _ = inp["logp"].grad
            t1 = time.perf_counter()
            value = float(total)
            if r > 0:
                times.append((t1 - t0) * 1000)
        print(json.dumps({"index": i, "ms": statistics.median(times), "loss": value}), flush=True)


if __name__ == "__main__":
    main()
