#!/usr/bin/env python3
"""PyTorch reference for semantic entropy (docs/algorithms.md §4.3, §8.2), written from the spec.

  python3 tools/torch-ref/semantic_entropy.py fixtures <out.json>   # estimator golden values
  python3 tools/torch-ref/semantic_entropy.py bench <questions> <m>  # timing baseline, prints one JSON line

Estimators, per question with cluster ids c_s (0..K-1), summed log-lik L_s and token counts n_s:
  discrete:          p_k = count_k / M
  lengthNormalized:  w_s = L_s / n_s ; log p_k = logsumexp_{s in C_k} w_s - logsumexp_s w_s
  raw:               w_s = L_s      ; same
  SE = -sum_k p_k log p_k
  kuhn:              SE = -(1/K) sum_k (logsumexp_{s in C_k} L_s/n_s - 5.0)
"""
import json
import re
import sys
import time
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "ref"))
from math_checkers import dapo_norm as normalize  # noqa: E402  (the verl math_dapo normaliser, docs/algorithms.md §10.1)

torch.set_num_threads(2)


def se_normalised(ids, w):
    ids = torch.as_tensor(ids, dtype=torch.long)
    w = torch.as_tensor(w, dtype=torch.float64)
    k = int(ids.max().item()) + 1
    logp = torch.stack([torch.logsumexp(w[ids == c], dim=0) for c in range(k)])
    logp = logp - torch.logsumexp(w, dim=0)
    p = logp.exp()
    return float(-(p * logp).sum().item())


def se_discrete(ids):
    ids = torch.as_tensor(ids, dtype=torch.long)
    counts = torch.bincount(ids).to(torch.float64)
    p = counts / counts.sum()
    p = p[p > 0]
    return float(-(p * p.log()).sum().item())


def se_kuhn(ids, w):
    ids = torch.as_tensor(ids, dtype=torch.long)
    w = torch.as_tensor(w, dtype=torch.float64)
    lse = torch.stack([torch.logsumexp(w[ids == c], dim=0) for c in torch.unique(ids)]) - 5.0
    return float(-(lse.sum() / lse.shape[0]).item())


def first_seen(raw):
    mp, out = {}, []
    for r in raw:
        if r not in mp:
            mp[r] = len(mp)
        out.append(mp[r])
    return out


def fixtures(path):
    rng = np.random.default_rng(20261126)
    cases = []
    for i in range(60):
        m = int(rng.integers(1, 17))
        kmax = int(rng.integers(1, m + 1))
        ids = first_seen([int(x) for x in rng.integers(0, kmax, size=m)])
        lengths = [int(x) for x in rng.integers(1, 2048, size=m)]
        # mean token log-probs in [-2, -0.05]; some cases with huge raw spreads
        means = rng.uniform(-2.0, -0.05, size=m)
        loglik = [float(means[j] * lengths[j]) for j in range(m)]
        norm = [loglik[j] / lengths[j] for j in range(m)]
        cases.append({
            "clusterIds": ids,
            "logLik": loglik,
            "lengths": lengths,
            "expected": {
                "discrete": se_discrete(ids),
                "lengthNormalized": se_normalised(ids, norm),
                "raw": se_normalised(ids, loglik),
                "kuhn": se_kuhn(ids, norm),
            },
        })
    with open(path, "w") as f:
        json.dump({"generator": "tools/torch-ref/semantic_entropy.py", "torch": torch.__version__, "cases": cases}, f)


# --- benchmark baseline: the same pipeline (extract, normalise, cluster, length-normalised SE) in Python + torch ---
ANSWER = re.compile(r"(?i)Answer\s*:\s*([^\n]+)")

def bench(nq, m):
    rng = np.random.default_rng(1)
    wrong = rng.integers(0, 4, size=(nq, m))
    loglik = rng.uniform(-600, -50, size=(nq, m))
    lengths = rng.integers(100, 1000, size=(nq, m))
    filler = "Let us compute step by step. " * 12
    responses = [[f"{filler}\nAnswer: {int(q % 97) + int(wrong[q, j])}" for j in range(m)] for q in range(nq)]
    t0 = time.perf_counter()
    out = []
    for q in range(nq):
        keys = []
        for r in responses[q]:
            ms = ANSWER.findall(r[-300:])
            keys.append(normalize(ms[-1]) if ms else None)
        mp, ids = {}, []
        for j, k in enumerate(keys):
            if k is None:
                ids.append(len(mp)); mp[("inv", j)] = len(mp)
                continue
            if k not in mp:
                mp[k] = len(mp)
            ids.append(mp[k])
        w = torch.as_tensor(loglik[q] / lengths[q])
        idt = torch.as_tensor(ids)
        z = torch.zeros(len(mp), dtype=torch.float64).fill_(-float("inf"))
        # scatter logsumexp: exp-shift by global max (max-shifted like the TS code)
        mx = w.max()
        s = torch.zeros(len(mp), dtype=torch.float64).index_add_(0, idt, (w - mx).exp())
        logp = s.log() - s.sum().log()
        p = logp.exp()
        out.append(float(-(p * logp).sum()))
    dt = time.perf_counter() - t0
    print(json.dumps({"questions": nq, "responsesPerQuestion": m, "seconds": dt, "questionsPerSecond": nq / dt, "torch": torch.__version__}))


if __name__ == "__main__":
    if sys.argv[1] == "fixtures":
        fixtures(sys.argv[2])
    elif sys.argv[1] == "bench":
        bench(int(sys.argv[2]), int(sys.argv[3]))
