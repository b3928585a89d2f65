import { cpSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export const FIXTURES = join(import.meta.dirname, "fixtures");

/** A fresh copy of a fixture model folder in a temporary directory. */
export function copyFixture(name: string): string {
  const dir = tempDir(name);
  cpSync(join(FIXTURES, name), dir, { recursive: true });
  return dir;
}

const made: string[] = [];

/** A fresh temporary directory, removed by `cleanupTemp`. */
export function tempDir(tag: string): string {
  const dir = mkdtempSync(join(tmpdir(), `sentrl-model-${tag}-`));
  made.push(dir);
  return dir;
}

/** Removes every directory `tempDir`/`copyFixture` made (call from afterAll). */
export function cleanupTemp(): void {
  for (const d of made.splice(0)) rmSync(d, { recursive: true, force: true });
}

/** Raw safetensors bytes: 8-byte length (or `lengthOverride`), the header text, then `data`. */
export function rawSafetensors(header: unknown, data: Uint8Array, lengthOverride?: bigint): Buffer {
  const text = Buffer.from(typeof header === "string" ? header : JSON.stringify(header), "utf8");
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(lengthOverride ?? BigInt(text.length));
  return Buffer.concat([len, text, data]);
}

/** Expects `fn` (sync or async) to throw an error with `code`; returns the message. */
export async function codeOf(fn: () => unknown): Promise<string> {
  try {
    await fn();
  } catch (e) {
    return (e as { code?: string }).code ?? `uncoded: ${(e as Error).message}`;
  }
  return "no error";
}
