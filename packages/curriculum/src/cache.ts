/**
 * The response cache of a curriculum build: an append-only JSONL file (`<out>/cache/responses.jsonl`, one line per
 * question in the `replay:` format `{"id", "responses", "logLik"?, "lengths"?}`) plus `meta.json` naming what produced
 * it. An interrupted build re-reads it and samples only the questions it lacks; a torn last line is cut off.
 */
import {
  appendFileSync,
  closeSync,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readFileSync,
  truncateSync,
} from "node:fs";
import { join } from "node:path";
import { SentrlError } from "@sentrl/core";
import { writeFileAtomicSync } from "./atomic.js";

/** One question's sampled responses (the `replay:` record format). */
export interface SampledRecord {
  id: string;
  responses: string[];
  logLik?: number[];
  lengths?: number[];
}

export class ResponseCache {
  readonly dir: string;
  readonly file: string;
  readonly records = new Map<string, SampledRecord>();
  private fd = -1;

  private constructor(dir: string) {
    this.dir = dir;
    this.file = join(dir, "responses.jsonl");
  }

  /**
   * Opens (or creates) the cache in `dir`. `meta` identifies the sampling setup; a cache made with a different one is
   * refused rather than silently mixed.
   */
  static open(dir: string, meta: Record<string, unknown>): ResponseCache {
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
    cache.load();
    return cache;
  }

  private load(): void {
    if (!existsSync(this.file)) return;
    const buf = readFileSync(this.file);
    let good = 0; // byte offset after the last complete, valid line
    let start = 0;
    for (let i = 0; i < buf.length; i++) {
      if (buf[i] !== 0x0a) continue;
      const line = buf.subarray(start, i).toString("utf8");
      start = i + 1;
      if (line.trim() === "") {
        good = start;
        continue;
      }
      let rec: SampledRecord;
      try {
        rec = JSON.parse(line) as SampledRecord;
      } catch {
        break; // a torn write: keep what came before
      }
      if (typeof rec?.id !== "string" || !Array.isArray(rec.responses)) break;
      this.records.set(rec.id, rec);
      good = start;
    }
    if (good < buf.length) truncateSync(this.file, good);
  }

  has(id: string): boolean {
    return this.records.has(id);
  }

  get(id: string): SampledRecord | undefined {
    return this.records.get(id);
  }

  /** Appends records durably (one write + fsync per call). */
  append(recs: SampledRecord[]): void {
    if (recs.length === 0) return;
    if (this.fd < 0) this.fd = openSync(this.file, "a");
    let text = "";
    for (const r of recs) {
      text += `${JSON.stringify(r)}\n`;
      this.records.set(r.id, r);
    }
    appendFileSync(this.fd, text);
    fsyncSync(this.fd);
  }

  close(): void {
    if (this.fd >= 0) closeSync(this.fd);
    this.fd = -1;
  }
}
