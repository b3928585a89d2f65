import { describe, expect, it } from "vitest";
import { type Backend, createReferenceBackend } from "../src/index.js";
import { runBackendConformance } from "../src/testing/index.js";

/** Runs the suite on `backend` with a collecting runner; returns the names of the failing tests. */
function failures(backend: () => Backend): string[] {
  const tests: { name: string; fn: () => void | Promise<void> }[] = [];
  runBackendConformance(backend, { describe: (_n, fn) => fn(), it: (name, fn) => tests.push({ name, fn }) }, { skipBigVocab: true });
  const failed: string[] = [];
  for (const t of tests) {
    try {
      const r = t.fn();
      if (r instanceof Promise) throw new Error("async");
    } catch {
      failed.push(t.name);
    }
  }
  return failed;
}

describe("the conformance suite catches broken kernels", () => {
  it("passes the reference backend", () => {
    expect(failures(createReferenceBackend)).toEqual([]);
  });

  it.each([
    ["matmul", (b: Backend): Partial<Backend> => ({ matmulForward: (a) => b.matmulForward({ ...a, bias: undefined }) })],
    ["rope", (b: Backend): Partial<Backend> => ({ ropeForward: (a) => b.ropeForward({ ...a, theta: a.theta * 1.01 }) })],
    ["attention", (b: Backend): Partial<Backend> => ({ attentionForward: (a) => b.attentionForward({ ...a, keyMask: undefined }) })],
    ["fused logits", (b: Backend): Partial<Backend> => ({ logitsStatsForward: (a) => b.logitsStatsForward({ ...a, temperature: 1 }) })],
    ["adamw", (b: Backend): Partial<Backend> => ({ adamwStep: (a) => b.adamwStep({ ...a, maxGradNorm: undefined }) })],
    ["sample", (b: Backend): Partial<Backend> => ({ sample: (a) => b.sample({ ...a, topK: 0 }) })],
    ["backward: fused logits", (b: Backend): Partial<Backend> => ({ logitsStatsBackward: (a) => b.logitsStatsBackward({ ...a, dEntropy: undefined }) })],
    ["backward: rmsnorm", (b: Backend): Partial<Backend> => ({ rmsnormBackward: (a) => b.rmsnormBackward({ ...a, dWeight: undefined }) })],
    ["backward: attention", (b: Backend): Partial<Backend> => ({ attentionBackward: (a) => b.attentionBackward({ ...a, dk: a.dq, dq: a.dk }) })],
    ["backward: rope", (b: Backend): Partial<Backend> => ({ ropeBackward: (a) => b.ropeBackward({ ...a, theta: a.theta * 2 }) })],
    ["backward: embedding", (b: Backend): Partial<Backend> => ({ embeddingBackward: (a) => b.embeddingBackward({ ...a, rows: a.rows - 1 }) })],
  ])("flags a broken %s kernel", (name, patch) => {
    const broken = () => {
      const b = createReferenceBackend();
      return { ...b, ...patch(b) } as Backend;
    };
    const failed = failures(broken);
    // The forward kernels are also used by the backward checks, so a broken forward may fail both.
    expect(failed.length).toBeGreaterThanOrEqual(1);
    expect(failed.some((f) => f.startsWith(name))).toBe(true);
    for (const f of failed) expect(f).toContain(name.replace("backward: ", "").split(" ")[0]);
  });
});
