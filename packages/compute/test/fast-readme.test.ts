import { readFileSync } from "node:fs";
import { join } from "node:path";
import { expect, it } from "vitest";
import * as compute from "../src/index.js";

it("the README's fast-backend example runs and gives what it says", async () => {
  const readme = readFileSync(join(import.meta.dirname, "..", "README.md"), "utf8");
  const section = readme.slice(readme.indexOf("## Fast CPU backend"));
  const block = /```ts\n([\s\S]*?)```/.exec(section)?.[1] ?? "";
  expect(block).toContain("selectBackend");
  const body = block.replace(/^import .*$/gm, "");
  const names = Object.keys(compute);
  const AsyncFunction = Object.getPrototypeOf(async () => {}).constructor as new (...args: string[]) => (...a: unknown[]) => Promise<unknown>;
  const run = new AsyncFunction(...names, `${body}\nreturn result;`);
  const result = (await run(...names.map((n) => (compute as Record<string, unknown>)[n]))) as { name: string; fast: string | null; reason: string | null };
  const { kernels } = await compute.loadFastKernels();
  expect(result.name).toBe(kernels ? "cpu" : "reference");
  expect(result.fast).toBe(kernels ? "cpu" : null);
  expect(result.reason === null).toBe(kernels !== null);
});
