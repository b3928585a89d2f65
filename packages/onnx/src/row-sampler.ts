import type { Backend, DeviceBuffer } from "@sentrl/compute";
import type { Rng } from "@sentrl/core";

/** Sampling settings of one `generate` call. */
export interface RowSamplerSettings {
  temperature: number;
  topP: number;
  topK: number;
  seed: number;
}

/**
 * Draws one token from a row of logits exactly as `local:` does (docs/contracts.md §9): the sample's uniform stream
 * is `@sentrl/model`'s `sampleRng(seed, prompt, sampleIndex)`, the draw is `@sentrl/compute`'s reference `sample`
 * kernel (inverse CDF; temperature 0 = argmax, lowest id on ties; top-k then top-p), and the log-prob is
 * `z[y]/T − logsumexp(z/T)` in float64 (T = 1 when greedy), before truncation.
 * `@sentrl/model` and `@sentrl/compute` are imported here, lazily, only when an `onnx:` generator samples.
 */
export class RowSampler {
  private constructor(
    private readonly backend: Backend,
    private readonly buf: DeviceBuffer,
    private readonly vocab: number,
    private readonly settings: RowSamplerSettings,
    private readonly rngFor: (seed: number, prompt: ArrayLike<number>, index: number) => Rng,
  ) {}

  static async create(vocab: number, settings: RowSamplerSettings): Promise<RowSampler> {
    const [{ createReferenceBackend }, { sampleRng }] = await Promise.all([
      import("@sentrl/compute"),
      import("@sentrl/model"),
    ]);
    const backend = createReferenceBackend();
    return new RowSampler(backend, backend.alloc(vocab), vocab, settings, sampleRng);
  }

  /** The random stream of sample `index` of a prompt. */
  stream(prompt: ArrayLike<number>, index: number): Rng {
    return this.rngFor(this.settings.seed, prompt, index);
  }

  /** Picks the next token from `logits` (length ≥ vocab; the first `vocab` values are used). */
  pick(logits: Float32Array, rng: Rng): { token: number; logprob: number } {
    const V = this.vocab;
    const row = logits.length === V ? logits : logits.subarray(0, V);
    const { temperature, topK, topP } = this.settings;
    const u = rng.uniform();
    this.backend.upload(this.buf, row);
    const [token] = this.backend.sample({
      logits: this.buf,
      rows: 1,
      vocab: V,
      uniforms: [u],
      temperature,
      topK,
      topP,
    });
    return { token, logprob: tokenLogprob(row, token, temperature > 0 ? temperature : 1) };
  }
}

/** `z[y]/T − logsumexp(z/T)` over one row of logits (float64). */
export function tokenLogprob(logits: Float32Array, y: number, temperature: number): number {
  const inv = 1 / temperature;
  let max = Number.NEGATIVE_INFINITY;
  for (let j = 0; j < logits.length; j++) max = Math.max(max, logits[j] * inv);
  let sum = 0;
  for (let j = 0; j < logits.length; j++) sum += Math.exp(logits[j] * inv - max);
  return logits[y] * inv - max - Math.log(sum);
}
