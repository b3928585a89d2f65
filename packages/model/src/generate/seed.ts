import { deriveSeed, fnv1a32, Rng } from "@sentrl/core";

/**
 * The random stream of one sample: a function of `(seed, prompt tokens, sampleIndex)` only, so a completion does not
 * depend on which other prompts share its batch or on the batch size.
 * Definition: `new Rng(deriveSeed(seed, sampleIndex, "sentrl/model:generate:" + fnv1a32(prompt ids joined by ",")))`.
 */
export function sampleRng(seed: number, prompt: ArrayLike<number>, sampleIndex: number): Rng {
  return new Rng(
    deriveSeed(seed, sampleIndex, `sentrl/model:generate:${fnv1a32(Array.prototype.join.call(prompt, ","))}`),
  );
}
