import { SentrlError } from "@sentrl/core";
import {
  createModelSemanticEntropyScorer,
  createSemanticEntropyScorer,
  ENTAILMENT_VARIANTS,
  type EntailmentVariant,
  INVALID_POLICIES,
  type InvalidPolicy,
  LINKAGES,
  type Linkage,
  type ModelSEScorer,
  SE_CHECKERS,
  SE_ESTIMATORS,
  type SEEstimator,
  type SEResult,
} from "@sentrl/semantic-entropy";
import { type CliIO, parseCommandArgs } from "../command.js";
import { numberOption, oneOf } from "../option-values.js";
import { UsageError } from "../usage-error.js";
import { jsonLinesFromStdin } from "../stdin-json.js";
import { jsonLine } from "../io/output-guard.js";

// `sentrl se` (docs/contracts.md §5): JSONL in, JSONL out, one line per input line, streamed.

export const help = `Usage: sentrl se [--clustering answer] [--checker dapo] [--estimator lengthNormalized] [--invalid singleton] < in.jsonl
       sentrl se --clustering nli --nli-model <dir> [--nli-variant strict] [--nli-question] < in.jsonl
       sentrl se --clustering embedding --embedding-model <dir> [--threshold 0.9] [--linkage single] < in.jsonl

Semantic entropy of each question's sampled responses (SENT, docs/algorithms.md §4): responses are clustered by final
answer (the last "Answer:" line in the last 300 characters, else the last \\boxed{}), then the checker's canonical key
(symbolic: compared with each cluster's first member).

With --clustering nli or embedding the whole responses are clustered by a local ONNX model (docs/algorithms.md §8.1):
bidirectional entailment with an NLI model (any Hugging Face sequence classifier exported to ONNX; labels from its
config.json id2label), or cosine similarity of mean-pooled embeddings. These need the optional packages
@huggingface/transformers and onnxruntime-node (ONNXRUNTIME_NODE_INSTALL=skip is enough); nothing is downloaded.

stdin:  JSONL {"id", "responses": [string], "logLik": [n]?, "lengths": [int]?, "question": string?}
        logLik = summed token log-probs of each response (nats), lengths = its token count; both required by
        lengthNormalized, raw and kuhn.
stdout: JSONL {"id", "semanticEntropy": n, "clusterIds": [int]} in input order; cluster ids in first-seen order.

Options:
  --clustering answer|nli|embedding            default answer
  --checker ${SE_CHECKERS.join("|")}        default dapo
  --estimator ${SE_ESTIMATORS.join("|")}  default lengthNormalized
  --invalid ${INVALID_POLICIES.join("|")}                  responses without an answer: own cluster each (default) or one shared
  --nli-model <dir>                            NLI model folder (config.json, tokenizer files, onnx/model.onnx)
  --nli-variant ${ENTAILMENT_VARIANTS.join("|")}                 strict: both directions entail (default); lenient: no
                                               contradiction either way and not both neutral
  --nli-question                               prefix each response with the input's "question" before NLI
  --embedding-model <dir>                      feature-extraction model folder
  --threshold <t>                              cosine similarity to join a cluster (default 0.9)
  --linkage ${LINKAGES.join("|")}                    single: any pair ≥ t chains clusters (default); complete: all pairs ≥ t
  --batch-size <b>                             pairs / texts per model call (default 32)
`;

export async function run(args: string[], io: CliIO): Promise<number> {
  const { values } = parseCommandArgs(args, {
    clustering: { type: "string" },
    checker: { type: "string" },
    estimator: { type: "string" },
    invalid: { type: "string" },
    "nli-model": { type: "string" },
    "nli-variant": { type: "string" },
    "nli-question": { type: "boolean" },
    "embedding-model": { type: "string" },
    threshold: { type: "string" },
    linkage: { type: "string" },
    "batch-size": { type: "string" },
  });
  const clustering = oneOf(values.clustering, "--clustering", ["answer", "nli", "embedding"], "answer");
  if (clustering === "answer") {
    const modelOnly = (
      ["nli-model", "nli-variant", "nli-question", "embedding-model", "threshold", "linkage", "batch-size"] as const
    ).find((k) => values[k] !== undefined);
    if (modelOnly) throw new UsageError(`--${modelOnly} needs --clustering nli or embedding`);
  }
  const checker = oneOf(values.checker, "--checker", SE_CHECKERS, "dapo");
  const estimator = oneOf<SEEstimator>(values.estimator, "--estimator", SE_ESTIMATORS, "lengthNormalized");
  const invalid = oneOf<InvalidPolicy>(values.invalid, "--invalid", INVALID_POLICIES, "singleton");
  let modelScorer: ModelSEScorer | undefined;
  let score: (input: {
    responses: string[];
    logLik?: number[];
    lengths?: number[];
    question?: string;
  }) => SEResult | Promise<SEResult>;
  if (clustering === "answer") {
    score = createSemanticEntropyScorer({ checker, estimator, invalid });
  } else {
    // Model clustering (docs/algorithms.md §8.1): @sentrl/semantic-entropy loads the ONNX packages only here.
    const misplaced = [
      ...(["checker", "invalid"] as const).filter((k) => values[k] !== undefined),
      ...(clustering === "nli"
        ? (["embedding-model", "threshold", "linkage"] as const)
        : (["nli-model", "nli-variant", "nli-question"] as const)
      ).filter((k) => values[k] !== undefined),
    ];
    if (misplaced.length > 0) throw new UsageError(`--${misplaced[0]} does not apply to --clustering ${clustering}`);
    if (clustering === "nli" && !values["nli-model"]) throw new UsageError("--clustering nli needs --nli-model <dir>");
    if (clustering === "embedding" && !values["embedding-model"])
      throw new UsageError("--clustering embedding needs --embedding-model <dir>");
    const scorer = await createModelSemanticEntropyScorer({
      clustering,
      estimator,
      nliModel: values["nli-model"] as string | undefined,
      variant: oneOf<EntailmentVariant>(values["nli-variant"], "--nli-variant", ENTAILMENT_VARIANTS, "strict"),
      withQuestion: values["nli-question"] === true,
      embeddingModel: values["embedding-model"] as string | undefined,
      threshold: numberOption(values.threshold, "--threshold"),
      linkage: oneOf<Linkage>(values.linkage, "--linkage", LINKAGES, "single"),
      batchSize: numberOption(values["batch-size"], "--batch-size", { int: true, min: 1 }),
    });
    modelScorer = scorer;
    score = (input) => scorer.score(input);
  }

  let out = "";
  try {
    for await (const { value, lineNo } of jsonLinesFromStdin(io.stdin, "SE_BAD_INPUT")) {
      const rec = value as {
        id?: unknown;
        responses?: unknown;
        logLik?: unknown;
        lengths?: unknown;
        question?: unknown;
      };
      if (
        rec === null ||
        typeof rec !== "object" ||
        !Array.isArray(rec.responses) ||
        !rec.responses.every((r) => typeof r === "string")
      )
        throw new SentrlError(
          "SE_BAD_INPUT",
          `stdin line ${lineNo}: expected {"id", "responses": [string], "logLik"?, "lengths"?}`,
        );
      for (const k of ["logLik", "lengths"] as const) {
        const v = rec[k];
        if (v === undefined) continue;
        if (!Array.isArray(v) || v.length !== rec.responses.length || !v.every((x) => typeof x === "number"))
          throw new SentrlError(
            "SE_BAD_INPUT",
            `stdin line ${lineNo}: \`${k}\` must be an array of ${rec.responses.length} numbers (one per response)`,
          );
      }
      let res: SEResult;
      try {
        res = await score({
          responses: rec.responses as string[],
          logLik: rec.logLik as number[] | undefined,
          lengths: rec.lengths as number[] | undefined,
          question: typeof rec.question === "string" ? rec.question : undefined,
        });
      } catch (e) {
        const err = e as Error & { code?: string };
        if (err.code) throw new SentrlError(err.code, `stdin line ${lineNo}: ${err.message}`);
        throw e;
      }
      out += jsonLine(
        { id: rec.id ?? null, semanticEntropy: res.semanticEntropy, clusterIds: res.clusterIds },
        `stdin line ${lineNo}`,
      );
      if (out.length > 1 << 16) {
        io.stdout.write(out);
        out = "";
      }
    }
  } finally {
    // Lines scored before an error are still written (one output line per input line, in order).
    if (out) io.stdout.write(out);
    await modelScorer?.close();
  }
  return 0;
}
