/**
 * Answer checking, shared by the reward (`Verifier`), evaluation and semantic-entropy clustering.
 * `@sentrl/evaluators` implements `dapo`, `opencompass-v2` and `symbolic`.
 */
export interface CheckResult {
  correct: boolean;
  /** What the checker read as the final answer (null when it found none). */
  extracted: string | null;
}

export interface AnswerChecker {
  readonly name: string;
  /** The final answer as this checker reads it from a response, or null. */
  extract(response: string): string | null;
  /** Judge a response against a gold (a list means any of them). */
  check(response: string, gold: string | string[]): CheckResult;
  /**
   * For string checkers: a canonical key such that two extracted answers are equivalent iff their keys are equal
   * (lets clustering be O(n)). Absent for checkers whose equivalence is not a key equality (`symbolic`).
   */
  canonicalKey?(extracted: string): string;
  /** Equivalence of two extracted answers (always present). */
  equivalent(a: string, b: string): boolean;
}

/** The reward strategy: a scalar reward per response. */
export interface Verifier {
  readonly name: string;
  score(
    response: string,
    sample: { gold: string | string[]; [key: string]: unknown },
  ): { reward: number; correct: boolean; extracted: string | null };
}
