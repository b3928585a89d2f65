// Per-kernel time breakdown of one training step and one scoring pass of the 11M model on the fast CPU backend.
// Run: npx tsx --conditions=source packages/model/bench/profile.ts
import type { Backend } from "@sentrl/compute";
import { loadFastCpuBackend } from "@sentrl/compute";
import { BENCH_MODEL_SHAPE, DecoderModel, lcgStream, randomQwen2 } from "../src/index.js";

const inner = await loadFastCpuBackend();
const totals = new Map<string, { ms: number; calls: number }>();
const be = new Proxy(inner, {
  get(target, prop, recv) {
    const v = Reflect.get(target, prop, recv);
    if (typeof v !== "function") return v;
    return (...args: unknown[]) => {
      const t0 = performance.now();
      const r = (v as (...a: unknown[]) => unknown).apply(target, args);
      const dt = performance.now() - t0;
      const a0 = args[0] as { inDim?: number; outDim?: number; dx?: unknown; dBias?: unknown };
      const key = String(prop).startsWith("matmul")
        ? `${String(prop)}[${a0.inDim}x${a0.outDim}${a0.dBias ? "+b" : ""}]`
        : String(prop);
      const e = totals.get(key) ?? { ms: 0, calls: 0 };
      e.ms += dt;
      e.calls++;
      totals.set(key, e);
      return r;
    };
  },
}) as Backend;
const rand = lcgStream(1);
const { config, tensors } = randomQwen2(
  BENCH_MODEL_SHAPE,
  rand,
);
const model = DecoderModel.fromTensors(config, tensors, be);
const rows = Array.from({ length: 8 }, () => Array.from({ length: 256 }, () => Math.floor((rand() + 0.5) * 4096)));
const dLogp = rows.map((r) => r.slice(1).map(() => rand()));
const dEntropy = rows.map((r) => r.slice(1).map(() => rand()));
const step = () => {
  model.zeroGrad();
  const h = model.forward(rows);
  model.backward(h, { dLogp, dEntropy });
  model.step({ lr: 1e-4, maxGradNorm: 1 });
};
for (const [name, fn] of [
  ["train", step],
  ["score", () => model.score(rows)],
] as const) {
  fn();
  totals.clear();
  const t0 = performance.now();
  fn();
  const total = performance.now() - t0;
  const kernels = [...totals.entries()]
    .sort((a, b) => b[1].ms - a[1].ms)
    .map(([k, v]) => `${k}:${v.ms.toFixed(1)}ms/${v.calls}`);
  const inKernels = [...totals.values()].reduce((a, v) => a + v.ms, 0);
  console.log(
    JSON.stringify({
      pass: name,
      totalMs: Math.round(total),
      outsideKernelsMs: Math.round(total - inKernels),
      kernels,
    }),
  );
}
