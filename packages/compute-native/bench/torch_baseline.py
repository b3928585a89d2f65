"""PyTorch CPU baseline for bench/gemm.ts: the same GEMM layouts and fused-logits work, float32, 2 threads.

Reads a JSON job on stdin ({"threads", "gemm": [[M, K, N], ...], "logits": {"rows", "dim", "vocab", "temperature"}})
and prints one JSON object on stdout: {"torch": version, "gemm": [{M, K, N, fwd_s, dx_s, dw_s}], "logits": {...}}.
Times are the minimum per-call wall times in seconds.
"""
import json
import sys
import time

import torch


def best_time(fn, min_iters=5, min_seconds=0.3):
    """Minimum per-call seconds (least disturbed on a shared machine)."""
    fn()
    fn()
    times = []
    start = time.perf_counter()
    while len(times) < min_iters or time.perf_counter() - start < min_seconds:
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
        if len(times) >= 200:
            break
    return min(times)


def main():
    job = json.load(sys.stdin)
    torch.set_num_threads(int(job["threads"]))
    torch.manual_seed(0)
    out = {"torch": torch.__version__, "threads": torch.get_num_threads(), "gemm": [], "logits": None}
    with torch.no_grad():
        for m, k, n in job["gemm"]:
            x = torch.randn(m, k)
            w = torch.randn(n, k)
            dy = torch.randn(m, n)
            y = torch.empty(m, n)
            dx = torch.empty(m, k)
            dw = torch.zeros(n, k)
            fwd = best_time(lambda: torch.mm(x, w.t(), out=y))
            bwd_x = best_time(lambda: torch.mm(dy, w, out=dx))
            bwd_w = best_time(lambda: dw.addmm_(dy.t(), x))
            out["gemm"].append({"M": m, "K": k, "N": n, "fwd_s": fwd, "dx_s": bwd_x, "dw_s": bwd_w})

    lg = job["logits"]
    rows, dim, vocab, temp = lg["rows"], lg["dim"], lg["vocab"], lg["temperature"]
    h = torch.randn(rows, dim) * 0.5
    w = torch.randn(vocab, dim) * 0.1
    targets = torch.randint(0, vocab, (rows,))
    dl = torch.randn(rows)
    de = torch.randn(rows)

    def stats(hh, ww):
        z = (hh @ ww.t()) / temp
        logp_all = torch.log_softmax(z, dim=-1)
        logp = logp_all.gather(1, targets[:, None])[:, 0]
        ent = -(logp_all.exp() * logp_all).sum(-1)
        return logp, ent

    def forward():
        with torch.no_grad():
            stats(h, w)

    hg = h.clone().requires_grad_(True)
    wg = w.clone().requires_grad_(True)

    def forward_backward():
        hg.grad = None
        wg.grad = None
        logp, ent = stats(hg, wg)
        (logp * dl + ent * de).sum().backward()

    out["logits"] = {"fwd_s": best_time(forward), "fwd_bwd_s": best_time(forward_backward)}
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
