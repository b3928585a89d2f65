#!/usr/bin/env python3
"""PyTorch (autograd) reference for @sentrl/core's policy-loss library, written from docs/algorithms.md §6.

Covers: loss aggregation (§6.4, with docs/contracts.md §2's empty-row deviation for seq-mean-token-mean), the KL
estimators k1/abs/k2/k3 and their straight-through `+` variants (§6.6), verl's vanilla clipped surrogate with
asymmetric clip and dual-clip (§6.3), the entropy bonus (§7.2), the total loss of docs/contracts.md §2, the micro-batch
combinations (§6.5) and GRPO advantages (§6.2).

Run:  /usr/bin/python3 tools/torch-ref/core_losses.py   (writes packages/core/test/fixtures/core-losses.json)
Everything is float64; gradients come from autograd, never from hand-written derivatives.
"""
import json
import math
import os
import sys

import torch

torch.set_default_dtype(torch.float64)

AGG_MODES = ["token-mean", "seq-mean-token-sum", "seq-mean-token-mean", "seq-mean-token-sum-norm"]
KL_BASE = ["k1", "kl", "abs", "k2", "mse", "k3", "low_var_kl"]
KL_TYPES = KL_BASE + [t + "+" for t in KL_BASE]


# --------------------------------------------------------------------------------------------- §6.4 aggregation
def masked_mean(x, m):
    return (x * m).sum() / (m.sum() + 1e-8)


def agg_loss(l, m, mode, norm=None):
    if mode == "token-mean":
        return (l * m).sum() / (m.sum() + 1e-8)
    if mode == "seq-mean-token-sum":
        return (l * m).sum(dim=-1).mean()  # empty rows contribute 0 but count in the mean
    if mode == "seq-mean-token-mean":
        counts = m.sum(dim=-1)
        keep = counts > 0
        if not bool(keep.any()):
            return (l * m).sum() * 0.0
        # docs/contracts.md §2 deviation: the reference gives NaN for an empty row; we leave the row out of the row mean.
        rows = (l * m).sum(dim=-1)[keep] / counts[keep]
        return rows.mean()
    if mode == "seq-mean-token-sum-norm":
        d = norm if norm is not None else l.shape[-1]
        return (l * m).sum() / d
    raise ValueError(mode)


# --------------------------------------------------------------------------------------------- §6.6 KL penalties
def kl_penalty(logp, ref, kind):
    if kind.endswith("+"):
        base = kl_penalty(logp, ref, kind[:-1])
        k2 = kl_penalty(logp, ref, "k2")
        return k2 - k2.detach() + base.detach()
    if kind in ("kl", "k1"):
        return logp - ref
    if kind == "abs":
        return (logp - ref).abs()
    if kind in ("mse", "k2"):
        return 0.5 * (logp - ref).square()
    if kind in ("low_var_kl", "k3"):
        x = torch.clamp(ref - logp, min=-20, max=20)
        v = torch.exp(x) - x - 1
        return torch.clamp(v, min=-10, max=10)
    raise NotImplementedError(kind)


# --------------------------------------------------------------------------------------------- §6.3 vanilla loss
def vanilla_terms(old, logp, adv, m, clip_low, clip_high, clip_c):
    d = torch.clamp(logp - old, min=-20.0, max=20.0)
    r = torch.exp(d)
    ppo_kl = masked_mean(-d, m)
    pg1 = -adv * r
    pg2 = -adv * torch.clamp(r, 1 - clip_low, 1 + clip_high)
    cl1 = torch.maximum(pg1, pg2)
    clipfrac = masked_mean(torch.gt(pg2, pg1).to(logp.dtype), m)
    pg3 = -adv * clip_c
    cl2 = torch.min(pg3, cl1)
    lower = masked_mean((torch.gt(cl1, pg3) & (adv < 0)).to(logp.dtype), m)
    l = torch.where(adv < 0, cl2, cl1)
    return l, {"pg_clipfrac": clipfrac.item(), "ppo_kl": ppo_kl.item(), "pg_clipfrac_lower": lower.item()}


COMMON = {"lossAggMode": "token-mean", "lossAggNorm": None, "useKlLoss": False, "klLossCoef": 0.001,
          "klLossType": "low_var_kl", "entropyCoeff": 0.0}


def grpo_total(m, logp, old, ref, ent, adv, c, lo=0.2, hi=0.2, cc=3.0):
    """The total loss on tensors (m float 0/1); returns (total, metrics). Shared by the fixtures and the benchmark."""
    mode, norm = c["lossAggMode"], c["lossAggNorm"]
    l, metrics = vanilla_terms(old, logp, adv, m, lo, hi, cc)
    pg = agg_loss(l, m, mode, norm)
    metrics["pg_loss"] = pg.item()
    total = pg
    if ent is not None:
        e = agg_loss(ent, m, mode, norm)
        metrics["entropy"] = e.item()
        if c["entropyCoeff"] != 0:
            total = total - c["entropyCoeff"] * e
    if c["useKlLoss"]:
        kl = agg_loss(kl_penalty(logp, ref, c["klLossType"]), m, mode, norm)
        metrics["kl_loss"] = kl.item()
        total = total + c["klLossCoef"] * kl
    return total, metrics


def total_loss(batch, config):
    """docs/contracts.md §2 total loss of the `grpo` loss: pg − entropyCoeff·agg(H) + [useKlLoss]·klLossCoef·agg(kl)."""
    c = dict(COMMON)
    c.update({k: v for k, v in config.items() if k in COMMON})
    clip = config.get("clipRatio", 0.2)
    lo = config.get("clipRatioLow", clip)
    hi = config.get("clipRatioHigh", clip)
    cc = config.get("clipRatioC", 3.0)
    m = torch.tensor(batch["mask"], dtype=torch.float64)
    logp = torch.tensor(batch["logp"], requires_grad=True)
    old = torch.tensor(batch["oldLogp"])
    adv = torch.tensor(batch["advantages"])
    ent = None
    if "entropy" in batch:
        ent = torch.tensor(batch["entropy"], requires_grad=c["entropyCoeff"] != 0)
    if float(m.sum()) == 0:
        out = {"loss": 0.0, "gradLogp": torch.zeros_like(logp).tolist(), "metrics": {"pg_loss": 0.0}}
        if c["entropyCoeff"] != 0:
            out["gradEntropy"] = torch.zeros_like(logp).tolist()
        return out
    ref = torch.tensor(batch["refLogp"]) if c["useKlLoss"] else None
    total, metrics = grpo_total(m, logp, old, ref, ent, adv, c, lo, hi, cc)
    total.backward()
    out = {"loss": total.item(), "gradLogp": logp.grad.tolist(), "metrics": metrics}
    if ent is not None and c["entropyCoeff"] != 0:
        out["gradEntropy"] = ent.grad.tolist()
    return out


# --------------------------------------------------------------------------------------------- §6.2 advantages
def grpo_advantages(rewards, groups, norm_by_std=True, eps=1e-6):
    s = torch.tensor(rewards, dtype=torch.float64)
    out = torch.zeros_like(s)
    keys = [f"{type(g).__name__}:{g}" for g in groups]
    by = {}
    for i, k in enumerate(keys):
        by.setdefault(k, []).append(i)
    for idx in by.values():
        x = s[idx]
        if len(idx) == 1:
            mu, sd = torch.tensor(0.0), torch.tensor(1.0)
        else:
            mu, sd = x.mean(), x.std(unbiased=True)
        out[idx] = (x - mu) / (sd + eps) if norm_by_std else x - mu
    return out.tolist()


# --------------------------------------------------------------------------------------------- fixtures
def rand_batch(g, rows, cols, lengths=None, big=False, adv_zero=False, entropy=True):
    if lengths is None:
        lengths = [int(torch.randint(0, cols + 1, (1,), generator=g)) for _ in range(rows)]
    mask = [[1 if t < lengths[b] else 0 for t in range(cols)] for b in range(rows)]
    logp = -torch.rand(rows, cols, generator=g) * 3
    scale = 0.6 if big else 0.15
    old = logp + torch.randn(rows, cols, generator=g) * scale
    ref = logp + torch.randn(rows, cols, generator=g) * (1.5 if big else 0.3)
    if big:  # a few tokens beyond the ±20 clamps of the log-ratio and of k3's input, and past k3's output clamp
        flat = torch.randperm(rows * cols, generator=g)[: max(1, rows * cols // 6)]
        for j, p in enumerate(flat.tolist()):
            b, t = divmod(p, cols)
            sign = 1.0 if j % 2 == 0 else -1.0
            old[b, t] = logp[b, t] + sign * (25.0 if j % 3 == 0 else 3.0)
            ref[b, t] = logp[b, t] - sign * (22.0 if j % 3 == 1 else 4.0)
    row_adv = torch.randn(rows, generator=g)
    adv = row_adv[:, None].expand(rows, cols).clone()
    if adv_zero:
        adv = torch.zeros(rows, cols)
    # padding: random garbage everywhere (values at mask == 0 are kept as given and must not matter)
    pad = torch.tensor(mask, dtype=torch.float64) == 0
    adv[pad] = torch.randn(rows, cols, generator=g)[pad] * 5
    out = {"mask": mask, "logp": logp.tolist(), "oldLogp": old.tolist(), "refLogp": ref.tolist(),
           "advantages": adv.tolist()}
    if entropy:
        out["entropy"] = (torch.rand(rows, cols, generator=g) * 3).tolist()
    return out


def build_cases():
    g = torch.Generator().manual_seed(20251204)
    cases = []

    def add(name, batch, config):
        cases.append({"name": name, "config": config, "input": batch, "expected": total_loss(batch, config)})

    for mode in AGG_MODES:
        add(f"agg {mode}", rand_batch(g, 4, 7), {"lossAggMode": mode, "useKlLoss": True, "klLossType": "k3"})
        add(f"agg {mode} empty row, entropy bonus", rand_batch(g, 3, 5, lengths=[3, 0, 5]),
            {"lossAggMode": mode, "useKlLoss": True, "entropyCoeff": 0.01})
    add("agg seq-mean-token-sum-norm with lossAggNorm", rand_batch(g, 3, 6),
        {"lossAggMode": "seq-mean-token-sum-norm", "lossAggNorm": 10})
    for kind in KL_TYPES:
        add(f"kl {kind}", rand_batch(g, 3, 6, lengths=[6, 4, 5], big=True),
            {"useKlLoss": True, "klLossType": kind, "klLossCoef": 0.1})
        add(f"kl {kind} seq-mean-token-mean", rand_batch(g, 2, 5, lengths=[5, 2]),
            {"useKlLoss": True, "klLossType": kind, "klLossCoef": 0.5, "lossAggMode": "seq-mean-token-mean"})
    add("entropy bonus", rand_batch(g, 3, 6), {"entropyCoeff": 0.003})
    add("negative entropy coefficient", rand_batch(g, 2, 4, lengths=[4, 3]), {"entropyCoeff": -0.2})
    add("asymmetric clip and dual clip", rand_batch(g, 5, 6, lengths=[6, 6, 5, 4, 6], big=True),
        {"clipRatioLow": 0.1, "clipRatioHigh": 0.28, "clipRatioC": 2.0})
    add("asymmetric clip via clipRatio", rand_batch(g, 4, 6, big=True), {"clipRatio": 0.05, "clipRatioHigh": 0.4})
    add("all-zero advantages", rand_batch(g, 3, 5, adv_zero=True),
        {"useKlLoss": True, "klLossType": "k3", "entropyCoeff": 0.01})
    add("single valid token", rand_batch(g, 2, 4, lengths=[0, 1]), {"useKlLoss": True, "entropyCoeff": 0.05})
    add("single valid token seq-mean-token-mean", rand_batch(g, 3, 3, lengths=[0, 0, 1]),
        {"lossAggMode": "seq-mean-token-mean", "useKlLoss": True})
    add("no valid token at all", rand_batch(g, 2, 3, lengths=[0, 0]), {"useKlLoss": True, "entropyCoeff": 0.1})
    add("one row", rand_batch(g, 1, 9, lengths=[9]), {"useKlLoss": True, "klLossType": "abs"})
    add("everything at once", rand_batch(g, 6, 8, big=True),
        {"lossAggMode": "seq-mean-token-mean", "useKlLoss": True, "klLossType": "k3", "klLossCoef": 0.05,
         "entropyCoeff": 0.01, "clipRatioLow": 0.15, "clipRatioHigh": 0.3, "clipRatioC": 2.5})

    kl_vectors = []
    for kind in KL_TYPES:
        logp = torch.tensor([-1.0, -2.0, -0.5, -3.0, -1.0, -30.0, -0.2, -1.25], requires_grad=True)
        ref = torch.tensor([-1.5, -1.0, -0.5, -0.1, -26.0, -1.0, -13.0, -1.0])
        v = kl_penalty(logp, ref, kind)
        v.sum().backward()
        kl_vectors.append({"type": kind, "logp": logp.tolist(), "refLogp": ref.tolist(), "value": v.tolist(),
                           "grad": logp.grad.tolist()})

    adv_cases = []
    for name, rewards, groups in [
        ("two groups of four", [1, 0, 0, 1, 0.5, 0.25, 1, 0], [0, 0, 0, 0, 1, 1, 1, 1]),
        ("single-member groups", [1, -1, 0.3, 2], ["a", "b", "b", "c"]),
        ("all equal rewards", [1, 1, 1, -1, -1], [5, 5, 5, 6, 6]),
        ("interleaved string ids", [0.1, 0.7, -0.3, 0.9, 0.2, 0.2], ["q1", "q2", "q1", "q2", "q1", "q3"]),
        ("random", torch.randn(24, generator=g).tolist(), torch.randint(0, 5, (24,), generator=g).tolist()),
    ]:
        for norm in (True, False):
            adv_cases.append({"name": name, "rewards": rewards, "groups": groups, "normAdvByStd": norm, "epsilon": 1e-6,
                              "advantages": grpo_advantages(rewards, groups, norm, 1e-6)})

    micro = []
    batch = rand_batch(g, 6, 5, lengths=[5, 2, 0, 4, 5, 1])
    cfg = {"useKlLoss": True, "klLossType": "k3"}
    slices = [(0, 2), (2, 4), (4, 6)]
    outs = []
    for a, b in slices:
        part = {k: v[a:b] for k, v in batch.items()}
        outs.append(total_loss(part, cfg))
    counts = [sum(sum(r) for r in batch["mask"][a:b]) for a, b in slices]
    mean_loss = sum(o["loss"] for o in outs) / len(outs)
    global_loss = sum(c * o["loss"] for c, o in zip(counts, outs)) / sum(counts)
    micro.append({"name": "three micro-batches", "config": cfg, "input": batch, "slices": slices,
                  "tokenCounts": counts, "microBatchMean": mean_loss, "globalTokenMean": global_loss})
    return {"generator": "tools/torch-ref/core_losses.py", "torch": torch.__version__, "cases": cases,
            "klVectors": kl_vectors, "advantages": adv_cases, "microBatches": micro}


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    out = os.path.join(here, "..", "..", "packages", "core", "test", "fixtures", "core-losses.json")
    data = build_cases()
    os.makedirs(os.path.dirname(out), exist_ok=True)
    with open(out, "w") as f:
        json.dump(data, f, separators=(",", ":"))
        f.write("\n")
    print(f"wrote {os.path.relpath(out)}: {len(data['cases'])} loss cases, {len(data['klVectors'])} KL vectors, "
          f"{len(data['advantages'])} advantage cases", file=sys.stderr)


if __name__ == "__main__":
    main()
