"""PyTorch baseline for packages/model/bench/model.ts: scoring and one training step (forward, backward from
dLogp/dEntropy, clipped AdamW) of a random Qwen2-shaped model, float32, 2 threads, same shapes as the TS bench.

Usage: /usr/bin/python3 tools/torch-ref/model_bench.py '<json: {H, I, L, nh, nkv, V, B, T, reps}>'
Prints one JSON object: {"scoreTokensPerSecond", "trainTokensPerSecond"}.
"""
import json
import math
import sys
import time

import torch


def main():
    c = json.loads(sys.argv[1])
    torch.set_num_threads(2)
    torch.manual_seed(0)
    H, I, L, nh, nkv, V, B, T = (c[k] for k in ("H", "I", "L", "nh", "nkv", "V", "B", "T"))
    hd = H // nh

    def lin(o, i):
        return (torch.randn(o, i) / math.sqrt(i)).requires_grad_(True)

    P = {"emb": (torch.randn(V, H) * 0.5).requires_grad_(True), "norm": torch.ones(H, requires_grad=True)}
    for l in range(L):
        P[f"{l}.ln1"] = torch.ones(H, requires_grad=True)
        P[f"{l}.ln2"] = torch.ones(H, requires_grad=True)
        P[f"{l}.q"], P[f"{l}.k"], P[f"{l}.v"] = lin(nh * hd, H), lin(nkv * hd, H), lin(nkv * hd, H)
        P[f"{l}.bq"], P[f"{l}.bk"], P[f"{l}.bv"] = (torch.zeros(n, requires_grad=True) for n in (nh * hd, nkv * hd, nkv * hd))
        P[f"{l}.o"], P[f"{l}.g"], P[f"{l}.u"], P[f"{l}.d"] = lin(H, nh * hd), lin(I, H), lin(I, H), lin(H, I)
    inv = 1.0 / (1e6 ** (torch.arange(0, hd, 2).float() / hd))
    ang = torch.arange(T).float()[:, None] * inv[None, :]
    cos, sin = torch.cat([ang, ang], -1).cos(), torch.cat([ang, ang], -1).sin()
    mask = torch.ones(T, T, dtype=torch.bool).tril()

    def rms(x, w):
        return x * torch.rsqrt((x * x).mean(-1, keepdim=True) + 1e-6) * w

    def rot(x):
        return torch.cat([-x[..., hd // 2:], x[..., : hd // 2]], -1)

    def stats(ids):
        x = P["emb"][ids]
        for l in range(L):
            h = rms(x, P[f"{l}.ln1"])
            q = (h @ P[f"{l}.q"].T + P[f"{l}.bq"]).view(B, T, nh, hd).transpose(1, 2)
            k = (h @ P[f"{l}.k"].T + P[f"{l}.bk"]).view(B, T, nkv, hd).transpose(1, 2)
            v = (h @ P[f"{l}.v"].T + P[f"{l}.bv"]).view(B, T, nkv, hd).transpose(1, 2)
            q, k = q * cos + rot(q) * sin, k * cos + rot(k) * sin
            k, v = k.repeat_interleave(nh // nkv, 1), v.repeat_interleave(nh // nkv, 1)
            s = (q @ k.transpose(-1, -2)) / math.sqrt(hd)
            a = torch.softmax(s.masked_fill(~mask, float("-inf")), -1) @ v
            x = x + a.transpose(1, 2).reshape(B, T, H) @ P[f"{l}.o"].T
            h = rms(x, P[f"{l}.ln2"])
            x = x + (torch.nn.functional.silu(h @ P[f"{l}.g"].T) * (h @ P[f"{l}.u"].T)) @ P[f"{l}.d"].T
        z = rms(x, P["norm"])[:, :-1] @ P["emb"].T
        lp = torch.log_softmax(z, -1)
        logp = lp.gather(-1, ids[:, 1:, None])[..., 0]
        ent = -(lp.exp() * lp).sum(-1)
        return logp, ent

    ids = torch.randint(0, V, (B, T))
    opt = torch.optim.AdamW(list(P.values()), lr=1e-4)
    dl, de = torch.randn(B, T - 1), torch.randn(B, T - 1)

    def score():
        with torch.no_grad():
            stats(ids)

    def train():
        opt.zero_grad()
        logp, ent = stats(ids)
        ((logp * dl).sum() + (ent * de).sum()).backward()
        torch.nn.utils.clip_grad_norm_(list(P.values()), 1.0)
        opt.step()

    def timed(fn):
        fn()
        ts = []
        for _ in range(c.get("reps", 3)):
            t0 = time.perf_counter()
            fn()
            ts.append(time.perf_counter() - t0)
        return sorted(ts)[len(ts) // 2]

    print(json.dumps({"scoreTokensPerSecond": B * T / timed(score), "trainTokensPerSecond": B * T / timed(train)}))


if __name__ == "__main__":
    main()
