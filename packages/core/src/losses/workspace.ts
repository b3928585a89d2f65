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
  const f64s = new Map<string, Float64Array>();
  const u8s = new Map<string, Uint8Array>();
  const i32s = new Map<string, Int32Array>();
  const f64 = (key: string, n: number): Float64Array => {
    let a = f64s.get(key);
    if (a === undefined || a.length !== n) {
      a = new Float64Array(n);
      f64s.set(key, a);
    }
    return a;
  };
  return {
    f64,
    f64Zeroed(key, n) {
      const a = f64s.get(key);
      if (a === undefined || a.length !== n) return f64(key, n); // fresh: already zero
      return a.fill(0);
    },
    u8(key, n) {
      let a = u8s.get(key);
      if (a === undefined || a.length !== n) {
        a = new Uint8Array(n);
        u8s.set(key, a);
      }
      return a;
    },
    i32(key, n) {
      let a = i32s.get(key);
      if (a === undefined || a.length !== n) {
        a = new Int32Array(n);
        i32s.set(key, a);
      }
      return a;
    },
    owns(a) {
      for (const m of [f64s, u8s, i32s] as Map<string, unknown>[]) for (const v of m.values()) if (v === a) return true;
      return false;
    },
    clear() {
      f64s.clear();
      u8s.clear();
      i32s.clear();
    },
  };
}
