import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createReferenceBackend } from "@sentrl/compute";
import { loadModel } from "@sentrl/model";
import { describe, expect, it } from "vitest";
import { main } from "../src/cli.js";
import { sftBatchIndices, sftLearningRate } from "../src/demo/sft.js";
import { parseSftConfig } from "../src/demo/sft-config.js";
import { trainSft } from "../src/demo/sft-run.js";
import { writeDemoTokenizer } from "../src/demo/tokenizer.js";
import { fakeIO as io } from "./fake-io.js";

/** A tiny SFT job on disk: tokenizer, 12 prompt/response rows, a config (fresh 1-layer model). */
async function job(): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), "sentrl-sft-"));
  await writeDemoTokenizer(join(dir, "tok"));
  const rows = Array.from({ length: 12 }, (_, i) => ({
    prompt: i % 2 ? [{ role: "user", content: `${i}+1` }] : `<|user|>${i}+2<|end|><|assistant|>`,
    response: `${i + 1 + (i % 2 ? 0 : 1)}\n\\boxed{${i + 1 + (i % 2 ? 0 : 1)}}`,
  }));
  writeFileSync(join(dir, "data.jsonl"), `${rows.map((r) => JSON.stringify(r)).join("\n")}\n`);
  const config = {
    model: {
      init: {
        model_type: "qwen2",
        hidden_size: 16,
        intermediate_size: 32,
        num_hidden_layers: 1,
        num_attention_heads: 2,
        num_key_value_heads: 1,
        vocab_size: 18,
        max_position_embeddings: 64,
        rope_theta: 10000,
        rms_norm_eps: 1e-6,
        tie_word_embeddings: true,
      },
      seed: 3,
    },
    tokenizer: "tok",
    data: "data.jsonl",
    steps: 6,
    batchSize: 4,
    lr: 0.01,
    warmupSteps: 2,
    checkpointEvery: 2,
  };
  writeFileSync(join(dir, "sft.json"), JSON.stringify(config));
  return dir;
}

describe("sentrl sft", () => {
  it("schedules warm-up + cosine and passes over the data in seeded orders", () => {
    const s = parseSftConfig({
      model: { dir: "m" },
      tokenizer: "t",
      data: "d",
      steps: 10,
      lr: 1,
      warmupSteps: 2,
      minLrRatio: 0.1,
      batchSize: 3,
    });
    expect([0, 1, 2].map((i) => sftLearningRate(i, s.settings))).toEqual([0.5, 1, 1]);
    expect(sftLearningRate(9, s.settings)).toBeCloseTo(0.1 + 0.9 * 0.5 * (1 + Math.cos((Math.PI * 7) / 8)), 12);
    const seen = [0, 1, 2, 3].flatMap((step) => sftBatchIndices(step, 6, s.settings));
    expect([...seen.slice(0, 6)].sort()).toEqual([0, 1, 2, 3, 4, 5]); // one pass = every example once
    expect(() => parseSftConfig({ model: { dir: "m" }, tokenizer: "t", data: "d", steps: 0 })).toThrow(/config.steps/);
    expect(() => parseSftConfig({ model: { dir: "m" }, tokenizer: "t", data: "d", steps: 1, lr2: 1 })).toThrow(
      /unknown field/,
    );
  });

  it("trains a model folder that loads; an interrupted run resumes to the same weights", async () => {
    const dir = await job();
    const o = io();
    expect(await main(["sft", "--config", join(dir, "sft.json"), "--out", join(dir, "full")], o), o.err()).toBe(0);
    const summary = JSON.parse(o.out());
    expect(summary.steps).toBe(6);
    expect(summary.lossLast).toBeLessThan(summary.lossFirst);
    const full = await loadModel(join(dir, "full"), { backend: createReferenceBackend() });
    expect(readFileSync(join(dir, "full", "tokenizer_config.json"), "utf8")).toContain("chat_template");

    const config = parseSftConfig(JSON.parse(readFileSync(join(dir, "sft.json"), "utf8")));
    const ctrl = new AbortController();
    const part = join(dir, "part");
    await expect(
      trainSft({
        config,
        resolvePath: (p) => join(dir, p),
        outDir: part,
        signal: ctrl.signal,
        onStep: (s) => s.step === 3 && ctrl.abort(),
      }),
    ).rejects.toMatchObject({ code: "SFT_INTERRUPTED" });
    const o2 = io();
    expect(await main(["sft", "--config", join(dir, "sft.json"), "--out", part], o2)).toBe(1);
    expect(o2.err()).toMatch(/SFT_OUT_EXISTS/);
    const o3 = io();
    expect(await main(["sft", "--config", join(dir, "sft.json"), "--out", part, "--resume"], o3), o3.err()).toBe(0);
    expect(JSON.parse(o3.out()).resumedFrom).toBe(3);
    const resumed = await loadModel(part, { backend: createReferenceBackend() });
    for (const n of full.parameterNames()) expect(resumed.getParameter(n)).toEqual(full.getParameter(n));
  });

  it("needs exactly one of --config and --demo-base, and --out", async () => {
    const o = io();
    expect(await main(["sft", "--out", "x"], o)).toBe(2);
    expect(await main(["sft", "--demo-base"], io())).toBe(2);
  });
});
