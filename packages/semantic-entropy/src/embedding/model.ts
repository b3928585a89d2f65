import { SentrlError } from "@sentrl/core";

/** A local sentence-embedding model. */
export interface EmbeddingModel {
  /** One L2-normalised embedding (float64) per text: the mean of the last hidden states over real tokens. */
  embed(texts: readonly string[]): Promise<Float64Array[]>;
  dispose(): Promise<void>;
}

export interface EmbeddingModelOptions {
  /** Texts per forward pass (default 32). */
  batchSize?: number;
}

/** Cosine similarity matrix of L2-normalised embeddings (dot products). */
export function cosineSimilarities(vectors: readonly Float64Array[]): Float64Array[] {
  return vectors.map((a) =>
    Float64Array.from(vectors, (b) => {
      let s = 0;
      for (let i = 0; i < a.length; i++) s += a[i] * b[i];
      return s;
    }),
  );
}

/**
 * Loads a feature-extraction model folder (any Hugging Face encoder exported to ONNX with a `last_hidden_state`
 * or `token_embeddings` output; tokenizer files; `onnx/model.onnx`) through `@huggingface/transformers`, local
 * files only. Pooling is the attention-masked mean, then L2 normalisation (sentence-transformers' default).
 *
 * @example
 * ```ts
 * import { cosineSimilarities, loadEmbeddingModel } from "@sentrl/semantic-entropy";
 * const m = await loadEmbeddingModel("tools/onnx/models/tiny-embed");
 * const [a, b, c] = await m.embed(["it is paris", "paris", "no idea"]);
 * const sim = cosineSimilarities([a, b, c]);
 * console.log(sim[0][1] > sim[0][2]); // → true
 * await m.dispose();
 * ```
 */
export async function loadEmbeddingModel(dir: string, options: EmbeddingModelOptions = {}): Promise<EmbeddingModel> {
  // @sentrl/onnx (and through it the optional ONNX packages) loads only when a model is asked for.
  const { fromPretrained, LOCAL_PRETRAINED, loadTransformers, localOnnxModelDir } = await import("@sentrl/onnx");
  const batchSize = options.batchSize ?? 32;
  if (!Number.isInteger(batchSize) || batchSize < 1)
    throw new SentrlError("EMBEDDING_BAD_OPTION", `batchSize must be a positive integer, got ${batchSize}`);
  const abs = localOnnxModelDir(dir, "embedding model");
  const t = await loadTransformers();
  const tokenizer = await fromPretrained("the tokenizer", dir, () =>
    t.AutoTokenizer.from_pretrained(abs, { local_files_only: true }),
  );
  const model = await fromPretrained("a feature-extraction model", dir, () =>
    t.AutoModel.from_pretrained(abs, { ...LOCAL_PRETRAINED }),
  );
  type T = { data: Float32Array; dims: number[] };
  const embed = async (texts: readonly string[]): Promise<Float64Array[]> => {
    const out: Float64Array[] = [];
    for (let s = 0; s < texts.length; s += batchSize) {
      const batch = texts.slice(s, s + batchSize) as string[];
      const inputs = tokenizer(batch, { padding: true, truncation: true });
      const res = (await model(inputs)) as Record<string, T>;
      const h = res.last_hidden_state ?? res.token_embeddings ?? Object.values(res).find((v) => v.dims?.length === 3);
      if (!h)
        throw new SentrlError(
          "EMBEDDING_BAD_MODEL",
          `${dir}/onnx/model.onnx has no [batch, tokens, hidden] output (last_hidden_state)`,
        );
      const [, T, H] = h.dims;
      const mask = (inputs.attention_mask as unknown as { data: BigInt64Array }).data;
      for (let r = 0; r < batch.length; r++) {
        const v = new Float64Array(H);
        let n = 0;
        for (let t2 = 0; t2 < T; t2++) {
          if (mask[r * T + t2] === 0n) continue;
          n++;
          const o = (r * T + t2) * H;
          for (let i = 0; i < H; i++) v[i] += h.data[o + i];
        }
        let norm = 0;
        for (let i = 0; i < H; i++) {
          v[i] /= Math.max(n, 1);
          norm += v[i] * v[i];
        }
        norm = Math.sqrt(norm) || 1;
        for (let i = 0; i < H; i++) v[i] /= norm;
        out.push(v);
      }
    }
    return out;
  };
  return { embed, dispose: async () => void (await model.dispose()) };
}
