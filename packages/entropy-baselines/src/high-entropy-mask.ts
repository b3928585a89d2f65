import {
  argLargestK,
  GRPO_DEFAULTS,
  type GrpoOptions,
  grpoTokenTerms,
  grpoWorkspaceBuffers,
  type LossWorkspace,
  type LossContext,
  type PolicyLoss,
  type PolicyLossDefinition,
  resolveGrpoClip,
  type TokenBatch,
  type TokenSelection,
  checkNumberOption,
  withLossDefaults,
} from "@sentrl/core";

/** Options of `high-entropy-mask`: `topEntropyRatio` plus the `grpo` options (docs/contracts.md §2). */
export type HighEntropyMaskOptions = GrpoOptions & { topEntropyRatio: number };
/** Defaults: the official `entropy_top_ratio = 0.2` and the `grpo` defaults. */
export const HIGH_ENTROPY_MASK_DEFAULTS: HighEntropyMaskOptions = { topEntropyRatio: 0.2, ...GRPO_DEFAULTS };

/** `high-entropy-mask` selection: 1 on the top-entropy tokens. */
export interface HighEntropyMaskSelection extends TokenSelection {
  tokens: { topMask: Uint8Array };
  metrics: Record<string, number>;
}

/**
 * The 80/20 selection (docs/algorithms.md §7.4): the `max(1, trunc(n·topEntropyRatio + 0.9999))` highest-entropy valid
 * tokens of the scope (ties by flat index); nothing on an empty scope.
 *
 * @example
 * ```ts
 * import { highEntropySelect } from "@sentrl/entropy-baselines";
 * highEntropySelect({ rows: 1, cols: 3, mask: new Uint8Array([1, 1, 1]), logp: new Float64Array(3),
 *   oldLogp: new Float64Array(3), advantages: new Float64Array(3), entropy: new Float64Array([0.2, 1.5, 0.7]) }, 0.2)
 *   .tokens.topMask; // [0, 1, 0]
 * ```
 */
export function highEntropySelect(
  scope: TokenBatch,
  topEntropyRatio: number,
  workspace?: LossWorkspace,
): HighEntropyMaskSelection {
  const { mask, entropy } = scope;
  const size = scope.rows * scope.cols;
  const topMask = workspace ? workspace.u8("high-entropy-mask.topMask", size).fill(0) : new Uint8Array(size);
  let n = 0;
  for (let i = 0; i < size; i++) if (mask[i] !== 0) n++;
  if (n === 0 || !entropy) return { tokens: { topMask }, metrics: { "high_entropy_mask/selected_tokens": 0 } };
  const V = new Int32Array(n);
  const E = new Float64Array(n);
  for (let i = 0, j = 0; i < size; i++) {
    if (mask[i] !== 0) {
      V[j] = i;
      E[j++] = entropy[i];
    }
  }
  const k = Math.max(1, Math.trunc(n * topEntropyRatio + 0.9999));
  const top = argLargestK(E, k, { sorted: false });
  let threshold = Number.POSITIVE_INFINITY;
  for (let t = 0; t < top.length; t++) {
    topMask[V[top[t]]] = 1;
    if (E[top[t]] < threshold) threshold = E[top[t]];
  }
  return {
    tokens: { topMask },
    metrics: { "high_entropy_mask/selected_tokens": top.length, "high_entropy_mask/entropy_threshold": threshold },
  };
}

/**
 * The `high-entropy-mask` policy loss ("Beyond the 80/20 Rule", Wang et al. 2025; docs/algorithms.md §7.4): the `grpo`
 * clipped surrogate aggregated only over the top-`topEntropyRatio` entropy tokens (`aggMask = mask ⊙ topMask`); the
 * KL and entropy terms keep the full mask. The verl metrics are masked means over the selected tokens.
 *
 * @example
 * ```ts
 * import { evaluatePolicyLoss } from "@sentrl/core";
 * import { highEntropyMaskLoss } from "@sentrl/entropy-baselines";
 * const out = evaluatePolicyLoss(highEntropyMaskLoss.create({ topEntropyRatio: 0.5 }), {
 *   rows: 1, cols: 2, mask: new Uint8Array([1, 1]), logp: new Float64Array([-1, -2]),
 *   oldLogp: new Float64Array([-1, -2]), entropy: new Float64Array([0.1, 2]), advantages: new Float64Array([1, 1]),
 * });
 * out.metrics["high_entropy_mask/selected_tokens"]; // 1
 * ```
 */
export const highEntropyMaskLoss: PolicyLossDefinition<HighEntropyMaskOptions> = {
  name: "high-entropy-mask",
  description: "80/20 rule: the GRPO surrogate on the top-20% highest-entropy tokens only",
  defaults: HIGH_ENTROPY_MASK_DEFAULTS,
  create(options: Partial<HighEntropyMaskOptions> = {}): PolicyLoss<HighEntropyMaskSelection> {
    const o = withLossDefaults("high-entropy-mask", HIGH_ENTROPY_MASK_DEFAULTS, options);
    const ratio = checkNumberOption("topEntropyRatio", o.topEntropyRatio, (x) => x > 0 && x <= 1, "a ratio in (0, 1]");
    const clip = resolveGrpoClip(o);
    const select = (scope: TokenBatch, ctx?: LossContext) => highEntropySelect(scope, ratio, ctx?.workspace);
    return {
      name: "high-entropy-mask",
      needs: { entropy: true },
      select,
      tokenLoss(batch: TokenBatch, selection: HighEntropyMaskSelection | undefined, ctx: LossContext) {
        const top = (selection ?? select(batch, ctx)).tokens.topMask;
        const { mask } = batch;
        const n = mask.length;
        const ws = ctx?.workspace;
        const aggMask = ws ? ws.u8("high-entropy-mask.aggMask", n) : new Uint8Array(n);
        for (let i = 0; i < n; i++) aggMask[i] = mask[i] & top[i];
        // with a workspace only the aggregated tokens are computed (core reads nothing else)
        return { ...grpoTokenTerms(batch, clip, aggMask, grpoWorkspaceBuffers(ctx, n)), aggMask };
      },
    };
  },
};
