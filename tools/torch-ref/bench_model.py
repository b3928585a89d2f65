"""PyTorch CPU baseline for packages/model/bench (the fast CPU backend bench): the same Qwen2-family model folder
(config.json + model.safetensors written by the TS bench), the same token rows and upstream gradients, float32,
`torch.set_num_threads(threads)`.

Usage: /usr/bin/python3 tools/torch-ref/bench_model.py '<json: {dir, inputs, modes, reps, threads}>'
  dir     model folder (config.json, model.safetensors, F32, tied or untied embeddings)
  inputs  JSON file {tokens: [[..]], dLogp: [[..]], dEntropy: [[..]]} (equal-length rows)
  modes   any of "train" (zero_grad, forward, backward of sum(logp·dLogp + entropy·dEntropy), clip_grad_norm_(1),
          AdamW step) and "score" (no_grad forward to per-token logp and entropy)
  linear  "aten" (default: F.linear, i.e. whatever BLAS this torch links; Debian's torch 1.13 links the generic
          reference libblas) or "onednn" (every linear layer, forward and both backward products, through oneDNN's
          AVX2 GEMM via torch._C._nn.mkldnn_linear: a stronger PyTorch baseline on a machine without MKL/OpenBLAS)
  serve   when true: print {"ready": true, threads, torch, blas, linear}, then for each stdin line naming a mode run
          it once and print {"seconds": t} (so a caller can interleave its own timings with these, rep by rep);
          "quit" or end of input stops
Otherwise prints one JSON object: {"<mode>": {"seconds": [per rep], "tokensPerSecond": median}, "threads": n,
"torch": version, "blas": torch's BLAS_INFO, "linear": the linear implementation}.
"""
import json
import math
import struct
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F


def read_safetensors(path):
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
        data = f.read()
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        assert info["dtype"] == "F32", f"{name}: only F32 is supported here"
        a, b = info["data_offsets"]
        out[name] = torch.from_numpy(np.frombuffer(data[a:b], dtype=np.float32).copy()).view(*info["shape"])
    return out


def onednn_mm(a, b_t):
    """a[m, k] @ b_t[n, k]^T through oneDNN (dense in, dense out)."""
    return torch._C._nn.mkldnn_linear(a.contiguous().to_mkldnn(), b_t.contiguous(), None).to_dense()


class OneDnnLinear(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x, w, b):
        ctx.save_for_backward(x, w)
        ctx.has_bias = b is not None
        y = onednn_mm(x.reshape(-1, x.shape[-1]), w)
        if b is not None:
            y = y + b
        return y.view(*x.shape[:-1], w.shape[0])

    @staticmethod
    def backward(ctx, g):
        x, w = ctx.saved_tensors
        g2 = g.reshape(-1, g.shape[-1])
        x2 = x.reshape(-1, x.shape[-1])
        dx = onednn_mm(g2, w.t()).view(x.shape)
        dw = onednn_mm(g2.t(), x2.t())
        db = g2.sum(0) if ctx.has_bias else None
        return dx, dw, db


def main():
    c = json.loads(sys.argv[1])
    threads = int(c.get("threads", 2))
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    cfg = json.load(open(f"{c['dir']}/config.json"))
    H, nh, nkv, L = cfg["hidden_size"], cfg["num_attention_heads"], cfg["num_key_value_heads"], cfg["num_hidden_layers"]
    hd = H // nh
    eps, theta = cfg.get("rms_norm_eps", 1e-6), cfg.get("rope_theta", 10000.0)
    W = {k: v.requires_grad_(True) for k, v in read_safetensors(f"{c['dir']}/model.safetensors").items()}
    head = W["model.embed_tokens.weight"] if cfg.get("tie_word_embeddings", False) else W["lm_head.weight"]
    inp = json.load(open(c["inputs"]))
    ids = torch.tensor(inp["tokens"], dtype=torch.long)
    B, T = ids.shape
    dl = torch.tensor(inp["dLogp"], dtype=torch.float32)
    de = torch.tensor(inp["dEntropy"], dtype=torch.float32)

    inv = 1.0 / (theta ** (torch.arange(0, hd, 2).float() / hd))
    ang = torch.arange(T).float()[:, None] * inv[None, :]
    cos, sin = torch.cat([ang, ang], -1).cos(), torch.cat([ang, ang], -1).sin()
    mask = torch.ones(T, T, dtype=torch.bool).tril()

    def rms(x, w):
        return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + eps) * w

    def rot(x):
        return torch.cat([-x[..., hd // 2:], x[..., : hd // 2]], -1)

    onednn = c.get("linear", "aten") == "onednn"

    def linear(x, w, b=None):
        return OneDnnLinear.apply(x, w, b) if onednn else F.linear(x, w, b)

    def lin(x, p, bias=False):
        return linear(x, W[p + ".weight"], W.get(p + ".bias") if bias else None)

    def stats():
        x = W["model.embed_tokens.weight"][ids]
        for l in range(L):
            p = f"model.layers.{l}."
            h = rms(x, W[p + "input_layernorm.weight"])
            q = lin(h, p + "self_attn.q_proj", True).view(B, T, nh, hd).transpose(1, 2)
            k = lin(h, p + "self_attn.k_proj", True).view(B, T, nkv, hd).transpose(1, 2)
            v = lin(h, p + "self_attn.v_proj", True).view(B, T, nkv, hd).transpose(1, 2)
            q, k = q * cos + rot(q) * sin, k * cos + rot(k) * sin
            k, v = k.repeat_interleave(nh // nkv, 1), v.repeat_interleave(nh // nkv, 1)
            s = (q @ k.transpose(-1, -2)) / math.sqrt(hd)
            a = torch.softmax(s.masked_fill(~mask, float("-inf")), -1) @ v
            x = x + lin(a.transpose(1, 2).reshape(B, T, nh * hd), p + "self_attn.o_proj")
            h = rms(x, W[p + "post_attention_layernorm.weight"])
            x = x + lin(F.silu(lin(h, p + "mlp.gate_proj")) * lin(h, p + "mlp.up_proj"), p + "mlp.down_proj")
        z = linear(rms(x, W["model.norm.weight"])[:, :-1], head)
        lp = torch.log_softmax(z, -1)
        logp = lp.gather(-1, ids[:, 1:, None])[..., 0]
        ent = -(lp.exp() * lp).sum(-1)
        return logp, ent

    params = list(W.values())
    opt = torch.optim.AdamW(params, lr=1e-4)

    def score():
        with torch.no_grad():
            logp, ent = stats()
            logp.tolist(), ent.tolist()

    def train():
        opt.zero_grad()
        logp, ent = stats()
        ((logp * dl).sum() + (ent * de).sum()).backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        opt.step()

    blas = next((part.split("=")[1] for part in torch.__config__.show().replace(",", " ").split() if part.startswith("BLAS_INFO=")), None)
    out = {"threads": torch.get_num_threads(), "torch": torch.__version__, "blas": blas, "linear": "onednn" if onednn else "aten"}
    if c.get("serve"):
        print(json.dumps({"ready": True, **out}), flush=True)
        for line in sys.stdin:
            mode = line.strip()
            if mode == "quit":
                break
            fn = train if mode == "train" else score
            t0 = time.perf_counter()
            fn()
            print(json.dumps({"seconds": time.perf_counter() - t0}), flush=True)
        return
    for mode in c.get("modes", ["train", "score"]):
        fn = train if mode == "train" else score
        fn()
        ts = []
        for _ in range(int(c.get("reps", 3))):
            t0 = time.perf_counter()
            fn()
            ts.append(time.perf_counter() - t0)
        out[mode] = {"seconds": ts, "tokensPerSecond": B * T / sorted(ts)[len(ts) // 2]}
    print(json.dumps(out))


if __name__ == "__main__":
    main()
