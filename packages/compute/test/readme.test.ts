import { readFileSync } from "node:fs";
import { join } from "node:path";
import { expect, it } from "vitest";
import * as compute from "../src/index.js";

it("the README example runs and gives what it says", async () => {
  const readme = readFileSync(join(import.meta.dirname, "..", "README.md"), "utf8");
  const block = /```ts\n([\s\S]*?)```/.exec(readme)?.[1] ?? "";
  const body = block.replace(/^import .*$/gm, "");
  const names = Object.keys(compute);
  const run = new Function(...names, `${body}\nreturn result;`);
  const result = run(...names.map((n) => (compute as Record<string, unknown>)[n])) as { logp: number[]; entropy: number[] };
  // Row 0: z = [2, 0, 2]; row 1: z = [0, 2, 2]; both: logp = 2 − log(2e² + 1).
  const lp = 2 - Math.log(2 * Math.exp(2) + 1);
  expect(result.logp[0]).toBeCloseTo(lp, 5);
  expect(result.logp[1]).toBeCloseTo(lp, 5);
  expect(result.logp[0]).toBeCloseTo(-0.7586, 4);
  expect(result.entropy[0]).toBeGreaterThan(0);
});
