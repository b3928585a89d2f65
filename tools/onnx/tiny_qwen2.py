"""Tiny Qwen2-shaped causal LM exported to ONNX with a KV cache in the layout Hugging Face's exporters produce
(inputs input_ids, attention_mask, position_ids, past_key_values.N.key/value; outputs logits, present.N.key/value),
plus the same weights as model.safetensors (read by @sentrl/model, so `sentrl score` and `local:` see the same model)
and a tiny byte-level BPE tokenizer. Plain torch, no transformers; the float64 reference forward is
tools/torch-ref/model_forward.py's `forward_logits`.

Writes tools/onnx/models/tiny-qwen2/ (config.json, generation_config.json, model.safetensors, tokenizer.json,
tokenizer_config.json, onnx/model.onnx) and tools/onnx/models/fixtures/qwen2.json (prompts and their float64 greedy
continuations).

Run: /usr/bin/python3 tools/onnx/tiny_qwen2.py
"""
import math
import os
import sys

import torch

torch.set_num_threads(1)
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "torch-ref"))
from model_forward import base_config, forward_logits, make_weights, write_safetensors  # noqa: E402
from tiny_common import write_json  # noqa: E402

OUT = os.path.join(HERE, "models", "tiny-qwen2")
ENDOFTEXT, IM_START, IM_END = 258, 259, 260
CFG = base_config(
    hidden_size=32, intermediate_size=64, num_hidden_layers=2, num_attention_heads=4, num_key_value_heads=2,
    vocab_size=261, tie_word_embeddings=False, max_position_embeddings=512, bos_token_id=ENDOFTEXT,
    eos_token_id=IM_END, torch_dtype="float32",
)


class Qwen2WithCache(torch.nn.Module):
    """Qwen2 decoder over float32 weights with explicit past/present K/V (batch, kv_heads, seq, head_dim)."""

    def __init__(self, cfg, w):
        super().__init__()
        self.cfg = cfg
        for k, v in w.items():
            self.register_buffer(k.replace(".", "__"), v.float().clone())
        hd = cfg["hidden_size"] // cfg["num_attention_heads"]
        inv = 1.0 / (cfg["rope_theta"] ** (torch.arange(0, hd, 2, dtype=torch.int64).float() / hd))
        self.register_buffer("inv_freq", inv)

    def p(self, name):
        return getattr(self, name.replace(".", "__"))

    def forward(self, input_ids, attention_mask, position_ids, *past):
        cfg = self.cfg
        H, nh, nkv = cfg["hidden_size"], cfg["num_attention_heads"], cfg["num_key_value_heads"]
        hd, eps, rep = H // nh, cfg["rms_norm_eps"], nh // nkv
        B, T = input_ids.shape
        x = self.p("model.embed_tokens.weight")[input_ids]
        ang = position_ids.float()[..., None] * self.inv_freq
        emb = torch.cat([ang, ang], dim=-1)[:, None]  # [B, 1, T, hd]
        cos, sin = emb.cos(), emb.sin()
        # Key positions from the mask (cumsum − 1, as HF does with padding); query positions are position_ids.
        kpos = torch.cumsum(attention_mask, dim=1) - 1
        allowed = (kpos[:, None, None, :] <= position_ids[:, None, :, None]) & (attention_mask[:, None, None, :] > 0)
        bias = (~allowed).float() * -1e9

        def rms(t, wname):
            return t * torch.rsqrt((t * t).mean(-1, keepdim=True) + eps) * self.p(wname)

        def rot(t):
            h = t.shape[-1] // 2
            return torch.cat([-t[..., h:], t[..., :h]], dim=-1)

        presents = []
        for l in range(cfg["num_hidden_layers"]):
            pre = f"model.layers.{l}."

            def lin(name, inp):
                return inp @ self.p(pre + name + ".weight").T + self.p(pre + name + ".bias")

            h = rms(x, pre + "input_layernorm.weight")
            q = lin("self_attn.q_proj", h).view(B, T, nh, hd).transpose(1, 2)
            k = lin("self_attn.k_proj", h).view(B, T, nkv, hd).transpose(1, 2)
            v = lin("self_attn.v_proj", h).view(B, T, nkv, hd).transpose(1, 2)
            q = q * cos + rot(q) * sin
            k = k * cos + rot(k) * sin
            k = torch.cat([past[2 * l], k], dim=2)
            v = torch.cat([past[2 * l + 1], v], dim=2)
            presents += [k, v]
            S = k.shape[2]
            kk = k[:, :, None].expand(B, nkv, rep, S, hd).reshape(B, nh, S, hd)
            vv = v[:, :, None].expand(B, nkv, rep, S, hd).reshape(B, nh, S, hd)
            s = q @ kk.transpose(-1, -2) / math.sqrt(hd) + bias
            a = (torch.softmax(s, dim=-1) @ vv).transpose(1, 2).reshape(B, T, nh * hd)
            x = x + a @ self.p(pre + "self_attn.o_proj.weight").T
            h = rms(x, pre + "post_attention_layernorm.weight")
            g = h @ self.p(pre + "mlp.gate_proj.weight").T
            u = h @ self.p(pre + "mlp.up_proj.weight").T
            x = x + (torch.nn.functional.silu(g) * u) @ self.p(pre + "mlp.down_proj.weight").T
        h = rms(x, "model.norm.weight")
        return (h @ self.p("lm_head.weight").T, *presents)


def bytes_to_unicode():
    """GPT-2's byte → printable character table (byte-level BPE)."""
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return dict(zip(bs, (chr(c) for c in cs)))


def tokenizer_json():
    b2u = bytes_to_unicode()
    vocab = {b2u[b]: b for b in range(256)}
    vocab["ab"] = 256
    vocab["Ġa"] = 257

    def added(i, t):
        return {"id": i, "content": t, "single_word": False, "lstrip": False, "rstrip": False, "normalized": False, "special": True}

    return {
        "version": "1.0",
        "truncation": None,
        "padding": None,
        "added_tokens": [added(ENDOFTEXT, "<|endoftext|>"), added(IM_START, "<|im_start|>"), added(IM_END, "<|im_end|>")],
        "normalizer": {"type": "NFC"},
        "pre_tokenizer": {"type": "Sequence", "pretokenizers": [
            {"type": "Split", "pattern": {"Regex": "(?i:'s|'t)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+"},
             "behavior": "Isolated", "invert": False},
            {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": False, "use_regex": False},
        ]},
        "post_processor": None,
        "decoder": {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": False, "use_regex": False},
        "model": {"type": "BPE", "vocab": vocab, "merges": ["a b", "Ġ a"], "unk_token": None, "dropout": None,
                  "continuing_subword_prefix": "", "end_of_word_suffix": "", "fuse_unk": False, "byte_fallback": False},
    }


CHAT_TEMPLATE = ("{% for m in messages %}{{ '<|im_start|>' + m.role + '\\n' + m.content + '<|im_end|>\\n' }}{% endfor %}"
                 "{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}")


def main():
    gen = torch.Generator().manual_seed(2026)
    w = make_weights(CFG, gen, 1.5)
    os.makedirs(os.path.join(OUT, "onnx"), exist_ok=True)
    write_json(os.path.join(OUT, "config.json"), CFG, indent=2)
    write_json(os.path.join(OUT, "generation_config.json"), {"eos_token_id": [IM_END, ENDOFTEXT]})
    write_json(os.path.join(OUT, "tokenizer.json"), tokenizer_json())
    write_json(os.path.join(OUT, "tokenizer_config.json"), {
        "tokenizer_class": "Qwen2Tokenizer", "eos_token": "<|im_end|>", "pad_token": "<|endoftext|>",
        "bos_token": None, "unk_token": None, "model_max_length": 512, "chat_template": CHAT_TEMPLATE,
    })
    write_safetensors(os.path.join(OUT, "model.safetensors"), w, "F32", {"format": "pt"})

    model = Qwen2WithCache(CFG, w).eval()
    L, nkv, hd = CFG["num_hidden_layers"], CFG["num_key_value_heads"], CFG["hidden_size"] // CFG["num_attention_heads"]
    B, P, T = 2, 3, 2
    past = [torch.randn(B, nkv, P, hd) for _ in range(2 * L)]
    ids = torch.randint(0, CFG["vocab_size"], (B, T))
    mask = torch.ones(B, P + T, dtype=torch.int64)
    pos = torch.arange(P, P + T).repeat(B, 1)
    names_past = [f"past_key_values.{l}.{kv}" for l in range(L) for kv in ("key", "value")]
    names_present = [f"present.{l}.{kv}" for l in range(L) for kv in ("key", "value")]
    dyn = {"input_ids": {0: "batch_size", 1: "sequence_length"}, "attention_mask": {0: "batch_size", 1: "total_sequence_length"},
           "position_ids": {0: "batch_size", 1: "sequence_length"}, "logits": {0: "batch_size", 1: "sequence_length"}}
    dyn.update({n: {0: "batch_size", 2: "past_sequence_length"} for n in names_past})
    dyn.update({n: {0: "batch_size", 2: "total_sequence_length"} for n in names_present})
    torch.onnx.export(model, (ids, mask, pos, *past), os.path.join(OUT, "onnx", "model.onnx"),
                      input_names=["input_ids", "attention_mask", "position_ids", *names_past],
                      output_names=["logits", *names_present], dynamic_axes=dyn, opset_version=14, do_constant_folding=True)
    print("wrote", OUT, os.path.getsize(os.path.join(OUT, "onnx", "model.onnx")), "bytes", file=sys.stderr)

    # Check the cached float32 module against the float64 reference forward, then record greedy chains.
    wd = {k: v.double() for k, v in w.items()}
    g = torch.Generator().manual_seed(5)
    prompts = [torch.randint(0, 258, (n,), generator=g).tolist() for n in (1, 3, 6, 9)]
    with torch.no_grad():
        ref = forward_logits(CFG, wd, prompts[2])
        empty = [torch.zeros(1, nkv, 0, hd) for _ in range(2 * L)]
        n = len(prompts[2])
        mine = model(torch.tensor([prompts[2]]), torch.ones(1, n, dtype=torch.int64), torch.arange(n)[None], *empty)[0][0]
        assert (mine.double() - ref).abs().max() < 1e-4, "cached module disagrees with model_forward.py"
    chains, min_margin = [], math.inf
    for p in prompts:
        ids = list(p)
        for _ in range(12):
            z = forward_logits(CFG, wd, ids)[-1]
            top = torch.topk(z, 2).values
            min_margin = min(min_margin, float(top[0] - top[1]))
            ids.append(int(z.argmax()))
        chains.append({"prompt": p, "greedy": ids[len(p):]})
    print(f"greedy chains: min top-2 logit margin {min_margin:.4g}", file=sys.stderr)
    assert min_margin > 1e-3, "a greedy step is too close to a tie: change the seed"
    write_json(os.path.join(HERE, "models", "fixtures", "qwen2.json"), {
        "model": "tiny-qwen2", "chains": chains,
        "note": "float64 greedy continuations (12 tokens, no EOS stop) of tools/torch-ref/model_forward.py on the stored float32 weights",
    })


if __name__ == "__main__":
    main()
