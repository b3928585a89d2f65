/**
 * The response cache of a curriculum build: an append-only JSONL file (`<out>/cache/responses.jsonl`, one line per
 * question in the `replay:` format `{"id", "responses", "logLik"?, "lengths"?}`) plus `meta.json` naming what produced
 * it. An interrupted build re-reads it and samples only the questions it lacks; a torn last line is cut off.
 * The file is read in chunks and each record is handed to a callback, so memory holds one record at a time (a DAPO
 * build caches ~17k × 8 long responses, far more than needs to stay in memory).
 */
import {
  closeSync,
  existsSync,
  fsyncSync,
  ftruncateSync,
  mkdirSync,
  openSync,
  readFileSync,
  readSync,
  writeSync,
} from "node:fs";
import { join } from "node:path";
import { SentrlError, writeFileAtomicSync } from "@sentrl/core";

/** One question's sampled responses (the `replay:` record format). */
export interface SampledRecord {
  id: string;
  responses: string[];
  logLik?: number[];
  lengths?: number[];
}

const CHUNK = 1 << 20;

/**
 * Calls `visit` for every complete, valid JSONL record of `fd` from its start; returns the byte offset just after the
 * last good line (where a torn or invalid tail begins).
 */
function scanRecords(fd: number, visit: (rec: SampledRecord) => void): number {
  const buf = Buffer.allocUnsafe(CHUNK);
  let pending: Buffer[] = [];
  let pendingLen = 0;
  let pos = 0; // file offset of the first byte of `pending`
  let good = 0;
  for (;;) {
    const n = readSync(fd, buf, 0, CHUNK, pos + pendingLen);
    if (n === 0) break;
    let chunk = buf.subarray(0, n);
    let nl = chunk.indexOf(0x0a);
    while (nl >= 0) {
      const lineBuf = pendingLen > 0 ? Buffer.concat([...pending, chunk.subarray(0, nl)]) : chunk.subarray(0, nl);
      const lineEnd = pos + lineBuf.length + 1;
      const line = lineBuf.toString("utf8");
      pending = [];
      pendingLen = 0;
      if (line.trim() !== "") {
        let rec: SampledRecord;
        try {
          rec = JSON.parse(line) as SampledRecord;
        } catch {
          return good; // a torn or corrupt write: keep what came before
        }
        if (typeof rec?.id !== "string" || !Array.isArray(rec.responses)) return good;
        visit(rec);
      }
      good = lineEnd;
      pos = lineEnd;
      chunk = chunk.subarray(nl + 1);
      nl = chunk.indexOf(0x0a);
    }
    if (chunk.length > 0) {
      pending.push(Buffer.from(chunk));
      pendingLen += chunk.length;
    }
  }
  return good;
}

export class ResponseCache {
  readonly dir: string;
  readonly file: string;
  /** Ids of the questions already cached. */
  readonly ids = new Set<string>();
  private fd = -1;

  private constructor(dir: string) {
    this.dir = dir;
    this.file = join(dir, "responses.jsonl");
  }

  /**
   * Opens (or creates) the cache in `dir`, calling `visit` for each cached record (first record per id wins).
   * `meta` identifies the sampling setup; a cache made with a different one is refused rather than silently mixed.
   */
  static open(dir: string, meta: Record<string, unknown>, visit?: (rec: SampledRecord) => void): ResponseCache {
    mkdirSync(dir, { recursive: true });
    const metaPath = join(dir, "meta.json");
    const metaText = `${JSON.stringify(meta, null, 2)}\n`;
    if (existsSync(metaPath)) {
      const old = readFileSync(metaPath, "utf8");
      if (old !== metaText)
        throw new SentrlError(
          "CURRICULUM_CACHE_MISMATCH",
          `the cache in ${dir} was made with other sampling settings (${old.replace(/\s+/g, " ").trim()}); use another --out or delete ${dir} to resample`,
        );
    } else writeFileAtomicSync(metaPath, metaText);
    const cache = new ResponseCache(dir);
    cache.fd = openSync(cache.file, existsSync(cache.file) ? "r+" : "w+");
    // A record with another number of responses than the build asks for (a hand-edited or foreign cache line) is
    // not used: its question is sampled again, and the fresh record (appended later) wins.
    const want = typeof meta.samples === "number" ? meta.samples : undefined;
    const good = scanRecords(cache.fd, (rec) => {
      if (cache.ids.has(rec.id)) return;
      if (want !== undefined && rec.responses.length !== want) {
        cache.rejected++;
        return;
      }
      cache.ids.add(rec.id);
      visit?.(rec);
    });
    ftruncateSync(cache.fd, good);
    cache.offset = good;
    return cache;
  }

  private offset = 0;
  /** Records passed over on open because they hold fewer (or more) responses than `meta.samples`. */
  rejected = 0;

  has(id: string): boolean {
    return this.ids.has(id);
  }

  /** Appends records durably (one write + fsync per call). */
  append(recs: SampledRecord[]): void {
    if (recs.length === 0) return;
    let text = "";
    for (const r of recs) {
      text += `${JSON.stringify(r)}\n`;
      this.ids.add(r.id);
    }
    const buf = Buffer.from(text, "utf8");
    let off = 0;
    while (off < buf.length) {
      const w = writeSync(this.fd, buf, off, buf.length - off, this.offset);
      off += w;
      this.offset += w;
    }
    fsyncSync(this.fd);
  }

  close(): void {
    if (this.fd >= 0) closeSync(this.fd);
    this.fd = -1;
  }
}
