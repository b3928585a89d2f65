import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { readFile, stat } from "node:fs/promises";
import { join } from "node:path";

// Self-checking checkpoints: `manifest.json` lists every file of a checkpoint directory with
// its size and sha256; a checkpoint whose files do not match is damaged and is never loaded.

/** Name of the manifest inside a checkpoint directory. */
export const MANIFEST_FILE = "manifest.json";

export interface CheckpointManifest {
  format: 1;
  files: Record<string, { size: number; sha256: string }>;
}

/** sha256 (hex) of bytes. */
export function sha256(data: string | Uint8Array): string {
  return createHash("sha256").update(data).digest("hex");
}

/** sha256 (hex) of a file's first `bytes` bytes (the whole file when omitted), streamed. */
export async function sha256File(path: string, bytes?: number): Promise<string> {
  const hash = createHash("sha256");
  if (bytes === 0) return hash.digest("hex");
  const stream = createReadStream(path, bytes === undefined ? {} : { start: 0, end: bytes - 1 });
  for await (const chunk of stream) hash.update(chunk as Buffer);
  return hash.digest("hex");
}

/** The manifest text for files given as name → bytes. */
export function manifestFor(files: Record<string, Uint8Array>): string {
  const m: CheckpointManifest = { format: 1, files: {} };
  for (const [name, data] of Object.entries(files)) m.files[name] = { size: data.byteLength, sha256: sha256(data) };
  return `${JSON.stringify(m, null, 2)}\n`;
}

/**
 * Checks a checkpoint directory against its manifest: returns null when every listed file has its size and sha256,
 * else what is wrong (`manifest.json is missing`, `policy.safetensors: 512 bytes, expected 2048`, ...).
 */
export async function verifyCheckpointFiles(dir: string): Promise<string | null> {
  let manifest: CheckpointManifest;
  try {
    manifest = JSON.parse(await readFile(join(dir, MANIFEST_FILE), "utf8")) as CheckpointManifest;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "ENOENT"
      ? `${MANIFEST_FILE} is missing`
      : `${MANIFEST_FILE} is not valid JSON`;
  }
  if (manifest?.format !== 1 || manifest.files === null || typeof manifest.files !== "object")
    return `${MANIFEST_FILE} has an unknown format`;
  for (const [name, want] of Object.entries(manifest.files)) {
    if (!/^[\w.-]+$/.test(name) || name.startsWith("."))
      return `${MANIFEST_FILE} lists \`${name.slice(0, 80)}\`, not a file name`;
    if (want === null || typeof want !== "object") return `${MANIFEST_FILE} has a bad entry for ${name}`;
    const path = join(dir, name);
    const size = await stat(path).then(
      (s) => (s.isFile() ? s.size : -2),
      () => -1,
    );
    if (size === -1) return `${name} is missing`;
    if (size === -2) return `${name} is not a regular file`;
    if (size !== want.size) return `${name} has ${size} bytes, expected ${want.size}`;
    if ((await sha256File(path)) !== want.sha256) return `${name} does not match its sha256`;
  }
  return null;
}
