import type { LossWorkspace } from "../contracts/policy-loss.js";

/**
 * Creates a {@link LossWorkspace}: pass it as `ctx.workspace` to `evaluatePolicyLoss` (and through `LossContext` to
 * the plugins' `select`/`tokenLoss`) so that the multi-megabyte per-token arrays of a loss call are allocated once
 * and reused across calls of the same shape instead of being freshly allocated (and page-faulted in) every call.
 * Results are identical with or without a workspace. With a workspace, the arrays `evaluatePolicyLoss` returns
 * (`gradLogp`, `gradEntropy`) live in the workspace and are overwritten by the next call that uses it: copy them if
 * they must outlive it. One workspace per concurrent caller (it is not re-entrant).
 *
 * @example
 * ```ts
 * import { createLossWorkspace, evaluatePolicyLoss, grpoLoss } from "@sentrl/core";
 * const workspace = createLossWorkspace();
 * const loss = grpoLoss.create({});
 * const batch = { rows: 1, cols: 2, mask: new Uint8Array([1, 1]), logp: new Float64Array([-1, -2]),
 *   oldLogp: new Float64Array([-1, -2]), advantages: new Float64Array([1, 1]) };
 * const a = evaluatePolicyLoss(loss, batch, {}, { workspace }).loss; // same value as without a workspace
 * const b = evaluatePolicyLoss(loss, batch, {}, { workspace }).loss; // reuses the same buffers
 * ```
 */
export function createLossWorkspace(): LossWorkspace {
  const f64s = arrayPool((n) => new Float64Array(n));
  const u8s = arrayPool((n) => new Uint8Array(n));
  const i32s = arrayPool((n) => new Int32Array(n));
  const pools = [f64s, u8s, i32s] as ArrayPool<ArrayLike<number>>[];
  return {
    f64: f64s.get,
    f64Zeroed(key, n) {
      const a = f64s.byKey.get(key);
      if (a === undefined || a.length !== n) return f64s.get(key, n); // fresh: already zero
      return a.fill(0);
    },
    u8: u8s.get,
    i32: i32s.get,
    owns(a) {
      for (const p of pools) for (const v of p.byKey.values()) if (v === a) return true;
      return false;
    },
    clear() {
      for (const p of pools) p.byKey.clear();
    },
  };
}

interface ArrayPool<T> {
  byKey: Map<string, T>;
  /** The array under `key`, (re)allocated (zero-filled) when it is missing or its length is not `n`. */
  get(key: string, n: number): T;
}

function arrayPool<T extends { length: number }>(make: (n: number) => T): ArrayPool<T> {
  const byKey = new Map<string, T>();
  return {
    byKey,
    get(key, n) {
      let a = byKey.get(key);
      if (a === undefined || a.length !== n) {
        a = make(n);
        byKey.set(key, a);
      }
      return a;
    },
  };
}
