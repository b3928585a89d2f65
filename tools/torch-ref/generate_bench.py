"""PyTorch baseline for @sentrl/model's KV-cached sampling (packages/model/bench/generate.ts).

Loads a Qwen2-family folder written by saveModel (config.json + F32 model.safetensors), then times: prefill of
`batch` random prompts of `promptLen` tokens, and `newTokens` sampled tokens per row with a per-layer K/V cache
(temperature 1, multinomial, log-prob of each drawn token recorded), plain torch, float32, `threads` threads.
Prints one JSON object: {"tokensPerSec", "seconds", "prefillTokensPerSec"} (medians of `reps` runs after one
warm-up; prefill alone timed separately). Run it with OMP_WAIT_POLICY=PASSIVE so idle OpenMP threads do not spin.

Run: /usr/bin/python3 tools/torch-ref/generate_bench.py '{"dir": "...", "batch": 8, "promptLen": 32, "newTokens": 32}'
"""
import json
import math
import sys
import time

import torch
import torch.nn.functional as F

from bench_model import read_safetensors  # the script's folder is on sys.path


def main():
    c = json.loads(sys.argv[1])
    torch.set_num_threads(int(c.get("threads", 2)))
    cfg = json.load(open(c["dir"] + "/config.json"))
    w = read_safetensors(c["dir"] + "/model.safetensors")
    H, nh, nkv, V = cfg["hidden_size"], cfg["num_attention_heads"], cfg["num_key_value_heads"], cfg["vocab_size"]
    L, eps, theta = cfg["num_hidden_layers"], cfg.get("rms_norm_eps", 1e-6), cfg.get("rope_theta", 1e6)
    hd = H // nh
    head = w["model.embed_tokens.weight"] if cfg.get("tie_word_embeddings") else w["lm_head.weight"]
    B, T0, N = int(c["batch"]), int(c["promptLen"]), int(c["newTokens"])
    inv = 1.0 / (theta ** (torch.arange(0, hd, 2, dtype=torch.float32) / hd))

    def rope(x, pos):  # x [B, heads, T, hd], pos [T]
        a = pos.float()[:, None] * inv[None, :]
        a = torch.cat([a, a], dim=-1)
        x1, x2 = x[..., : hd // 2], x[..., hd // 2 :]
        return x * a.cos() + torch.cat([-x2, x1], dim=-1) * a.sin()

    def rms(x, g):
        return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + eps) * g

    def lin(x, p, bias=True):
        return F.linear(x, w[p + ".weight"], w.get(p + ".bias") if bias else None)

    def forward(ids, start, cache):  # ids [B, T]; cache: list of (k, v) [B, nkv, S, hd] or None
        Bn, T = ids.shape
        pos = torch.arange(start, start + T)
        x = w["model.embed_tokens.weight"][ids]
        for l in range(L):
            p = f"model.layers.{l}."
            h = rms(x, w[p + "input_layernorm.weight"])
            q = rope(lin(h, p + "self_attn.q_proj").view(Bn, T, nh, hd).transpose(1, 2), pos)
            k = rope(lin(h, p + "self_attn.k_proj").view(Bn, T, nkv, hd).transpose(1, 2), pos)
            v = lin(h, p + "self_attn.v_proj").view(Bn, T, nkv, hd).transpose(1, 2)
            if cache[l] is not None:
                k = torch.cat([cache[l][0], k], dim=2)
                v = torch.cat([cache[l][1], v], dim=2)
            cache[l] = (k, v)
            kk = k.repeat_interleave(nh // nkv, dim=1)
            vv = v.repeat_interleave(nh // nkv, dim=1)
            s = q @ kk.transpose(-1, -2) / math.sqrt(hd)
            S = kk.shape[2]
            mask = torch.ones(T, S, dtype=torch.bool).tril(S - T)
            s = s.masked_fill(~mask, float("-inf"))
            a = (s.softmax(-1) @ vv).transpose(1, 2).reshape(Bn, T, nh * hd)
            x = x + lin(a, p + "self_attn.o_proj", False)
            h = rms(x, w[p + "post_attention_layernorm.weight"])
            x = x + lin(F.silu(lin(h, p + "mlp.gate_proj", False)) * lin(h, p + "mlp.up_proj", False), p + "mlp.down_proj", False)
        return F.linear(rms(x[:, -1], w["model.norm.weight"]), head)

    gen = torch.Generator().manual_seed(int(c.get("seed", 1)))
    prompts = torch.randint(0, V, (B, T0), generator=gen)

    def run():
        with torch.no_grad():
            cache = [None] * L
            logits = forward(prompts, 0, cache)
            lps = []
            for t in range(N):
                lp = logits.log_softmax(-1)
                y = torch.multinomial(lp.exp(), 1, generator=gen)
                lps.append(lp.gather(1, y))
                if t + 1 < N:
                    logits = forward(y, T0 + t, cache)
            return torch.cat(lps, 1)

    def prefill():
        with torch.no_grad():
            forward(prompts, 0, [None] * L)

    def median_time(fn, reps):
        fn()
        times = []
        for _ in range(reps):
            t0 = time.perf_counter()
            fn()
            times.append(time.perf_counter() - t0)
        return sorted(times)[len(times) // 2]

    reps = int(c.get("reps", 3))
    sec = median_time(run, reps)
    pre = median_time(prefill, reps)
    print(json.dumps({"tokensPerSec": B * N / sec, "seconds": sec, "prefillTokensPerSec": B * T0 / pre,
                      "torch": torch.__version__, "threads": torch.get_num_threads()}))


if __name__ == "__main__":
    main()
