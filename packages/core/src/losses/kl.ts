import type { KlLossType } from "../contracts/policy-loss.js";
import { SentrlError } from "../errors.js";

/** Base KL estimator names of docs/algorithms.md §6.6 (each also accepts a `+` suffix: the straight-through variant). */
export const KL_BASE_TYPES = ["k1", "kl", "abs", "k2", "mse", "k3", "low_var_kl"] as const;
/** Every accepted `klLossType`. */
export const KL_LOSS_TYPES: readonly KlLossType[] = [
  ...KL_BASE_TYPES,
  ...KL_BASE_TYPES.map((t) => `${t}+` as KlLossType),
];

/** True for the straight-through (`+`) variants, whose gradient is not the derivative of their value. */
export function isStraightThroughKl(type: KlLossType): boolean {
  return type.endsWith("+");
}

/** Throws `LOSS_BAD_OPTION` unless `type` is a known `klLossType`. */
export function assertKlLossType(type: unknown): asserts type is KlLossType {
  if (typeof type !== "string" || !(KL_LOSS_TYPES as readonly string[]).includes(type)) {
    throw new SentrlError(
      "LOSS_BAD_OPTION",
      `unknown klLossType ${JSON.stringify(type)}; valid: ${KL_LOSS_TYPES.join(", ")} (\`full\` is not implemented, as in verl)`,
    );
  }
}

enum Kind {
  K1 = 0,
  Abs = 1,
  K2 = 2,
  K3 = 3,
}

function kindOf(base: string): Kind {
  switch (base) {
    case "k1":
    case "kl":
      return Kind.K1;
    case "abs":
      return Kind.Abs;
    case "k2":
    case "mse":
      return Kind.K2;
    default:
      return Kind.K3;
  }
}

/**
 * Per-token KL penalty `kl_penalty(logp, refLogp, type)` of docs/algorithms.md §6.6 and its derivative w.r.t. `logp`:
 *
 * | type | value | grad |
 * |---|---|---|
 * | `k1`/`kl` | d = logp − ref | 1 |
 * | `abs` | \|d\| | sign(d) (0 at 0, as torch) |
 * | `k2`/`mse` | d²/2 | d |
 * | `k3`/`low_var_kl` | x = clamp(ref − logp, ±20); v = eˣ − x − 1; clamp(v, ±10) | 1 − eˣ inside both clamps, else 0 |
 * | `<type>+` | value of `<type>` | gradient of k2 (straight-through) |
 *
 * Clamp boundaries pass the gradient (torch's `clamp` backward is inclusive). Computed in float64 for every position
 * (padding included; callers weight by the mask). `out` lets hot loops reuse buffers.
 *
 * @example
 * ```ts
 * import { klPenalty } from "@sentrl/core";
 * klPenalty(new Float64Array([-1]), new Float64Array([-1.5]), "k3").value[0]; // 0.10653065971263342
 * ```
 */
export function klPenalty(
  logp: ArrayLike<number>,
  refLogp: ArrayLike<number>,
  type: KlLossType,
  out?: { value: Float64Array; grad: Float64Array },
): { value: Float64Array; grad: Float64Array } {
  assertKlLossType(type);
  const n = logp.length;
  if (refLogp.length !== n) {
    throw new SentrlError("LOSS_SHAPE_MISMATCH", `refLogp has ${refLogp.length} entries, logp has ${n}`);
  }
  const value = out?.value ?? new Float64Array(n);
  const grad = out?.grad ?? new Float64Array(n);
  const st = type.endsWith("+");
  const kind = kindOf(st ? type.slice(0, -1) : type);
  switch (kind) {
    case Kind.K1:
      for (let i = 0; i < n; i++) {
        const d = logp[i] - refLogp[i];
        value[i] = d;
        grad[i] = st ? d : 1;
      }
      break;
    case Kind.Abs:
      for (let i = 0; i < n; i++) {
        const d = logp[i] - refLogp[i];
        value[i] = Math.abs(d);
        grad[i] = st ? d : d > 0 ? 1 : d < 0 ? -1 : 0;
      }
      break;
    case Kind.K2:
      for (let i = 0; i < n; i++) {
        const d = logp[i] - refLogp[i];
        value[i] = 0.5 * d * d;
        grad[i] = d;
      }
      break;
    case Kind.K3:
      for (let i = 0; i < n; i++) {
        const raw = refLogp[i] - logp[i];
        const x = raw < -20 ? -20 : Math.min(raw, 20);
        const ex = Math.exp(x);
        const v = ex - x - 1;
        value[i] = v > 10 ? 10 : Math.max(v, -10);
        if (st) grad[i] = logp[i] - refLogp[i];
        else grad[i] = raw >= -20 && raw <= 20 && v <= 10 && v >= -10 ? 1 - ex : 0;
      }
      break;
  }
  return { value, grad };
}

/**
 * Fused hot path of the reference-KL term: returns `Σ w·kl` and adds `coef · w · ∂kl/∂logp` into `grad`, with the
 * weight `w[b,t] = mask[b,t] · rowW[b]` (see `rowAggregationWeights`). Same values as {@link klPenalty}, without
 * its two per-token arrays. Positions with `w == 0` are not read.
 */
export function klAccumulate(
  logp: ArrayLike<number>,
  refLogp: ArrayLike<number>,
  type: KlLossType,
  mask: Uint8Array,
  rowW: Float64Array,
  cols: number,
  coef: number,
  grad: Float64Array,
): number {
  const code = klKindCode(type);
  let sum = 0;
  for (let b = 0; b < rowW.length; b++) {
    const w = rowW[b];
    if (w === 0) continue;
    sum = klAccumulateRange(logp, refLogp, code, mask, b * cols, (b + 1) * cols, w, coef * w, grad, sum);
  }
  return sum;
}

/** Internal: validated `klLossType` as a small integer (`kind · 2 + straightThrough`) for {@link klAccumulateRange}. */
export function klKindCode(type: KlLossType): number {
  assertKlLossType(type);
  const st = type.endsWith("+");
  return kindOf(st ? type.slice(0, -1) : type) * 2 + (st ? 1 : 0);
}

/**
 * Internal: {@link klAccumulate} over the flat range `[start, end)` with one weight `w` (and `cw = coef·w`):
 * returns `sum + Σ w·kl` (accumulated in order, so splitting by rows gives the same bits) and adds `cw·∂kl` into
 * `grad` where `mask != 0`. One specialised loop per estimator (no per-token switch).
 */
export function klAccumulateRange(
  logp: ArrayLike<number>,
  refLogp: ArrayLike<number>,
  code: number,
  mask: Uint8Array,
  start: number,
  end: number,
  w: number,
  cw: number,
  grad: Float64Array,
  sum: number,
): number {
  const st = (code & 1) === 1;
  switch (code >> 1) {
    case Kind.K1:
      for (let i = start; i < end; i++) {
        if (mask[i] === 0) continue;
        const d = logp[i] - refLogp[i];
        sum += w * d;
        grad[i] += cw * (st ? d : 1);
      }
      break;
    case Kind.Abs:
      for (let i = start; i < end; i++) {
        if (mask[i] === 0) continue;
        const d = logp[i] - refLogp[i];
        sum += w * Math.abs(d);
        grad[i] += cw * (st ? d : d > 0 ? 1 : d < 0 ? -1 : 0);
      }
      break;
    case Kind.K2:
      for (let i = start; i < end; i++) {
        if (mask[i] === 0) continue;
        const d = logp[i] - refLogp[i];
        sum += w * (0.5 * d * d);
        grad[i] += cw * d;
      }
      break;
    default:
      for (let i = start; i < end; i++) {
        if (mask[i] === 0) continue;
        const d = logp[i] - refLogp[i];
        const raw = -d;
        const x = raw < -20 ? -20 : Math.min(raw, 20);
        const ex = Math.exp(x);
        const u = ex - x - 1;
        const v = u > 10 ? 10 : Math.max(u, -10);
        const g = st ? d : raw >= -20 && raw <= 20 && u <= 10 && u >= -10 ? 1 - ex : 0;
        sum += w * v;
        grad[i] += cw * g;
      }
  }
  return sum;
}
