import { readFileSync } from "node:fs";
import { join } from "node:path";
import { expect, it } from "vitest";
import * as cuda from "../src/index.js";

const status = cuda.emulatorStatus();
const reason = "reason" in status ? status.reason : "";

it.skipIf(!!reason)(`the README example runs and gives what it says${reason ? ` (skipped: ${reason})` : ""}`, () => {
  const readme = readFileSync(join(import.meta.dirname, "..", "README.md"), "utf8");
  const block = /```ts\n([\s\S]*?)```/.exec(readme)?.[1] ?? "";
  const body = block.replace(/^import .*$/gm, "");
  const names = Object.keys(cuda);
  const run = new Function(...names, `${body}\nreturn result;`);
  const result = run(...names.map((n) => (cuda as Record<string, unknown>)[n])) as Float32Array;
  expect(Array.from(result)).toEqual([4, 6]);
  expect(readme).toContain("// Float32Array [4, 6]");
});
