#!/usr/bin/env python3
"""PyTorch reference for SENT's token loss and the entropy baselines, written from docs/algorithms.md.

Transliterates docs/algorithms.md §5.2 (sent code-intended), §5.3 (code-exact: the int64-mask indexing, reproduced
literally with torch integer indexing), §5.5 (paper), §7.7 (tokenSet high), §7.8 (sent-v1), §7.3 (entropy
advantage), §7.4 (80/20 high-entropy mask), §7.5 (Clip-Cov), §7.6 (KL-Cov), with §6.3 (vanilla clipped
surrogate), §6.4 (aggregation, docs/contracts.md §2 semantics for empty rows) and §6.6 (KL estimators). Gradients come from
autograd (float64). Selections on detached values use `torch.topk` when the k-th and (k+1)-th values differ (true
PyTorch parity); when they tie, the case is flagged `ties` and the deterministic tie rule of §5.6 is applied with a
stable sort (value, then position) — those cases test the tie rule, not torch parity.

Usage: /usr/bin/python3 tools/torch-ref/sent_losses.py   (writes the committed JSON fixtures)
"""
import json
import math
import os
import sys

import torch

torch.set_default_dtype(torch.float64)
EPS = 1e-8
ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))


# ----------------------------------------------------------------------------------------------------------------
# selection with the §5.6 tie rule
class Ranker:
    """Ranks 1-D tensors; records whether any selection boundary had a tie (check_ties=False: plain topk, for the
    benchmark, where the reference code runs topk alone)."""

    def __init__(self, check_ties=True):
        self.ties = False
        self.check_ties = check_ties

    def top(self, values, k, largest):
        n = values.numel()
        k = min(k, n)
        if k == 0:
            return torch.zeros(0, dtype=torch.long)
        if not self.check_ties:
            return torch.topk(values, k, largest=largest, sorted=True).indices
        s = torch.sort(values, descending=largest, stable=True)
        if k < n and s.values[k - 1].item() == s.values[k].item():
            self.ties = True
        if self.ties:
            # tie rule: (value, position) with a stable sort; a descending stable sort keeps position order on ties
            return s.indices[:k]
        return torch.topk(values, k, largest=largest, sorted=True).indices


# ----------------------------------------------------------------------------------------------------------------
# core pieces (§6.3, §6.4, §6.6)
def agg_loss(l, m, mode, norm=None):
    m = m.to(l.dtype)
    if mode == "token-mean":
        return (l * m).sum() / (m.sum() + EPS)
    if mode == "seq-mean-token-sum":
        return (l * m).sum(-1).mean()
    if mode == "seq-mean-token-mean":
        cnt = m.sum(-1)
        keep = cnt > 0
        if keep.sum() == 0:
            return (l * m).sum() * 0
        # docs/contracts.md §2: empty rows are left out of the row mean (the reference would give NaN)
        return ((l * m).sum(-1)[keep] / cnt[keep]).mean()
    if mode == "seq-mean-token-sum-norm":
        return (l * m).sum() / (norm if norm is not None else l.shape[-1])
    raise ValueError(mode)


def kl_penalty(logp, ref, kind):
    if kind in ("kl", "k1"):
        return logp - ref
    if kind == "abs":
        return (logp - ref).abs()
    if kind in ("mse", "k2"):
        return 0.5 * (logp - ref) ** 2
    if kind in ("low_var_kl", "k3"):
        x = torch.clamp(ref - logp, -20, 20)
        return torch.clamp(torch.exp(x) - x - 1, -10, 10)
    raise ValueError(kind)


def vanilla_terms(logp, old, A, o):
    """§6.3 per-token clipped surrogate with asymmetric clip, dual-clip and the ±20 clamp."""
    clip = o.get("clipRatio", 0.2)
    lo = o.get("clipRatioLow") if o.get("clipRatioLow") is not None else clip
    hi = o.get("clipRatioHigh") if o.get("clipRatioHigh") is not None else clip
    c = o.get("clipRatioC", 3.0)
    d = torch.clamp(logp - old, -20, 20)
    r = torch.exp(d)
    pg1 = -A * r
    pg2 = -A * torch.clamp(r, 1 - lo, 1 + hi)
    cl1 = torch.maximum(pg1, pg2)
    pg3 = -A * c
    cl2 = torch.minimum(pg3, cl1)
    return torch.where(A < 0, cl2, cl1)


# ----------------------------------------------------------------------------------------------------------------
# SENT (§5.2, §5.3, §5.5, §7.7) and v1 (§7.8)
SENT_DEFAULTS = dict(mode="code-intended", tokenSet="low", lowEntropyFrac=0.8, highEntropyFrac=0.2, klCovRatio=0.0002,
                     ppoKlCoef=0.1, highCovCoef=2.0, lowCovCoef=0.5, betaHigh=0.2, betaLow=0.05, clipRatio=0.2)


def sent_loss(inp, opts, rk):
    o = dict(SENT_DEFAULTS, **opts)
    old, logp, A, H, mask = inp["oldLogp"], inp["logp"], inp["advantages"], inp["entropy"], inp["mask"]
    B, L = A.shape
    mask_long = mask.to(torch.int64)  # what dp_actor passes: an int64 attention-mask slice
    maskb = mask_long.bool()
    d = logp - old
    r = torch.exp(d)
    abs_kl = d.abs()
    n = int(maskb.sum())
    coef = torch.zeros(B * L, dtype=A.dtype)
    if n > 0:
        E = H.detach()[maskb]
        if o["tokenSet"] == "low":
            k_low = max(1, int(n * o["lowEntropyFrac"]))
            Lidx = rk.top(E, k_low, largest=False)
        else:
            k_low = max(1, int(n * o["highEntropyFrac"]))
            Lidx = rk.top(E, k_low, largest=True)
        if o["mode"] == "code-exact" and not inp.get("gatherCodeExact"):
            allA = A[mask_long].reshape(-1)  # integer-array indexing on dim 0: shape [B, L, L]
            allL = logp.detach()[mask_long].reshape(-1)
            a = allA[Lidx]
            lv = allL[Lidx]
        elif o["mode"] == "code-exact":
            # same values without materialising [B, L, L] (the benchmark's 4M-token batch would need 17G entries):
            # allA[f] = A[maskFlat[f // L], f % L]
            rowsel = mask_long.reshape(-1)[torch.div(Lidx, L, rounding_mode="floor")]
            a = A[rowsel, Lidx % L]
            lv = logp.detach()[rowsel, Lidx % L]
        else:
            a = A[maskb][Lidx]
            lv = logp.detach()[maskb][Lidx]
        if o["mode"] == "paper":
            ma = A[maskb].mean()
            ml = logp.detach()[maskb].mean()
        else:
            ma = a.mean()
            ml = lv.mean()
        cov = (a - ma) * (lv - ml)
        k_cov = max(1, int(k_low * o["klCovRatio"]))
        S = torch.nonzero(maskb.reshape(-1)).reshape(-1)[Lidx]
        hi = rk.top(cov, k_cov, largest=True)
        if o["mode"] == "paper":
            coef[S] = o["betaLow"]
            coef[S[hi]] = o["betaHigh"]
        else:
            lo = rk.top(cov, k_cov, largest=False)
            coef[S[hi]] = o["ppoKlCoef"] * o["highCovCoef"]
            coef[S[lo]] = o["ppoKlCoef"] * o["lowCovCoef"]
    coef = coef.view(B, L)
    if o["mode"] == "paper":
        pg1 = -A * r
        pg2 = -A * torch.clamp(r, 1 - o["clipRatio"], 1 + o["clipRatio"])
        ell = torch.maximum(pg1, pg2) + coef * kl_penalty(logp, inp["refLogp"], "k3")
    else:
        ell = -A * r + coef * abs_kl
    return ell, mask, coef


def sent_v1_loss(inp, opts, rk):
    o = dict(dict(lowEntropyFrac=0.8, ppoKlCoef=0.1), **opts)
    old, logp, A, H, mask = inp["oldLogp"], inp["logp"], inp["advantages"], inp["entropy"], inp["mask"]
    B, L = A.shape
    maskb = mask.bool()
    d = logp - old
    low = torch.zeros(B * L, dtype=A.dtype)
    n = int(maskb.sum())
    if n > 0:
        k = max(1, int(n * o["lowEntropyFrac"]))
        Lidx = rk.top(H.detach()[maskb], k, largest=False)
        low[torch.nonzero(maskb.reshape(-1)).reshape(-1)[Lidx]] = 1
    low = low.view(B, L)
    ell = -A * torch.exp(d) + o["ppoKlCoef"] * low * d.abs()
    return ell, low * mask, low


# ----------------------------------------------------------------------------------------------------------------
# baselines (§7.3 - §7.6)
def kl_cov_loss(inp, opts, rk):
    o = dict(dict(klCovRatio=0.0002, ppoKlCoef=0.1), **opts)
    old, logp, A, mask = inp["oldLogp"], inp["logp"], inp["advantages"], inp["mask"]
    B, L = A.shape
    maskb = mask.bool()
    d = logp - old
    coef = torch.zeros(B * L, dtype=A.dtype)
    n = int(maskb.sum())
    if n > 0:
        a = A[maskb]
        lv = logp.detach()[maskb]
        cov = (a - a.mean()) * (lv - lv.mean())
        k = max(1, int(n * o["klCovRatio"]))
        top = rk.top(cov, k, largest=True)
        coef[torch.nonzero(maskb.reshape(-1)).reshape(-1)[top]] = o["ppoKlCoef"]
    coef = coef.view(B, L)
    return -A * torch.exp(d) + coef * d.abs(), mask, coef


class ClipCovRng:
    """Bit-for-bit the PRNG documented in packages/entropy-baselines/src/prng.ts (splitmix32 → xoshiro128**)."""

    M = 0xFFFFFFFF

    def __init__(self, seed):
        x = seed & self.M
        s = []
        for _ in range(4):
            x = (x + 0x9E3779B9) & self.M
            z = x
            z = ((z ^ (z >> 16)) * 0x85EBCA6B) & self.M
            z = ((z ^ (z >> 13)) * 0xC2B2AE35) & self.M
            s.append((z ^ (z >> 16)) & self.M)
        if s == [0, 0, 0, 0]:
            s[0] = 1
        self.s = s

    def uint32(self):
        s = self.s
        m = (s[1] * 5) & self.M
        result = ((((m << 7) | (m >> 25)) & self.M) * 9) & self.M
        t = (s[1] << 9) & self.M
        s[2] ^= s[0]
        s[3] ^= s[1]
        s[1] ^= s[2]
        s[0] ^= s[3]
        s[2] ^= t
        s[3] = ((s[3] << 11) | (s[3] >> 21)) & self.M
        return result

    def below(self, n):
        bits = (n - 1).bit_length()
        mask = (1 << bits) - 1
        while True:
            x = self.uint32() & mask
            if x < n:
                return x


def clip_cov_loss(inp, opts, rk):
    o = dict(dict(clipCovRatio=0.0002, clipCovLb=1.0, clipCovUb=5.0, clipRatioLow=0.2, clipRatioHigh=0.2, seed=0),
             **opts)
    old, logp, A, mask = inp["oldLogp"], inp["logp"], inp["advantages"], inp["mask"]
    maskf = mask.to(logp.dtype)
    d = logp - old
    r = torch.exp(d)
    pg1 = -A * r
    pg2 = -A * torch.clamp(r, 1 - o["clipRatioLow"], 1 + o["clipRatioHigh"])
    clip_by_origin = (pg2 > pg1) & (mask > 0)

    def masked_mean(x):
        return (x * maskf).sum() / (maskf.sum() + EPS)

    cov = (A - masked_mean(A)) * (logp - masked_mean(logp.detach()))
    cov = cov.detach().clone()
    cov[mask == 0] = -math.inf
    cov[clip_by_origin] = -math.inf
    clip_num = max(int(o["clipCovRatio"] * int(mask.sum())), 1)
    cand = torch.nonzero((cov < o["clipCovUb"]) & (cov > o["clipCovLb"]) & (mask > 0))  # row-major [i, 2]
    corr = torch.ones_like(A)
    if len(cand) > 0:
        rng = ClipCovRng((inp["ctxSeed"] ^ o["seed"]) & 0xFFFFFFFF)
        perm = list(range(len(cand)))
        m = min(clip_num, len(cand))
        for i in range(m):  # partial Fisher-Yates, as in prng.ts
            j = i + rng.below(len(cand) - i)
            perm[i], perm[j] = perm[j], perm[i]
        chosen = cand[torch.tensor(perm[:m], dtype=torch.long)]
        corr[chosen[:, 0], chosen[:, 1]] = 0
    return torch.maximum(pg1, pg2) * corr, mask, corr


def high_entropy_mask_loss(inp, opts, rk):
    o = dict(dict(topEntropyRatio=0.2), **opts)
    old, logp, A, H, mask = inp["oldLogp"], inp["logp"], inp["advantages"], inp["entropy"], inp["mask"]
    B, L = A.shape
    maskb = mask.bool()
    top = torch.zeros(B * L, dtype=A.dtype)
    E = H.detach()[maskb]
    if E.numel() > 0:
        k = max(1, int(E.numel() * o["topEntropyRatio"] + 0.9999))
        idx = rk.top(E, k, largest=True)
        top[torch.nonzero(maskb.reshape(-1)).reshape(-1)[idx]] = 1
    top = top.view(B, L)
    return vanilla_terms(logp, old, A, o), mask * top, top


def entropy_advantage_loss(inp, opts, rk):
    o = dict(dict(alpha=0.4, kappa=2.0), **opts)
    old, logp, A, H, mask = inp["oldLogp"], inp["logp"], inp["advantages"], inp["entropy"], inp["mask"]
    psi = torch.minimum(o["alpha"] * H.detach(), A.abs() / o["kappa"])
    shaped = torch.where(mask > 0, A + psi, A)
    return vanilla_terms(logp, old, shaped, o), mask, shaped


LOSSES = {
    "sent": sent_loss,
    "sent-v1": sent_v1_loss,
    "kl-cov": kl_cov_loss,
    "clip-cov": clip_cov_loss,
    "high-entropy-mask": high_entropy_mask_loss,
    "entropy-advantage": entropy_advantage_loss,
}
COMMON_DEFAULTS = dict(lossAggMode="token-mean", lossAggNorm=None, useKlLoss=False, klLossCoef=0.001,
                       klLossType="low_var_kl", entropyCoeff=0.0)


def total_loss(name, inp, opts, common, check_ties=True):
    """docs/contracts.md §2: pg − entropyCoeff·agg(H, mask) + [useKlLoss]·klLossCoef·agg(kl, mask)."""
    c = dict(COMMON_DEFAULTS, **common)
    rk = Ranker(check_ties)
    ell, agg_mask, sel = LOSSES[name](inp, opts, rk)
    mode, norm, mask = c["lossAggMode"], c["lossAggNorm"], inp["mask"]
    pg = agg_loss(ell, agg_mask, mode, norm)
    total = pg
    if c["useKlLoss"]:
        total = total + c["klLossCoef"] * agg_loss(kl_penalty(inp["logp"], inp["refLogp"], c["klLossType"]), mask,
                                                   mode, norm)
    if c["entropyCoeff"] != 0:
        total = total - c["entropyCoeff"] * agg_loss(inp["entropy"], mask, mode, norm)
    return total, sel, rk.ties


# ----------------------------------------------------------------------------------------------------------------
# fixtures
def make_batch(g, rows, cols, *, lengths=None, adv="grpo", ent_scale=2.0, drift=0.05, adv_scale=1.0):
    """Random batch; padded positions get random values too (the contract keeps them, code-exact reads them)."""
    if lengths is None:
        lengths = torch.randint(1, cols + 1, (rows,), generator=g).tolist()
    mask = torch.zeros(rows, cols, dtype=torch.uint8)
    for b, n in enumerate(lengths):
        mask[b, :n] = 1
    old = -torch.rand(rows, cols, generator=g) * 3 - 0.01
    logp = old + drift * torch.randn(rows, cols, generator=g)
    ref = old + 0.1 * torch.randn(rows, cols, generator=g)
    H = torch.rand(rows, cols, generator=g) * ent_scale
    if adv == "grpo":
        A = (torch.randn(rows, 1, generator=g) * adv_scale).expand(rows, cols).clone()
        A = torch.where(mask > 0, A, torch.randn(rows, cols, generator=g))  # garbage on padding
    elif adv == "token":
        A = torch.randn(rows, cols, generator=g) * adv_scale
    elif adv == "zero":
        A = torch.where(mask > 0, torch.zeros(rows, cols), torch.randn(rows, cols, generator=g))
    else:
        raise ValueError(adv)
    return dict(mask=mask, oldLogp=old, logp=logp, refLogp=ref, entropy=H, advantages=A)


def run_case(name, loss, batch, opts=None, common=None, ctx_seed=0):
    opts = opts or {}
    common = common or {}
    inp = {k: (v.clone() if torch.is_tensor(v) else v) for k, v in batch.items()}
    inp["logp"] = inp["logp"].clone().requires_grad_(True)
    inp["entropy"] = inp["entropy"].clone().requires_grad_(True)
    inp["ctxSeed"] = ctx_seed
    total, sel, ties = total_loss(loss, inp, opts, common)
    total.backward()
    grad_logp = inp["logp"].grad
    grad_ent = inp["entropy"].grad
    rows, cols = batch["mask"].shape
    flat = lambda t: [float(x) for x in t.detach().reshape(-1).tolist()]
    case = dict(name=name, loss=loss, options=opts, common=common, ctxSeed=ctx_seed, rows=rows, cols=cols,
                ties=ties, mask=[int(x) for x in batch["mask"].reshape(-1).tolist()],
                logp=flat(batch["logp"]), oldLogp=flat(batch["oldLogp"]), refLogp=flat(batch["refLogp"]),
                entropy=flat(batch["entropy"]), advantages=flat(batch["advantages"]),
                expected=dict(loss=float(total), gradLogp=flat(grad_logp),
                              selection=flat(sel) if torch.is_tensor(sel) else None))
    if common.get("entropyCoeff", 0) != 0:
        case["expected"]["gradEntropy"] = flat(grad_ent)
    return case


AGG = ["token-mean", "seq-mean-token-sum", "seq-mean-token-mean", "seq-mean-token-sum-norm"]


def sent_cases():
    g = torch.Generator().manual_seed(20251204)
    cases = []
    shapes = [(4, 16), (3, 37), (8, 24), (5, 61)]
    for mode in ["code-intended", "code-exact", "paper"]:
        adv = "token" if mode == "code-exact" else "grpo"  # code-exact reads rows 0/1 at scrambled places
        for i, agg in enumerate(AGG):
            rows, cols = shapes[i]
            b = make_batch(g, rows, cols, adv=adv)
            opts = {"mode": mode, "klCovRatio": [0.0002, 0.05, 0.1, 0.02][i]}
            common = {"lossAggMode": agg}
            if agg == "seq-mean-token-sum-norm":
                common["lossAggNorm"] = 80
            if i == 1:
                common.update(useKlLoss=True, klLossCoef=0.01, klLossType="k3")
            if i == 2:
                common.update(entropyCoeff=0.003)
            cases.append(run_case(f"{mode}/{agg}", "sent", b, opts, common))
        b = make_batch(g, 6, 30, adv=adv, lengths=[30, 0, 12, 1, 29, 7])  # with an empty row
        cases.append(run_case(f"{mode}/tokenSet-high", "sent", b, {"mode": mode, "tokenSet": "high",
                                                                   "klCovRatio": 0.1}))
        b = make_batch(g, 4, 20, adv="zero")
        cases.append(run_case(f"{mode}/all-advantages-zero", "sent", b, {"mode": mode}))
        b = make_batch(g, 2, 9, adv=adv, lengths=[1, 0] if mode != "code-exact" else [0, 1])
        cases.append(run_case(f"{mode}/single-valid-token", "sent", b, {"mode": mode}))
        b = make_batch(g, 4, 8, adv=adv, drift=0.3)
        cases.append(run_case(f"{mode}/custom-coefficients", "sent", b,
                              {"mode": mode, "lowEntropyFrac": 0.5, "klCovRatio": 0.25, "ppoKlCoef": 0.7,
                               "highCovCoef": 3.0, "lowCovCoef": 0.25, "betaHigh": 0.4, "betaLow": 0.1,
                               "clipRatio": 0.1}))
    # code-exact with GRPO-constant advantages: the scrambled covariances tie, decided by the tie rule
    b = make_batch(g, 4, 12, adv="grpo", lengths=[12, 10, 5, 7])
    cases.append(run_case("code-exact/grpo-advantages-tie-rule", "sent", b, {"mode": "code-exact"}))
    b = make_batch(g, 1, 10, adv="grpo", lengths=[10])
    cases.append(run_case("code-intended/one-row", "sent", b, {}))
    for i, agg in enumerate(AGG):
        rows, cols = shapes[i]
        b = make_batch(g, rows, cols)
        cases.append(run_case(f"sent-v1/{agg}", "sent-v1", b, {"lowEntropyFrac": [0.8, 0.5, 0.9, 0.3][i]},
                              {"lossAggMode": agg}))
    b = make_batch(g, 2, 5, lengths=[1, 0])
    cases.append(run_case("sent-v1/single-valid-token", "sent-v1", b, {"ppoKlCoef": 0.3}))
    return cases


def baseline_cases():
    g = torch.Generator().manual_seed(2506_14758)
    cases = []
    shapes = [(4, 16), (3, 37), (8, 24), (5, 61)]
    for i, agg in enumerate(AGG):
        rows, cols = shapes[i]
        common = {"lossAggMode": agg}
        if i == 1:
            common.update(useKlLoss=True, klLossType="k2", klLossCoef=0.05)
        if i == 2:
            common.update(entropyCoeff=0.002)
        b = make_batch(g, rows, cols)
        cases.append(run_case(f"kl-cov/{agg}", "kl-cov", b, {"klCovRatio": [0.0002, 0.02, 0.1, 0.05][i],
                                                              "ppoKlCoef": [0.1, 1.0, 0.5, 2.0][i]}, common))
        b = make_batch(g, rows, cols, adv_scale=3.0, drift=0.2)
        cases.append(run_case(f"clip-cov/{agg}", "clip-cov", b,
                              {"clipCovRatio": [0.05, 0.1, 0.2, 0.02][i], "seed": [0, 7, 123456, 4242][i]},
                              common, ctx_seed=[0, 99, 0xDEADBEEF, 31337][i]))
        b = make_batch(g, rows, cols, drift=0.3)
        cases.append(run_case(f"high-entropy-mask/{agg}", "high-entropy-mask", b,
                              {"topEntropyRatio": [0.2, 0.5, 0.1, 0.35][i], "clipRatioHigh": 0.28}, common))
        b = make_batch(g, rows, cols, drift=0.3)
        cases.append(run_case(f"entropy-advantage/{agg}", "entropy-advantage", b,
                              {"alpha": [0.4, 0.1, 1.0, 0.4][i], "kappa": [2.0, 3.0, 1.5, 2.0][i],
                               "clipRatioLow": 0.15}, common))
    for loss in ["kl-cov", "clip-cov", "high-entropy-mask", "entropy-advantage"]:
        b = make_batch(g, 4, 20, adv="zero")
        cases.append(run_case(f"{loss}/all-advantages-zero", loss, b, {}))
        b = make_batch(g, 2, 6, lengths=[0, 1])
        cases.append(run_case(f"{loss}/single-valid-token", loss, b, {}))
    b = make_batch(g, 6, 40, adv_scale=4.0, drift=0.5)
    cases.append(run_case("clip-cov/default-bounds", "clip-cov", b, {"clipCovRatio": 0.05}, {}, ctx_seed=5))
    return cases


def prng_vectors():
    """First draws of the Clip-Cov PRNG (prng.ts) for a few seeds, so the TS port is checked bit for bit."""
    out = []
    for seed in [0, 1, 42, 0xDEADBEEF, 0xFFFFFFFF]:
        rng = ClipCovRng(seed)
        u = [rng.uint32() for _ in range(6)]
        b = [rng.below(n) for n in [1, 2, 3, 10, 1000, 2 ** 31 + 5, 4294967296]]
        out.append(dict(seed=seed, uint32=u, below=b, bounds=[1, 2, 3, 10, 1000, 2 ** 31 + 5, 4294967296]))
    return out


def write(path, cases, extra=None):
    full = os.path.join(ROOT, path)
    os.makedirs(os.path.dirname(full), exist_ok=True)
    with open(full, "w") as f:
        payload = {"generator": "tools/torch-ref/sent_losses.py", "torch": torch.__version__, "cases": cases}
        payload.update(extra or {})
        json.dump(payload, f, separators=(",", ":"))
        f.write("\n")
    ties = sum(c["ties"] for c in cases)
    print(f"{path}: {len(cases)} cases ({ties} decided by the tie rule), {os.path.getsize(full)} bytes",
          file=sys.stderr)


def check_gather_code_exact():
    """The benchmark's gather form of code-exact equals the literal int64 indexing."""
    g = torch.Generator().manual_seed(3)
    for rows, cols in [(4, 16), (7, 5), (3, 40)]:
        b = make_batch(g, rows, cols, adv="token")
        vals = []
        for gather in (False, True):
            inp = dict(b, ctxSeed=0, gatherCodeExact=gather)
            vals.append(total_loss("sent", inp, {"mode": "code-exact", "klCovRatio": 0.1}, {})[0].item())
        assert vals[0] == vals[1], vals


if __name__ == "__main__":
    check_gather_code_exact()
    write("packages/token-entropy-kl/test/fixtures/sent-losses.json", sent_cases())
    write("packages/entropy-baselines/test/fixtures/baseline-losses.json", baseline_cases(),
          {"prng": prng_vectors()})
