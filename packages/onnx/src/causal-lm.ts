import { readFileSync } from "node:fs";
import { join } from "node:path";
import { SentrlError } from "@sentrl/core";
import {
  fromPretrained,
  LOCAL_PRETRAINED,
  loadTransformers,
  localOnnxModelDir,
  type TransformersModule,
} from "./transformers.js";

type TensorClass = TransformersModule["Tensor"];
type Tensor = InstanceType<TensorClass>;
type PreTrainedModel = Awaited<ReturnType<TransformersModule["AutoModelForCausalLM"]["from_pretrained"]>>;
type PreTrainedTokenizer = Awaited<ReturnType<TransformersModule["AutoTokenizer"]["from_pretrained"]>>;

/** The K/V cache of one sequence: `past_key_values.N.key/value` tensors, `[1, kvHeads, length, headDim]`. */
export interface OnnxKvCache {
  tensors: Record<string, Tensor>;
  length: number;
}

/** Next-token logits after a forward step, and the cache that now includes the step's tokens. */
export interface OnnxStep {
  logits: Float32Array;
  cache: OnnxKvCache;
}

/** Generation defaults read from `generation_config.json` / `config.json`. */
export interface OnnxGenerationDefaults {
  eosTokenIds: number[];
  temperature?: number;
  topP?: number;
  topK?: number;
  maxTokens?: number;
}

function readJson(path: string): Record<string, unknown> {
  try {
    return JSON.parse(readFileSync(path, "utf8")) as Record<string, unknown>;
  } catch {
    return {};
  }
}

function ids(v: unknown): number[] {
  if (typeof v === "number") return [v];
  return Array.isArray(v) ? v.filter((x): x is number => typeof x === "number") : [];
}

/**
 * An ONNX causal LM exported in Hugging Face's layout (optimum / transformers.js): inputs `input_ids`,
 * `attention_mask`, optional `position_ids`, `past_key_values.N.key/value`; outputs `logits`, `present.N.key/value`.
 * One sequence per call (batch 1), so a sequence's values never depend on what else is being generated.
 */
export class OnnxCausalLM {
  private constructor(
    readonly dir: string,
    readonly t: TransformersModule,
    readonly model: PreTrainedModel,
    readonly tokenizer: PreTrainedTokenizer,
    readonly layers: number,
    readonly kvHeads: number,
    readonly headDim: number,
    readonly vocab: number,
    readonly defaults: OnnxGenerationDefaults,
    private readonly usesPositionIds: boolean,
  ) {}

  /** Loads tokenizer and model from a local folder (`config.json`, tokenizer files, `onnx/model.onnx`). */
  static async load(dir: string): Promise<OnnxCausalLM> {
    const abs = localOnnxModelDir(dir, "ONNX causal LM");
    const t = await loadTransformers();
    const tokenizer = await fromPretrained("the tokenizer", dir, () =>
      t.AutoTokenizer.from_pretrained(abs, { local_files_only: true }),
    );
    const model = await fromPretrained("an ONNX causal LM", dir, () =>
      t.AutoModelForCausalLM.from_pretrained(abs, { ...LOCAL_PRETRAINED }),
    );
    const session = (model as unknown as { sessions: Record<string, { inputNames: string[]; outputNames: string[] }> })
      .sessions.model;
    const need = ["input_ids", "attention_mask", "past_key_values.0.key", "past_key_values.0.value"];
    const missing = need.filter((n) => !session?.inputNames.includes(n));
    if (missing.length > 0 || !session.outputNames.includes("logits") || !session.outputNames.includes("present.0.key"))
      throw new SentrlError(
        "ONNX_BAD_MODEL",
        `${dir}/onnx/model.onnx is not a causal LM with a KV cache in Hugging Face's export layout (missing ${missing.join(", ") || "logits/present.0.key outputs"}); export it with past key values (e.g. optimum's text-generation-with-past)`,
      );
    const cfg = readJson(join(abs, "config.json"));
    const num = (k: string) => (typeof cfg[k] === "number" ? (cfg[k] as number) : undefined);
    const heads = num("num_attention_heads");
    const hidden = num("hidden_size");
    const layers = session.inputNames.filter((n) => /^past_key_values\.\d+\.key$/.test(n)).length;
    const kvHeads = num("num_key_value_heads") ?? heads;
    const headDim = num("head_dim") ?? (hidden && heads ? hidden / heads : undefined);
    const vocab = num("vocab_size");
    if (!kvHeads || !headDim || !vocab)
      throw new SentrlError(
        "ONNX_BAD_MODEL",
        `${dir}/config.json needs num_attention_heads, hidden_size and vocab_size`,
      );
    const gen = readJson(join(abs, "generation_config.json"));
    const defaults: OnnxGenerationDefaults = {
      eosTokenIds: [...new Set([...ids(gen.eos_token_id), ...ids(cfg.eos_token_id)])],
      temperature: typeof gen.temperature === "number" && gen.do_sample !== false ? gen.temperature : undefined,
      topP: typeof gen.top_p === "number" ? gen.top_p : undefined,
      topK: typeof gen.top_k === "number" ? gen.top_k : undefined,
      maxTokens: typeof gen.max_new_tokens === "number" ? gen.max_new_tokens : undefined,
    };
    return new OnnxCausalLM(
      abs,
      t,
      model,
      tokenizer,
      layers,
      kvHeads,
      headDim,
      vocab,
      defaults,
      session.inputNames.includes("position_ids"),
    );
  }

  /** An empty cache (zero-length past tensors). */
  emptyCache(): OnnxKvCache {
    const tensors: Record<string, Tensor> = {};
    for (let l = 0; l < this.layers; l++)
      for (const kv of ["key", "value"])
        tensors[`past_key_values.${l}.${kv}`] = new this.t.Tensor("float32", new Float32Array(0), [
          1,
          this.kvHeads,
          0,
          this.headDim,
        ]);
    return { tensors, length: 0 };
  }

  /**
   * Runs `tokens` after `cache` (positions `cache.length…`) and returns the last position's logits and the longer
   * cache. The input cache is not modified, so one prefilled prompt can seed many samples.
   */
  async step(tokens: readonly number[], cache: OnnxKvCache): Promise<OnnxStep> {
    const T = tokens.length;
    const total = cache.length + T;
    const { Tensor: TensorCtor } = this.t;
    const feeds: Record<string, Tensor> = {
      input_ids: new TensorCtor(
        "int64",
        BigInt64Array.from(tokens, (x) => BigInt(x)),
        [1, T],
      ),
      attention_mask: new TensorCtor("int64", new BigInt64Array(total).fill(1n), [1, total]),
    };
    if (this.usesPositionIds)
      feeds.position_ids = new TensorCtor(
        "int64",
        BigInt64Array.from({ length: T }, (_, i) => BigInt(cache.length + i)),
        [1, T],
      );
    const out = (await (
      this.model as unknown as { forward(f: Record<string, unknown>): Promise<Record<string, Tensor>> }
    ).forward({
      ...feeds,
      past_key_values: cache.tensors,
    })) as Record<string, Tensor>;
    const logits = out.logits;
    const V = logits.dims[logits.dims.length - 1];
    const data = logits.data as Float32Array;
    const next: Record<string, Tensor> = {};
    for (let l = 0; l < this.layers; l++)
      for (const kv of ["key", "value"]) next[`past_key_values.${l}.${kv}`] = out[`present.${l}.${kv}`];
    return { logits: data.slice(data.length - V), cache: { tensors: next, length: total } };
  }

  /** Frees the ONNX sessions. */
  async dispose(): Promise<void> {
    await (this.model as unknown as { dispose(): Promise<unknown> }).dispose();
  }
}
