import {
  absKlTerms,
  argLargestK,
  type LossContext,
  type LossWorkspace,
  type PolicyLoss,
  type PolicyLossDefinition,
  type TokenBatch,
  type TokenSelection,
  checkNumberOption,
  withLossDefaults,
} from "@sentrl/core";
import { nonNeg, ratio01 } from "./options.js";

/** Options of `kl-cov` (docs/contracts.md §2). */
export type KlCovOptions = { klCovRatio: number; ppoKlCoef: number };
/** Defaults: verl's YAML (docs/algorithms.md §7.6). PRIME's own runs used ppoKlCoef 1 and ratio 2e-3 (7B). */
export const KL_COV_DEFAULTS: KlCovOptions = { klCovRatio: 0.0002, ppoKlCoef: 0.1 };

/** `kl-cov` selection: the per-token coefficient (ppoKlCoef on the top-covariance tokens, 0 elsewhere). */
export interface KlCovSelection extends TokenSelection {
  tokens: { coef: Float64Array };
  metrics: Record<string, number>;
}

/**
 * KL-Cov's selection (docs/algorithms.md §7.6) on detached values: `cov = (A − mean A)(logp − mean logp)` over the valid
 * tokens (plain means, float64), the `max(1, trunc(n·klCovRatio))` largest get `ppoKlCoef`; ties by flat index.
 *
 * @example
 * ```ts
 * import { klCovSelect } from "@sentrl/entropy-baselines";
 * klCovSelect({ rows: 1, cols: 3, mask: new Uint8Array([1, 1, 1]), logp: new Float64Array([-1, -2, -3]),
 *   oldLogp: new Float64Array(3), advantages: new Float64Array([1, 0, -1]) }, { klCovRatio: 0.5, ppoKlCoef: 1 })
 *   .tokens.coef; // [1, 0, 0]: cov = [1, 0, 1], the tie goes to the lower flat index
 * ```
 */
export function klCovSelect(scope: TokenBatch, o: KlCovOptions, workspace?: LossWorkspace): KlCovSelection {
  const { mask, advantages: A, logp } = scope;
  const size = scope.rows * scope.cols;
  const coef = workspace ? workspace.f64Zeroed("kl-cov.coef", size) : new Float64Array(size);
  let n = 0;
  for (let i = 0; i < size; i++) if (mask[i] !== 0) n++;
  if (n === 0) return { tokens: { coef }, metrics: { "kl_cov/penalized_tokens": 0, "kl_cov/mean_cov": 0 } };
  const V = new Int32Array(n);
  for (let i = 0, j = 0; i < size; i++) if (mask[i] !== 0) V[j++] = i;
  // shifted means (x₀ + Σ(xᵢ − x₀)/n): constant advantages give covariances of exactly 0 → the §5.6 tie rule
  const a0 = A[V[0]];
  const l0 = logp[V[0]];
  let sa = 0;
  let sl = 0;
  for (let j = 0; j < n; j++) {
    sa += A[V[j]] - a0;
    sl += logp[V[j]] - l0;
  }
  const ma = a0 + sa / n;
  const ml = l0 + sl / n;
  const cov = new Float64Array(n);
  let covSum = 0;
  for (let j = 0; j < n; j++) {
    const p = V[j];
    cov[j] = (A[p] - ma) * (logp[p] - ml);
    covSum += cov[j];
  }
  const k = Math.max(1, Math.trunc(n * o.klCovRatio));
  const top = argLargestK(cov, k, { sorted: false });
  for (let t = 0; t < top.length; t++) coef[V[top[t]]] = o.ppoKlCoef;
  return { tokens: { coef }, metrics: { "kl_cov/penalized_tokens": top.length, "kl_cov/mean_cov": covSum / n } };
}

/**
 * The `kl-cov` policy loss (Cui et al. 2025, "The Entropy Mechanism of RL for Reasoning LMs"; docs/algorithms.md §7.6):
 * unclipped `−A·r` plus `ppoKlCoef·|logp − oldLogp|` on the top-covariance tokens of the scope.
 *
 * @example
 * ```ts
 * import { evaluatePolicyLoss } from "@sentrl/core";
 * import { klCovLoss } from "@sentrl/entropy-baselines";
 * const out = evaluatePolicyLoss(klCovLoss.create({ ppoKlCoef: 1 }), {
 *   rows: 1, cols: 2, mask: new Uint8Array([1, 1]), logp: new Float64Array([-1, -2]),
 *   oldLogp: new Float64Array([-1.1, -2]), advantages: new Float64Array([1, 1]),
 * });
 * out.metrics["kl_cov/penalized_tokens"]; // 1
 * ```
 */
export const klCovLoss: PolicyLossDefinition<KlCovOptions> = {
  name: "kl-cov",
  description: "KL-Cov: |log π − log π_old| penalty on the tokens with the largest log-prob·advantage covariance",
  defaults: KL_COV_DEFAULTS,
  create(options: Partial<KlCovOptions> = {}): PolicyLoss<KlCovSelection> {
    const o = withLossDefaults("kl-cov", KL_COV_DEFAULTS, options);
    checkNumberOption("klCovRatio", o.klCovRatio, ratio01, "a ratio in [0, 1]");
    checkNumberOption("ppoKlCoef", o.ppoKlCoef, nonNeg, "a number >= 0");
    const select = (scope: TokenBatch, ctx?: LossContext) => klCovSelect(scope, o, ctx?.workspace);
    return {
      name: "kl-cov",
      select,
      tokenLoss(batch: TokenBatch, selection: KlCovSelection | undefined, ctx: LossContext) {
        const coef = (selection ?? select(batch, ctx)).tokens.coef;
        const ws = ctx?.workspace;
        const n = batch.rows * batch.cols;
        return absKlTerms(
          batch,
          coef,
          ws ? { loss: ws.f64("kl-cov.loss", n), dLogp: ws.f64("kl-cov.dLogp", n) } : undefined,
        );
      },
    };
  },
};
