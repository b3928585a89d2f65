import { readFileSync } from "node:fs";
import { join } from "node:path";
import { expect, it } from "vitest";
import * as native from "../src/index.js";
import { nativeOrSkip } from "./helpers.js";

const k = nativeOrSkip();

it.skipIf(!k)("the README example runs and gives what it says", () => {
  const readme = readFileSync(join(import.meta.dirname, "..", "README.md"), "utf8");
  const block = /```ts\n([\s\S]*?)```/.exec(readme)?.[1] ?? "";
  const body = block.replace(/^import .*$/gm, "");
  const names = Object.keys(native);
  const run = new Function(...names, `${body}\nreturn result;`);
  const result = run(...names.map((n) => (native as Record<string, unknown>)[n])) as {
    out: number[];
    logp: number[];
    entropy: number[];
  };
  expect(result.out).toEqual([4.5, 10.5]);
  const lp = 2 - Math.log(2 * Math.exp(2) + 1);
  expect(result.logp[0]).toBeCloseTo(lp, 5);
  expect(result.logp[0]).toBeCloseTo(-0.7586, 4);
  expect(result.logp[1]).toBeCloseTo(lp, 5);
  // H = log(2e² + 1) − (2·2e²)/(2e² + 1)
  const Z = 2 * Math.exp(2) + 1;
  expect(result.entropy[0]).toBeCloseTo(Math.log(Z) - (4 * Math.exp(2)) / Z, 5);
});
