/** The whole offline build: dataset → prompts → cached samples → SE → stage files + manifest. */
import type { Generator } from "@sentrl/core";
import type { SEOptions } from "@sentrl/semantic-entropy";
import { type CurriculumManifest, writeCurriculum } from "./build.js";
import { type Dataset, readDataset } from "./dataset.js";
import { type PromptTemplate, rowPrompt } from "./prompt.js";
import { cacheDirOf, recordScorer, type SampleOptions, sampleWithCache } from "./sample.js";
import type { SplitSpec } from "./split.js";

export interface BuildFromGeneratorOptions extends SampleOptions {
  /** A dataset path (JSONL / Parquet) or an already loaded dataset. */
  data: string | Dataset;
  generator: Generator;
  outDir: string;
  split?: SplitSpec;
  se?: SEOptions;
  template?: PromptTemplate;
  questionField?: string;
  idField?: string;
  /** Histogram bins in the manifest (default 10). */
  bins?: number;
}

/**
 * Builds a semantic-entropy curriculum with any generator. Sampled responses are cached in `<outDir>/cache/` (append
 * only), so rerunning after an interruption samples only what is missing and writes identical stages.
 *
 * @example
 * const generator = await createGenerator("replay:responses.jsonl"); // from @sentrl/generators
 * const manifest = await buildCurriculumFromGenerator({ data: "train.parquet", generator, outDir: "curriculum",
 *   samples: 8, split: { kind: "equalSize", stages: 2 }, se: { checker: "dapo", estimator: "discrete" } });
 */
export async function buildCurriculumFromGenerator(options: BuildFromGeneratorOptions): Promise<CurriculumManifest> {
  const ds = typeof options.data === "string" ? await readDataset(options.data) : options.data;
  const template = options.template ?? "dapo";
  const prompts = ds.rows.map((r, i) =>
    rowPrompt(r, i, { template, questionField: options.questionField, idField: options.idField }),
  );
  const estimator = options.se?.estimator ?? "lengthNormalized";
  const checker = options.se?.checker ?? "dapo";
  const invalid = options.se?.invalid ?? "singleton";
  const meta = {
    generator: options.generator.spec,
    template,
    questionField: options.questionField ?? null,
    temperature: options.temperature ?? 1,
    topP: options.topP ?? 1,
    topK: options.topK ?? null,
    maxTokens: options.maxTokens ?? 2048,
    seed: options.seed ?? null,
  };
  // Each record is scored as it is read from the cache or sampled: only the SE values stay in memory.
  const scoreOf = await sampleWithCache(
    options.generator,
    prompts,
    cacheDirOf(options.outDir),
    { ...options, requireLogLik: estimator !== "discrete" },
    meta,
    recordScorer({ ...options.se, checker, estimator, invalid }),
  );
  const se = Float64Array.from(prompts, (p) => scoreOf.get(p.id) as number);
  return writeCurriculum(options.outDir, ds, se, {
    split: options.split,
    bins: options.bins,
    build: {
      data: typeof options.data === "string" ? options.data : null,
      ...meta,
      samples: options.samples ?? 8,
      checker: typeof checker === "string" ? checker : ((checker as { name?: string }).name ?? "custom"),
      estimator,
      invalid,
    },
  });
}
