import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Completion, Generator } from "@sentrl/core";
import { createGenerator } from "@sentrl/generators";
import type { OnnxGenerator } from "@sentrl/onnx";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { registerAppGenerators } from "../src/generators.js";
import { runCli } from "./fake-io.js";

// tools/onnx/tiny_qwen2.py wrote the same weights as onnx/model.onnx (for onnx:) and model.safetensors (for
// `sentrl score` and local:), so the three must agree (docs/contracts.md §7, §9).
const dir = join(import.meta.dirname, "..", "..", "..", "tools", "onnx", "models", "tiny-qwen2");
const prompts = [
  { id: "a", text: "ab cab" },
  { id: "b", text: "hello, world" },
  { id: "c", messages: [{ role: "user" as const, content: "a b" }] },
];

let onnx: OnnxGenerator;
let local: Generator;
beforeAll(async () => {
  registerAppGenerators();
  onnx = (await createGenerator(`onnx:${dir}`)) as OnnxGenerator;
  local = await createGenerator(`local:${dir}`);
});
afterAll(async () => {
  await onnx?.close();
  await local?.close?.();
});

async function score(rows: number[][], temperature: number): Promise<number[][]> {
  const r = await runCli(
    ["score", "--model", dir, "--temperature", String(temperature)],
    JSON.stringify({ tokens: rows }),
  );
  expect(r.stderr).toBe("");
  return (JSON.parse(r.stdout) as { logp: number[][] }).logp;
}

describe("onnx:<dir> generator through the app", () => {
  it("reports its spec", () => {
    expect(onnx.spec).toBe(`onnx:${dir}`);
  });

  it.each([
    [0.8, 0, 1],
    [1.3, 20, 0.95],
    [0, 0, 1],
  ])(
    "temperature %s, top-k %s, top-p %s: token log-probs equal `sentrl score` to 1e-4, tokens equal local:",
    async (temperature, topK, topP) => {
      const opts = { n: 3, temperature, topK, topP, maxTokens: 12, seed: 3 };
      const out = await onnx.generate(prompts, opts);
      const rows: number[][] = [];
      const lps: number[][] = [];
      prompts.forEach((p, i) => {
        const promptTokens = onnx.encodePrompt(p);
        for (const c of out[i]) {
          rows.push([...promptTokens, ...c.tokenIds]);
          lps.push(c.tokenLogprobs.map((_, j) => j + promptTokens.length - 1));
        }
      });
      const scored = await score(rows, temperature > 0 ? temperature : 1);
      const flat = out.flat();
      let compared = 0;
      flat.forEach((c, k) => {
        c.tokenLogprobs.forEach((lp, j) => {
          expect(Math.abs(lp - scored[k][lps[k][j]])).toBeLessThan(1e-4);
          compared++;
        });
      });
      expect(compared).toBeGreaterThan(30);
      // Same seeded streams and sampling kernel as local: → the same tokens (and texts).
      const mine = (await local.generate(prompts, opts)) as Completion[][];
      expect(out.map((cs) => cs.map((c) => c.tokenIds))).toEqual(mine.map((cs) => cs.map((c) => c.tokenIds)));
      expect(out.map((cs) => cs.map((c) => c.text))).toEqual(mine.map((cs) => cs.map((c) => c.text)));
      if (temperature === 0) for (const cs of out) expect(new Set(cs.map((c) => c.tokenIds.join(","))).size).toBe(1);
    },
  );

  it("sentrl curriculum build --generator onnx:<dir> samples with it (reruns identical)", async () => {
    const tmp = mkdtempSync(join(tmpdir(), "sentrl-onnx-cur-"));
    try {
      const data = join(tmp, "data.jsonl");
      writeFileSync(
        data,
        `${[0, 1, 2, 3].map((i) => JSON.stringify({ id: `p${i}`, problem: `ab ${i}`, answer: "1" })).join("\n")}\n`,
      );
      const build = async (out: string) => {
        const args = ["curriculum", "build", "--data", data, "--generator", `onnx:${dir}`, "--out", out];
        const r = await runCli([
          ...args,
          "--samples",
          "3",
          "--stages",
          "2",
          "--max-tokens",
          "6",
          "--seed",
          "1",
          "--estimator",
          "discrete",
          "--prompt-template",
          "raw",
        ]);
        expect(r.code).toBe(0);
        return readFileSync(join(out, "cache", "responses.jsonl"), "utf8");
      };
      const a = await build(join(tmp, "a"));
      expect(await build(join(tmp, "b"))).toBe(a);
      const recs = a
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l) as { responses: string[] });
      expect(recs).toHaveLength(4);
      for (const r of recs) expect(r.responses).toHaveLength(3);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  });
});
