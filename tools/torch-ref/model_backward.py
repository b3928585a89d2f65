"""PyTorch reference gradients and one AdamW step for the Qwen2-family decoder (docs/algorithms.md §15, §6.7).

For small random models (written like model_forward.py, float32 safetensors + config.json) and a batch of ragged
rows, builds the loss  L = Σ dLogp · logp + Σ dEntropy · H  (random upstream gradients, one per predicted token, at a
temperature), back-propagates with autograd in float64, then applies global-norm clipping (torch
clip_grad_norm_) and one torch.optim.AdamW step. Writes packages/model/test/fixtures-backward/<name>/expected.json
with the gradients of every parameter and the parameters after the step.

Run: /usr/bin/python3 tools/torch-ref/model_backward.py
"""
import json
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(__file__))
from model_forward import base_config, forward_logits, make_weights, write_safetensors  # noqa: E402

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
OUT = os.path.join(ROOT, "packages", "model", "test", "fixtures-backward")

ADAMW = {"lr": 0.01, "beta1": 0.9, "beta2": 0.95, "eps": 1e-8, "weightDecay": 0.1}

CASES = [
    ("qwen2-tied-gqa2", base_config(hidden_size=16, intermediate_size=24, num_attention_heads=4, num_key_value_heads=2, vocab_size=48), 0.8, [6, 3, 9, 1, 2]),
    (
        "llama-untied",
        {
            **{k: v for k, v in base_config(hidden_size=12, intermediate_size=20, num_attention_heads=2, num_key_value_heads=1, vocab_size=40, rms_norm_eps=1e-5, tie_word_embeddings=False).items() if k not in ("use_sliding_window", "sliding_window", "max_window_layers")},
            "architectures": ["LlamaForCausalLM"],
            "model_type": "llama",
            "attention_bias": False,
        },
        1.0,
        [5, 8, 2],
    ),
]


def main():
    torch.set_default_dtype(torch.float64)
    for idx, (name, cfg, temperature, lengths) in enumerate(CASES):
        gen = torch.Generator().manual_seed(777 + idx)
        w32 = make_weights(cfg, gen, 0.7)
        w32 = {k: v.float() for k, v in w32.items()}
        d = os.path.join(OUT, name)
        os.makedirs(d, exist_ok=True)
        with open(os.path.join(d, "config.json"), "w") as f:
            json.dump(cfg, f, indent=2)
        write_safetensors(os.path.join(d, "model.safetensors"), w32, "F32", {"format": "pt"})
        params = {k: v.double().clone().requires_grad_(True) for k, v in w32.items()}
        rows = [torch.randint(0, cfg["vocab_size"], (n,), generator=gen).tolist() for n in lengths]
        d_logp = [(torch.randn(max(0, n - 1), generator=gen)).tolist() for n in lengths]
        d_ent = [(torch.randn(max(0, n - 1), generator=gen)).tolist() for n in lengths]
        loss = torch.zeros(())
        for r, gl, ge in zip(rows, d_logp, d_ent):
            if len(r) < 2:
                continue
            z = forward_logits(cfg, params, r)[:-1] / temperature
            lp_all = torch.log_softmax(z, dim=-1)
            lp = lp_all.gather(1, torch.tensor(r[1:])[:, None])[:, 0]
            ent = -(lp_all.exp() * lp_all).sum(-1)
            loss = loss + (torch.tensor(gl) * lp).sum() + (torch.tensor(ge) * ent).sum()
        loss.backward()
        grads = {k: p.grad.detach().clone() for k, p in params.items()}
        grad_norm = torch.sqrt(sum((g * g).sum() for g in grads.values())).item()
        max_norm = 0.5 * grad_norm  # clipping is active
        order = sorted(params)
        plist = [params[k] for k in order]
        torch.nn.utils.clip_grad_norm_(plist, max_norm)
        opt = torch.optim.AdamW(plist, lr=ADAMW["lr"], betas=(ADAMW["beta1"], ADAMW["beta2"]), eps=ADAMW["eps"], weight_decay=ADAMW["weightDecay"])
        opt.step()
        expected = {
            "temperature": temperature,
            "tokens": rows,
            "dLogp": d_logp,
            "dEntropy": d_ent,
            "loss": loss.item(),
            "grads": {k: grads[k].flatten().tolist() for k in order},
            "adamw": {**ADAMW, "maxGradNorm": max_norm, "gradNorm": grad_norm, "step": 1},
            "paramsAfter": {k: params[k].detach().flatten().tolist() for k in order},
        }
        with open(os.path.join(d, "expected.json"), "w") as f:
            json.dump(expected, f)
        print(name, "params", sum(p.numel() for p in plist), "gradNorm", round(grad_norm, 4))


if __name__ == "__main__":
    main()
