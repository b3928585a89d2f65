import { readFileSync } from "node:fs";
import { join } from "node:path";
import * as compute from "@sentrl/compute";
import { expect, it } from "vitest";
import * as model from "../src/index.js";

it("the README example runs (from the repository root)", async () => {
  const readme = readFileSync(join(import.meta.dirname, "..", "README.md"), "utf8");
  const block = /```ts\n([\s\S]*?)```/.exec(readme)?.[1] ?? "";
  const body = block.replace(/^import .*$/gm, "").replace("packages/model/test/fixtures", join(import.meta.dirname, "fixtures"));
  const scope = { ...compute, ...model } as Record<string, unknown>;
  const names = Object.keys(scope);
  const AsyncFunction = Object.getPrototypeOf(async () => {}).constructor as new (...args: string[]) => (...a: unknown[]) => Promise<unknown>;
  const result = (await new AsyncFunction(...names, `${body}\nreturn result;`)(...names.map((n) => scope[n]))) as model.ScoreResult;
  expect(result.logp.map((r) => r.length)).toEqual([3, 0]);
  expect(result.entropy[0].every((h) => h > 0)).toBe(true);
});
