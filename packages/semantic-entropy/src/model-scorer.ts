import { SentrlError } from "@sentrl/core";
import { clusterBySimilarity, type Linkage } from "./embedding/linkage.js";
import { cosineSimilarities, type EmbeddingModel, loadEmbeddingModel } from "./embedding/model.js";
import { estimateSemanticEntropy, type SEEstimator } from "./estimators.js";
import { type CachedNli, cachedNli } from "./nli/cache.js";
import { clusterByEntailment } from "./nli/cluster.js";
import type { EntailmentVariant } from "./nli/equivalence.js";
import { loadNliModel, type NliModel } from "./nli/model.js";
import type { SEInput, SEResult } from "./scorer.js";

/** Clustering free-form responses with a model: bidirectional entailment (NLI) or embedding similarity. */
export type ModelClustering = "nli" | "embedding";

export const MODEL_CLUSTERINGS: readonly ModelClustering[] = ["nli", "embedding"];

export interface ModelSEOptions {
  clustering: ModelClustering;
  /** NLI: model folder, variant (default `strict`), prefix each response with the input's `question` (default false). */
  nliModel?: string;
  variant?: EntailmentVariant;
  withQuestion?: boolean;
  /** Embedding: model folder, cosine threshold (default 0.9), linkage (default `single`). */
  embeddingModel?: string;
  threshold?: number;
  linkage?: Linkage;
  /** Default `lengthNormalized` (docs/algorithms.md §4.2); `discrete` needs no likelihoods. */
  estimator?: SEEstimator;
  /** Pairs (NLI) or texts (embedding) per forward pass (default 32). */
  batchSize?: number;
}

/** One question's responses, optionally with the question (for `withQuestion`). */
export type ModelSEInput = SEInput & { question?: string };

/** An async scorer that holds a loaded model; `close` frees it. */
export interface ModelSEScorer {
  score(input: ModelSEInput): Promise<SEResult>;
  /** NLI pair-verdict cache counters (NLI clustering only). */
  readonly nliStats?: CachedNli["stats"];
  close(): Promise<void>;
}

/**
 * Loads the model once and returns a scorer for many questions. Clusters are computed on the responses as they are
 * (no answer extraction), numbered in first-seen order; `answers` in the result are the responses.
 *
 * @example
 * ```ts
 * import { createModelSemanticEntropyScorer } from "@sentrl/semantic-entropy";
 * const se = await createModelSemanticEntropyScorer({ clustering: "embedding", embeddingModel: "tools/onnx/models/tiny-embed", threshold: 0.95, estimator: "discrete" });
 * const r = await se.score({ responses: ["it is paris", "it is paris", "no idea"] });
 * console.log(r.clusterIds); // → [0,0,1]
 * await se.close();
 * ```
 */
export async function createModelSemanticEntropyScorer(options: ModelSEOptions): Promise<ModelSEScorer> {
  const estimator = options.estimator ?? "lengthNormalized";
  const result = (responses: readonly string[], ids: Int32Array, input: SEInput): SEResult => {
    let k = 0;
    for (const c of ids) k = Math.max(k, c + 1);
    return {
      semanticEntropy: estimateSemanticEntropy(ids, estimator, input.logLik, input.lengths),
      clusterIds: Array.from(ids),
      numClusters: k,
      answers: [...responses],
    };
  };
  const check = (input: ModelSEInput): readonly string[] => {
    if (!input || !Array.isArray(input.responses) || !input.responses.every((r) => typeof r === "string"))
      throw new SentrlError("SE_BAD_INPUT", "input needs `responses`: an array of strings");
    return input.responses;
  };
  if (options.clustering === "nli") {
    if (!options.nliModel)
      throw new SentrlError("SE_NLI_MODEL_REQUIRED", "NLI clustering needs an NLI model folder (--nli-model <dir>)");
    const variant = options.variant ?? "strict";
    const model: NliModel = await loadNliModel(options.nliModel, { batchSize: options.batchSize });
    const nli = cachedNli(model.classify);
    return {
      nliStats: nli.stats,
      async score(input) {
        const responses = check(input);
        let texts = responses;
        if (options.withQuestion) {
          if (typeof input.question !== "string")
            throw new SentrlError("SE_QUESTION_REQUIRED", "withQuestion needs a `question` string on every input");
          texts = responses.map((r) => `${input.question} ${r}`);
        }
        return result(responses, await clusterByEntailment(texts, nli, variant), input);
      },
      close: () => model.dispose(),
    };
  }
  if (options.clustering === "embedding") {
    if (!options.embeddingModel)
      throw new SentrlError(
        "SE_EMBEDDING_MODEL_REQUIRED",
        "embedding clustering needs a model folder (--embedding-model <dir>)",
      );
    const threshold = options.threshold ?? 0.9;
    const linkage = options.linkage ?? "single";
    clusterBySimilarity([], threshold, linkage); // validates both before the model loads
    const model: EmbeddingModel = await loadEmbeddingModel(options.embeddingModel, { batchSize: options.batchSize });
    return {
      async score(input) {
        const responses = check(input);
        const sim = cosineSimilarities(await model.embed(responses));
        return result(responses, clusterBySimilarity(sim, threshold, linkage), input);
      },
      close: () => model.dispose(),
    };
  }
  throw new SentrlError(
    "SE_UNKNOWN_CLUSTERING",
    `unknown model clustering \`${options.clustering}\`; use nli or embedding`,
  );
}
