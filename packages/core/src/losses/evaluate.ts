import {
  COMMON_LOSS_DEFAULTS,
  type CommonLossOptions,
  type LossContext,
  type PolicyLoss,
  type TokenSelection,
} from "../contracts/policy-loss.js";
import type { TokenBatch } from "../contracts/token-batch.js";
import { SentrlError } from "../errors.js";
import { rowWeightsFromCounts } from "./aggregation.js";
import { klAccumulateRange, klKindCode } from "./kl.js";
import { rowMaskCounts } from "./mask-stats.js";
import { validateCommonOptions } from "./options.js";
import { allFinite, validateTokenBatch } from "./validate.js";

/** Result of one loss call (docs/contracts.md §2 output). */
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
 * Runs one loss call the way core does inside a trainer (docs/contracts.md §2): validates the batch, runs the loss's
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
  const ws = ctx.workspace;
  // one pass over the (validated 0/1) mask: per-row counts give the weights of every aggregation mode
  const counts = new Float64Array(rows);
  const valid = rowMaskCounts(mask, rows, cols, counts);
  if (valid === 0) {
    const metrics: Record<string, number> = { pg_loss: 0 };
    if (opts.useKlLoss) metrics.kl_loss = 0;
    if (batch.entropy) metrics.entropy = 0;
    const gradLogp = new Float64Array(n);
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

  // Every aggregation mode weighs a valid token by a per-row factor: w[b,t] = mask[b,t] · rowW[b].
  const rowW = rowWeightsFromCounts(counts, valid, rows, cols, opts.lossAggMode, opts.lossAggNorm);
  let aggMask = mask;
  let pgRowW = rowW;
  if (terms.aggMask && terms.aggMask !== mask) {
    const tm = terms.aggMask;
    if (tm.length !== n) {
      throw new SentrlError(
        "LOSS_SHAPE_MISMATCH",
        `loss \`${loss.name}\` returned an aggMask of length ${tm.length}, expected ${n}`,
      );
    }
    aggMask = ws ? ws.u8("evaluate.aggMask", n) : new Uint8Array(n);
    const aggCounts = new Float64Array(rows);
    let aggTotal = 0;
    for (let b = 0; b < rows; b++) {
      let c = 0;
      for (let i = b * cols, e = i + cols; i < e; i++) {
        const m = mask[i] !== 0 && tm[i] !== 0 ? 1 : 0;
        aggMask[i] = m;
        c += m;
      }
      aggCounts[b] = c;
      aggTotal += c;
    }
    pgRowW = rowWeightsFromCounts(aggCounts, aggTotal, rows, cols, opts.lossAggMode, opts.lossAggNorm);
  }

  // One row-major sweep (each row's data stays in cache): policy term, reference KL, entropy metric, entropy
  // gradient. Every output position is written (0 off the masks), so
  // workspace buffers need no clearing; each sum accumulates in the same order as separate passes would.
  const dH = terms.dEntropy;
  // A dLogp that the loss took from the workspace is scaled in place into the gradient (one 8-byte stream less):
  // each position is read once before it is overwritten, and nothing else reads it afterwards.
  const inPlace =
    ws !== undefined &&
    ws.owns(terms.dLogp) &&
    terms.dLogp !== terms.loss &&
    terms.dLogp !== dH &&
    !Object.values(batch).includes(terms.dLogp) &&
    !(selection && Object.values(selection.tokens).includes(terms.dLogp));
  const gradLogp = inPlace ? terms.dLogp : ws ? ws.f64("evaluate.gradLogp", n) : new Float64Array(n);
  const gradEntropy =
    needEntropyBonus || dH ? (ws ? ws.f64("evaluate.gradEntropy", n) : new Float64Array(n)) : undefined;
  const H = batch.entropy;
  const useKl = opts.useKlLoss;
  const klCode = useKl ? klKindCode(opts.klLossType) : 0;
  const klCoef = opts.klLossCoef;
  const refLogp = batch.refLogp!;
  const logp = batch.logp;
  const c = opts.entropyCoeff;
  const tl = terms.loss;
  const td = terms.dLogp;
  let pg = 0;
  let klLoss = 0;
  let ent = 0;
  for (let b = 0; b < rows; b++) {
    const s = b * cols;
    const e = s + cols;
    const w = pgRowW[b];
    const rw = rowW[b];
    // policy term (gradLogp is written only at aggregated positions: exactly 0 elsewhere)
    const fuseEntropy = H !== undefined && aggMask === mask; // then w === rw: one loop, two running sums
    if (w === 0) gradLogp.fill(0, s, e);
    else if (fuseEntropy) {
      for (let i = s; i < e; i++) {
        if (mask[i] === 0) {
          gradLogp[i] = 0;
          continue;
        }
        pg += w * tl[i];
        gradLogp[i] = w * td[i];
        ent += w * H[i];
      }
    } else pg = policyRow(aggMask, tl, td, gradLogp, s, e, w, pg);
    if (rw !== 0) {
      if (useKl) klLoss = klAccumulateRange(logp, refLogp, klCode, mask, s, e, rw, klCoef * rw, gradLogp, klLoss);
      if (H && !fuseEntropy) ent = maskedRowSum(mask, H, s, e, rw, ent);
    }
    if (gradEntropy) {
      const g = c !== 0 ? -c * rw : 0;
      entropyGradRow(mask, aggMask, g, dH !== undefined && w !== 0 ? dH : undefined, w, gradEntropy, s, e);
    }
  }
  const metrics: Record<string, number> = { ...(selection?.metrics ?? {}), ...(terms.metrics ?? {}), pg_loss: pg };
  let total = pg;
  if (useKl) {
    metrics.kl_loss = klLoss;
    total += klCoef * klLoss;
  }
  if (H) {
    metrics.entropy = ent;
    if (needEntropyBonus) total -= c * ent;
  }

  if (!Number.isFinite(total)) {
    throw new SentrlError(
      "LOSS_NON_FINITE",
      `loss \`${loss.name}\` produced a non-finite total loss (${total}); check the inputs' ranges`,
    );
  }
  for (const g of gradEntropy ? [gradLogp, gradEntropy] : [gradLogp]) {
    if (allFinite(g)) continue;
    for (let i = 0; i < n; i++) {
      if (!Number.isFinite(g[i])) {
        throw new SentrlError(
          "LOSS_NON_FINITE",
          `loss \`${loss.name}\` produced a non-finite gradient at [${Math.floor(i / cols)}][${i % cols}]`,
        );
      }
    }
  }
  return gradEntropy ? { loss: total, gradLogp, gradEntropy, metrics } : { loss: total, gradLogp, metrics };
}

/** `pg + Σ w·ℓ` over the aggregated positions of `[s, e)`; writes `w·∂ℓ` there and 0 elsewhere. */
function policyRow(
  aggMask: Uint8Array,
  tl: Float64Array,
  td: Float64Array,
  gradLogp: Float64Array,
  s: number,
  e: number,
  w: number,
  pg: number,
): number {
  for (let i = s; i < e; i++) {
    if (aggMask[i] === 0) {
      gradLogp[i] = 0;
      continue;
    }
    pg += w * tl[i];
    gradLogp[i] = w * td[i];
  }
  return pg;
}

/** `acc + Σ w·x` over the valid positions of `[s, e)`, in order. */
function maskedRowSum(mask: Uint8Array, x: ArrayLike<number>, s: number, e: number, w: number, acc: number): number {
  for (let i = s; i < e; i++) if (mask[i] !== 0) acc += w * x[i];
  return acc;
}

/** ∂loss/∂entropy on `[s, e)`: `g` on valid tokens (when g != 0) plus `w·dH` on aggregated ones; 0 elsewhere. */
function entropyGradRow(
  mask: Uint8Array,
  aggMask: Uint8Array,
  g: number,
  dH: Float64Array | undefined,
  w: number,
  out: Float64Array,
  s: number,
  e: number,
): void {
  const gOn = g !== 0;
  for (let j = s; j < e; j++) {
    let v = gOn && mask[j] !== 0 ? g : 0;
    if (dH !== undefined && aggMask[j] !== 0) v += w * dH[j];
    out[j] = v;
  }
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  const r: Partial<T> = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined) (r as Record<string, unknown>)[k] = v;
  return r;
}
