// Shared by the loss-plugin packages: a reusable LossWorkspace (ctx.workspace) must not change any result, also when
// its buffers hold stale values from earlier calls. One call per package registers the vitest cases.
import { describe, expect, it } from "vitest";
import type { PolicyLossDefinition, TokenBatch } from "../src/index.js";
import { createLossWorkspace, evaluatePolicyLoss } from "../src/index.js";

/** Deterministic random batch: empty rows, scattered masks, prefix masks, repeated entropies, zero advantages. */
export function randomLossBatch(rows: number, cols: number, seed: number, f32: boolean): TokenBatch {
  let s = seed >>> 0;
  const r = () => {
    s = (Math.imul(s ^ (s >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) >>> 0;
    s = (s ^ Math.imul(s ^ (s >>> 12), 0x297a2d39)) >>> 0;
    return s / 4294967296;
  };
  const n = rows * cols;
  const T = f32 ? Float32Array : Float64Array;
  const mask = new Uint8Array(n);
  const b = {
    rows,
    cols,
    mask,
    logp: new T(n),
    oldLogp: new T(n),
    refLogp: new T(n),
    entropy: new T(n),
    advantages: new T(n),
  };
  for (let row = 0; row < rows; row++) {
    const kind = r();
    const a = r() < 0.2 ? 0 : 4 * r() - 2;
    for (let t = 0; t < cols; t++) {
      const i = row * cols + t;
      mask[i] = kind < 0.1 ? 0 : kind < 0.3 ? (r() < 0.5 ? 1 : 0) : t < cols * kind ? 1 : 0;
      const o = -5 * r() * r();
      b.oldLogp[i] = o;
      b.logp[i] = o + 0.6 * (r() - 0.5);
      b.refLogp[i] = o + 0.5 * (r() - 0.5);
      b.entropy[i] = r() < 0.1 ? 0.5 : 3 * r();
      b.advantages[i] = r() < 0.1 ? -a : a;
    }
  }
  return b;
}

const COMMONS = [
  {},
  { lossAggMode: "seq-mean-token-mean" as const, useKlLoss: true, klLossType: "k3" as const, entropyCoeff: 0.01 },
];

/** Registers one test per case: loss, metrics and gradients bit-identical with fresh and with reused buffers. */
export function describeWorkspaceIdentity(
  definitions: readonly PolicyLossDefinition[],
  cases: [string, Record<string, unknown>][],
): void {
  describe("ctx.workspace", () => {
    it.each(cases)("%s %j: bit-identical with fresh and with reused buffers", (name, options) => {
      const def = definitions.find((d) => d.name === name)!;
      const loss = def.create(options);
      const ws = createLossWorkspace();
      const batches = [
        randomLossBatch(8, 24, 1, true),
        randomLossBatch(8, 24, 2, false),
        randomLossBatch(8, 24, 3, true),
      ];
      for (const common of COMMONS) {
        for (const b of [...batches, ...batches]) {
          const ctx = { step: 1, microBatch: 0, seed: 5 };
          const fresh = evaluatePolicyLoss(loss, b, common, ctx);
          const reused = evaluatePolicyLoss(loss, b, common, { ...ctx, workspace: ws });
          expect(Object.is(fresh.loss, reused.loss)).toBe(true);
          expect(reused.metrics).toEqual(fresh.metrics);
          expect(Array.from(reused.gradLogp)).toEqual(Array.from(fresh.gradLogp));
          expect(reused.gradEntropy && Array.from(reused.gradEntropy)).toEqual(
            fresh.gradEntropy && Array.from(fresh.gradEntropy),
          );
        }
      }
    });
  });
}
