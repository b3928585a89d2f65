import { SentrlError } from "../errors.js";

/** Options of GRPO's group normalisation (docs/contracts.md §3). */
export type GrpoAdvantageOptions = {
  /** Divide by the group's unbiased std (+ epsilon); `false` is Dr.GRPO. Default true. */
  normAdvByStd?: boolean;
  /** Added to the std. Default 1e-6. */
  epsilon?: number;
};

/**
 * GRPO group-normalised outcome advantages (docs/algorithms.md §6.2), one per response, in float64:
 * `Aᵢ = (sᵢ − μ_g) / (σ_g + ε)` (or `sᵢ − μ_g` with `normAdvByStd: false`, Dr.GRPO), with μ_g the group mean
 * and σ_g the **unbiased** std (divide by |g| − 1). A single-member group uses μ = 0, σ = 1 (so A = s/(1+ε), not 0).
 * A group whose rewards are all equal gets exactly 0. Group ids compare with `===` (`1` and `"1"` differ).
 *
 * @example
 * ```ts
 * import { grpoAdvantages } from "@sentrl/core";
 * grpoAdvantages([1, 0, 0, 0], [7, 7, 7, 7]); // [1.499997.., -0.499999.., -0.499999.., -0.499999..]
 * ```
 */
export function grpoAdvantages(
  rewards: ArrayLike<number>,
  groups: ArrayLike<string | number>,
  options: GrpoAdvantageOptions = {},
): Float64Array {
  const normAdvByStd = options.normAdvByStd ?? true;
  const epsilon = options.epsilon ?? 1e-6;
  if (typeof normAdvByStd !== "boolean") {
    throw new SentrlError(
      "ADV_BAD_OPTION",
      `\`normAdvByStd\` must be true or false, got ${JSON.stringify(normAdvByStd)}`,
    );
  }
  if (typeof epsilon !== "number" || !Number.isFinite(epsilon) || epsilon < 0) {
    throw new SentrlError("ADV_BAD_OPTION", `\`epsilon\` must be a finite number >= 0, got ${JSON.stringify(epsilon)}`);
  }
  const n = rewards.length;
  if (groups.length !== n) {
    throw new SentrlError(
      "ADV_BAD_INPUT",
      `${n} rewards but ${groups.length} group ids; give one group id per response`,
    );
  }
  const members = new Map<string | number, number[]>();
  for (let i = 0; i < n; i++) {
    if (!Number.isFinite(rewards[i])) {
      throw new SentrlError("ADV_BAD_INPUT", `reward ${i} is ${rewards[i]}; rewards must be finite numbers`);
    }
    const g = groups[i];
    let list = members.get(g);
    if (!list) members.set(g, (list = []));
    list.push(i);
  }
  const out = new Float64Array(n);
  for (const idx of members.values()) {
    const m = idx.length;
    let mu = 0;
    let sigma = 1;
    if (m > 1) {
      // Shifted mean: exact when all rewards are equal (then every advantage is exactly 0).
      const s0 = rewards[idx[0]];
      let d = 0;
      for (const i of idx) d += rewards[i] - s0;
      mu = s0 + d / m;
      let ss = 0;
      for (const i of idx) {
        const e = rewards[i] - mu;
        ss += e * e;
      }
      sigma = Math.sqrt(ss / (m - 1));
    }
    for (const i of idx) {
      const centred = rewards[i] - mu;
      out[i] = normAdvByStd ? centred / (sigma + epsilon) : centred;
    }
  }
  return out;
}

/**
 * Spreads one advantage per response over its tokens: `A[b,t] = Aᵦ · mask[b,t]` (exact 0 on padding), row-major.
 *
 * @example
 * ```ts
 * import { broadcastAdvantages } from "@sentrl/core";
 * broadcastAdvantages([2, -1], new Uint8Array([1, 1, 1, 0]), 2, 2); // [2, 2, -1, 0]
 * ```
 */
export function broadcastAdvantages(
  perResponse: ArrayLike<number>,
  mask: Uint8Array,
  rows: number,
  cols: number,
): Float64Array {
  if (perResponse.length !== rows || mask.length !== rows * cols) {
    throw new SentrlError(
      "ADV_BAD_INPUT",
      `broadcastAdvantages needs ${rows} advantages and a ${rows}x${cols} mask, got ${perResponse.length} and ${mask.length}`,
    );
  }
  const out = new Float64Array(rows * cols);
  for (let b = 0; b < rows; b++) {
    const a = perResponse[b];
    for (let t = b * cols, e = t + cols; t < e; t++) out[t] = mask[t] !== 0 ? a : 0;
  }
  return out;
}
