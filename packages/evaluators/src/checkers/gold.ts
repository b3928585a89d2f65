import { SentrlError } from "@sentrl/core";

/**
 * Longest response or gold (UTF-16 units) a string checker reads; longer inputs are judged incorrect with nothing
 * extracted. Every scanner is linear, so this bounds memory and time per item, not correctness.
 */
export const MAX_CHECK_CHARS = 4_000_000;

/** A gold as a list (a list means any of them). Numbers are accepted and written as JS prints them. */
export function asGoldList(gold: unknown): string[] {
  if (typeof gold === "string") return [gold];
  if (typeof gold === "number" && Number.isFinite(gold)) return [String(gold)];
  if (Array.isArray(gold) && gold.length > 0) return gold.flatMap((g) => asGoldList(g));
  throw new SentrlError(
    "GRADE_BAD_GOLD",
    `a gold must be a string or a non-empty list of strings, got ${JSON.stringify(gold)}`,
  );
}
