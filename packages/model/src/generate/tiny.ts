// Test helpers (not exported from the package): a tiny random Qwen2 model and a tiny byte-level tokenizer.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { type Backend, createReferenceBackend } from "@sentrl/compute";
import { Rng } from "@sentrl/core";
import { parseModelConfig } from "../config.js";
import { DecoderModel } from "../decoder.js";
import { saveModel } from "../load.js";
import { BYTE_TO_CHAR } from "../tokenizer/byte-level.js";
import { parameterSpecs } from "../weights.js";

/** Added tokens of the tiny tokenizer (after 256 bytes and 2 merges). */
export const TINY_SPECIALS = { endoftext: 258, imStart: 259, imEnd: 260 } as const;
export const TINY_VOCAB = 261;

/** A random 2-layer Qwen2 model (GQA 4/2) over the tiny vocabulary; `scale` is the weight std. */
export function tinyModel(
  seed = 1,
  options: { backend?: Backend; scale?: number; tied?: boolean; vocabSize?: number; layers?: number } = {},
): DecoderModel {
  const config = parseModelConfig({
    model_type: "qwen2",
    hidden_size: 32,
    intermediate_size: 48,
    num_hidden_layers: options.layers ?? 2,
    num_attention_heads: 4,
    num_key_value_heads: 2,
    vocab_size: options.vocabSize ?? TINY_VOCAB,
    tie_word_embeddings: options.tied ?? false,
    rope_theta: 10000,
    rms_norm_eps: 1e-6,
    max_position_embeddings: 512,
  });
  const rng = new Rng(seed);
  const scale = options.scale ?? 0.3;
  const tensors = new Map<string, Float32Array>();
  for (const spec of parameterSpecs(config)) {
    const n = spec.shape.reduce((a, d) => a * d, 1);
    const data = new Float32Array(n);
    const isNorm = spec.name.endsWith("norm.weight");
    for (let i = 0; i < n; i++) data[i] = isNorm ? 1 + 0.1 * rng.normal() : scale * rng.normal();
    tensors.set(spec.name, data);
  }
  return DecoderModel.fromTensors(config, tensors, options.backend ?? createReferenceBackend());
}

/** The tiny tokenizer.json: byte-level BPE over the 256 byte characters, merges `a b` and `Ġ a`, three specials. */
export function tinyTokenizerJson(): Record<string, unknown> {
  const vocab: Record<string, number> = {};
  BYTE_TO_CHAR.forEach((c, b) => {
    vocab[c] = b;
  });
  vocab.ab = 256;
  vocab["Ġa"] = 257;
  const added = (id: number, content: string) => ({
    id,
    content,
    special: true,
    lstrip: false,
    rstrip: false,
    normalized: false,
    single_word: false,
  });
  return {
    added_tokens: [added(258, "<|endoftext|>"), added(259, "<|im_start|>"), added(260, "<|im_end|>")],
    normalizer: { type: "NFC" },
    pre_tokenizer: {
      type: "Sequence",
      pretokenizers: [
        {
          type: "Split",
          pattern: {
            Regex:
              "(?i:'s|'t)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+",
          },
          behavior: "Isolated",
          invert: false,
        },
        { type: "ByteLevel", add_prefix_space: false, trim_offsets: false, use_regex: false },
      ],
    },
    decoder: { type: "ByteLevel", add_prefix_space: false, trim_offsets: false, use_regex: false },
    model: {
      type: "BPE",
      vocab,
      merges: [
        ["a", "b"],
        ["Ġ", "a"],
      ],
      unk_token: null,
    },
  };
}

/** A ChatML-style template (written for these tests). */
export const TINY_CHAT_TEMPLATE =
  "{% for m in messages %}{{ '<|im_start|>' + m.role + '\\n' + m.content + '<|im_end|>\\n' }}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";

/** Writes a complete tiny model folder (config, weights, tokenizer files, generation config) and returns the model. */
export async function writeTinyModelDir(
  dir: string,
  seed = 1,
  generationConfig: Record<string, unknown> = { eos_token_id: [TINY_SPECIALS.imEnd, TINY_SPECIALS.endoftext] },
): Promise<DecoderModel> {
  const model = tinyModel(seed);
  await saveModel(model, dir);
  writeFileSync(join(dir, "tokenizer.json"), JSON.stringify(tinyTokenizerJson()));
  writeFileSync(
    join(dir, "tokenizer_config.json"),
    JSON.stringify({ eos_token: "<|im_end|>", pad_token: "<|endoftext|>", chat_template: TINY_CHAT_TEMPLATE }),
  );
  writeFileSync(join(dir, "generation_config.json"), JSON.stringify(generationConfig));
  return model;
}
