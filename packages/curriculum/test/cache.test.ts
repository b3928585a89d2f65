import { appendFileSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ResponseCache, type SampledRecord } from "../src/index.js";

describe("ResponseCache", () => {
  it("passes over a record with fewer responses than asked for, so its question is sampled again", () => {
    const dir = mkdtempSync(join(tmpdir(), "sentrl-cache-short-"));
    const c = ResponseCache.open(dir, { samples: 4 });
    c.append([{ id: "a", responses: ["1", "2", "3"] }, { id: "b", responses: ["1", "2", "3", "4"] }]);
    c.close();
    const seen: string[] = [];
    const d = ResponseCache.open(dir, { samples: 4 }, (r) => seen.push(r.id));
    expect(seen).toEqual(["b"]);
    expect(d.has("a")).toBe(false);
    expect(d.rejected).toBe(1);
    d.append([{ id: "a", responses: ["w", "x", "y", "z"] }]); // resampled: the full record is used from now on
    d.close();
    const again: SampledRecord[] = [];
    ResponseCache.open(dir, { samples: 4 }, (r) => again.push(r)).close();
    expect(again.map((r) => [r.id, r.responses.length])).toEqual([["b", 4], ["a", 4]]);
  });

  it("streams records back across chunk boundaries (records larger than the 1 MiB read chunk)", () => {
    const dir = mkdtempSync(join(tmpdir(), "sentrl-cache-"));
    const big = "x".repeat(2_500_000);
    const recs: SampledRecord[] = [
      { id: "a", responses: ["Answer: 1"] },
      { id: "b", responses: [big, "é✓ unicode"], logLik: [-1, -2], lengths: [3, 4] },
      { id: "c", responses: ["Answer: 3"] },
    ];
    const c = ResponseCache.open(dir, { k: 1 });
    c.append(recs.slice(0, 2));
    c.append(recs.slice(2));
    c.close();
    const seen: SampledRecord[] = [];
    const again = ResponseCache.open(dir, { k: 1 }, (r) => seen.push(r));
    again.close();
    expect(seen).toEqual(recs);
    expect([...again.ids]).toEqual(["a", "b", "c"]);
  });

  it("cuts a torn tail, keeps the first record of a duplicated id, refuses other settings", () => {
    const dir = mkdtempSync(join(tmpdir(), "sentrl-cache2-"));
    const c = ResponseCache.open(dir, { k: 1 });
    c.append([{ id: "a", responses: ["1"] }]);
    c.append([{ id: "a", responses: ["2"] }]);
    c.close();
    appendFileSync(join(dir, "responses.jsonl"), '{"id":"b","responses":["tor');
    const seen: SampledRecord[] = [];
    const d = ResponseCache.open(dir, { k: 1 }, (r) => seen.push(r));
    expect(seen).toEqual([{ id: "a", responses: ["1"] }]);
    d.append([{ id: "b", responses: ["ok"] }]);
    d.close();
    expect(readFileSync(join(dir, "responses.jsonl"), "utf8")).toBe(
      '{"id":"a","responses":["1"]}\n{"id":"a","responses":["2"]}\n{"id":"b","responses":["ok"]}\n',
    );
    expect(() => ResponseCache.open(dir, { k: 2 })).toThrow(
      expect.objectContaining({ code: "CURRICULUM_CACHE_MISMATCH" }),
    );
  });
});
