#!/usr/bin/env python3
"""PyTorch reference of `sentrl update` (docs/contracts.md §11) on tiny Qwen2 checkpoints, for
apps/sentrl/test/update.test.ts.

For each case: the model of model_forward.py (float64 autograd on the float32 weights), per micro-batch of
`microBatchSize` rows in order: logp/entropy at the temperature (position t predicts token t+1), the §2 total loss
(grpo: core_losses.grpo_total; sent: sent_losses.total_loss, both written from docs/algorithms.md), scaled by the
micro-batch weight (microBatchMean: 1 / number of micro-batches; globalTokenMean: the micro-batch's share of valid
tokens), backward; then clip_grad_norm_ and one torch.optim.AdamW step (fresh state, weight decay on every tensor).

Adam's first step moves each weight by lr·g/(|g| + eps) ≈ ±lr whenever |g| ≫ eps, so with a tiny eps the sign of a
near-zero gradient, decided by float32 rounding, would decide the test. The cases use eps = 1e-2, far above the
float32 gradient error (~1e-9 here), so the update is a smooth function of the gradient; the test compares the
updated weights AND the update deltas (w_new − w_old) against these float64 values.

Run: /usr/bin/python3 tools/torch-ref/update_fixtures.py   (writes apps/sentrl/test/fixtures/update/)
"""
import json
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(__file__))
from core_losses import COMMON, grpo_total  # noqa: E402
from model_forward import base_config, forward_logits, make_weights, write_safetensors  # noqa: E402
from sent_losses import total_loss as sent_total  # noqa: E402

torch.set_default_dtype(torch.float64)
ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
OUT = os.path.join(ROOT, "apps", "sentrl", "test", "fixtures", "update")

MODELS = {
    # untied, grouped-query attention 4/2, q/k/v biases (qwen2)
    "untied-gqa2": base_config(hidden_size=16, intermediate_size=24, num_attention_heads=4, num_key_value_heads=2,
                               vocab_size=29, tie_word_embeddings=False, torch_dtype="float32"),
    # tied embeddings, grouped-query attention 2/1
    "tied-gqa1": base_config(hidden_size=12, intermediate_size=20, num_attention_heads=2, num_key_value_heads=1,
                             vocab_size=23, tie_word_embeddings=True, rope_theta=1e6, torch_dtype="float32"),
}

OPT = {"lr": 0.01, "betas": [0.9, 0.95], "eps": 1e-2, "weightDecay": 0.1}

CASES = [
    # name, model, loss, options (common included), temperature, microBatchSize, combination, row lengths, with old/ref
    ("grpo-untied-kl-entropy", "untied-gqa2", "grpo",
     {"useKlLoss": True, "klLossType": "k3", "klLossCoef": 0.1, "entropyCoeff": 0.01, "clipRatioHigh": 0.28},
     0.8, 2, "microBatchMean", [6, 9, 4, 7, 8], True, 0.5),
    ("sent-tied-kl-global", "tied-gqa1", "sent", {"useKlLoss": True, "klLossType": "k3", "klLossCoef": 0.05},
     1.0, 3, "globalTokenMean", [7, 5, 10, 6, 8, 4], True, 2.0),
    ("sent-paper-untied", "untied-gqa2", "sent", {"mode": "paper", "lossAggMode": "seq-mean-token-mean"},
     1.2, 2, "microBatchMean", [5, 8, 6, 9], True, 1.0),
    ("grpo-tied-ratio1", "tied-gqa1", "grpo", {}, 1.0, 2, "microBatchMean", [5, 6, 8, 7], False, 0.3),
]


def row_stats(cfg, w, ids, temperature):
    z = forward_logits(cfg, w, ids)[:-1] / temperature
    lp_all = torch.log_softmax(z, dim=-1)
    logp = lp_all.gather(1, torch.tensor(ids[1:])[:, None])[:, 0]
    ent = -(lp_all.exp() * lp_all).sum(-1)
    return logp, ent


def micro_loss(name, opts, mask, logp, old, ref, ent, adv):
    common = {k: v for k, v in opts.items() if k in COMMON}
    own = {k: v for k, v in opts.items() if k not in COMMON}
    if name == "grpo":
        c = dict(COMMON, **common)
        clip = own.get("clipRatio", 0.2)
        total, _ = grpo_total(mask, logp, old, ref, ent, adv, c, own.get("clipRatioLow", clip),
                              own.get("clipRatioHigh", clip), own.get("clipRatioC", 3.0))
        return total
    inp = dict(mask=mask, logp=logp, oldLogp=old, refLogp=ref if ref is not None else torch.zeros_like(old),
               entropy=ent, advantages=adv)
    total, _, ties = sent_total(name, inp, own, common)
    assert not ties, "a selection boundary tied: change the seed"
    return total


def run(case, idx):
    name, model, loss, opts, T, mb, combination, lengths, with_old_ref, adv_scale = case
    cfg = MODELS[model]
    gen = torch.Generator().manual_seed(4242 + idx)
    w32 = {k: v.float() for k, v in make_weights(cfg, torch.Generator().manual_seed(99 + list(MODELS).index(model)), 0.7).items()}
    params = {k: v.double().clone().requires_grad_(True) for k, v in w32.items()}
    V = cfg["vocab_size"]
    tokens = [torch.randint(0, V, (n,), generator=gen).tolist() for n in lengths]
    prompt = [int(torch.randint(2, 4, (1,), generator=gen)) for _ in lengths]
    mask = [[1 if t >= p - 1 else 0 for t in range(n - 1)] for n, p in zip(lengths, prompt)]
    advantages = []
    for b, n in enumerate(lengths):
        a = float(torch.randn(1, generator=gen)) * adv_scale
        row = [a] * (n - 1)
        if b == 1:  # one row with per-token advantages
            row = [a + 0.3 * float(x) for x in torch.randn(n - 1, generator=gen)]
        advantages.append([x if m else 0.0 for x, m in zip(row, mask[b])])
    inp = {"tokens": tokens, "mask": mask, "advantages": advantages}
    with torch.no_grad():
        base = [row_stats(cfg, params, r, T)[0] for r in tokens]
    if with_old_ref:
        inp["oldLogp"] = [[float(x + 0.15 * torch.randn(1, generator=gen)) if m else 0.0 for x, m in zip(lp, mk)]
                          for lp, mk in zip(base, mask)]
        inp["refLogp"] = [[float(x + 0.3 * torch.randn(1, generator=gen)) if m else 0.0 for x, m in zip(lp, mk)]
                          for lp, mk in zip(base, mask)]
    ranges = [(s, min(len(tokens), s + mb)) for s in range(0, len(tokens), mb)]
    counts = [sum(sum(mask[i]) for i in range(a, b)) for a, b in ranges]
    weights = [1 / len(ranges)] * len(ranges) if combination == "microBatchMean" else [c / sum(counts) for c in counts]
    total_value = 0.0
    for (a, b), wk in zip(ranges, weights):
        cols = max(lengths[a:b]) - 1
        rows = b - a
        m = torch.zeros(rows, cols)
        lp = torch.zeros(rows, cols)
        en = torch.zeros(rows, cols)
        old = torch.zeros(rows, cols)
        ref = torch.zeros(rows, cols)
        adv = torch.zeros(rows, cols)
        for i in range(a, b):
            l, e = row_stats(cfg, params, tokens[i], T)
            n = lengths[i] - 1
            pad = torch.zeros(cols - n)
            lp = lp.index_put((torch.tensor([i - a]),), torch.cat([l, pad])[None, :])
            en = en.index_put((torch.tensor([i - a]),), torch.cat([e, pad])[None, :])
            m[i - a, :n] = torch.tensor(mask[i], dtype=torch.float64)
            adv[i - a, :n] = torch.tensor(advantages[i])
            old[i - a, :n] = torch.tensor(inp["oldLogp"][i]) if with_old_ref else l.detach()
            if with_old_ref:
                ref[i - a, :n] = torch.tensor(inp["refLogp"][i])
        total = micro_loss(loss, opts, m, lp, old, ref if with_old_ref else None, en, adv)
        (wk * total).backward()
        total_value += wk * float(total)
    order = list(params)
    plist = [params[k] for k in order]
    grad_norm = float(torch.sqrt(sum((p.grad * p.grad).sum() for p in plist)))
    max_norm = 0.5 * grad_norm  # clipping is active
    torch.nn.utils.clip_grad_norm_(plist, max_norm)
    opt = torch.optim.AdamW(plist, lr=OPT["lr"], betas=tuple(OPT["betas"]), eps=OPT["eps"], weight_decay=OPT["weightDecay"])
    opt.step()
    config = {"loss": {"name": loss, "options": opts}, "temperature": T, "microBatchSize": mb,
              "microBatchCombination": combination, "optimizer": dict(OPT, maxGradNorm=max_norm)}
    expected = {"loss": total_value, "gradNorm": grad_norm,
                "weights": {k: params[k].detach().flatten().tolist() for k in order}}
    return model, inp, config, expected, w32


def main():
    os.makedirs(OUT, exist_ok=True)
    written = set()
    cases = []
    for idx, case in enumerate(CASES):
        model, inp, config, expected, w32 = run(case, idx)
        d = os.path.join(OUT, model)
        if model not in written:
            os.makedirs(d, exist_ok=True)
            with open(os.path.join(d, "config.json"), "w") as f:
                json.dump(MODELS[model], f, indent=2)
            write_safetensors(os.path.join(d, "model.safetensors"), w32, "F32", {"format": "pt"})
            written.add(model)
        cases.append({"name": case[0], "model": model, "input": inp, "config": config, "expected": expected})
    with open(os.path.join(OUT, "cases.json"), "w") as f:
        json.dump({"generatedBy": "tools/torch-ref/update_fixtures.py", "torch": torch.__version__, "cases": cases}, f)
    print(f"wrote {len(cases)} cases to {OUT}", file=sys.stderr)


if __name__ == "__main__":
    main()
