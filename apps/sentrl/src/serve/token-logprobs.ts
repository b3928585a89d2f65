import type { Tokenizer } from "@sentrl/model";

/** How one sampled token is spelt in a `logprobs` object (docs/contracts.md §10). */
export class TokenSpeller {
  private readonly utf8 = new TextDecoder("utf-8");

  constructor(
    private readonly tokenizer: Tokenizer | undefined,
    /** vLLM's `return_tokens_as_token_ids`: `token_id:<id>`. */
    private readonly asIds: boolean,
  ) {}

  /** The token's text (a special token's own string; `token_id:<id>` when asked or without a tokenizer). */
  text(id: number): string {
    const t = this.tokenizer;
    if (this.asIds || !t || !t.has(id)) return `token_id:${id}`;
    return t.isSpecial(id) ? t.tokenString(id) : this.utf8.decode(t.tokenBytes(id));
  }

  /** UTF-8 bytes of the token (chat `bytes`). */
  bytes(id: number): number[] {
    const t = this.tokenizer;
    if (!t?.has(id)) return [];
    return Array.from(t.isSpecial(id) ? new TextEncoder().encode(t.tokenString(id)) : t.tokenBytes(id));
  }

  /** Characters the token adds to the completion text (special tokens add none). */
  width(id: number): number {
    const t = this.tokenizer;
    return t?.has(id) && !t.isSpecial(id) ? this.utf8.decode(t.tokenBytes(id)).length : 0;
  }
}

/** The completions `logprobs` object for tokens `ids` (`textOffset` = characters before the first one). */
export function completionLogprobs(speller: TokenSpeller, ids: number[], logprobs: number[], top: number, textOffset: number) {
  const tokens = ids.map((id) => speller.text(id));
  const offsets: number[] = [];
  let at = textOffset;
  for (const id of ids) {
    offsets.push(at);
    at += speller.width(id);
  }
  return {
    tokens,
    token_logprobs: logprobs,
    // Only the sampled token's log-prob is known (the engine downloads no distributions).
    top_logprobs: top > 0 ? tokens.map((t, j) => ({ [t]: logprobs[j] })) : null,
    text_offset: offsets,
  };
}

/** The chat `logprobs` object for tokens `ids`. */
export function chatLogprobs(speller: TokenSpeller, ids: number[], logprobs: number[], top: number) {
  return {
    content: ids.map((id, j) => {
      const entry = { token: speller.text(id), logprob: logprobs[j], bytes: speller.bytes(id) };
      return { ...entry, top_logprobs: top > 0 ? [entry] : [] };
    }),
  };
}
