"""PyTorch CPU baseline for bench/step.ts: one training step (forward, backward of sum(dl*logp + de*entropy), AdamW)
of the 11M-parameter Qwen2-shaped model (hidden 384, 6 layers, 6 heads, 2 KV heads, intermediate 1024, vocab 4096),
written in plain torch (no transformers), float32. Reads {"threads", "batch", "seq", "steps"} on stdin and prints
{"torch", "step_s", "tokens_per_s", "params"} (step_s is the fastest of `steps` timed steps after one warm-up).
"""
import json
import math
import sys
import time

import torch
import torch.nn.functional as F

H, L, NH, NKV, I, V = 384, 6, 6, 2, 1024, 4096
HD = H // NH


class RMSNorm(torch.nn.Module):
    def __init__(self, dim, eps=1e-6):
        super().__init__()
        self.weight = torch.nn.Parameter(torch.ones(dim))
        self.eps = eps

    def forward(self, x):
        return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps) * self.weight


def rotate_half(x):
    x1, x2 = x[..., : x.shape[-1] // 2], x[..., x.shape[-1] // 2 :]
    return torch.cat((-x2, x1), dim=-1)


class Block(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.ln1 = RMSNorm(H)
        self.ln2 = RMSNorm(H)
        self.q = torch.nn.Linear(H, NH * HD)
        self.k = torch.nn.Linear(H, NKV * HD)
        self.v = torch.nn.Linear(H, NKV * HD)
        self.o = torch.nn.Linear(NH * HD, H, bias=False)
        self.gate = torch.nn.Linear(H, I, bias=False)
        self.up = torch.nn.Linear(H, I, bias=False)
        self.down = torch.nn.Linear(I, H, bias=False)

    def forward(self, x, cos, sin, mask):
        b, t, _ = x.shape
        h = self.ln1(x)
        q = self.q(h).view(b, t, NH, HD).transpose(1, 2)
        k = self.k(h).view(b, t, NKV, HD).transpose(1, 2)
        v = self.v(h).view(b, t, NKV, HD).transpose(1, 2)
        q = q * cos + rotate_half(q) * sin
        k = k * cos + rotate_half(k) * sin
        k = k.repeat_interleave(NH // NKV, dim=1)
        v = v.repeat_interleave(NH // NKV, dim=1)
        att = (q @ k.transpose(-1, -2)) / math.sqrt(HD) + mask
        y = torch.softmax(att, dim=-1) @ v
        x = x + self.o(y.transpose(1, 2).reshape(b, t, H))
        h = self.ln2(x)
        return x + self.down(F.silu(self.gate(h)) * self.up(h))


class Model(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.embed = torch.nn.Embedding(V, H)
        self.layers = torch.nn.ModuleList([Block() for _ in range(L)])
        self.norm = RMSNorm(H)
        self.lm_head = torch.nn.Linear(H, V, bias=False)

    def forward(self, ids):
        b, t = ids.shape
        inv = 1e6 ** (-torch.arange(0, HD, 2, dtype=torch.float32) / HD)
        ang = torch.arange(t, dtype=torch.float32)[:, None] * inv[None, :]
        ang = torch.cat([ang, ang], dim=-1)
        cos, sin = ang.cos(), ang.sin()
        mask = torch.full((t, t), float("-inf")).triu(1)
        x = self.embed(ids)
        for layer in self.layers:
            x = layer(x, cos, sin, mask)
        return self.lm_head(self.norm(x))


def main():
    job = json.load(sys.stdin)
    torch.set_num_threads(int(job["threads"]))
    torch.manual_seed(0)
    b, t = int(job["batch"]), int(job["seq"])
    model = Model()
    params = sum(p.numel() for p in model.parameters())
    opt = torch.optim.AdamW(model.parameters(), lr=1e-4, weight_decay=0.01)
    ids = torch.randint(0, V, (b, t + 1))
    dl = torch.randn(b, t)
    de = torch.randn(b, t)

    def step():
        opt.zero_grad(set_to_none=True)
        z = model(ids[:, :-1]) / 0.7
        logp_all = torch.log_softmax(z, dim=-1)
        logp = logp_all.gather(-1, ids[:, 1:, None])[..., 0]
        ent = -(logp_all.exp() * logp_all).sum(-1)
        (logp * dl + ent * de).sum().backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()

    step()
    best = float("inf")
    for _ in range(int(job["steps"])):
        t0 = time.perf_counter()
        step()
        best = min(best, time.perf_counter() - t0)
    json.dump({"torch": torch.__version__, "params": params, "step_s": best, "tokens_per_s": b * t / best}, sys.stdout)


if __name__ == "__main__":
    main()
