import { appendFileSync, existsSync, mkdtempSync, readFileSync, truncateSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Completion, GenerateOptions, GenerationPrompt, Generator } from "@sentrl/core";
import { describe, expect, it } from "vitest";
import { getChecker, recoverDetails, runEval } from "../src/index.js";

const rows = Array.from({ length: 12 }, (_, i) => ({
  id: `toy/${i}`,
  prompt: `What is ${i} + ${i}?`,
  gold: String(2 * i),
}));

/** Deterministic fake: sample j of problem i is right when (i + j) % 3 != 0; some answers are missing. */
function fakeGenerator(calls: { ids: string[]; n: number }[] = []): Generator {
  return {
    spec: "fake:toy",
    async generate(prompts: GenerationPrompt[], options: GenerateOptions): Promise<Completion[][]> {
      calls.push({ ids: prompts.map((p) => p.id), n: options.n });
      return prompts.map((p) => {
        const i = Number(p.id.split("/")[1]);
        return Array.from({ length: options.n }, (_, j) => {
          const right = (i + j) % 3 !== 0;
          const text = (i * j) % 5 === 4 ? "I give up." : `Thinking... \\boxed{${right ? 2 * i : 2 * i + 1}}`;
          return { text, finishReason: j === 0 ? "length" : "stop", numTokens: 10 + j };
        });
      });
    },
  };
}

const base = { benchmark: "toy", rows, n: 8, ks: [1, 4, 8], checker: getChecker("opencompass-v2"), batchSize: 5 };

describe("runEval", () => {
  it("writes n graded samples per problem, a summary and a markdown table", async () => {
    const outDir = mkdtempSync(join(tmpdir(), "sentrl-eval-"));
    const res = await runEval({ ...base, generator: fakeGenerator(), outDir });
    const details = recoverDetails(join(outDir, "details.jsonl"));
    expect(details).toHaveLength(12 * 8);
    expect(res.summary.problems).toBe(12);
    expect(res.summary.samples).toBe(96);
    // Expected accuracy from the generator's rule, counted independently.
    let right = 0;
    for (let i = 0; i < 12; i++) for (let j = 0; j < 8; j++) if ((i + j) % 3 !== 0 && (i * j) % 5 !== 4) right++;
    expect(res.summary.accuracy).toBeCloseTo((100 * right) / 96, 10);
    expect(res.summary.truncatedRate).toBeCloseTo(100 / 8, 10);
    expect(Object.keys(res.summary.metrics).sort()).toEqual([
      "avg@1",
      "avg@4",
      "avg@8",
      "maj@1",
      "maj@4",
      "maj@8",
      "pass@1",
      "pass@4",
      "pass@8",
    ]);
    expect(res.summary.metrics["pass@8"]?.value).toBe(100);
    expect(res.summary.metrics["pass@1"]?.value).toBeCloseTo(res.summary.accuracy, 10);
    expect(JSON.parse(readFileSync(join(outDir, "summary.json"), "utf8"))).toEqual(res.summary);
    expect(readFileSync(join(outDir, "summary.md"), "utf8")).toContain("| pass@k |");
  });

  it("resumes after a crash that tore the last line, without losing or repeating samples", async () => {
    const full = mkdtempSync(join(tmpdir(), "sentrl-eval-"));
    const ref = await runEval({ ...base, generator: fakeGenerator(), outDir: full });

    const outDir = mkdtempSync(join(tmpdir(), "sentrl-eval-"));
    await runEval({ ...base, generator: fakeGenerator(), outDir });
    // Simulate a kill: keep 3 complete problems' lines plus half of a fourth problem and a torn line.
    const path = join(outDir, "details.jsonl");
    const lines = readFileSync(path, "utf8").split("\n");
    const keep = `${lines.slice(0, 3 * 8 + 3).join("\n")}\n${(lines[27] as string).slice(0, 20)}`;
    truncateSync(path, 0);
    appendFileSync(path, keep);
    const calls: { ids: string[]; n: number }[] = [];
    const res = await runEval({ ...base, generator: fakeGenerator(calls), outDir });
    expect(res.resumed).toBe(3);
    expect(res.generated).toBe(12 * 8 - 27);
    expect(calls.flatMap((c) => c.ids)).toEqual(rows.slice(3).map((r) => r.id));
    expect(res.summary).toEqual(ref.summary);
    const details = recoverDetails(path);
    expect(new Set(details.map((d) => `${d.id}#${d.sample}`)).size).toBe(96);
    expect(details).toHaveLength(96);
    expect(readFileSync(path, "utf8").endsWith("\n")).toBe(true);
  });

  it("a finished run reruns instantly with the same summary", async () => {
    const outDir = mkdtempSync(join(tmpdir(), "sentrl-eval-"));
    const a = await runEval({ ...base, generator: fakeGenerator(), outDir });
    const calls: { ids: string[]; n: number }[] = [];
    const b = await runEval({ ...base, generator: fakeGenerator(calls), outDir });
    expect(calls).toEqual([]);
    expect(b.summary).toEqual(a.summary);
  });

  it("refuses to resume with different settings, and k above n", async () => {
    const outDir = mkdtempSync(join(tmpdir(), "sentrl-eval-"));
    await runEval({ ...base, generator: fakeGenerator(), outDir });
    await expect(runEval({ ...base, n: 4, ks: [4], generator: fakeGenerator(), outDir })).rejects.toMatchObject({
      code: "EVAL_RESUME_MISMATCH",
    });
    await expect(runEval({ ...base, temperature: 1, generator: fakeGenerator(), outDir })).rejects.toMatchObject({
      code: "EVAL_RESUME_MISMATCH",
    });
    const other = mkdtempSync(join(tmpdir(), "sentrl-eval-"));
    await expect(runEval({ ...base, ks: [16], generator: fakeGenerator(), outDir: other })).rejects.toMatchObject({
      code: "EVAL_BAD_K",
    });
    expect(existsSync(join(other, "summary.json"))).toBe(false);
    expect(statSync(join(outDir, "summary.json")).size).toBeGreaterThan(0);
  });

  it("uses the checker's equivalence for maj@k when it has no canonical key", async () => {
    const gen: Generator = {
      spec: "fake:votes",
      async generate(prompts, o) {
        // 2 × "\dfrac12" (equivalent to the gold), 3 × wrong but pairwise different answers
        const texts = ["\\boxed{\\dfrac12}", "\\boxed{3}", "\\boxed{1/2}", "\\boxed{4}", "\\boxed{5}"];
        return prompts.map(() => texts.slice(0, o.n).map((text) => ({ text, finishReason: "stop" })));
      },
    };
    const outDir = mkdtempSync(join(tmpdir(), "sentrl-eval-"));
    const r = await runEval({
      benchmark: "toy",
      rows: [{ id: "q", prompt: "?", gold: "\\frac{1}{2}" }],
      n: 5,
      ks: [5],
      checker: getChecker("opencompass-v2"),
      generator: gen,
      outDir,
    });
    expect(r.summary.metrics["maj@5"]?.value).toBe(100);
    expect(r.summary.metrics["avg@5"]?.value).toBeCloseTo(40, 10);
  });
});
