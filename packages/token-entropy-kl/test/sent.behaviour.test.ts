import {
  argLargestK,
  argSmallestK,
  createPolicyLossRegistry,
  evaluatePolicyLoss,
  grpoLoss,
  PluginDriver,
  resolveLossOptions,
  type TokenBatch,
} from "@sentrl/core";
import { describe, expect, it } from "vitest";
import { errorCode as code, section57Batch } from "../../core/test/loss-plugin-fixtures.js";
import { policyLossDefinitions, SENT_DEFAULTS, sentLoss, sentSelect, tokenEntropyKlPlugin } from "../src/index.js";

const ctx = { step: 0, microBatch: 0, seed: 0 };

/** Deterministic random batch: GRPO-style advantages per row, right-padded rows with garbage in the padding. */
function randomBatch(rows: number, cols: number, seed: number): TokenBatch {
  let s = seed >>> 0;
  const rnd = () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
  const n = rows * cols;
  const mask = new Uint8Array(n);
  const adv = new Float64Array(n);
  for (let b = 0; b < rows; b++) {
    const len = 1 + Math.floor(rnd() * cols);
    const a = rnd() * 2 - 1;
    for (let t = 0; t < cols; t++) {
      mask[b * cols + t] = t < len ? 1 : 0;
      adv[b * cols + t] = t < len ? a : rnd();
    }
  }
  const oldLogp = Float64Array.from({ length: n }, () => -3 * rnd());
  return {
    rows,
    cols,
    mask,
    advantages: adv,
    oldLogp,
    logp: oldLogp.map((x) => x + 0.1 * (rnd() - 0.5)),
    entropy: Float64Array.from({ length: n }, () => 2 * rnd()),
  };
}

/** Naive SENT code-intended selection with a full sort (what the spec says, no cleverness). */
function naiveCoef(batch: TokenBatch, klCovRatio: number): Float64Array {
  const V: number[] = [];
  for (let p = 0; p < batch.mask.length; p++) if (batch.mask[p]) V.push(p);
  const kLow = Math.max(1, Math.trunc(V.length * 0.8));
  const Lidx = V.map((_, i) => i)
    .sort((i, j) => batch.entropy![V[i]] - batch.entropy![V[j]] || i - j)
    .slice(0, kLow);
  const S = Lidx.map((i) => V[i]);
  const a = S.map((p) => batch.advantages[p]);
  const l = S.map((p) => batch.logp[p]);
  const ma = a.reduce((x, y) => x + y, 0) / a.length;
  const ml = l.reduce((x, y) => x + y, 0) / l.length;
  const cov = a.map((x, j) => (x - ma) * (l[j] - ml));
  const kCov = Math.max(1, Math.trunc(kLow * klCovRatio));
  const order = cov.map((_, j) => j);
  const coef = new Float64Array(batch.mask.length);
  for (const j of [...order].sort((x, y) => cov[y] - cov[x] || x - y).slice(0, kCov)) coef[S[j]] = 0.2;
  for (const j of [...order].sort((x, y) => cov[x] - cov[y] || x - y).slice(0, kCov)) coef[S[j]] = 0.05;
  return coef;
}

describe("sent: edge cases and contracts", () => {
  it("code-exact with a single row holding valid tokens throws SENT_CODE_EXACT_ONE_ROW", () => {
    const b: TokenBatch = {
      rows: 1,
      cols: 3,
      mask: new Uint8Array([1, 1, 0]),
      logp: new Float64Array([-1, -2, 0]),
      oldLogp: new Float64Array([-1, -2, 0]),
      advantages: new Float64Array([1, 1, 0]),
      entropy: new Float64Array([0.1, 0.2, 0]),
    };
    expect(code(() => evaluatePolicyLoss(sentLoss.create({ mode: "code-exact" }), b))).toBe("SENT_CODE_EXACT_ONE_ROW");
    expect(code(() => evaluatePolicyLoss(sentLoss.create({}), b))).toBe("no error");
    // a single row without valid tokens is an empty scope: loss 0, no error
    const empty = { ...b, mask: new Uint8Array(3) };
    expect(evaluatePolicyLoss(sentLoss.create({ mode: "code-exact" }), empty).loss).toBe(0);
  });

  it("an empty scope selects nothing and gives loss 0 with zero gradients", () => {
    const b = { ...section57Batch(), mask: new Uint8Array(18) };
    for (const mode of ["code-intended", "code-exact", "paper"] as const) {
      const loss = sentLoss.create({ mode });
      const sel = loss.select!(b, ctx);
      expect(sel.tokens.coef.every((c) => c === 0)).toBe(true);
      expect(sel.metrics!["sent/low_entropy_tokens"]).toBe(0);
      const out = evaluatePolicyLoss(loss, { ...b, refLogp: b.logp });
      expect(out.loss).toBe(0);
      expect(out.gradLogp.every((g) => g === 0)).toBe(true);
    }
  });

  it("|x|'(0) = 0: a penalised token with logp == oldLogp has gradient −A·r only", () => {
    const b = section57Batch();
    const loss = sentLoss.create({});
    const sel = loss.select!(b, ctx); // frozen: (0,3) carries β = 0.2 in code-intended mode
    expect(sel.tokens.coef[3]).toBeCloseTo(0.2, 15);
    b.logp[3] = b.oldLogp[3];
    const t = loss.tokenLoss(b, sel, ctx);
    expect(t.dLogp[3]).toBe(-b.advantages[3]);
    expect(t.loss[3]).toBe(-b.advantages[3]);
  });

  it("all-zero advantages: the tie rule puts β_low on the lowest-entropy token (highest for tokenSet high)", () => {
    const b = { ...section57Batch(), advantages: new Float64Array(18) };
    const low = sentLoss.create({}).select!(b, ctx).tokens.coef;
    expect([...low.entries()].filter(([, c]) => c !== 0)).toEqual([[12, 0.05]]); // H(2,0) = 0.168 is the lowest
    const high = sentLoss.create({ tokenSet: "high" }).select!(b, ctx).tokens.coef;
    expect([...high.entries()].filter(([, c]) => c !== 0)).toEqual([[2, 0.05]]); // H(0,2) = 1.868 is the highest
    // equal entropies too: the lower flat index wins
    const flat = { ...b, entropy: new Float64Array(18).fill(1) };
    expect([...sentLoss.create({}).select!(flat, ctx).tokens.coef.entries()].filter(([, c]) => c !== 0)).toEqual([
      [0, 0.05],
    ]);
  });

  it("covariance ties go to the lower-entropy token first (ranked-list position, §5.6)", () => {
    // two rows with constant, opposite advantages and identical log-probs → cov ties in pairs
    const b: TokenBatch = {
      rows: 2,
      cols: 2,
      mask: new Uint8Array([1, 1, 1, 1]),
      advantages: new Float64Array([1, 1, -1, -1]),
      logp: new Float64Array([-1, -2, -1, -2]),
      oldLogp: new Float64Array([-1, -2, -1, -2]),
      entropy: new Float64Array([0.4, 0.3, 0.2, 0.1]),
    };
    // low set (k = 3): flat 3, 2, 1; cov: flat1 = (1−a̅)(−2−l̅) ...; use klCovRatio 1 to rank all three
    const coef = sentLoss.create({ klCovRatio: 0.5 }).select!(b, ctx).tokens.coef;
    // a̅ = −1/3, l̅ = −5/3: cov(3) = (−2/3)(−1/3) = 2/9, cov(2) = (−2/3)(2/3) = −4/9, cov(1) = (4/3)(−1/3) = −4/9
    // largest: flat 3; smallest: tie between flat 2 (entropy 0.2) and flat 1 (0.3) → flat 2 (lower entropy)
    expect([...coef]).toEqual([0, 0, 0.05, 0.2]);
  });

  it("set sizes use Math.trunc(n * frac) in IEEE doubles (0.29 · 100 = 28.999999999999996 → 28)", () => {
    const b = randomBatch(1, 100, 11);
    b.mask.fill(1);
    const sel = sentLoss.create({ lowEntropyFrac: 0.29 }).select!(b, ctx);
    expect(sel.metrics!["sent/low_entropy_tokens"]).toBe(28);
  });

  it("matches a naive full-sort implementation on larger batches (heap and quickselect paths)", () => {
    for (const [rows, cols, ratio] of [
      [4, 2048, 0.0002],
      [8, 1024, 0.02],
      [16, 512, 0.3],
    ] as const) {
      const b = randomBatch(rows, cols, rows * 7 + cols);
      const coef = sentLoss.create({ klCovRatio: ratio }).select!(b, ctx).tokens.coef;
      expect([...coef]).toEqual([...naiveCoef(b, ratio)]);
    }
  });

  it("select reads only detached values (miniBatch scope on rollout statistics)", () => {
    const b = randomBatch(8, 64, 5);
    const loss = sentLoss.create({ klCovRatio: 0.05 });
    // rollout-time statistics: oldLogp as logp, whatever the current logp/oldLogp hold
    const rollout = { ...b, logp: b.oldLogp, oldLogp: new Float64Array(b.oldLogp.length).fill(-99) };
    const sel = loss.select!(rollout, ctx);
    expect(loss.select!({ ...rollout, oldLogp: b.logp }, ctx).tokens.coef).toEqual(sel.tokens.coef);
    const out = evaluatePolicyLoss(loss, b, {}, ctx, sel);
    const ref = evaluatePolicyLoss(loss, b, {}, ctx); // selected on the current forward
    expect(Number.isFinite(out.loss)).toBe(true);
    expect(out.metrics["sent/low_entropy_tokens"]).toBe(ref.metrics["sent/low_entropy_tokens"]);
  });

  it("reports the researcher metrics", () => {
    const out = evaluatePolicyLoss(sentLoss.create({}), section57Batch());
    const m = out.metrics;
    expect(m["sent/low_entropy_tokens"]).toBe(10);
    expect(m["sent/high_cov_tokens"]).toBe(1);
    expect(m["sent/low_cov_tokens"]).toBe(1);
    expect(m["sent/mean_coef"]).toBeCloseTo(0.25 / 13, 15);
    expect(m["sent/penalized_abs_log_ratio"]).toBeCloseTo((0.068 + 0.045) / 2, 12);
    expect(m["sent/entropy_p50"]).toBe(1.189);
    expect(m["sent/entropy_p10"]).toBeGreaterThan(0.168);
    expect(m.ppo_kl).toBeGreaterThan(0);
    expect(m.pg_clipfrac).toBe(0);
    expect(m.pg_clipfrac_lower).toBe(0);
  });

  it("validates options and names every valid key on an unknown one", () => {
    expect(code(() => sentLoss.create({ mode: "nope" as never }))).toBe("LOSS_BAD_OPTION");
    expect(code(() => sentLoss.create({ tokenSet: "mid" as never }))).toBe("LOSS_BAD_OPTION");
    expect(code(() => sentLoss.create({ lowEntropyFrac: 0 }))).toBe("LOSS_BAD_OPTION");
    expect(code(() => sentLoss.create({ ppoKlCoef: -1 }))).toBe("LOSS_BAD_OPTION");
    expect(code(() => sentLoss.create({ bogus: 1 } as never))).toBe("LOSS_UNKNOWN_OPTION");
    expect(() => resolveLossOptions(sentLoss, { klCovRatio: 0.1, bogus: 1 })).toThrow(/betaHigh/);
    expect(resolveLossOptions(sentLoss, { mode: "paper", useKlLoss: true }).options).toEqual({ mode: "paper" });
    expect(SENT_DEFAULTS).toMatchObject({ lowEntropyFrac: 0.8, klCovRatio: 0.0002, ppoKlCoef: 0.1, highCovCoef: 2 });
  });

  it("paper mode needs refLogp", () => {
    expect(code(() => evaluatePolicyLoss(sentLoss.create({ mode: "paper" }), section57Batch()))).toBe(
      "LOSS_MISSING_REF_LOGP",
    );
  });

  it("registers through the plugin factory", () => {
    const plugin = tokenEntropyKlPlugin();
    expect(plugin.name).toBe("@sentrl/token-entropy-kl");
    expect(plugin.policyLosses).toBe(policyLossDefinitions);
    expect(createPolicyLossRegistry(plugin.policyLosses).names()).toEqual(["sent", "sent-v1"]);
    expect(sentSelect).toBeTypeOf("function");
    expect(argLargestK).toBeTypeOf("function");
    expect(argSmallestK).toBeTypeOf("function");
  });
});

describe("plugin driver", () => {
  it("registers sent and sent-v1 beside core's grpo", () => {
    const driver = new PluginDriver([tokenEntropyKlPlugin()], { builtins: { policyLosses: [grpoLoss] } });
    expect(driver.policyLosses.names()).toEqual(["grpo", "sent", "sent-v1"]);
    expect(driver.policyLosses.ownerOf("sent")).toContain("@sentrl/token-entropy-kl");
  });
});
