import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it, vi } from "vitest";

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));
const readme = readFileSync(here("../README.md"), "utf8");
const dir = mkdtempSync(join(tmpdir(), "sentrl-readme-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The README's ```ts blocks, with package imports pointed at the sources. */
function blocks(): string[] {
  return [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) =>
    m[1]
      .replaceAll('"@sentrl/core"', JSON.stringify(here("../../core/src/index.ts")))
      .replaceAll('"@sentrl/token-entropy-kl"', JSON.stringify(here("../src/index.ts"))),
  );
}

describe("README examples", () => {
  it("the example runs and prints the loss and selection counts", async () => {
    const file = join(dir, "example.ts");
    writeFileSync(file, blocks()[0]);
    const log = vi.spyOn(console, "log").mockImplementation(() => {});
    await import(file);
    const [loss, lowTokens, highCov] = log.mock.calls[0] as number[];
    log.mockRestore();
    expect(Number.isFinite(loss)).toBe(true);
    expect(lowTokens).toBe(5); // trunc(7 · 0.8)
    expect(highCov).toBe(1);
  });
  it("the plugin snippet runs", async () => {
    const file = join(dir, "plugin.ts");
    writeFileSync(file, `${blocks()[1]}\nexport { registry };\n`);
    const mod = (await import(file)) as { registry: { names(): string[] } };
    expect(mod.registry.names()).toEqual(["grpo", "sent", "sent-v1"]);
  });
});
