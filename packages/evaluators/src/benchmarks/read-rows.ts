import { closeSync, openSync, readFileSync, readSync, statSync } from "node:fs";
import { parseJsonLines, SentrlError } from "@sentrl/core";

/** Reads a JSON Lines file (blank lines skipped); errors name the file and line. */
export function readJsonl(path: string): Record<string, unknown>[] {
  return parseJsonLines(readFileSync(path, "utf8"), { source: path, code: "DATA_BAD_JSONL" }).map(
    (l) => l.value as Record<string, unknown>,
  );
}

function isParquet(path: string): boolean {
  if (path.endsWith(".parquet")) return true;
  if (statSync(path).size < 8) return false;
  const fd = openSync(path, "r");
  try {
    const b = Buffer.alloc(4);
    readSync(fd, b, 0, 4, 0);
    return b.toString("latin1") === "PAR1";
  } finally {
    closeSync(fd);
  }
}

/** Reads a Parquet file into plain objects (`hyparquet`; nested structs become objects, BigInt stays BigInt). */
export async function readParquet(path: string): Promise<Record<string, unknown>[]> {
  const { parquetReadObjects } = await import("hyparquet");
  const buf = readFileSync(path);
  const file = buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength) as ArrayBuffer;
  return (await parquetReadObjects({ file })) as Record<string, unknown>[];
}

/** Reads rows from a `.jsonl`/`.json` (JSON Lines or a JSON array) or Parquet file. */
export async function readRows(path: string): Promise<Record<string, unknown>[]> {
  if (isParquet(path)) return readParquet(path);
  if (path.endsWith(".json")) {
    const text = readFileSync(path, "utf8").trimStart();
    if (text.startsWith("[")) {
      try {
        return JSON.parse(text) as Record<string, unknown>[];
      } catch (e) {
        throw new SentrlError("DATA_BAD_JSON", `${path} is not a valid JSON array: ${(e as Error).message}`);
      }
    }
  }
  return readJsonl(path);
}
