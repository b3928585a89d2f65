import { parseModelConfig, type ModelConfig } from "./config.js";
import { parameterSpecs } from "./weights.js";

/** The sizes of a random Qwen2-shaped model (tied embeddings, RoPE θ 1e6). */
export interface RandomModelShape {
  hidden: number;
  layers: number;
  heads: number;
  kvHeads: number;
  intermediate: number;
  vocab: number;
}

/** The ~11M-parameter model that the benchmarks and the GPU check measure (6 layers, hidden 384, GQA 6/2). */
export const BENCH_MODEL_SHAPE: RandomModelShape = {
  hidden: 384,
  layers: 6,
  heads: 6,
  kvHeads: 2,
  intermediate: 1024,
  vocab: 4096,
};

/**
 * A deterministic stream of numbers in [-0.5, 0.5) (a 31-bit linear congruential generator). Benchmarks draw their
 * model weights and their inputs from one stream, so the same script always measures the same model and tokens.
 */
export function lcgStream(seed = 1): () => number {
  let state = seed;
  return () => {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    return state / 2 ** 31 - 0.5;
  };
}

/**
 * The config and weights of a random Qwen2-shaped model, for benchmarks and hardware checks: norms are 1, matrices
 * uniform with scale 2/√fan-in, drawn in parameter order from `rand`. `DecoderModel.fromTensors(config, tensors,
 * backend)` turns them into a model on any backend.
 *
 * @example
 * const { config, tensors } = randomQwen2({ hidden: 64, layers: 2, heads: 4, kvHeads: 2, intermediate: 128, vocab: 256 });
 * const model = DecoderModel.fromTensors(config, tensors, createReferenceBackend());
 */
export function randomQwen2(
  shape: RandomModelShape,
  rand: () => number = lcgStream(1),
): { config: ModelConfig; tensors: Map<string, Float32Array> } {
  const config = parseModelConfig({
    model_type: "qwen2",
    hidden_size: shape.hidden,
    intermediate_size: shape.intermediate,
    num_hidden_layers: shape.layers,
    num_attention_heads: shape.heads,
    num_key_value_heads: shape.kvHeads,
    vocab_size: shape.vocab,
    rope_theta: 1e6,
    rms_norm_eps: 1e-6,
    tie_word_embeddings: true,
  });
  const tensors = new Map<string, Float32Array>();
  for (const s of parameterSpecs(config)) {
    const n = s.shape.reduce((a, d) => a * d, 1);
    const vector = s.shape.length === 1;
    const scale = vector ? 0 : 2 / Math.sqrt(s.shape[1] as number);
    const a = new Float32Array(n);
    for (let i = 0; i < n; i++) a[i] = vector && !s.name.endsWith("bias") ? 1 : rand() * scale;
    tensors.set(s.name, a);
  }
  return { config, tensors };
}
