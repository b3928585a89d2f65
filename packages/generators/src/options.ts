import { type GenerateOptions, type GenerationPrompt, SentrlError } from "@sentrl/core";

/** Checks the options every generator reads (`GENERATE_BAD_OPTION`). */
export function validateGenerateOptions(options: GenerateOptions): void {
  if (!Number.isInteger(options?.n) || options.n < 1) {
    throw new SentrlError("GENERATE_BAD_OPTION", `n must be a positive integer, got ${options?.n}`);
  }
  for (const key of ["temperature", "topP", "maxTokens", "topK", "seed"] as const) {
    const v = options[key];
    if (v !== undefined && !Number.isFinite(v)) {
      throw new SentrlError("GENERATE_BAD_OPTION", `${key} must be a finite number, got ${v}`);
    }
  }
}

/** Checks a prompt carries an id and exactly the fields a generator can use (`GENERATE_BAD_PROMPT`). */
export function validatePrompt(prompt: GenerationPrompt, index: number, needText: boolean): void {
  if (typeof prompt?.id !== "string") {
    throw new SentrlError("GENERATE_BAD_PROMPT", `prompt #${index} has no string id`);
  }
  if (prompt.tokens !== undefined && (!Array.isArray(prompt.tokens) || prompt.tokens.length === 0 || !prompt.tokens.every((t) => Number.isSafeInteger(t) && t >= 0))) {
    throw new SentrlError("GENERATE_BAD_PROMPT", `prompt "${prompt.id}": tokens must be a non-empty list of non-negative integer ids`);
  }
  if (needText && typeof prompt.text !== "string" && !Array.isArray(prompt.messages) && prompt.tokens === undefined) {
    throw new SentrlError("GENERATE_BAD_PROMPT", `prompt "${prompt.id}" has neither text nor messages`);
  }
}
