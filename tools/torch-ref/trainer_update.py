#!/usr/bin/env python3
"""PyTorch (autograd) reference of one GRPO policy update as verl's dp_actor does it (docs/algorithms.md §6.3-§6.8),
on a tabular softmax policy (logits theta[state, position, token]), for @sentrl/core's `updatePolicy`.

Per mini-batch (whole groups, in order) and PPO epoch: micro-batches of `micro` responses; per micro-batch the
training forward at temperature T (logp, entropy from logits/T), the clipped surrogate with dual-clip, token-mean
aggregation, `- entropy_coeff * agg(H) + kl_coef * agg(k3(logp, ref))`, divided by grad_accum =
mini_batch_size / micro (configured sizes), backward; then clip_grad_norm_ and AdamW; zero_grad.

Run:  /usr/bin/python3 tools/torch-ref/trainer_update.py   (writes packages/core/src/trainer/fixtures/trainer-update.json)
"""
import json
import os

import torch

torch.set_default_dtype(torch.float64)
gen = torch.Generator().manual_seed(20261126)

S, L, V, T = 3, 4, 5, 0.9
GROUPS, N, MINI_PROMPTS, MICRO, EPOCHS = 3, 3, 2, 4, 2
CLIP, CLIP_C = 0.2, 3.0
KL_COEF, ENT_COEF = 0.001, 0.01
LR, BETAS, EPS, WD, MAX_NORM = 0.05, (0.9, 0.999), 1e-8, 0.01, 0.3

theta0 = torch.randn(S, L, V, generator=gen)
theta_ref = theta0 + 0.3 * torch.randn(S, L, V, generator=gen)
samples = []
for g in range(GROUPS):
    for _ in range(N):
        length = int(torch.randint(1, L + 1, (1,), generator=gen))
        samples.append({
            "groupIndex": g,
            "state": g % S,
            "tokens": torch.randint(0, V, (length,), generator=gen).tolist(),
            "advantage": float(torch.randn(1, generator=gen)),
        })


def score(th, batch):
    cols = max(len(s["tokens"]) for s in batch)
    logp = torch.zeros(len(batch), cols)
    ent = torch.zeros(len(batch), cols)
    mask = torch.zeros(len(batch), cols)
    rows_lp, rows_h = [], []
    for b, s in enumerate(batch):
        n = len(s["tokens"])
        z = th[s["state"], :n, :] / T
        lse = torch.logsumexp(z, -1)
        lp = z.gather(1, torch.tensor(s["tokens"])[:, None]).squeeze(1) - lse
        p = torch.softmax(z, -1)
        h = lse - (p * z).sum(-1)
        pad = torch.zeros(cols - n)
        rows_lp.append(torch.cat([lp, pad]))
        rows_h.append(torch.cat([h, pad]))
        mask[b, :n] = 1
    return torch.stack(rows_lp), torch.stack(rows_h), mask


def agg(x, m):
    return (x * m).sum() / (m.sum() + 1e-8)


def k3(logp, ref):
    x = torch.clamp(ref - logp, -20, 20)
    return torch.clamp(torch.exp(x) - x - 1, -10, 10)


with torch.no_grad():
    for s in samples:
        lp, _, _ = score(theta0, [s])
        s["oldLogp"] = lp[0].tolist()
        rl, _, _ = score(theta_ref, [s])
        s["refLogp"] = rl[0].tolist()

theta = theta0.clone().requires_grad_(True)
opt = torch.optim.AdamW([theta], lr=LR, betas=BETAS, eps=EPS, weight_decay=WD)
grad_accum = (MINI_PROMPTS * N) / MICRO
grad_norms, pg_losses = [], []
minis = [samples[i:i + MINI_PROMPTS * N] for i in range(0, len(samples), MINI_PROMPTS * N)]
for _ in range(EPOCHS):
    for mini in minis:
        for k in range(0, len(mini), MICRO):
            mb = mini[k:k + MICRO]
            logp, h, m = score(theta, mb)
            cols = m.shape[1]
            old = torch.tensor([s["oldLogp"] + [0.0] * (cols - len(s["oldLogp"])) for s in mb])
            ref = torch.tensor([s["refLogp"] + [0.0] * (cols - len(s["refLogp"])) for s in mb])
            adv = torch.tensor([[s["advantage"]] * cols for s in mb]) * m
            delta = torch.clamp(logp - old, -20, 20)
            r = torch.exp(delta)
            pg1 = -adv * r
            pg2 = -adv * torch.clamp(r, 1 - CLIP, 1 + CLIP)
            cl1 = torch.maximum(pg1, pg2)
            cl2 = torch.minimum(-adv * CLIP_C, cl1)
            pg = torch.where(adv < 0, cl2, cl1)
            pg_loss = agg(pg, m)
            loss = pg_loss - ENT_COEF * agg(h, m) + KL_COEF * agg(k3(logp, ref), m)
            (loss / grad_accum).backward()
            pg_losses.append(float(pg_loss))
        grad_norms.append(float(torch.nn.utils.clip_grad_norm_([theta], MAX_NORM)))
        opt.step()
        opt.zero_grad()

out = {
    "about": "tools/torch-ref/trainer_update.py: verl-style GRPO update of a tabular policy (PyTorch autograd + AdamW)",
    "states": S, "maxTokens": L, "vocab": V, "temperature": T,
    "groupSize": N, "miniBatchPrompts": MINI_PROMPTS, "microBatchSize": MICRO, "ppoEpochs": EPOCHS,
    "lossOptions": {"clipRatio": CLIP, "clipRatioC": CLIP_C, "useKlLoss": True, "klLossCoef": KL_COEF,
                    "klLossType": "low_var_kl", "entropyCoeff": ENT_COEF},
    "optimizer": {"lr": LR, "betas": list(BETAS), "eps": EPS, "weightDecay": WD, "maxGradNorm": MAX_NORM},
    "theta0": theta0.flatten().tolist(),
    "thetaRef": theta_ref.flatten().tolist(),
    "samples": [{k: s[k] for k in ("groupIndex", "state", "tokens", "advantage")} for s in samples],
    "expected": {"theta": theta.detach().flatten().tolist(), "gradNorms": grad_norms, "pgLoss": sum(pg_losses) / len(pg_losses)},
}
path = os.path.join(os.path.dirname(__file__), "../../packages/core/src/trainer/fixtures/trainer-update.json")
with open(path, "w") as f:
    json.dump(out, f)
print("wrote", os.path.normpath(path), "grad norms", grad_norms)
