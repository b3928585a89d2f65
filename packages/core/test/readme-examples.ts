// Runs the ```ts blocks of a package README as written, so the documentation cannot drift from the code.
// Shared by the packages' readme tests. `"@sentrl/<pkg>"` imports are pointed at the workspace sources.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { vi } from "vitest";

const PACKAGES = resolve(fileURLToPath(new URL(".", import.meta.url)), "../..");

/** `@sentrl/<pkg>` imports resolved to `packages/<pkg>/src/index.ts`. */
function resolveImports(code: string): string {
  return code.replace(/(["'])@sentrl\/([a-z0-9-]+)\1/g, (whole, _q: string, pkg: string) => {
    const src = join(PACKAGES, pkg, "src", "index.ts");
    return existsSync(src) ? JSON.stringify(src) : whole;
  });
}

/** The README's ```ts blocks in order, with `@sentrl/<pkg>` imports resolved to `packages/<pkg>/src/index.ts`. */
export function readmeTsBlocks(readmePath: string): string[] {
  const text = readFileSync(readmePath, "utf8");
  return [...text.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => resolveImports(m[1]));
}

/** The ```ts blocks of a source file's doc comments (the ` * ` prefixes removed), imports resolved as above. */
export function docCommentTsBlocks(sourcePath: string): string[] {
  const text = readFileSync(sourcePath, "utf8");
  return [...text.matchAll(/^\s*\* ```ts\n([\s\S]*?)^\s*\* ```/gm)].map((m) =>
    resolveImports(m[1].replace(/^\s*\*( |$)/gm, "")),
  );
}

/** The values of a block's `// → <json>` annotations, in order (what its `console.log` calls print). */
export function annotatedOutputs(code: string): unknown[] {
  return [...code.matchAll(/\/\/ → (.*)$/gm)].map((m) => JSON.parse(m[1] as string));
}

/**
 * Runs one block as an ES module (top-level await allowed); returns the arguments of every `console.log` call it
 * made, and the module's exports.
 */
export async function runTsBlock(code: string): Promise<{ logs: unknown[][]; exports: Record<string, unknown> }> {
  const dir = mkdtempSync(join(tmpdir(), "sentrl-readme-"));
  const file = join(dir, "example.ts");
  writeFileSync(file, code);
  const logs: unknown[][] = [];
  const spy = vi.spyOn(console, "log").mockImplementation((...args: unknown[]) => void logs.push(args));
  try {
    const exports = (await import(file)) as Record<string, unknown>;
    return { logs, exports };
  } finally {
    spy.mockRestore();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Runs a README's first ```ts block; returns what its `console.log` calls printed and what its `// →` say. */
export async function runReadmeExample(readmePath: string): Promise<{ printed: unknown[]; expected: unknown[] }> {
  const [code] = readmeTsBlocks(readmePath);
  const { logs } = await runTsBlock(code);
  return { printed: logs.map((args) => args[0]), expected: annotatedOutputs(code) };
}
