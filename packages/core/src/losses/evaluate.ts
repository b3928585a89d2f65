import {
  COMMON_LOSS_DEFAULTS,
  type CommonLossOptions,
  type LossContext,
  type PolicyLoss,
  type TokenSelection,
} from "../contracts/policy-loss.js";
import type { TokenBatch } from "../contracts/token-batch.js";
import { SentrlError } from "../errors.js";
import { aggregationWeights, weightedSum } from "./aggregation.js";
import { klPenalty } from "./kl.js";
import { validateCommonOptions } from "./options.js";
import { validateTokenBatch } from "./validate.js";

/** Result of one loss call (CONTRACTS §2 output). */
export interface PolicyLossOutput {
  /** The total loss `pg − entropyCoeff·agg(H) + [useKlLoss]·klLossCoef·agg(kl)`. */
  loss: number;
  /** ∂loss/∂logp, length rows*cols; exactly 0 where `mask == 0`. */
  gradLogp: Float64Array;
  /** ∂loss/∂entropy, present only when the entropy is differentiated (entropyCoeff != 0 or the loss's own dEntropy). */
  gradEntropy?: Float64Array;
  /** verl-named metrics: the loss's own (selection + policy term) plus `pg_loss`, `kl_loss`, `entropy`. */
  metrics: Record<string, number>;
}

const DEFAULT_CTX: LossContext = { step: 0, microBatch: 0, seed: 0 };

/**
 * Runs one loss call the way core does inside a trainer (CONTRACTS §2): validates the batch, runs the loss's
 * `select` (unless a `frozenSelection` is given), its `tokenLoss`, aggregates the policy term over
 * `aggMask ?? mask` with `lossAggMode`, and adds the entropy bonus and the reference-KL term over the full mask:
 *
 * `loss = pg − entropyCoeff·agg(entropy) + [useKlLoss]·klLossCoef·agg(kl(logp, refLogp))`.
 *
 * Errors: `LOSS_SHAPE_MISMATCH`, `LOSS_BAD_MASK`, `LOSS_NON_FINITE` (inputs or a non-finite result),
 * `LOSS_MISSING_REF_LOGP`, `LOSS_MISSING_ENTROPY`, `LOSS_BAD_OPTION`. With no valid token at all the loss is 0 with
 * zero gradients (selection is skipped).
 *
 * @example
 * ```ts
 * import { evaluatePolicyLoss, grpoLoss } from "@sentrl/core";
 * const batch = { rows: 1, cols: 3, mask: new Uint8Array([1, 1, 0]), logp: new Float64Array([-1, -2, 0]),
 *   oldLogp: new Float64Array([-1.1, -2, 0]), refLogp: new Float64Array([-1, -1.5, 0]),
 *   advantages: new Float64Array([0.5, 0.5, 0]) };
 * const out = evaluatePolicyLoss(grpoLoss.create({}), batch, { useKlLoss: true, klLossType: "k3" });
 * out.metrics.kl_loss; // agg of k3 over the two valid tokens
 * ```
 */
export function evaluatePolicyLoss(
  loss: PolicyLoss,
  batch: TokenBatch,
  common: Partial<CommonLossOptions> = {},
  ctx: Partial<LossContext> = {},
  frozenSelection?: TokenSelection,
): PolicyLossOutput {
  const opts: CommonLossOptions = { ...COMMON_LOSS_DEFAULTS, ...stripUndefined(common) };
  validateCommonOptions(opts);
  const needEntropyBonus = opts.entropyCoeff !== 0;
  validateTokenBatch(batch, {
    needRefLogp: opts.useKlLoss || loss.needs?.refLogp === true,
    needEntropy: needEntropyBonus || loss.needs?.entropy === true,
    why: {
      refLogp: opts.useKlLoss ? "when useKlLoss is true" : `by the \`${loss.name}\` loss`,
      entropy: needEntropyBonus ? "when entropyCoeff != 0" : `by the \`${loss.name}\` loss`,
    },
  });
  const { rows, cols, mask } = batch;
  const n = rows * cols;
  const gradLogp = new Float64Array(n);
  let valid = 0;
  for (let i = 0; i < n; i++) valid += mask[i];
  if (valid === 0) {
    const metrics: Record<string, number> = { pg_loss: 0 };
    if (opts.useKlLoss) metrics.kl_loss = 0;
    if (batch.entropy) metrics.entropy = 0;
    return needEntropyBonus
      ? { loss: 0, gradLogp, gradEntropy: new Float64Array(n), metrics }
      : { loss: 0, gradLogp, metrics };
  }
  const fullCtx: LossContext = { ...DEFAULT_CTX, ...ctx };
  const selection = frozenSelection ?? loss.select?.(batch, fullCtx);
  const terms = loss.tokenLoss(batch, selection, fullCtx);
  if (terms.loss.length !== n || terms.dLogp.length !== n || (terms.dEntropy && terms.dEntropy.length !== n)) {
    throw new SentrlError(
      "LOSS_SHAPE_MISMATCH",
      `loss \`${loss.name}\` returned per-token arrays whose length is not rows*cols = ${n}`,
    );
  }

  const wFull = aggregationWeights(mask, rows, cols, opts.lossAggMode, opts.lossAggNorm);
  let wPg = wFull;
  if (terms.aggMask && terms.aggMask !== mask) {
    if (terms.aggMask.length !== n) {
      throw new SentrlError(
        "LOSS_SHAPE_MISMATCH",
        `loss \`${loss.name}\` returned an aggMask of length ${terms.aggMask.length}, expected ${n}`,
      );
    }
    const agg = new Uint8Array(n);
    for (let i = 0; i < n; i++) agg[i] = mask[i] !== 0 && terms.aggMask[i] !== 0 ? 1 : 0;
    wPg = aggregationWeights(agg, rows, cols, opts.lossAggMode, opts.lossAggNorm);
  }

  const pg = weightedSum(wPg, terms.loss);
  const metrics: Record<string, number> = { ...(selection?.metrics ?? {}), ...(terms.metrics ?? {}), pg_loss: pg };
  let total = pg;
  for (let i = 0; i < n; i++) {
    const w = wPg[i];
    gradLogp[i] = w !== 0 ? w * terms.dLogp[i] : 0;
  }

  if (opts.useKlLoss) {
    const kl = klPenalty(batch.logp, batch.refLogp!, opts.klLossType);
    const klLoss = weightedSum(wFull, kl.value);
    metrics.kl_loss = klLoss;
    total += opts.klLossCoef * klLoss;
    const c = opts.klLossCoef;
    for (let i = 0; i < n; i++) {
      const w = wFull[i];
      if (w !== 0) gradLogp[i] += c * w * kl.grad[i];
    }
  }

  let gradEntropy: Float64Array | undefined;
  if (batch.entropy) {
    const ent = weightedSum(wFull, batch.entropy);
    metrics.entropy = ent;
    if (needEntropyBonus) total -= opts.entropyCoeff * ent;
  }
  if (needEntropyBonus || terms.dEntropy) {
    gradEntropy = new Float64Array(n);
    const c = opts.entropyCoeff;
    const dH = terms.dEntropy;
    for (let i = 0; i < n; i++) {
      let g = wFull[i] !== 0 ? -c * wFull[i] : 0;
      if (dH && wPg[i] !== 0) g += wPg[i] * dH[i];
      gradEntropy[i] = g;
    }
  }

  if (!Number.isFinite(total)) {
    throw new SentrlError(
      "LOSS_NON_FINITE",
      `loss \`${loss.name}\` produced a non-finite total loss (${total}); check the inputs' ranges`,
    );
  }
  for (let i = 0; i < n; i++) {
    if (!Number.isFinite(gradLogp[i]) || (gradEntropy && !Number.isFinite(gradEntropy[i]))) {
      throw new SentrlError(
        "LOSS_NON_FINITE",
        `loss \`${loss.name}\` produced a non-finite gradient at [${Math.floor(i / cols)}][${i % cols}]`,
      );
    }
  }
  return gradEntropy ? { loss: total, gradLogp, gradEntropy, metrics } : { loss: total, gradLogp, metrics };
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  const r: Partial<T> = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined) (r as Record<string, unknown>)[k] = v;
  return r;
}
