import { afterAll, beforeAll, expect, it } from "vitest";
import { loadNativeKernels, type NativeKernels, nativeKernelsStatus } from "../src/index.js";

/** The kernels, or null; when null, registers one visibly skipped test saying why. */
export function nativeOrSkip(): NativeKernels | null {
  const k = loadNativeKernels();
  if (!k) it.skip(`native kernels unavailable: ${nativeKernelsStatus().reason}`, () => {});
  return k;
}

/** The GEMM micro-kernels this CPU can run ("avx2", and "avx512" when available); empty without the addon. */
export function gemmIsas(k: NativeKernels | null): Array<"avx2" | "avx512"> {
  if (!k) return [];
  const before = k.isa();
  const ok = (["avx2", "avx512"] as const).filter((isa) => k.setIsa(isa));
  k.setIsa(before);
  return ok;
}

/** Inside a describe: run its tests with the given GEMM micro-kernel, restoring the default afterwards. */
export function useIsa(k: NativeKernels | null, isa: "avx2" | "avx512"): void {
  let before: "avx2" | "avx512" = "avx2";
  beforeAll(() => {
    before = k!.isa();
    k!.setIsa(isa);
  });
  afterAll(() => {
    k!.setIsa(before);
  });
}

/** Deterministic uniform numbers in [lo, hi) (mulberry32). */
export function rng(seed: number): (lo?: number, hi?: number) => number {
  let s = seed >>> 0;
  return (lo = -1, hi = 1) => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return lo + (hi - lo) * (((t ^ (t >>> 14)) >>> 0) / 4294967296);
  };
}

export function randomArray(n: number, r: (lo?: number, hi?: number) => number, lo = -1, hi = 1): Float32Array {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = r(lo, hi);
  return a;
}

/** Asserts |actual − expected| ≤ atol + rtol·|expected| elementwise, reporting the worst element. */
export function expectClose(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  rtol = 1e-4,
  atol = 1e-5,
  label = "",
): void {
  expect(actual.length, `${label} length`).toBe(expected.length);
  let worst = -1;
  let worstExcess = 0;
  for (let i = 0; i < expected.length; i++) {
    const excess = Math.abs(actual[i] - expected[i]) - (atol + rtol * Math.abs(expected[i]));
    if (!(excess <= 0) && (worst < 0 || !(excess <= worstExcess))) {
      worst = i;
      worstExcess = excess;
    }
  }
  if (worst >= 0) {
    expect.fail(
      `${label} element ${worst}: got ${actual[worst]}, expected ${expected[worst]} (rtol ${rtol}, atol ${atol})`,
    );
  }
}
