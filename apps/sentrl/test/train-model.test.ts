// `sentrl train` with policy.kind "model": the same loop on @sentrl/model's transformer (a tiny random Qwen2 with a
// byte-level tokenizer written here), rows read from JSONL, exact resume through ModelPolicy.state()/load().
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parameterSpecs, parseModelConfig, writeSafetensors } from "@sentrl/model";
import { describe, expect, it } from "vitest";
import { main } from "../src/cli.js";
import { fakeIO as io } from "./fake-io.js";

/** A tiny random Qwen2 (vocab = 256 bytes + EOS) with a byte-level BPE tokenizer and a one-line chat template. */
function tinyModel(dir: string): void {
  mkdirSync(dir, { recursive: true });
  const hf = {
    architectures: ["Qwen2ForCausalLM"],
    model_type: "qwen2",
    hidden_act: "silu",
    hidden_size: 16,
    intermediate_size: 32,
    num_hidden_layers: 1,
    num_attention_heads: 2,
    num_key_value_heads: 1,
    vocab_size: 257,
    rms_norm_eps: 1e-6,
    rope_theta: 10000,
    tie_word_embeddings: true,
    max_position_embeddings: 64,
    eos_token_id: 256,
  };
  writeFileSync(join(dir, "config.json"), JSON.stringify(hf));
  let s = 12345;
  const rand = () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s / 2147483648 - 0.5;
  };
  const tensors: Record<string, { data: Float32Array; shape: number[] }> = {};
  for (const spec of parameterSpecs(parseModelConfig(hf))) {
    const n = spec.shape.reduce((a, b) => a * b, 1);
    const data = new Float32Array(n);
    for (let i = 0; i < n; i++) data[i] = spec.name.endsWith("norm.weight") ? 1 : 0.4 * rand();
    tensors[spec.name] = { data, shape: spec.shape };
  }
  writeSafetensors(join(dir, "model.safetensors"), tensors);
  // GPT-2's byte → printable character map (byte-level BPE alphabet).
  const vocab: Record<string, number> = {};
  let extra = 0;
  for (let b = 0; b < 256; b++) {
    const printable = (b >= 33 && b <= 126) || (b >= 161 && b <= 172) || (b >= 174 && b <= 255);
    vocab[String.fromCharCode(printable ? b : 256 + extra++)] = b;
  }
  writeFileSync(
    join(dir, "tokenizer.json"),
    JSON.stringify({
      model: { type: "BPE", vocab, merges: [] },
      added_tokens: [{ id: 256, content: "<|end|>", special: true }],
      pre_tokenizer: { type: "ByteLevel", add_prefix_space: false, use_regex: true },
      decoder: { type: "ByteLevel" },
    }),
  );
  writeFileSync(
    join(dir, "tokenizer_config.json"),
    JSON.stringify({ eos_token: "<|end|>", chat_template: "{% for m in messages %}{{ m.content }}\n{% endfor %}" }),
  );
}

describe("sentrl train with policy.kind model", () => {
  it("trains the transformer through the same loop and resumes it exactly", async () => {
    const dir = mkdtempSync(join(tmpdir(), "sentrl-train-model-"));
    tinyModel(join(dir, "model"));
    writeFileSync(
      join(dir, "data.jsonl"),
      ["1+1?", "2+2?", "3+3?", "4+4?"]
        .map((q, i) => JSON.stringify({ id: `q${i}`, problem: q, answer: "x" }))
        .join("\n"),
    );
    // A reward with variance on a random model: 1 for responses of even length.
    writeFileSync(
      join(dir, "even.mjs"),
      "export default { name: 'even', score: (r) => ({ reward: r.length % 2 === 0 ? 1 : 0, correct: false, extracted: r }) };\n",
    );
    const cfg = join(dir, "run.yaml");
    writeFileSync(
      cfg,
      [
        "preset: grpo",
        "policy: { kind: model, dir: ./model }",
        "data: { train: ./data.jsonl }",
        "reward: { name: even, module: ./even.mjs }",
        "promptTemplate: raw",
        "promptsPerStep: 2",
        "groupSize: 4",
        "miniBatchPrompts: 1",
        "microBatchSize: 2",
        "maxResponseTokens: 6",
        "totalSteps: 3",
        "checkpointEvery: 1",
        "zeroVarianceWarnSteps: 0",
        "optimizer: { lr: 0.01 }",
        "",
      ].join("\n"),
    );
    const a = io();
    expect(await main(["train", "--config", cfg, "--out", join(dir, "straight")], a), a.err()).toBe(0);
    const lines = readFileSync(join(dir, "straight", "metrics.jsonl"), "utf8")
      .trimEnd()
      .split("\n");
    expect(lines).toHaveLength(3);
    const m = JSON.parse(lines[2]) as Record<string, number>;
    for (const name of ["actor/pg_loss", "actor/entropy", "actor/kl_loss", "actor/grad_norm", "response_length/mean"])
      expect(Number.isFinite(m[name]), name).toBe(true);
    expect(m["actor/grad_norm"]).toBeGreaterThan(0);

    // 2 steps, then resume to 3 (totalSteps is a safe change, allowed with --resume-with-changes): identical metrics.
    const twoSteps = join(dir, "two.yaml");
    writeFileSync(twoSteps, readFileSync(cfg, "utf8").replace("totalSteps: 3", "totalSteps: 2"));
    const b = io();
    expect(await main(["train", "--config", twoSteps, "--out", join(dir, "resumed")], b), b.err()).toBe(0);
    const c = io();
    expect(
      await main(["train", "--config", cfg, "--out", join(dir, "resumed"), "--resume", "--resume-with-changes"], c),
      c.err(),
    ).toBe(0);
    expect(readFileSync(join(dir, "resumed", "metrics.jsonl"), "utf8")).toBe(
      readFileSync(join(dir, "straight", "metrics.jsonl"), "utf8"),
    );

    // --backend picks the compute backend of the model policy (not part of the run's configuration).
    const d = io();
    expect(await main(["train", "--config", cfg, "--out", join(dir, "ref"), "--backend", "reference"], d), d.err()).toBe(0);
    expect(readFileSync(join(dir, "ref", "metrics.jsonl"), "utf8").trimEnd().split("\n")).toHaveLength(3);
    const e = io();
    expect(await main(["train", "--config", cfg, "--out", join(dir, "bad"), "--backend", "tpu"], e)).toBe(2);
    expect(e.err()).toMatch(/--backend must be one of auto, fast, reference, cuda/);
  }, 90_000);

  it("the SENT preset on the transformer with curriculum stage files", async () => {
    const dir = mkdtempSync(join(tmpdir(), "sentrl-train-model-stages-"));
    tinyModel(join(dir, "model"));
    for (const [f, qs] of [
      ["s1.jsonl", ["1+1?", "2+2?"]],
      ["s2.jsonl", ["3+3?", "4+4?"]],
    ] as const)
      writeFileSync(
        join(dir, f),
        qs.map((q, i) => JSON.stringify({ id: `${f}${i}`, problem: q, answer: "x" })).join("\n"),
      );
    const cfg = join(dir, "run.yaml");
    writeFileSync(
      cfg,
      [
        "preset: sent",
        "policy: { kind: model, dir: ./model }",
        "curriculum: { stages: [./s1.jsonl, ./s2.jsonl], epochsPerStage: 1 }",
        "reward: { name: exact }",
        "promptTemplate: raw",
        "promptsPerStep: 2",
        "groupSize: 2",
        "miniBatchPrompts: 2",
        "maxResponseTokens: 4",
        "zeroVarianceWarnSteps: 0",
        "",
      ].join("\n"),
    );
    const o = io();
    expect(await main(["train", "--config", cfg, "--out", join(dir, "out")], o), o.err()).toBe(0);
    const summary = JSON.parse(o.out());
    expect(summary).toMatchObject({ loss: "sent", steps: 2 });
    expect(summary.curriculum.map((s: { prompts: { id: string }[] }) => s.prompts.map((p) => p.id))).toEqual([
      ["s1.jsonl0", "s1.jsonl1"],
      ["s2.jsonl0", "s2.jsonl1"],
    ]);
    const stages = readFileSync(join(dir, "out", "metrics.jsonl"), "utf8")
      .trimEnd()
      .split("\n")
      .map((l) => JSON.parse(l)["curriculum/stage"]);
    expect(stages).toEqual([1, 2]);
  }, 60_000);
});
