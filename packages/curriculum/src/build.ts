/**
 * Building a curriculum: SE per row → stable SE order → stages → stage files + manifest (docs/algorithms.md §3, §4.3).
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { SentrlError, writeFileAtomicSync } from "@sentrl/core";
import { type Dataset, writeStageFile } from "./dataset.js";
import { assignStages, type SplitSpec } from "./split.js";
import { histogram, histogramEdges, type SEStats, seStats } from "./stats.js";

export interface StageManifest {
  /** 1-based, as written in the `stage` column. */
  stage: number;
  file: string;
  rows: number;
  se: SEStats;
  /** Counts over the manifest's shared `histogramEdges`. */
  histogram: number[];
}

export interface CurriculumManifest {
  version: 1;
  format: Dataset["format"];
  rows: number;
  split: SplitSpec;
  /** SE thresholds between consecutive stages (for `equalSize`: the SE of each stage's first row). */
  cuts: number[];
  se: SEStats;
  histogramEdges: number[];
  histogram: number[];
  stages: StageManifest[];
  /** Caller-provided facts (input path, generator, estimator, ...). */
  build: Record<string, unknown>;
}

export interface WriteCurriculumOptions {
  split?: SplitSpec;
  /** Histogram bins (default 10) over [0, max SE]. */
  bins?: number;
  /** Stage file base name (default `stage`: `stage1.parquet`, `stage2.parquet`, as the SENT scripts read). */
  prefix?: string;
  /** Facts recorded under `build` in the manifest. */
  build?: Record<string, unknown>;
}

/**
 * Writes stage files (`<out>/stage<k>.<ext>`, same format as the input, rows in SE order) and `<out>/manifest.json`.
 * Every file is written atomically; the manifest goes last, so its presence means the curriculum is complete.
 *
 * @example
 * const ds = await readDataset("train.parquet");
 * const manifest = writeCurriculum("out", ds, seScores, { split: { kind: "equalSize", stages: 2 } });
 */
export function writeCurriculum(
  outDir: string,
  ds: Dataset,
  se: ArrayLike<number>,
  options: WriteCurriculumOptions = {},
): CurriculumManifest {
  if (se.length !== ds.rows.length)
    throw new SentrlError(
      "CURRICULUM_LENGTH_MISMATCH",
      `${se.length} SE scores for ${ds.rows.length} rows; score every row`,
    );
  const split = options.split ?? { kind: "equalSize", stages: 2 };
  const a = assignStages(se, split);
  const bins = options.bins ?? 10;
  let max = 0;
  for (let i = 0; i < se.length; i++) if (se[i] > max) max = se[i];
  const edges = histogramEdges(0, max, bins);
  mkdirSync(outDir, { recursive: true });
  const ext = ds.format === "parquet" ? "parquet" : "jsonl";
  const prefix = options.prefix ?? "stage";
  const stages: StageManifest[] = [];
  for (let s = 0; s < a.stages.length; s++) {
    const idx = a.stages[s];
    const file = `${prefix}${s + 1}.${ext}`;
    writeStageFile(join(outDir, file), ds, idx, se, s + 1);
    const vals = idx.map((i) => se[i]);
    stages.push({ stage: s + 1, file, rows: idx.length, se: seStats(vals), histogram: histogram(vals, edges).counts });
  }
  const manifest: CurriculumManifest = {
    version: 1,
    format: ds.format,
    rows: ds.rows.length,
    split,
    cuts: a.cuts.map((c) => (Number.isFinite(c) ? c : null)) as number[],
    se: seStats(se),
    histogramEdges: edges,
    histogram: histogram(se, edges).counts,
    stages,
    build: options.build ?? {},
  };
  writeFileAtomicSync(join(outDir, "manifest.json"), `${JSON.stringify(manifest, null, 2)}\n`);
  return manifest;
}
