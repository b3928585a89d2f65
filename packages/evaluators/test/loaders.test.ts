import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parquetWriteBuffer } from "hyparquet-writer";
import { describe, expect, it } from "vitest";
import { loadBenchmark, readRows, renderPrompt } from "../src/index.js";

describe("benchmark loaders on JSONL and Parquet files", () => {
  const dir = mkdtempSync(join(tmpdir(), "sentrl-bench-"));
  const rows = [
    { id: 60, problem: "What is 1+1?", answer: "2" },
    { id: 61, problem: "What is 2+3?", answer: "005" },
  ];

  it("reads a benchmark folder layout (<dir>/<folder>/<file>.jsonl)", async () => {
    const sub = join(dir, "layout");
    require("node:fs").mkdirSync(join(sub, "aime24"), { recursive: true });
    writeFileSync(join(sub, "aime24", "test.jsonl"), `${rows.map((r) => JSON.stringify(r)).join("\n")}\n`);
    const loaded = await loadBenchmark("aime24", sub);
    expect(loaded.map((r) => [r.id, r.gold, r.question])).toEqual([
      ["aime24/60", "2", "What is 1+1?"],
      ["aime24/61", "005", "What is 2+3?"],
    ]);
  });

  it("reads the same rows from Parquet with the same ids and golds", async () => {
    const buf = parquetWriteBuffer({
      columnData: [
        { name: "id", data: rows.map((r) => r.id), type: "INT32" },
        { name: "problem", data: rows.map((r) => r.problem), type: "STRING" },
        { name: "answer", data: rows.map((r) => r.answer), type: "STRING" },
      ],
    });
    const file = join(dir, "aime.parquet");
    writeFileSync(file, new Uint8Array(buf));
    const loaded = await loadBenchmark("aime24", file);
    expect(loaded.map((r) => [r.id, r.gold])).toEqual([
      ["aime24/60", "2"],
      ["aime24/61", "005"],
    ]);
  });

  it("reads verl/DAPO-format rows: prompt chat used as is, reward_model.ground_truth, extra_info.index", async () => {
    const file = join(dir, "dapo.jsonl");
    const verl = [
      {
        data_source: "math_dapo",
        prompt: [{ role: "user", content: "Solve 1+1. Answer: $Answer" }],
        reward_model: { ground_truth: "2", style: "rule" },
        extra_info: { index: "a1" },
      },
      {
        data_source: "math_dapo",
        prompt: [{ role: "user", content: "Solve 2+2." }],
        reward_model: { ground_truth: "4" },
        extra_info: {},
      },
    ];
    writeFileSync(file, `${verl.map((r) => JSON.stringify(r)).join("\n")}\n`);
    const loaded = await loadBenchmark("verl", file);
    expect(loaded.map((r) => [r.id, r.prompt, r.gold, r.data_source])).toEqual([
      ["verl/a1", "Solve 1+1. Answer: $Answer", "2", "math_dapo"],
      ["verl/1", "Solve 2+2.", "4", "math_dapo"],
    ]);
  });

  it("reports a missing file and an unknown benchmark with codes", async () => {
    await expect(loadBenchmark("aime24", join(dir, "nope"))).rejects.toMatchObject({
      code: "BENCHMARK_FILE_NOT_FOUND",
    });
    await expect(loadBenchmark("aime99", dir)).rejects.toMatchObject({ code: "BENCHMARK_UNKNOWN" });
  });

  it("reads JSON arrays and JSON Lines, and names the file and line of bad JSON", async () => {
    writeFileSync(join(dir, "rows.json"), JSON.stringify(rows));
    expect(await readRows(join(dir, "rows.json"))).toEqual(rows);
    writeFileSync(join(dir, "bad.json"), "[{");
    await expect(readRows(join(dir, "bad.json"))).rejects.toMatchObject({ code: "DATA_BAD_JSON" });
    writeFileSync(join(dir, "bad.jsonl"), '{"id": 1}\n\n{oops\n');
    await expect(readRows(join(dir, "bad.jsonl"))).rejects.toMatchObject({
      code: "DATA_BAD_JSONL",
      message: expect.stringMatching(/bad\.jsonl:3: not valid JSON/),
    });
  });

  it("renderPrompt fills {field} and leaves LaTeX braces alone", () => {
    expect(renderPrompt("{question} \\boxed{}", { question: "Q" })).toBe("Q \\boxed{}");
    expect(() => renderPrompt("{nope}", {})).toThrow(expect.objectContaining({ code: "PROMPT_MISSING_FIELD" }));
  });
});
