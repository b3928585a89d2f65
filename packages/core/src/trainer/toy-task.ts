import type { DatasetRow } from "../contracts/dataset.js";
import type { Plugin } from "../plugins/types.js";
import { createTabularPolicy, type TabularPolicy } from "./tabular-policy.js";

/**
 * A toy verifiable task for trainer tests and examples: prompt `s` must be answered by the string `golds[s]` over
 * the vocabulary `a`, `b` (then EOS). A uniform tabular policy answers a one-letter gold with probability 1/9 and a
 * two-letter one with 1/27, so GRPO has a signal from the first step.
 */
export const TOY_GOLDS = ["a", "b", "ab", "ba", "aa", "bb"] as const;

export function toyDataset(golds: readonly string[] = TOY_GOLDS): DatasetRow[] {
  return golds.map((gold, s) => ({ id: String(s), prompt: `answer #${s}`, gold, source: "toy" }));
}

export function toyPolicy(golds: readonly string[] = TOY_GOLDS): TabularPolicy {
  return createTabularPolicy({ states: golds.length, vocab: ["a", "b", "<eos>"], eosToken: 2, maxTokens: 3 });
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
