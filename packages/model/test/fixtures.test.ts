import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { createReferenceBackend } from "@sentrl/compute";
import { describe, expect, it } from "vitest";
import { loadModel } from "../src/index.js";

const FIXTURES = join(import.meta.dirname, "fixtures");
const names = readdirSync(FIXTURES).sort();

interface Expected {
  temperature: number;
  tokens: number[][];
  logp: number[][];
  entropy: number[][];
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

describe("forward pass against the PyTorch reference (tools/torch-ref/model_forward.py)", () => {
  it("has the fixtures", () => {
    expect(names).toEqual(expect.arrayContaining(["qwen2-tied-gqa1", "qwen2-untied-gqa2-f16", "qwen2-gqa4-bf16", "qwen2-sharded", "llama-untied", "qwen2-bigvocab"]));
  });

  it.each(names)("%s: a ragged batch matches within 1e-4, and each row alone equals the row in the batch", async (name) => {
    const dir = join(FIXTURES, name);
    const exp = JSON.parse(readFileSync(join(dir, "expected.json"), "utf8")) as Expected;
    const model = await loadModel(dir, { backend: createReferenceBackend() });
    const batch = model.score(exp.tokens, { temperature: exp.temperature, batchSize: 16 });
    exp.tokens.forEach((row, i) => {
      expect(batch.logp[i].length).toBe(Math.max(0, row.length - 1));
      expect(maxAbsDiff(batch.logp[i], exp.logp[i])).toBeLessThan(1e-4);
      expect(maxAbsDiff(batch.entropy[i], exp.entropy[i])).toBeLessThan(1e-4);
      const alone = model.score([row], { temperature: exp.temperature });
      expect(Array.from(alone.logp[0])).toEqual(Array.from(batch.logp[i]));
      expect(Array.from(alone.entropy[0])).toEqual(Array.from(batch.entropy[i]));
    });
    // Different batching (pairs, in another order) gives the same values.
    const rev = [...exp.tokens].reverse();
    const pairs = model.score(rev, { temperature: exp.temperature, batchSize: 2 });
    rev.forEach((_, j) => {
      const i = exp.tokens.length - 1 - j;
      expect(Array.from(pairs.logp[j])).toEqual(Array.from(batch.logp[i]));
    });
    model.dispose();
  });
});
