import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { loadModel, SafetensorsFile, writeSafetensors } from "../src/index.js";
import { cleanupTemp, codeOf, copyFixture, rawSafetensors } from "./helpers.js";

afterAll(cleanupTemp);

const base = "qwen2-tied-gqa1";
const cfgOf = (dir: string) => JSON.parse(readFileSync(join(dir, "config.json"), "utf8")) as Record<string, unknown>;
const writeCfg = (dir: string, cfg: unknown) => writeFileSync(join(dir, "config.json"), typeof cfg === "string" ? cfg : JSON.stringify(cfg));

describe("config.json errors", () => {
  it.each([
    ["missing config.json", (d: string) => rmSync(join(d, "config.json")), "MODEL_FILES_MISSING"],
    ["config.json is not JSON", (d: string) => writeCfg(d, "{ hidden_size: 3"), "MODEL_CONFIG_INVALID"],
    ["config.json is an array", (d: string) => writeCfg(d, "[]"), "MODEL_CONFIG_INVALID"],
    ["unknown model_type", (d: string) => writeCfg(d, { ...cfgOf(d), model_type: "gpt2" }), "MODEL_UNSUPPORTED_ARCHITECTURE"],
    ["missing model_type", (d: string) => writeCfg(d, { ...cfgOf(d), model_type: undefined }), "MODEL_UNSUPPORTED_ARCHITECTURE"],
    ["non-causal-LM architecture", (d: string) => writeCfg(d, { ...cfgOf(d), architectures: ["Qwen2ForSequenceClassification"] }), "MODEL_UNSUPPORTED_ARCHITECTURE"],
    ["rope_scaling", (d: string) => writeCfg(d, { ...cfgOf(d), rope_scaling: { type: "yarn", factor: 4 } }), "MODEL_UNSUPPORTED_ROPE_SCALING"],
    ["sliding window enabled", (d: string) => writeCfg(d, { ...cfgOf(d), use_sliding_window: true }), "MODEL_UNSUPPORTED_SLIDING_WINDOW"],
    ["gelu activation", (d: string) => writeCfg(d, { ...cfgOf(d), hidden_act: "gelu" }), "MODEL_UNSUPPORTED_ARCHITECTURE"],
    ["head_dim override", (d: string) => writeCfg(d, { ...cfgOf(d), head_dim: 16 }), "MODEL_UNSUPPORTED_ARCHITECTURE"],
    ["missing hidden_size", (d: string) => writeCfg(d, { ...cfgOf(d), hidden_size: undefined }), "MODEL_CONFIG_INVALID"],
    ["fractional vocab_size", (d: string) => writeCfg(d, { ...cfgOf(d), vocab_size: 96.5 }), "MODEL_CONFIG_INVALID"],
    ["heads not a multiple of kv heads", (d: string) => writeCfg(d, { ...cfgOf(d), num_key_value_heads: 2 }), "MODEL_CONFIG_INVALID"],
    ["hidden not a multiple of heads", (d: string) => writeCfg(d, { ...cfgOf(d), num_attention_heads: 5, num_key_value_heads: 5 }), "MODEL_CONFIG_INVALID"],
    ["tie_word_embeddings as string", (d: string) => writeCfg(d, { ...cfgOf(d), tie_word_embeddings: "yes" }), "MODEL_CONFIG_INVALID"],
  ])("%s → %s", async (_name, corrupt, code) => {
    const dir = copyFixture(base);
    corrupt(dir);
    expect(await codeOf(() => loadModel(dir))).toBe(code);
  });
});

describe("weights errors (config vs checkpoint)", () => {
  it.each([
    ["no weights file", (d: string) => rmSync(join(d, "model.safetensors")), "MODEL_FILES_MISSING"],
    ["config has more layers than the file", (d: string) => writeCfg(d, { ...cfgOf(d), num_hidden_layers: 3 }), "MODEL_WEIGHT_MISSING"],
    ["config has fewer layers than the file", (d: string) => writeCfg(d, { ...cfgOf(d), num_hidden_layers: 1 }), "MODEL_WEIGHT_UNEXPECTED"],
    ["config says untied, file has no lm_head", (d: string) => writeCfg(d, { ...cfgOf(d), tie_word_embeddings: false }), "MODEL_WEIGHT_MISSING"],
    ["vocab_size differs from the embedding", (d: string) => writeCfg(d, { ...cfgOf(d), vocab_size: 98 }), "MODEL_WEIGHT_SHAPE"],
    ["intermediate_size differs", (d: string) => writeCfg(d, { ...cfgOf(d), intermediate_size: 41 }), "MODEL_WEIGHT_SHAPE"],
    ["llama config on qwen2 weights (biases unexpected)", (d: string) => writeCfg(d, { ...cfgOf(d), model_type: "llama", architectures: ["LlamaForCausalLM"] }), "MODEL_WEIGHT_UNEXPECTED"],
  ])("%s → %s", async (_name, corrupt, code) => {
    const dir = copyFixture(base);
    corrupt(dir);
    expect(await codeOf(() => loadModel(dir))).toBe(code);
  });

  it("an I32 tensor where a weight belongs → SAFETENSORS_UNSUPPORTED_DTYPE; a missing tensor → MODEL_WEIGHT_MISSING", async () => {
    const dir = copyFixture(base);
    const f = SafetensorsFile.open(join(dir, "model.safetensors"));
    const tensors = Object.fromEntries(f.names().map((n) => [n, { data: f.readFloat32(n), shape: f.info(n)?.shape ?? [] }]));
    f.close();
    const { "model.norm.weight": norm, ...rest } = tensors;
    writeSafetensors(join(dir, "model.safetensors"), rest);
    expect(await codeOf(() => loadModel(dir))).toBe("MODEL_WEIGHT_MISSING");
    // Rewrite with the norm stored as I32 bytes (same byte count as F32).
    const { header, data } = splitFile(join(dir, "model.safetensors"));
    const shift = data.length;
    header["model.norm.weight"] = { dtype: "I32", shape: norm.shape, data_offsets: [shift, shift + norm.data.length * 4] };
    writeFileSync(join(dir, "model.safetensors"), rawSafetensors(header, Buffer.concat([data, Buffer.from(norm.data.buffer)])));
    expect(await codeOf(() => loadModel(dir))).toBe("SAFETENSORS_UNSUPPORTED_DTYPE");
  });
});

/** Header object and data section of a safetensors file. */
function splitFile(path: string): { header: Record<string, unknown>; data: Buffer } {
  const buf = readFileSync(path);
  const n = Number(buf.readBigUInt64LE(0));
  return { header: JSON.parse(buf.subarray(8, 8 + n).toString("utf8")), data: buf.subarray(8 + n) };
}

describe("safetensors header validation", () => {
  const data = Buffer.alloc(16);
  const ok = { a: { dtype: "F32", shape: [2], data_offsets: [0, 8] }, b: { dtype: "F16", shape: [2, 2], data_offsets: [8, 16] } };
  it.each([
    ["fewer than 8 bytes", Buffer.from([1, 2, 3]), "SAFETENSORS_TRUNCATED"],
    ["header length over the limit", rawSafetensors(ok, data, 200_000_000n), "SAFETENSORS_HEADER_TOO_LARGE"],
    ["header length 2^64-1", rawSafetensors(ok, data, 0xffffffffffffffffn), "SAFETENSORS_HEADER_TOO_LARGE"],
    ["header runs past the end", rawSafetensors(ok, data, 5000n), "SAFETENSORS_TRUNCATED"],
    ["header is not JSON", rawSafetensors('{"a": {', data), "SAFETENSORS_BAD_HEADER"],
    ["header is a JSON array", rawSafetensors("[1]", data), "SAFETENSORS_BAD_HEADER"],
    ["header is not UTF-8", rawSafetensors(Buffer.from([0x7b, 0xff, 0x7d]).toString("latin1"), data), "SAFETENSORS_BAD_HEADER"],
    ["unknown dtype", rawSafetensors({ a: { dtype: "F33", shape: [2], data_offsets: [0, 8] } }, data), "SAFETENSORS_BAD_HEADER"],
    ["negative shape", rawSafetensors({ a: { dtype: "F32", shape: [-2], data_offsets: [0, 8] } }, data), "SAFETENSORS_BAD_HEADER"],
    ["begin after end", rawSafetensors({ a: { dtype: "F32", shape: [0], data_offsets: [8, 0] } }, data), "SAFETENSORS_BAD_HEADER"],
    ["metadata not strings", rawSafetensors({ ...ok, __metadata__: { n: 1 } }, data), "SAFETENSORS_BAD_HEADER"],
    ["offsets outside the file", rawSafetensors({ a: { dtype: "F32", shape: [6], data_offsets: [0, 24] } }, data), "SAFETENSORS_BAD_OFFSETS"],
    ["byte length disagrees with the shape", rawSafetensors({ a: { dtype: "F32", shape: [3], data_offsets: [0, 8] } }, data), "SAFETENSORS_BAD_OFFSETS"],
    ["overlapping tensors", rawSafetensors({ a: { dtype: "F32", shape: [2], data_offsets: [0, 8] }, b: { dtype: "F32", shape: [2], data_offsets: [4, 12] } }, data), "SAFETENSORS_BAD_OFFSETS"],
  ])("%s → %s", async (_name, bytes, code) => {
    const dir = copyFixture(base);
    const path = join(dir, "model.safetensors");
    writeFileSync(path, bytes);
    expect(await codeOf(() => SafetensorsFile.open(path))).toBe(code);
    expect(await codeOf(() => loadModel(dir))).toBe(code);
  });

  it("a valid header opens (latin1 check above is really invalid UTF-8)", () => {
    const dir = copyFixture(base);
    const path = join(dir, "x.safetensors");
    writeFileSync(path, rawSafetensors({ ...ok, __metadata__: { format: "pt" } }, data));
    const f = SafetensorsFile.open(path);
    expect(f.names().sort()).toEqual(["a", "b"]);
    expect(f.header.metadata).toEqual({ format: "pt" });
    expect(Array.from(f.readFloat32("a"))).toEqual([0, 0]);
    f.close();
  });
});

describe("sharded index errors", () => {
  const sharded = "qwen2-sharded";
  const index = (d: string) => join(d, "model.safetensors.index.json");
  const readIndex = (d: string) => JSON.parse(readFileSync(index(d), "utf8")) as { weight_map: Record<string, string> };
  it.each([
    ["index is not JSON", (d: string) => writeFileSync(index(d), "{"), "MODEL_SHARD_INDEX_INVALID"],
    ["index has no weight_map", (d: string) => writeFileSync(index(d), "{}"), "MODEL_SHARD_INDEX_INVALID"],
    [
      "index points outside the folder",
      (d: string) => {
        const ix = readIndex(d);
        ix.weight_map["model.norm.weight"] = "../evil.safetensors";
        writeFileSync(index(d), JSON.stringify(ix));
      },
      "MODEL_SHARD_INDEX_INVALID",
    ],
    ["a shard file is missing", (d: string) => rmSync(join(d, "model-00002-of-00003.safetensors")), "MODEL_FILES_MISSING"],
    [
      "index names the wrong shard for a tensor",
      (d: string) => {
        const ix = readIndex(d);
        const name = Object.keys(ix.weight_map).find((n) => ix.weight_map[n] === "model-00001-of-00003.safetensors") as string;
        ix.weight_map[name] = "model-00002-of-00003.safetensors";
        writeFileSync(index(d), JSON.stringify(ix));
      },
      "MODEL_SHARD_INDEX_INVALID",
    ],
    [
      "index lacks a tensor",
      (d: string) => {
        const ix = readIndex(d);
        delete ix.weight_map["lm_head.weight"];
        writeFileSync(index(d), JSON.stringify(ix));
      },
      "MODEL_WEIGHT_MISSING",
    ],
  ])("%s → %s", async (_name, corrupt, code) => {
    const dir = copyFixture(sharded);
    corrupt(dir);
    expect(await codeOf(() => loadModel(dir))).toBe(code);
  });
});

describe("token and option errors", () => {
  it("ids outside the vocabulary, non-integer ids, bad rows and bad temperatures are coded errors", async () => {
    const model = await loadModel(copyFixture(base));
    expect(await codeOf(() => model.score([[1, 97]]))).toBe("MODEL_TOKEN_OUT_OF_RANGE");
    expect(await codeOf(() => model.score([[-1, 2]]))).toBe("MODEL_TOKEN_OUT_OF_RANGE");
    expect(await codeOf(() => model.score([[1.5, 2]]))).toBe("MODEL_BAD_TOKENS");
    expect(await codeOf(() => model.score([1, 2] as unknown as number[][]))).toBe("MODEL_BAD_TOKENS");
    expect(await codeOf(() => model.score([[1, 2]], { temperature: 0 }))).toBe("MODEL_BAD_ARGUMENT");
    expect(await codeOf(() => model.score([[1, 2]], { temperature: Number.NaN }))).toBe("MODEL_BAD_ARGUMENT");
    expect(model.score([[], [5]]).logp.map((a) => a.length)).toEqual([0, 0]);
    model.dispose();
    expect(await codeOf(() => model.score([[1, 2]]))).toBe("MODEL_BAD_ARGUMENT");
  });
});
