import { readdirSync, readFileSync } from "node:fs";
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { parseJsonLines } from "./jsonl.js";
import { createMetricsLogger } from "./metrics-logger.js";
import { writeFileAtomic, writeFileAtomicSync } from "./write-file-atomic.js";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "sentrl-io-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("writeFileAtomic", () => {
  it("creates parents, replaces the file and leaves no temporary file", async () => {
    const path = join(dir, "a", "b", "x.json");
    await writeFileAtomic(path, "one");
    await writeFileAtomic(path, new TextEncoder().encode("two"));
    expect(await readFile(path, "utf8")).toBe("two");
    expect(await readdir(join(dir, "a", "b"))).toEqual(["x.json"]);
  });

  it("keeps the old file and cleans up when the rename fails", async () => {
    const target = join(dir, "target");
    await writeFile(join(dir, "keep"), "old");
    // Renaming a file over a non-empty directory fails.
    await writeFileAtomic(join(target, "inner"), "inside");
    await expect(writeFileAtomic(target, "data")).rejects.toThrow();
    expect((await readdir(dir)).sort()).toEqual(["keep", "target"]);
    expect(await readFile(join(target, "inner"), "utf8")).toBe("inside");
  });
});

describe("writeFileAtomicSync", () => {
  it("creates parents, replaces the file and leaves no temporary file", () => {
    const path = join(dir, "a", "b", "x.json");
    writeFileAtomicSync(path, "one");
    writeFileAtomicSync(path, new TextEncoder().encode("twö"));
    expect(readFileSync(path, "utf8")).toBe("twö");
    expect(readdirSync(join(dir, "a", "b"))).toEqual(["x.json"]);
  });

  it("keeps the old file and cleans up when the rename fails", () => {
    const target = join(dir, "target");
    writeFileAtomicSync(join(target, "inner"), "inside");
    expect(() => writeFileAtomicSync(target, "data")).toThrow();
    expect(readdirSync(dir)).toEqual(["target"]);
    expect(readFileSync(join(target, "inner"), "utf8")).toBe("inside");
  });
});

describe("createMetricsLogger", () => {
  it("appends one JSON line per call, step first, in call order, non-finite as null", async () => {
    const path = join(dir, "run", "metrics.jsonl");
    const log = createMetricsLogger(path);
    const writes = [];
    for (let s = 0; s < 20; s++)
      writes.push(log.log(s, { "actor/pg_loss": s / 2, "critic/score/mean": s === 3 ? Number.NaN : 1 }));
    await Promise.all(writes);
    await log.close();
    const lines = (await readFile(path, "utf8")).trimEnd().split("\n");
    expect(lines).toHaveLength(20);
    expect(lines[0]).toBe('{"step":0,"actor/pg_loss":0,"critic/score/mean":1}');
    expect(JSON.parse(lines[3])).toEqual({ step: 3, "actor/pg_loss": 1.5, "critic/score/mean": null });
    expect(lines.map((l) => JSON.parse(l).step)).toEqual([...Array(20).keys()]);
    // A second logger on the same file appends.
    const again = createMetricsLogger(path);
    await again.log(20, { step: 99 });
    expect((await readFile(path, "utf8")).trimEnd().split("\n").at(-1)).toBe('{"step":20}');
    await expect(again.log(-1, {})).rejects.toMatchObject({ code: "METRICS_BAD_STEP" });
  });
});

describe("parseJsonLines", () => {
  it("skips blank lines, keeps line numbers and the text without \\r", () => {
    const lines = parseJsonLines('{"a":1}\r\n\n  \n[2]\n"x"\n', { source: "f.jsonl" });
    expect(lines).toEqual([
      { value: { a: 1 }, text: '{"a":1}', lineNo: 1 },
      { value: [2], text: "[2]", lineNo: 4 },
      { value: "x", text: '"x"', lineNo: 5 },
    ]);
  });

  it("names the source, line and code of a bad line, with the hint", () => {
    expect(() => parseJsonLines('{"a":1}\n{oops', { source: "f.jsonl", code: "X_BAD", hint: "fix it" })).toThrow(
      expect.objectContaining({
        code: "X_BAD",
        message: expect.stringMatching(/^f\.jsonl:2: not valid JSON \(.*\); fix it$/),
      }),
    );
    expect(() => parseJsonLines("[1]", { objects: true })).toThrow(
      expect.objectContaining({ code: "JSONL_BAD_LINE", message: "input:1: not a JSON object" }),
    );
  });
});
