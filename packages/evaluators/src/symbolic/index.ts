import { type AnswerChecker, SentrlError } from "@sentrl/core";

/** Options of the `symbolic` checker (CONTRACTS §4). */
export interface SymbolicCheckerOptions {
  /** Relative tolerance between two decimal literals (default 1e-4). */
  rtol?: number;
  /** `last-number` enables the last-number extraction fallback. */
  fallback?: "none" | "last-number";
}

/** The `symbolic` checker (issue: symbolic checker). Placeholder until that issue lands. */
export function createSymbolicChecker(_options: SymbolicCheckerOptions = {}): AnswerChecker {
  throw new SentrlError("NOT_IMPLEMENTED", "the symbolic checker is not implemented yet");
}
