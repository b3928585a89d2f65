"""PyTorch reference for the Qwen2-family decoder (docs/algorithms.md §15, §6.7), plain torch, no transformers.

Builds small random models, saves them in Hugging Face layout (config.json + safetensors written here by hand:
8-byte little-endian header length, JSON header, raw little-endian data) under
packages/model/test/fixtures/<name>/, and writes expected.json with per-token log-probs and entropies for a batch
of ragged token rows (each row computed on its own, in float64 from the stored -- possibly F16/BF16 -- weights).

Run: /usr/bin/python3 tools/torch-ref/model_forward.py
"""
import json
import math
import os
import struct
import sys

import torch

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
OUT = os.path.join(ROOT, "packages", "model", "test", "fixtures")

DTYPES = {"F32": torch.float32, "F16": torch.float16, "BF16": torch.bfloat16}


def tensor_bytes(t: torch.Tensor, dtype: str) -> bytes:
    t = t.to(DTYPES[dtype]).contiguous()
    if dtype == "BF16":  # numpy has no bfloat16: reinterpret as int16
        return t.view(torch.int16).numpy().astype("<i2").tobytes()
    return t.numpy().astype({"F32": "<f4", "F16": "<f2"}[dtype]).tobytes()


def write_safetensors(path: str, tensors: dict, dtype: str, metadata=None) -> None:
    header = {}
    blobs = []
    offset = 0
    for name in sorted(tensors):
        b = tensor_bytes(tensors[name], dtype)
        header[name] = {"dtype": dtype, "shape": list(tensors[name].shape), "data_offsets": [offset, offset + len(b)]}
        blobs.append(b)
        offset += len(b)
    if metadata is not None:
        header["__metadata__"] = metadata
    h = json.dumps(header, separators=(",", ":")).encode("utf-8")
    h += b" " * ((8 - len(h) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)))
        f.write(h)
        for b in blobs:
            f.write(b)


def make_weights(cfg: dict, gen: torch.Generator, embed_scale: float) -> dict:
    H, I, V = cfg["hidden_size"], cfg["intermediate_size"], cfg["vocab_size"]
    nh, nkv = cfg["num_attention_heads"], cfg["num_key_value_heads"]
    hd = H // nh
    bias = cfg.get("model_type") == "qwen2" or cfg.get("attention_bias", False)

    def lin(o, i):
        return torch.randn(o, i, generator=gen) / math.sqrt(i)

    w = {"model.embed_tokens.weight": torch.randn(V, H, generator=gen) * embed_scale}
    for l in range(cfg["num_hidden_layers"]):
        p = f"model.layers.{l}."
        w[p + "input_layernorm.weight"] = 1 + 0.2 * torch.randn(H, generator=gen)
        w[p + "post_attention_layernorm.weight"] = 1 + 0.2 * torch.randn(H, generator=gen)
        w[p + "self_attn.q_proj.weight"] = lin(nh * hd, H)
        w[p + "self_attn.k_proj.weight"] = lin(nkv * hd, H)
        w[p + "self_attn.v_proj.weight"] = lin(nkv * hd, H)
        if bias:
            w[p + "self_attn.q_proj.bias"] = 0.3 * torch.randn(nh * hd, generator=gen)
            w[p + "self_attn.k_proj.bias"] = 0.3 * torch.randn(nkv * hd, generator=gen)
            w[p + "self_attn.v_proj.bias"] = 0.3 * torch.randn(nkv * hd, generator=gen)
        w[p + "self_attn.o_proj.weight"] = lin(H, nh * hd)
        w[p + "mlp.gate_proj.weight"] = lin(I, H)
        w[p + "mlp.up_proj.weight"] = lin(I, H)
        w[p + "mlp.down_proj.weight"] = lin(H, I)
    w["model.norm.weight"] = 1 + 0.2 * torch.randn(H, generator=gen)
    if not cfg["tie_word_embeddings"]:
        w["lm_head.weight"] = torch.randn(V, H, generator=gen) * embed_scale
    return w


def rmsnorm(x, w, eps):
    return x * torch.rsqrt((x * x).mean(-1, keepdim=True) + eps) * w


def rope_cos_sin(T: int, hd: int, theta: float):
    # As Hugging Face: inverse frequencies and angles in float32.
    inv = 1.0 / (theta ** (torch.arange(0, hd, 2, dtype=torch.int64).float() / hd))
    ang = torch.arange(T, dtype=torch.float32)[:, None] * inv[None, :]
    emb = torch.cat([ang, ang], dim=-1).double()
    return emb.cos(), emb.sin()


def rotate_half(x):
    h = x.shape[-1] // 2
    return torch.cat([-x[..., h:], x[..., :h]], dim=-1)


def forward_logits(cfg: dict, w: dict, ids: list) -> torch.Tensor:
    """Logits [T, V] for one unpadded row, float64."""
    H, V = cfg["hidden_size"], cfg["vocab_size"]
    nh, nkv = cfg["num_attention_heads"], cfg["num_key_value_heads"]
    hd = H // nh
    eps = cfg["rms_norm_eps"]
    T = len(ids)
    x = w["model.embed_tokens.weight"][torch.tensor(ids)]
    cos, sin = rope_cos_sin(T, hd, cfg["rope_theta"])
    causal = torch.ones(T, T, dtype=torch.bool).tril()
    for l in range(cfg["num_hidden_layers"]):
        p = f"model.layers.{l}."

        def lin(name, inp):
            y = inp @ w[p + name + ".weight"].T
            b = w.get(p + name + ".bias")
            return y + b if b is not None else y

        h = rmsnorm(x, w[p + "input_layernorm.weight"], eps)
        q = lin("self_attn.q_proj", h).view(T, nh, hd).transpose(0, 1)
        k = lin("self_attn.k_proj", h).view(T, nkv, hd).transpose(0, 1)
        v = lin("self_attn.v_proj", h).view(T, nkv, hd).transpose(0, 1)
        q = q * cos + rotate_half(q) * sin
        k = k * cos + rotate_half(k) * sin
        rep = nh // nkv
        k = k.repeat_interleave(rep, dim=0)
        v = v.repeat_interleave(rep, dim=0)
        s = (q @ k.transpose(1, 2)) / math.sqrt(hd)
        s = s.masked_fill(~causal, float("-inf"))
        a = torch.softmax(s, dim=-1) @ v
        a = a.transpose(0, 1).reshape(T, nh * hd)
        x = x + a @ w[p + "self_attn.o_proj.weight"].T
        h = rmsnorm(x, w[p + "post_attention_layernorm.weight"], eps)
        g = h @ w[p + "mlp.gate_proj.weight"].T
        u = h @ w[p + "mlp.up_proj.weight"].T
        x = x + (torch.nn.functional.silu(g) * u) @ w[p + "mlp.down_proj.weight"].T
    h = rmsnorm(x, w["model.norm.weight"], eps)
    lm = w["model.embed_tokens.weight"] if cfg["tie_word_embeddings"] else w["lm_head.weight"]
    return h @ lm.T


def score_row(cfg, w, ids, temperature):
    if len(ids) < 2:
        return [], []
    z = forward_logits(cfg, w, ids)[:-1] / temperature
    logp_all = torch.log_softmax(z, dim=-1)
    y = torch.tensor(ids[1:])
    logp = logp_all.gather(1, y[:, None])[:, 0]
    ent = -(logp_all.exp() * logp_all).sum(-1)
    return logp.tolist(), ent.tolist()


def base_config(**kw):
    cfg = {
        "architectures": ["Qwen2ForCausalLM"],
        "model_type": "qwen2",
        "hidden_act": "silu",
        "hidden_size": 24,
        "intermediate_size": 40,
        "num_hidden_layers": 2,
        "num_attention_heads": 3,
        "num_key_value_heads": 3,
        "vocab_size": 97,
        "rms_norm_eps": 1e-6,
        "rope_theta": 10000.0,
        "tie_word_embeddings": True,
        "max_position_embeddings": 128,
        "rope_scaling": None,
        "use_sliding_window": False,
        "sliding_window": 4096,
        "max_window_layers": 2,
        "bos_token_id": 0,
        "eos_token_id": 1,
        "attention_dropout": 0.0,
        "initializer_range": 0.02,
        "use_cache": True,
    }
    cfg.update(kw)
    return cfg


FIXTURES = [
    # name, config, storage dtype, temperature, row lengths, shards, embed scale
    ("qwen2-tied-gqa1", base_config(), "F32", 1.0, [5, 1, 9, 3, 12], 1, 0.7),
    ("qwen2-untied-gqa2-f16", base_config(hidden_size=32, intermediate_size=52, num_attention_heads=4, num_key_value_heads=2, vocab_size=131, rope_theta=1e6, tie_word_embeddings=False, torch_dtype="float16"), "F16", 0.7, [7, 2, 11, 4], 1, 0.5),
    ("qwen2-gqa4-bf16", base_config(hidden_size=40, intermediate_size=36, num_hidden_layers=3, num_attention_heads=4, num_key_value_heads=1, vocab_size=257, rope_theta=500.0, torch_dtype="bfloat16"), "BF16", 1.3, [6, 13, 1, 8], 1, 0.5),
    ("qwen2-sharded", base_config(hidden_size=16, intermediate_size=24, num_attention_heads=2, num_key_value_heads=1, vocab_size=64, tie_word_embeddings=False, torch_dtype="float32"), "F32", 1.0, [4, 10, 6], 3, 0.8),
    ("llama-untied", {**{k: v for k, v in base_config(hidden_size=24, intermediate_size=44, num_attention_heads=2, num_key_value_heads=1, vocab_size=101, rms_norm_eps=1e-5, tie_word_embeddings=False).items() if k not in ("use_sliding_window", "sliding_window", "max_window_layers")}, "architectures": ["LlamaForCausalLM"], "model_type": "llama", "attention_bias": False, "mlp_bias": False}, "F32", 0.9, [8, 3, 5], 1, 0.6),
    ("qwen2-bigvocab", base_config(hidden_size=2, intermediate_size=3, num_hidden_layers=1, num_attention_heads=1, num_key_value_heads=1, vocab_size=151936, rope_theta=1e6, torch_dtype="bfloat16"), "BF16", 1.0, [3, 4], 1, 2.0),
]


def main():
    names = sys.argv[1:]
    for idx, (name, cfg, dtype, temperature, lengths, shards, embed_scale) in enumerate(FIXTURES):
        if names and name not in names:
            continue
        gen = torch.Generator().manual_seed(1234 + idx)
        w = make_weights(cfg, gen, embed_scale)
        # What the file stores, as the loader will see it (rounded to the storage dtype), then float64.
        stored = {k: v.to(DTYPES[dtype]).double() for k, v in w.items()}
        d = os.path.join(OUT, name)
        os.makedirs(d, exist_ok=True)
        for f in os.listdir(d):
            os.remove(os.path.join(d, f))
        with open(os.path.join(d, "config.json"), "w") as f:
            json.dump(cfg, f, indent=2)
        if shards == 1:
            write_safetensors(os.path.join(d, "model.safetensors"), w, dtype, {"format": "pt"})
        else:
            keys = sorted(w)
            weight_map = {}
            for s in range(shards):
                part = keys[s::shards]
                fname = f"model-{s + 1:05d}-of-{shards:05d}.safetensors"
                write_safetensors(os.path.join(d, fname), {k: w[k] for k in part}, dtype, {"format": "pt"})
                weight_map.update({k: fname for k in part})
            with open(os.path.join(d, "model.safetensors.index.json"), "w") as f:
                json.dump({"metadata": {"total_size": 0}, "weight_map": weight_map}, f, indent=2)
        tgen = torch.Generator().manual_seed(99 + idx)
        rows = [torch.randint(0, cfg["vocab_size"], (n,), generator=tgen).tolist() for n in lengths]
        if cfg["vocab_size"] > 1000:  # exercise the top of the vocabulary
            rows[0][1] = cfg["vocab_size"] - 1
        logp, ent = zip(*[score_row(cfg, stored, r, temperature) for r in rows])
        expected = {"temperature": temperature, "tokens": rows, "logp": list(logp), "entropy": list(ent)}
        with open(os.path.join(d, "expected.json"), "w") as f:
            json.dump(expected, f)
        print(name, dtype, [len(r) for r in rows], "entropy[0][:3]", [round(e, 4) for e in ent[0][:3]])


if __name__ == "__main__":
    main()
