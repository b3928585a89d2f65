import { SentrlError } from "@sentrl/core";
import {
  createSemanticEntropyScorer,
  INVALID_POLICIES,
  type InvalidPolicy,
  SE_CHECKERS,
  SE_ESTIMATORS,
  type SEEstimator,
} from "@sentrl/semantic-entropy";
import { type CliIO, parseCommandArgs } from "../command.js";
import { oneOf } from "../option-values.js";
import { jsonLinesFromStdin } from "../stdin-json.js";
import { jsonLine } from "../io/output-guard.js";

// `sentrl se` (docs/contracts.md §5): JSONL in, JSONL out, one line per input line, streamed.

export const help = `Usage: sentrl se [--clustering answer] [--checker dapo] [--estimator lengthNormalized] [--invalid singleton] < in.jsonl

Semantic entropy of each question's sampled responses (SENT, docs/algorithms.md §4): responses are clustered by final
answer (the last "Answer:" line in the last 300 characters, else the last \\boxed{}), then the checker's canonical key
(symbolic: compared with each cluster's first member).

stdin:  JSONL {"id", "responses": [string], "logLik": [n]?, "lengths": [int]?}
        logLik = summed token log-probs of each response (nats), lengths = its token count; both required by
        lengthNormalized, raw and kuhn.
stdout: JSONL {"id", "semanticEntropy": n, "clusterIds": [int]} in input order; cluster ids in first-seen order.

Options:
  --clustering answer                          (only answer clustering is built in)
  --checker ${SE_CHECKERS.join("|")}        default dapo
  --estimator ${SE_ESTIMATORS.join("|")}  default lengthNormalized
  --invalid ${INVALID_POLICIES.join("|")}                  responses without an answer: own cluster each (default) or one shared
`;

export async function run(args: string[], io: CliIO): Promise<number> {
  const { values } = parseCommandArgs(args, {
    clustering: { type: "string" },
    checker: { type: "string" },
    estimator: { type: "string" },
    invalid: { type: "string" },
  });
  oneOf(values.clustering, "--clustering", ["answer"], "answer");
  const checker = oneOf(values.checker, "--checker", SE_CHECKERS, "dapo");
  const estimator = oneOf<SEEstimator>(values.estimator, "--estimator", SE_ESTIMATORS, "lengthNormalized");
  const invalid = oneOf<InvalidPolicy>(values.invalid, "--invalid", INVALID_POLICIES, "singleton");
  const score = createSemanticEntropyScorer({ checker, estimator, invalid });

  let out = "";
  try {
    for await (const { value, lineNo } of jsonLinesFromStdin(io.stdin, "SE_BAD_INPUT")) {
      const rec = value as { id?: unknown; responses?: unknown; logLik?: unknown; lengths?: unknown };
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
      let res: ReturnType<typeof score>;
      try {
        res = score({
          responses: rec.responses as string[],
          logLik: rec.logLik as number[] | undefined,
          lengths: rec.lengths as number[] | undefined,
        });
      } catch (e) {
        const err = e as Error & { code?: string };
        if (err.code) throw new SentrlError(err.code, `stdin line ${lineNo}: ${err.message}`);
        throw e;
      }
      out += jsonLine({ id: rec.id ?? null, semanticEntropy: res.semanticEntropy, clusterIds: res.clusterIds }, `line ${lineNo}`);
      if (out.length > 1 << 16) {
        io.stdout.write(out);
        out = "";
      }
    }
  } finally {
    // Lines scored before an error are still written (one output line per input line, in order).
    if (out) io.stdout.write(out);
  }
  return 0;
}
