import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it, vi } from "vitest";

// Runs the README's example and checks every `// → value` annotation against what it prints.
const pkg = join(__dirname, "..");
const readme = readFileSync(join(pkg, "README.md"), "utf8");
const code = /```ts\n([\s\S]*?)```/.exec(readme)?.[1] ?? "";
const tmp = join(pkg, "test", `.readme-example-${process.pid}.ts`);
afterAll(() => rmSync(tmp, { force: true }));

describe("README example", () => {
  it("prints what its comments say", async () => {
    const expected = [...code.matchAll(/\/\/ → (.*)$/gm)].map((m) => JSON.parse(m[1] as string));
    expect(expected.length).toBeGreaterThan(4);
    writeFileSync(tmp, code);
    const printed: unknown[] = [];
    const spy = vi.spyOn(console, "log").mockImplementation((x: unknown) => void printed.push(x));
    try {
      await import(tmp);
    } finally {
      spy.mockRestore();
    }
    expect(JSON.parse(JSON.stringify(printed))).toEqual(expected);
  });
});
