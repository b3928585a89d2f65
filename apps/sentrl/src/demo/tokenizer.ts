/**
 * The demo's tokenizer: a Hugging Face `tokenizer.json` (byte-level BPE with no merges, so one token per symbol)
 * over the task's symbols, `\boxed{` as one added token, and a chat template with role tokens. Loaded by
 * `@sentrl/model`'s `loadTokenizer` like any other model folder's tokenizer.
 */
import { join } from "node:path";
import { writeFileAtomic } from "@sentrl/core";

/** Byte-level spellings: GPT-2's byte alphabet maps `\n` (byte 10) to `Ċ`; printable ASCII maps to itself. */
const SYMBOLS = ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "+", "}", "Ċ"];
export const BOXED_TOKEN = "\\boxed{";
export const USER_TOKEN = "<|user|>";
export const ASSISTANT_TOKEN = "<|assistant|>";
export const END_TOKEN = "<|end|>";

/** `<|user|>3+5+2<|end|><|assistant|>` for one user turn (the generation prompt); turns end with `<|end|>`. */
export const CHAT_TEMPLATE =
  "{% for m in messages %}<|{{ m.role }}|>{{ m.content }}<|end|>{% endfor %}" +
  "{% if add_generation_prompt %}<|assistant|>{% endif %}";

/** The parsed `tokenizer.json`. */
export function demoTokenizerJson(): Record<string, unknown> {
  const vocab = Object.fromEntries(SYMBOLS.map((s, i) => [s, i]));
  const added = [BOXED_TOKEN, USER_TOKEN, ASSISTANT_TOKEN, END_TOKEN, "<|system|>"].map((content, j) => ({
    id: SYMBOLS.length + j,
    content,
    special: content !== BOXED_TOKEN,
    lstrip: false,
    rstrip: false,
    normalized: false,
    single_word: false,
  }));
  return {
    version: "1.0",
    truncation: null,
    padding: null,
    added_tokens: added,
    normalizer: null,
    pre_tokenizer: { type: "ByteLevel", add_prefix_space: false, trim_offsets: false, use_regex: true },
    post_processor: null,
    decoder: { type: "ByteLevel", add_prefix_space: false, trim_offsets: false, use_regex: true },
    model: { type: "BPE", dropout: null, unk_token: null, fuse_unk: false, byte_fallback: false, vocab, merges: [] },
  };
}

/** Vocabulary size (symbols + added tokens). */
export const DEMO_VOCAB_SIZE = SYMBOLS.length + 5;
/** Id of `<|end|>`: the EOS. */
export const END_TOKEN_ID = SYMBOLS.length + 3;

/** Writes `tokenizer.json`, `tokenizer_config.json` (chat template, EOS) and `generation_config.json` into `dir`. */
export async function writeDemoTokenizer(dir: string): Promise<void> {
  await writeFileAtomic(join(dir, "tokenizer.json"), `${JSON.stringify(demoTokenizerJson())}\n`);
  await writeFileAtomic(
    join(dir, "tokenizer_config.json"),
    `${JSON.stringify({ eos_token: END_TOKEN, pad_token: END_TOKEN, chat_template: CHAT_TEMPLATE, model_max_length: 256 }, null, 2)}\n`,
  );
  await writeFileAtomic(
    join(dir, "generation_config.json"),
    `${JSON.stringify({ eos_token_id: END_TOKEN_ID, temperature: 1, max_new_tokens: 96 }, null, 2)}\n`,
  );
}
