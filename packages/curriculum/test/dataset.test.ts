import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parquetMetadata, parquetReadObjects } from "hyparquet";
import { describe, expect, it } from "vitest";
import { encodeStageRows, readDataset, writeStageFile } from "../src/index.js";
import { type VerlRow, verlParquet } from "./helpers.js";

const rows: VerlRow[] = Array.from({ length: 5 }, (_, i) => ({
  data_source: "math_dapo",
  prompt: [
    { content: "You are a helpful assistant.", role: "system" },
    { content: `Solve problem ${i}. Answer: $Answer`, role: "user" },
  ],
  ability: "MATH",
  reward_model: { ground_truth: String(i * 11), style: "rule-lighteval/MATH_v2" },
  extra_info: { index: BigInt(1000 + i), split: "train" },
}));

describe("Parquet stage files", () => {
  it("keep every input column (nested list-of-struct and structs, INT64) and add semantic_entropy + stage", async () => {
    const dir = mkdtempSync(join(tmpdir(), "sentrl-pq-"));
    const input = join(dir, "train.parquet");
    writeFileSync(input, verlParquet(rows));
    const ds = await readDataset(input);
    expect(ds.format).toBe("parquet");
    expect(ds.rows).toHaveLength(5);
    const se = [0.5, 0.1, 0.9, 0, 0.3];
    const out = join(dir, "stage1.parquet");
    writeStageFile(out, ds, [3, 1, 4], se, 1);
    const buf = readFileSync(out);
    const ab = buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength) as ArrayBuffer;
    const back = (await parquetReadObjects({ file: ab })) as Record<string, unknown>[];
    expect(back).toEqual([3, 1, 4].map((i) => ({ ...rows[i], semantic_entropy: se[i], stage: 1 })));
    const md = parquetMetadata(ab);
    const names = md.schema.map((e) => e.name);
    expect(names).toEqual([
      ...[
        "schema",
        "data_source",
        "prompt",
        "list",
        "element",
        "content",
        "role",
        "ability",
        "reward_model",
        "ground_truth",
        "style",
        "extra_info",
        "index",
        "split",
      ],
      "semantic_entropy",
      "stage",
    ]);
    expect(md.schema[0].num_children).toBe(7);
    // schema-describing metadata is dropped (the file now has more columns), the rest kept
    expect((md.key_value_metadata ?? []).map((kv) => kv.key)).toEqual(["origin"]);
    // a stage file read back and re-staged replaces the two columns instead of duplicating them
    const again = await readDataset(out);
    const bytes = encodeStageRows(again, [0], [2.5], 2) as Uint8Array;
    const ab2 = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
    const back2 = (await parquetReadObjects({ file: ab2 })) as Record<string, unknown>[];
    expect(back2).toEqual([{ ...rows[3], semantic_entropy: 2.5, stage: 2 }]);
  });
});

describe("JSONL stage files", () => {
  it("keep each input line byte for byte and append the two fields", async () => {
    const dir = mkdtempSync(join(tmpdir(), "sentrl-jsonl-"));
    const input = join(dir, "train.jsonl");
    const lines = [
      '{"problem": "1+1?",  "answer": "2", "x": 1.0}',
      "",
      '{"problem":"2+2?","answer":"4","nested":{"a":[1,2]}}  ',
      "{}",
    ];
    writeFileSync(input, `${lines.join("\n")}\n`);
    const ds = await readDataset(input);
    expect(ds.rows).toHaveLength(3);
    const text = encodeStageRows(ds, [2, 1, 0], [0.25, 0, 1], 2) as string;
    expect(text).toBe(
      [
        '{"semantic_entropy":1,"stage":2}',
        '{"problem":"2+2?","answer":"4","nested":{"a":[1,2]},"semantic_entropy":0,"stage":2}',
        '{"problem": "1+1?",  "answer": "2", "x": 1.0,"semantic_entropy":0.25,"stage":2}',
        "",
      ].join("\n"),
    );
  });
  it("rejects unknown formats and bad lines with codes", async () => {
    const dir = mkdtempSync(join(tmpdir(), "sentrl-bad-"));
    writeFileSync(join(dir, "a.csv"), "x");
    await expect(readDataset(join(dir, "a.csv"))).rejects.toMatchObject({ code: "DATASET_UNKNOWN_FORMAT" });
    writeFileSync(join(dir, "b.jsonl"), '{"a":1}\n[1]\n');
    await expect(readDataset(join(dir, "b.jsonl"))).rejects.toMatchObject({ code: "DATASET_BAD_JSONL" });
    await expect(readDataset(join(dir, "missing.jsonl"))).rejects.toMatchObject({ code: "DATASET_NOT_FOUND" });
  });
});

describe("a Parquet written by another implementation (arrow-rs, with ARROW:schema and logical types)", () => {
  it("reads it and writes stage files that keep its schema and values", async () => {
    const input = new URL("./fixtures/verl-arrow-rs.parquet", import.meta.url).pathname;
    const ds = await readDataset(input);
    expect(ds.rows).toHaveLength(6);
    expect(ds.rows[2]).toEqual({
      data_source: "math_dapo",
      prompt: [{ content: "Solve 2", role: "user" }],
      ability: "MATH",
      reward_model: { ground_truth: "2", style: "rule" },
      extra_info: { index: 2n, split: "train" },
    });
    expect(ds.parquet?.kvMetadata.map((k) => k.key)).toEqual(["ARROW:schema"]);
    const dir = mkdtempSync(join(tmpdir(), "sentrl-arrow-"));
    const out = join(dir, "stage2.parquet");
    writeStageFile(out, ds, [5, 0], [0, 0, 0, 0, 0, 1.5], 2);
    const buf = readFileSync(out);
    const ab = buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength) as ArrayBuffer;
    const md = parquetMetadata(ab);
    expect(md.key_value_metadata ?? []).toEqual([]);
    // logical types are kept (strings stay STRING, the list stays LIST)
    const prompt = md.schema.find((e) => e.name === "prompt");
    expect(prompt?.logical_type).toEqual({ type: "LIST" });
    const back = (await parquetReadObjects({ file: ab })) as Record<string, unknown>[];
    expect(back).toEqual([
      { ...ds.rows[5], semantic_entropy: 1.5, stage: 2 },
      { ...ds.rows[0], semantic_entropy: 0, stage: 2 },
    ]);
  });
});
