// The core README's "Compose a trainer" recipe, run as written in a package-only setting: its imports are
// `@sentrl/*` packages (resolved to their sources), never the app.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { annotatedOutputs, readmeTsBlocks, runTsBlock } from "./readme-examples.js";

const README = join(__dirname, "..", "README.md");

describe("README: compose a trainer", () => {
  const text = readFileSync(README, "utf8");
  const index = [...text.matchAll(/```ts\n/g)].findIndex((m) => (m.index ?? 0) > text.indexOf("## Compose a trainer"));
  const code = readmeTsBlocks(README)[index];

  it("imports only packages, no app code", () => {
    const imports = [...code.matchAll(/from "([^"]+)"/g)].map((m) => m[1]);
    expect(imports.length).toBeGreaterThan(0);
    for (const spec of imports) expect(spec).toMatch(/\/packages\/(core|testing)\/src\/index\.ts$/);
  });

  it("runs and prints what its `// →` comments say: config keys, steps, metric names, learning", async () => {
    const expected = annotatedOutputs(code);
    expect(expected).toHaveLength(4);
    const { logs } = await runTsBlock(code);
    expect(logs.map((args) => args[0])).toEqual(expected);
  });
});
