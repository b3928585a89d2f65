import { readFileSync } from "node:fs";
import { join } from "node:path";
import * as compute from "@sentrl/compute";
import { expect, it } from "vitest";
import { annotatedOutputs, readmeTsBlocks, runTsBlock } from "../../core/test/readme-examples.js";
import * as model from "../src/index.js";

/** Runs the README's `index`-th ts block (imports stripped, the model folder pointed at a test fixture) and returns its `result`. */
async function runBlock(index: number): Promise<unknown> {
  const readme = readFileSync(join(import.meta.dirname, "..", "README.md"), "utf8");
  const block = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)][index]?.[1] ?? "";
  const body = block
    .replace(/^import .*$/gm, "")
    .replace("models/qwen2-tiny", join(import.meta.dirname, "fixtures", "qwen2-tied-gqa1"));
  const scope = { ...compute, ...model } as Record<string, unknown>;
  const names = Object.keys(scope);
  const AsyncFunction = Object.getPrototypeOf(async () => {}).constructor as new (
    ...args: string[]
  ) => (...a: unknown[]) => Promise<unknown>;
  return new AsyncFunction(...names, `${body}\nreturn result;`)(...names.map((n) => scope[n]));
}

it("the README scoring example runs", async () => {
  const result = (await runBlock(0)) as model.ScoreResult;
  expect(result.logp.map((r) => r.length)).toEqual([3, 0]);
  expect(result.entropy[0].every((h) => h > 0)).toBe(true);
});

it("the README training example runs and raises the log-likelihood", async () => {
  const result = (await runBlock(1)) as { before: number; after: number; gradNorm: number };
  expect(result.gradNorm).toBeGreaterThan(0);
  expect(result.after).toBeGreaterThan(result.before);
});

it("the README generation-engine example runs", async () => {
  const readme = readFileSync(join(import.meta.dirname, "..", "README.md"), "utf8");
  const index = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].findIndex((m) => m[1].includes("createGenerationEngine("));
  expect(index).toBeGreaterThanOrEqual(0);
  expect(await runBlock(index)).toEqual({ greedy: 3, streamed: true });
});

it("the README generation example builds a tiny model on disk, scores and samples as its comments say", async () => {
  const blocks = readmeTsBlocks(join(import.meta.dirname, "..", "README.md"));
  const code = blocks.find((b) => b.includes("createLocalGenerator(")) ?? "";
  const expected = annotatedOutputs(code);
  expect(expected.length).toBe(7);
  const { logs } = await runTsBlock(code);
  expect(logs.map((args) => args[0])).toEqual(expected);
});
