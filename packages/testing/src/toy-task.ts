import type { DatasetRow, Plugin } from "@sentrl/core";
import { createTabularPolicy, type TabularPolicy } from "./tabular-policy.js";

/**
 * The toy verifiable task of the trainer tests, the examples and the tabular `sentrl train`/`sentrl demo`: prompt `s`
 * must be answered with the string `golds[s]` over the vocabulary `a`, `b` (then EOS). A uniform tabular policy
 * answers a one-letter gold with probability 1/9 and a two-letter one with 1/27, so GRPO has a signal from the first
 * step. One copy of it, here.
 *
 * @example
 * ```ts
 * import { createTrainer } from "@sentrl/core";
 * import { exactMatchReward, toyDataset, toyPolicy } from "@sentrl/testing";
 * const trainer = createTrainer({ policy: toyPolicy(), dataset: toyDataset(), plugins: [exactMatchReward()],
 *   config: { reward: "exact", totalSteps: 2, promptsPerStep: 2, miniBatchPrompts: 2, groupSize: 4, maxResponseTokens: 3 } });
 * ```
 */
export const TOY_GOLDS = ["a", "b", "ab", "ba", "aa", "bb"] as const;

/** The toy vocabulary; EOS is id 2. */
export const TOY_VOCAB = ["a", "b", "<eos>"] as const;
const EOS = 2;

/** The toy rows: `id` and the only prompt token are the prompt's state, `gold` its answer. */
export function toyDataset(golds: readonly string[] = TOY_GOLDS): DatasetRow[] {
  return golds.map((gold, s) => ({ id: String(s), prompt: `answer #${s}`, gold, source: "toy" }));
}

/**
 * The tabular policy of the toy: one position per letter of the longest answer plus EOS (at least 3). Uniform, unless `prior[s]` is given: then
 * the logits of prompt `s`'s gold tokens (and of EOS right after them) start at `prior[s]`, so some prompts start
 * nearly solved (low semantic entropy) and others not.
 */
export function toyPolicy(golds: readonly string[] = TOY_GOLDS, prior?: readonly number[]): TabularPolicy {
  const L = Math.max(3, ...golds.map((g) => g.length + 1));
  const V = TOY_VOCAB.length;
  let init: Float64Array | undefined;
  if (prior) {
    init = new Float64Array(golds.length * L * V);
    golds.forEach((gold, s) => {
      const ids = [...gold].map((c) => TOY_VOCAB.indexOf(c as "a" | "b"));
      ids.push(EOS);
      ids.forEach((y, t) => {
        (init as Float64Array)[(s * L + t) * V + y] += prior[s] ?? 0;
      });
    });
  }
  return createTabularPolicy({ states: golds.length, vocab: TOY_VOCAB, eosToken: EOS, maxTokens: L, init });
}

/** Reward strategy `exact`: 1 when the response equals the gold, else 0. */
export function exactMatchReward(): Plugin {
  return {
    name: "exact-match",
    verifiers: [
      {
        name: "exact",
        create: () => ({
          name: "exact",
          score: (response, sample) => {
            const correct = response === sample.gold;
            return { reward: correct ? 1 : 0, correct, extracted: response };
          },
        }),
      },
    ],
  };
}
