/**
 * The toy verifiable task of `sentrl train` (policy.kind "tabular") and `sentrl demo`: prompt `s` must be answered
 * with the string `golds[s]` over {a, b}; a tabular softmax policy answers it. Its curriculum is SENT's in miniature:
 * sample the initial policy, cluster its answers, sort prompts by semantic entropy, split into stages (docs/algorithms.md §4).
 */
import { type DatasetRow, deriveSeed } from "@sentrl/core";
import { assignStages } from "@sentrl/curriculum";
import { clusterExtracted, semanticEntropy } from "@sentrl/semantic-entropy";
import { type TabularPolicy, toyDataset, toyPolicy } from "@sentrl/testing";

/** The toy rows (`@sentrl/testing`'s one copy of the toy task). */
export const toyRows: (golds: readonly string[]) => DatasetRow[] = toyDataset;

/**
 * A "pretrained" start for the toy: the logits of prompt `s`'s gold tokens (and of EOS right after them) get
 * `prior[s]`, so some prompts start nearly solved (low semantic entropy) and others not. Default: 2 for one-letter
 * answers, 0 for two-letter ones (uniform).
 */
export function defaultToyPrior(golds: readonly string[]): number[] {
  return golds.map((g) => (g.length === 1 ? 2 : 0));
}

/** The toy's tabular policy with a prior (`defaultToyPrior` unless given). */
export function toyTabularPolicy(
  golds: readonly string[],
  prior: readonly number[] = defaultToyPrior(golds),
): TabularPolicy {
  return toyPolicy(golds, prior);
}

export interface ToyCurriculum {
  /** Rows of each stage, lowest semantic entropy first. */
  stages: DatasetRow[][];
  /** Semantic entropy of each row (row order). */
  semanticEntropy: number[];
}

/**
 * SENT's curriculum built from the policy's own samples: `samples` answers per prompt from the initial policy
 * (seed `deriveSeed(seed, 0, "toy-curriculum")`), clustered by exact answer (the toy's verifier), discrete semantic
 * entropy per prompt, stable sort, equal-size split into `numStages` stages. Rows get `semantic_entropy` and `stage`.
 */
export async function toySemanticEntropyStages(
  policy: TabularPolicy,
  rows: DatasetRow[],
  options: { samples?: number; temperature: number; maxTokens: number; seed: number; numStages?: number },
): Promise<ToyCurriculum> {
  const samples = options.samples ?? 16;
  const rollouts = await policy.rollout(
    rows.map((r) => ({ id: r.id, text: String(r.prompt) })),
    {
      n: samples,
      temperature: options.temperature,
      maxTokens: options.maxTokens,
      seed: deriveSeed(options.seed, 0, "toy-curriculum"),
    },
  );
  const se = rollouts.map((r) =>
    semanticEntropy(
      clusterExtracted(
        r.completions.map((c) => c.text),
        { equivalent: (a, b) => a === b, canonicalKey: (a) => a },
      ),
    ),
  );
  const split = assignStages(se, { kind: "equalSize", stages: options.numStages ?? 2 });
  rows.forEach((row, i) => {
    row.semantic_entropy = se[i];
    row.stage = split.stageOf[i] + 1;
  });
  return { stages: split.stages.map((idx) => idx.map((i) => rows[i])), semanticEntropy: se };
}
