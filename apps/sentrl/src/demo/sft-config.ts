/**
 * The `sentrl sft` configuration: where the model starts (a fresh Qwen2 of a given shape, or a model folder), the
 * tokenizer folder, the JSONL data (`{"prompt": string | chat messages, "response": string}` per line) and the
 * optimisation settings. Validated field by field (`SFT_CONFIG_*` errors name the field).
 */
import { SentrlError } from "@sentrl/core";
import type { SftSettings } from "./sft.js";

export interface SftConfig {
  /** `init`: Hugging Face config.json fields of a fresh model, seeded; `dir`: continue from a model folder. */
  model: { init: Record<string, unknown>; seed: number } | { dir: string };
  /** Folder with tokenizer.json (+ tokenizer_config.json with the chat template); copied into the output. */
  tokenizer: string;
  /** JSONL file of prompt/response pairs. */
  data: string;
  settings: SftSettings;
}

const DEFAULTS: Omit<SftSettings, "steps"> = {
  batchSize: 32,
  lr: 1e-3,
  warmupSteps: 20,
  minLrRatio: 0.1,
  weightDecay: 0.01,
  maxGradNorm: 1,
  seed: 1,
  checkpointEvery: 50,
};

const bad = (field: string, what: string, got: unknown): never => {
  throw new SentrlError("SFT_CONFIG_BAD_FIELD", `config.${field}: expected ${what}, got ${JSON.stringify(got)}`);
};

const isObj = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v);

/** Validates a parsed config (paths are left as written; the caller resolves them). */
export function parseSftConfig(raw: unknown): SftConfig {
  if (!isObj(raw)) bad("", "an object", raw);
  const r = raw as Record<string, unknown>;
  const valid = ["model", "tokenizer", "data", ...Object.keys(DEFAULTS), "steps"];
  for (const k of Object.keys(r))
    if (!valid.includes(k))
      throw new SentrlError(
        "SFT_CONFIG_UNKNOWN_FIELD",
        `config.${k}: unknown field; valid fields: ${valid.join(", ")}`,
      );
  const m = r.model;
  let model: SftConfig["model"];
  if (isObj(m) && typeof m.dir === "string" && m.init === undefined) model = { dir: m.dir };
  else if (isObj(m) && isObj(m.init)) {
    const seed = m.seed ?? 1;
    if (!Number.isInteger(seed)) bad("model.seed", "an integer", seed);
    model = { init: m.init, seed: seed as number };
  } else return bad("model", '{"init": {<config.json fields>}, "seed": n} or {"dir": "<model folder>"}', m);
  if (typeof r.tokenizer !== "string") bad("tokenizer", "a folder with tokenizer.json", r.tokenizer);
  if (typeof r.data !== "string") bad("data", "a JSONL file of {prompt, response} rows", r.data);
  const int = (k: string, min: number, v: unknown) => {
    if (!(Number.isInteger(v) && (v as number) >= min)) bad(k, `an integer ≥ ${min}`, v);
    return v as number;
  };
  const num = (k: string, v: unknown, ok: (x: number) => boolean, what: string) => {
    if (!(typeof v === "number" && Number.isFinite(v) && ok(v))) bad(k, what, v);
    return v as number;
  };
  const s = {
    ...DEFAULTS,
    ...Object.fromEntries(
      Object.keys(DEFAULTS)
        .filter((k) => r[k] !== undefined)
        .map((k) => [k, r[k]]),
    ),
  };
  const settings: SftSettings = {
    steps: int("steps", 1, r.steps),
    batchSize: int("batchSize", 1, s.batchSize),
    lr: num("lr", s.lr, (x) => x > 0, "a number > 0"),
    warmupSteps: int("warmupSteps", 0, s.warmupSteps),
    minLrRatio: num("minLrRatio", s.minLrRatio, (x) => x >= 0 && x <= 1, "a number in [0, 1]"),
    weightDecay: num("weightDecay", s.weightDecay, (x) => x >= 0, "a number ≥ 0"),
    maxGradNorm: num("maxGradNorm", s.maxGradNorm, () => true, "a number (≤ 0: no clipping)"),
    seed: int("seed", 0, s.seed),
    checkpointEvery: int("checkpointEvery", 0, s.checkpointEvery),
  };
  return { model, tokenizer: r.tokenizer as string, data: r.data as string, settings };
}
