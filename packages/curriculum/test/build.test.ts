import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { AnswerChecker } from "@sentrl/core";
import { parquetReadObjects } from "hyparquet";
import { describe, expect, it } from "vitest";
import {
  buildCurriculumFromGenerator,
  type CurriculumManifest,
  dapoPrompt,
  parseJsonl,
  readDataset,
} from "../src/index.js";
import {
  expectedDiscreteSE,
  HAVE_MATH_TRAIN,
  MATH_TRAIN,
  plan,
  plannedGenerator,
  type VerlRow,
  verlParquet,
} from "./helpers.js";

/** Exact-string checker (keys are the trimmed answers): independent of @sentrl/evaluators. */
const exact: AnswerChecker = {
  name: "exact",
  extract: (r) => r,
  check: (r, g) => ({ correct: [g].flat().includes(r), extracted: r }),
  canonicalKey: (s) => s.trim(),
  equivalent: (a, b) => a.trim() === b.trim(),
};

const N_ROWS = 300;

function mathSubset(): { problem: string; answer: string }[] {
  const { rows } = parseJsonl(readFileSync(MATH_TRAIN, "utf8"));
  return rows.slice(0, N_ROWS) as { problem: string; answer: string }[];
}

function readParquet(path: string): Promise<Record<string, unknown>[]> {
  const b = readFileSync(path);
  return parquetReadObjects({
    file: b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer,
  }) as Promise<Record<string, unknown>[]>;
}

describe.skipIf(!HAVE_MATH_TRAIN)(
  `curriculum from the real MATH train split (${HAVE_MATH_TRAIN ? N_ROWS : "skipped: ../shared/benchmarks/math_train_deepscaler missing"} rows)`,
  () => {
    it("JSONL in: every row's SE is the known SE of its answer distribution, stages sorted and complete", async () => {
      const src = mathSubset();
      const dir = mkdtempSync(join(tmpdir(), "sentrl-cur-"));
      const input = join(dir, "math.jsonl");
      writeFileSync(input, `${src.map((r) => JSON.stringify(r)).join("\n")}\n`);
      const golds = new Map(src.map((r, i) => [String(i), { i, gold: r.answer }]));
      const calls: string[][] = [];
      const out = join(dir, "out");
      const manifest = await buildCurriculumFromGenerator({
        data: input,
        generator: plannedGenerator(golds, { calls }),
        outDir: out,
        samples: 8,
        batchSize: 64,
        split: { kind: "equalSize", stages: 2 },
        se: { checker: exact, estimator: "discrete" },
      });
      expect(calls.flat()).toHaveLength(N_ROWS);
      const stages = [1, 2].map((s) => parseJsonl(readFileSync(join(out, `stage${s}.jsonl`), "utf8")).rows);
      expect(stages.map((s) => s.length)).toEqual([150, 150]);
      const seen = new Set<string>();
      let prev = -1;
      for (const [s, rows] of stages.entries()) {
        for (const r of rows) {
          const i = src.findIndex(
            (x) => x.problem === r.problem && x.answer === r.answer && !seen.has(String(src.indexOf(x))),
          );
          expect(i).toBeGreaterThanOrEqual(0);
          seen.add(String(i));
          // every input column unchanged, two added
          expect(Object.keys(r)).toEqual([...Object.keys(src[i]), "semantic_entropy", "stage"]);
          expect(r.semantic_entropy as number).toBeCloseTo(expectedDiscreteSE(plan(i)), 12);
          expect(r.stage).toBe(s + 1);
          expect(r.semantic_entropy as number).toBeGreaterThanOrEqual(prev);
          prev = r.semantic_entropy as number;
        }
      }
      expect(seen.size).toBe(N_ROWS);
      // manifest: statistics per stage and a histogram that counts every row
      const m = JSON.parse(readFileSync(join(out, "manifest.json"), "utf8")) as CurriculumManifest;
      expect(m).toEqual(JSON.parse(JSON.stringify(manifest)));
      expect(m.rows).toBe(N_ROWS);
      expect(m.stages.map((s) => s.file)).toEqual(["stage1.jsonl", "stage2.jsonl"]);
      expect(m.stages.map((s) => s.histogram.reduce((a, b) => a + b, 0))).toEqual([150, 150]);
      expect(m.histogram.reduce((a, b) => a + b, 0)).toBe(N_ROWS);
      const expected = src.map((_, i) => expectedDiscreteSE(plan(i)));
      expect(m.se.max).toBeCloseTo(Math.max(...expected), 12);
      expect(m.se.zeros).toBe(expected.filter((x) => x === 0).length);
      expect(m.stages[0].se.max as number).toBeLessThanOrEqual(m.stages[1].se.min as number);
      expect(m.build).toMatchObject({ generator: "test:planned", samples: 8, estimator: "discrete", checker: "exact" });
      // the cache is in the replay format
      const cache = parseJsonl(readFileSync(join(out, "cache", "responses.jsonl"), "utf8")).rows;
      expect(cache).toHaveLength(N_ROWS);
      expect(cache[0]).toMatchObject({ id: "0", responses: expect.any(Array) });
    });

    it("verl Parquet in: stage files are verl Parquet with every column kept; a rerun samples nothing and writes identical files", async () => {
      const src = mathSubset().slice(0, 120);
      const rows: VerlRow[] = src.map((r, i) => ({
        data_source: "math_dapo",
        prompt: [{ content: dapoPrompt(r.problem), role: "user" }],
        ability: "MATH",
        reward_model: { ground_truth: r.answer, style: "rule" },
        extra_info: { index: BigInt(5000 + i), split: "train" },
      }));
      const dir = mkdtempSync(join(tmpdir(), "sentrl-verl-"));
      const input = join(dir, "dapo.parquet");
      writeFileSync(input, verlParquet(rows));
      const golds = new Map(src.map((r, i) => [String(5000 + i), { i, gold: r.answer }]));
      const out = join(dir, "out");
      const opts = {
        data: input,
        outDir: out,
        samples: 8,
        split: { kind: "quantile" as const, stages: 3 },
        se: { checker: exact, estimator: "discrete" as const },
      };
      const calls: string[][] = [];
      await buildCurriculumFromGenerator({ ...opts, generator: plannedGenerator(golds, { calls }) });
      expect(calls.flat()).toHaveLength(120);
      const files = readdirSync(out)
        .filter((f) => f.endsWith(".parquet"))
        .sort();
      expect(files).toEqual(["stage1.parquet", "stage2.parquet", "stage3.parquet"]);
      const before = files.map((f) => readFileSync(join(out, f)));
      const all: Record<string, unknown>[] = [];
      for (const f of files) all.push(...(await readParquet(join(out, f))));
      expect(all).toHaveLength(120);
      for (const r of all) {
        const i = Number((r.extra_info as { index: bigint }).index) - 5000;
        const { semantic_entropy, stage, ...rest } = r;
        expect(rest).toEqual(rows[i]);
        expect(semantic_entropy as number).toBeCloseTo(expectedDiscreteSE(plan(i)), 12);
        expect(stage).toBeGreaterThanOrEqual(1);
      }
      // prompts sent to the generator are the rows' own chat messages
      const ds = await readDataset(input);
      expect(ds.rows[0].prompt).toEqual(rows[0].prompt);
      // rerun: everything comes from the cache
      const calls2: string[][] = [];
      await buildCurriculumFromGenerator({ ...opts, generator: plannedGenerator(golds, { calls: calls2 }) });
      expect(calls2).toEqual([]);
      expect(files.map((f) => readFileSync(join(out, f)))).toEqual(before);
    });
  },
);

describe("resumable sampling (in process)", () => {
  it("an interrupted build resumes from the cache without resampling and writes the same stages", async () => {
    const src = Array.from({ length: 40 }, (_, i) => ({ problem: `p${i}`, answer: String(i) }));
    const dir = mkdtempSync(join(tmpdir(), "sentrl-resume-"));
    const input = join(dir, "d.jsonl");
    writeFileSync(input, `${src.map((r) => JSON.stringify(r)).join("\n")}\n`);
    const golds = new Map(src.map((r, i) => [String(i), { i, gold: r.answer }]));
    const base = { data: input, samples: 8, batchSize: 8, se: { checker: exact, estimator: "discrete" as const } };
    const ref = join(dir, "ref");
    await buildCurriculumFromGenerator({ ...base, outDir: ref, generator: plannedGenerator(golds) });
    // fails on the third batch
    const out = join(dir, "out");
    const inner = plannedGenerator(golds);
    let n = 0;
    const flaky = {
      spec: "test:planned",
      generate: (p: Parameters<typeof inner.generate>[0], o: Parameters<typeof inner.generate>[1]) =>
        ++n === 3 ? Promise.reject(new Error("boom")) : inner.generate(p, o),
    };
    await expect(buildCurriculumFromGenerator({ ...base, outDir: out, generator: flaky })).rejects.toThrow("boom");
    // simulate a torn last line
    writeFileSync(
      join(out, "cache", "responses.jsonl"),
      `${readFileSync(join(out, "cache", "responses.jsonl"), "utf8")}{"id":"16","resp`,
    );
    const calls: string[][] = [];
    await buildCurriculumFromGenerator({ ...base, outDir: out, generator: plannedGenerator(golds, { calls }) });
    expect(calls.flat()).toEqual(Array.from({ length: 24 }, (_, i) => String(16 + i)));
    for (const f of ["stage1.jsonl", "stage2.jsonl", "manifest.json"])
      expect(readFileSync(join(out, f), "utf8")).toBe(readFileSync(join(ref, f), "utf8"));
    // a different sampling setup is refused instead of mixing samples
    await expect(
      buildCurriculumFromGenerator({ ...base, samples: 4, outDir: out, generator: plannedGenerator(golds) }),
    ).rejects.toMatchObject({ code: "CURRICULUM_CACHE_MISMATCH" });
  });

  it("likelihood estimators fail fast with a coded error when the generator gives no log-probs", async () => {
    const dir = mkdtempSync(join(tmpdir(), "sentrl-ll-"));
    const input = join(dir, "d.jsonl");
    writeFileSync(input, '{"problem":"a","answer":"1"}\n');
    const golds = new Map([["0", { i: 3, gold: "1" }]]);
    await expect(
      buildCurriculumFromGenerator({
        data: input,
        outDir: join(dir, "o"),
        generator: plannedGenerator(golds),
        se: { checker: exact },
      }),
    ).rejects.toMatchObject({ code: "SE_LOGLIK_REQUIRED" });
  });
});
