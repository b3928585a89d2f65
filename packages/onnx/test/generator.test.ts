import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createOnnxGenerator, type OnnxGenerator } from "../src/index.js";

// The tiny Qwen2-shaped model and its float64 greedy chains, built by tools/onnx/tiny_qwen2.py (committed; no Python here).
const models = join(import.meta.dirname, "..", "..", "..", "tools", "onnx", "models");
const dir = join(models, "tiny-qwen2");
const fixture = JSON.parse(readFileSync(join(models, "fixtures", "qwen2.json"), "utf8")) as {
  chains: { prompt: number[]; greedy: number[] }[];
};

let gen: OnnxGenerator;
beforeAll(async () => {
  gen = await createOnnxGenerator(dir);
});
afterAll(async () => {
  await gen?.close();
});

describe("onnx: generator (docs/contracts.md §7, §9)", () => {
  it("greedy equals the PyTorch float64 argmax chain", async () => {
    const out = await gen.generateFromTokens(
      fixture.chains.map((c) => c.prompt),
      { n: 1, temperature: 0, maxTokens: 12 },
    );
    // The model's EOS ids may appear in a chain: the generator stops there, the reference does not.
    fixture.chains.forEach((c, i) => {
      const got = out[i][0].tokenIds;
      expect(got).toEqual(c.greedy.slice(0, got.length));
      if (got.length < 12) expect(out[i][0].finishReason).toBe("stop");
    });
  });

  it("reruns are identical; completion c of a prompt does not depend on the other prompts", async () => {
    const opts = { n: 3, temperature: 1.1, topP: 0.9, topK: 50, maxTokens: 10, seed: 7 };
    const prompts = fixture.chains.map((c) => c.prompt);
    const a = await gen.generateFromTokens(prompts, opts);
    const b = await gen.generateFromTokens(prompts, opts);
    expect(b).toEqual(a);
    const alone = await gen.generateFromTokens([prompts[2]], opts);
    expect(alone[0]).toEqual(a[2]);
    // Samples of one prompt differ from each other, and a different seed changes them.
    expect(new Set(a[2].map((c) => c.tokenIds.join(","))).size).toBeGreaterThan(1);
    const other = await gen.generateFromTokens([prompts[2]], { ...opts, seed: 8 });
    expect(other[0]).not.toEqual(a[2]);
  });

  it("logLik is the sum of token log-probs; text prompts and maxTokens 0 work", async () => {
    const [[c]] = await gen.generate([{ id: "t", text: "ab cab" }], { n: 1, maxTokens: 6, seed: 1 });
    expect(c.logLik).toBeCloseTo(
      c.tokenLogprobs.reduce((x, y) => x + y, 0),
      12,
    );
    expect(c.numTokens).toBe(c.tokenIds.length);
    const [[z]] = await gen.generate([{ id: "t", text: "ab" }], { n: 1, maxTokens: 0 });
    expect(z).toMatchObject({ tokenIds: [], text: "", finishReason: "length" });
  });
});
