import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { ModelError } from "../errors.js";
import { type ChatTemplateMessage, renderChatTemplate } from "./chat-template.js";
import { Tokenizer, type TokenizerJson } from "./tokenizer.js";

/** Default sampling settings from `generation_config.json` (absent keys: none given). */
export interface GenerationDefaults {
  temperature?: number;
  topP?: number;
  topK?: number;
  maxTokens?: number;
}

/** A tokenizer with what the model folder says around it: chat template, special tokens, EOS ids, sampling defaults. */
export interface ModelTokenizer {
  tokenizer: Tokenizer;
  /** The Jinja chat template (`tokenizer_config.json`'s `chat_template`, or the `default` named one). */
  chatTemplate?: string;
  /** `bos_token`, `eos_token`, `pad_token`, `unk_token` as strings (for templates). */
  specialTokens: Record<string, string>;
  /** Every id that ends a generation: generation_config's `eos_token_id`(s), config.json's, and the tokenizer's eos_token. */
  eosTokenIds: number[];
  generation: GenerationDefaults;
  /** Renders messages with the chat template (`CHAT_TEMPLATE_MISSING` without one). */
  applyChatTemplate(
    messages: readonly ChatTemplateMessage[],
    options?: { addGenerationPrompt?: boolean; variables?: Record<string, unknown> },
  ): string;
}

function readJson(path: string, required: boolean): Record<string, unknown> | undefined {
  if (!existsSync(path)) {
    if (required)
      throw new ModelError(
        "TOKENIZER_FILES_MISSING",
        `${path} not found: the model folder needs a Hugging Face tokenizer.json to tokenise text`,
      );
    return undefined;
  }
  try {
    return JSON.parse(readFileSync(path, "utf8"));
  } catch (e) {
    throw new ModelError("TOKENIZER_INVALID", `${path} is not valid JSON: ${(e as Error).message}`);
  }
}

function tokenText(v: unknown): string | undefined {
  if (typeof v === "string") return v;
  if (v && typeof v === "object" && typeof (v as { content?: unknown }).content === "string")
    return (v as { content: string }).content;
  return undefined;
}

function ids(v: unknown): number[] {
  if (Number.isInteger(v)) return [v as number];
  if (Array.isArray(v)) return v.filter((x) => Number.isInteger(x));
  return [];
}

function num(v: unknown): number | undefined {
  return typeof v === "number" && Number.isFinite(v) ? v : undefined;
}

/** Builds a `ModelTokenizer` from already-parsed files (`tokenizerConfig`, `generationConfig`, `modelConfig` optional). */
export function createModelTokenizer(files: {
  tokenizerJson: unknown;
  tokenizerConfig?: Record<string, unknown>;
  generationConfig?: Record<string, unknown>;
  modelConfig?: Record<string, unknown>;
}): ModelTokenizer {
  const tokenizer = new Tokenizer(files.tokenizerJson as TokenizerJson);
  const cfg = files.tokenizerConfig ?? {};
  const gen = files.generationConfig ?? {};
  const specialTokens: Record<string, string> = {};
  for (const key of ["bos_token", "eos_token", "pad_token", "unk_token"]) {
    const t = tokenText(cfg[key]);
    if (t !== undefined) specialTokens[key] = t;
  }
  let chatTemplate: string | undefined;
  const ct = cfg.chat_template;
  if (typeof ct === "string") chatTemplate = ct;
  else if (Array.isArray(ct)) chatTemplate = (ct.find((t) => t?.name === "default") ?? ct[0])?.template;
  const eos = new Set<number>([...ids(gen.eos_token_id), ...ids(files.modelConfig?.eos_token_id)]);
  const eosId = specialTokens.eos_token !== undefined ? tokenizer.tokenId(specialTokens.eos_token) : undefined;
  if (eosId !== undefined) eos.add(eosId);
  const generation: GenerationDefaults = {};
  if (gen.do_sample === false) generation.temperature = 0;
  else if (num(gen.temperature) !== undefined) generation.temperature = num(gen.temperature);
  if (num(gen.top_p) !== undefined) generation.topP = num(gen.top_p);
  if (num(gen.top_k) !== undefined) generation.topK = num(gen.top_k);
  if (num(gen.max_new_tokens) !== undefined) generation.maxTokens = num(gen.max_new_tokens);
  return {
    tokenizer,
    chatTemplate,
    specialTokens,
    eosTokenIds: [...eos].sort((a, b) => a - b),
    generation,
    applyChatTemplate(messages, options = {}) {
      if (chatTemplate === undefined)
        throw new ModelError(
          "CHAT_TEMPLATE_MISSING",
          "tokenizer_config.json has no chat_template: pass the prompt as text instead of messages",
        );
      return renderChatTemplate(chatTemplate, messages, {
        addGenerationPrompt: options.addGenerationPrompt,
        variables: { ...specialTokens, ...options.variables },
      });
    },
  };
}

/**
 * Loads the tokenizer of a Hugging Face model folder: `tokenizer.json` (required), `tokenizer_config.json` (special
 * tokens, `chat_template`), `generation_config.json` and `config.json` (EOS ids, sampling defaults), all optional.
 *
 * @example
 * ```ts
 * import { loadTokenizer } from "@sentrl/model";
 * const tok = loadTokenizer("models/Qwen2.5-0.5B-Instruct");
 * const prompt = tok.applyChatTemplate([{ role: "user", content: "What is 2+2?" }]);
 * const ids = tok.tokenizer.encode(prompt);
 * tok.eosTokenIds; // [151643, 151645]
 * ```
 */
export function loadTokenizer(dir: string): ModelTokenizer {
  return createModelTokenizer({
    tokenizerJson: readJson(join(dir, "tokenizer.json"), true),
    tokenizerConfig: readJson(join(dir, "tokenizer_config.json"), false),
    generationConfig: readJson(join(dir, "generation_config.json"), false),
    modelConfig: readJson(join(dir, "config.json"), false),
  });
}
