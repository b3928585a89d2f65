/**
 * Every error sentrl throws on purpose carries a stable `code` (UPPER_SNAKE) and says what to do.
 * The CLI prints it as `sentrl: <CODE>: <message>`.
 *
 * @example
 * ```ts
 * import { SentrlError } from "@sentrl/core";
 * const err = new SentrlError("CONFIG_UNKNOWN_KEY", "unknown key `foo`; valid keys: a, b");
 * err.code; // "CONFIG_UNKNOWN_KEY"
 * ```
 */
export class SentrlError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "SentrlError";
    this.code = code;
  }
}

/** True for any error that carries a sentrl code (also across package copies). */
export function isSentrlError(e: unknown): e is SentrlError {
  if (!(e instanceof Error)) return false;
  const code = (e as Error & { code?: unknown }).code;
  return typeof code === "string" && /^[A-Z][A-Z0-9_]*$/.test(code);
}
