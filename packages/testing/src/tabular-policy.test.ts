import { describe, expect, it } from "vitest";
import { Rng } from "@sentrl/core";
import { createTabularPolicy } from "./tabular-policy.js";

const vocab = ["a", "b", "c", "<eos>"];
const make = (seed = 1) => {
  const rng = new Rng(seed);
  const init = Float64Array.from({ length: 2 * 3 * 4 }, () => rng.normal());
  return createTabularPolicy({ states: 2, vocab, eosToken: 3, maxTokens: 3, init });
};
const batch = { promptTokens: [[0], [1], [1]], responseTokens: [[0, 1, 3], [2], [1, 3]] };

describe("tabular policy", () => {
  it("scores log-probs and entropies that match a direct softmax at the temperature", () => {
    const policy = make();
    const T = 0.7;
    const s = policy.score(batch, { temperature: T, grad: false });
    expect(s).toMatchObject({ rows: 3, cols: 3 });
    const th = policy.theta;
    // Row 2, position 1: state 1, token 3.
    const z = [0, 1, 2, 3].map((j) => th[(1 * 3 + 1) * 4 + j] / T);
    const lse = Math.log(z.reduce((acc, x) => acc + Math.exp(x), 0));
    const p = z.map((x) => Math.exp(x - lse));
    expect(s.logp[2 * 3 + 1]).toBeCloseTo(z[3] - lse, 12);
    expect(s.entropy[2 * 3 + 1]).toBeCloseTo(-p.reduce((acc, pj) => acc + pj * Math.log(pj), 0), 12);
    expect(s.logp[1 * 3 + 1]).toBe(0); // padding
    expect(s.handle).toBeUndefined();
  });

  it("backward accumulates the exact gradient of Σ a·logp + c·entropy (finite differences)", () => {
    const policy = make(3);
    const T = 0.8;
    const rng = new Rng(4);
    const a = Float64Array.from({ length: 9 }, () => rng.normal());
    const c = Float64Array.from({ length: 9 }, () => rng.normal());
    const objective = () => {
      const s = policy.score(batch, { temperature: T, grad: false });
      let f = 0;
      for (let i = 0; i < 9; i++) f += a[i] * s.logp[i] + c[i] * s.entropy[i];
      return f;
    };
    const scored = policy.score(batch, { temperature: T, grad: true });
    policy.backward(scored.handle, { dLogp: a, dEntropy: c });
    policy.backward(scored.handle, { dLogp: a, dEntropy: c });
    const th = policy.theta;
    const h = 1e-6;
    let worst = 0;
    for (let i = 0; i < th.length; i++) {
      const old = th[i];
      th[i] = old + h;
      const fp = objective();
      th[i] = old - h;
      const fm = objective();
      th[i] = old;
      worst = Math.max(worst, Math.abs(policy.grad[i] - (2 * (fp - fm)) / (2 * h)));
    }
    expect(worst).toBeLessThan(1e-7);
    expect(policy.grad.some((g) => g !== 0)).toBe(true);
    policy.zeroGrad();
    expect(policy.grad.every((g) => g === 0)).toBe(true);
  });

  it("snapshots are frozen and state() / load() round-trip parameters and Adam moments", () => {
    const policy = make(5);
    const ref = policy.snapshot();
    const before = ref.score(batch, { temperature: 1 }).logp.slice();
    const s = policy.score(batch, { temperature: 1, grad: true });
    policy.backward(s.handle, { dLogp: new Float64Array(9).fill(1) });
    const settings = { lr: 0.1, betas: [0.9, 0.999] as [number, number], eps: 1e-8, weightDecay: 0.01, maxGradNorm: 1 };
    policy.step(settings);
    const saved = policy.state();
    expect(ref.score(batch, { temperature: 1 }).logp).toEqual(before);
    expect(policy.score(batch, { temperature: 1, grad: false }).logp).not.toEqual(before);

    const twin = make(99);
    twin.load(saved);
    expect(twin.theta).toEqual(policy.theta);
    for (const p of [policy, twin]) {
      p.zeroGrad();
      const sc = p.score(batch, { temperature: 1, grad: true });
      p.backward(sc.handle, { dLogp: new Float64Array(9).fill(-1) });
      p.step(settings);
    }
    expect(twin.theta).toEqual(policy.theta);
    expect(() => twin.load({ tensors: {}, meta: {} })).toThrow(expect.objectContaining({ code: "POLICY_BAD_STATE" }));
  });

  it("samples reproducibly from the seed, stops at EOS and reports token ids", async () => {
    const policy = make(7);
    const prompts = [{ id: "0" }, { id: "1" }];
    const a = await policy.rollout(prompts, { n: 5, temperature: 1, seed: 11 });
    const b = await policy.rollout(prompts, { n: 5, temperature: 1, seed: 11 });
    const c = await policy.rollout(prompts, { n: 5, temperature: 1, seed: 12 });
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
    expect(a[1].promptTokens).toEqual([1]);
    for (const r of a.flatMap((x) => x.completions)) {
      const ids = Array.from(r.tokenIds);
      expect(ids.length).toBeLessThanOrEqual(3);
      expect(r.finishReason).toBe(ids.at(-1) === 3 ? "stop" : "length");
      expect(r.text).toBe(
        ids
          .filter((t) => t !== 3)
          .map((t) => vocab[t])
          .join(""),
      );
    }
    await expect(policy.rollout([{ id: "9" }], { n: 1 })).rejects.toMatchObject({ code: "TABULAR_BAD_INPUT" });
  });
});

describe("tabular policy step", () => {
  it("uses the Backend's AdamW rule: a non-finite gradient norm skips the update and is not counted", () => {
    const policy = make();
    const before = Float64Array.from(policy.theta);
    policy.grad[0] = Number.NaN;
    const settings = { lr: 0.1, betas: [0.9, 0.999] as [number, number], eps: 1e-8, weightDecay: 0, maxGradNorm: 1 };
    expect(policy.step(settings)).toMatchObject({ applied: false });
    expect(Array.from(policy.theta)).toEqual(Array.from(before));
    expect(policy.state().meta.updates).toBe(0);
    policy.zeroGrad();
    policy.grad[1] = 2;
    expect(policy.step(settings)).toEqual({ gradNorm: 2, applied: true });
    expect(policy.theta[1]).toBeCloseTo(before[1] - 0.1, 8); // first Adam step: lr·sign(g) (eps 1e-8)
    expect(policy.state().meta.updates).toBe(1);
  });
});
