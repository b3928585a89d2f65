import { readFileSync } from "node:fs";
import { join } from "node:path";
import { expect, it } from "vitest";
import * as compute from "@sentrl/compute";
import * as cuda from "../src/index.js";

const status = cuda.emulatorStatus();
const reason = "reason" in status ? status.reason : "";

it.skipIf(!!reason)(`the README example runs and gives what it says${reason ? ` (skipped: ${reason})` : ""}`, async () => {
  const readme = readFileSync(join(import.meta.dirname, "..", "README.md"), "utf8");
  const block = /```ts\n([\s\S]*?)```/.exec(readme)?.[1] ?? "";
  const body = block.replace(/^import .*$/gm, "");
  const scope = { ...compute, ...cuda } as Record<string, unknown>;
  const names = Object.keys(scope);
  // The block is TypeScript: drop its one type annotation so it runs as plain JavaScript here.
  const AsyncFunction = Object.getPrototypeOf(async () => {}).constructor as new (
    ...args: string[]
  ) => (...a: unknown[]) => Promise<unknown>;
  const run = new AsyncFunction(...names, `${body.replace("let be: Backend;", "let be;")}\nreturn result;`);
  const result = (await run(...names.map((n) => scope[n]))) as Float32Array;
  expect(Array.from(result)).toEqual([4, 6]);
  expect(readme).toContain("// Float32Array [4, 6]");
});
