import { badLossOption, checkNumberOption, withLossDefaults } from "@sentrl/core";

/** The three SENT modes (docs/algorithms.md §1, §5.2, §5.3, §5.5). */
export type SentMode = "code-intended" | "code-exact" | "paper";
/** Which entropy tail the token-selective KL acts on: SENT's low-entropy set, or the §7.7 high-entropy ablation. */
export type SentTokenSet = "low" | "high";

/** Options of the `sent` loss (docs/contracts.md §2); every key with its default is in {@link SENT_DEFAULTS}. */
export type SentOptions = {
  /** `code-intended` (default): the released code with its indexing bug fixed; `code-exact`: bug included; `paper`. */
  mode: SentMode;
  /** `low` (SENT) or `high` (the "w/ High_En" ablation, docs/algorithms.md §7.7). */
  tokenSet: SentTokenSet;
  /** Fraction of the scope's valid tokens in the low-entropy set: k = max(1, trunc(n·frac)). */
  lowEntropyFrac: number;
  /** Fraction in the high-entropy set when `tokenSet` is `high`. */
  highEntropyFrac: number;
  /** Fraction of the token set picked by covariance: k_cov = max(1, trunc(k_set·ratio)). */
  klCovRatio: number;
  /** Base coefficient of the |log π − log π_old| penalty (code modes). */
  ppoKlCoef: number;
  /** β_high = ppoKlCoef·highCovCoef on the top-covariance tokens (code modes). */
  highCovCoef: number;
  /** β_low = ppoKlCoef·lowCovCoef on the bottom-covariance tokens (code modes). */
  lowCovCoef: number;
  /** Paper mode: β on the high-covariance part of the token set. */
  betaHigh: number;
  /** Paper mode: β on the rest of the token set. */
  betaLow: number;
  /** Paper mode: ε of the clipped surrogate. */
  clipRatio: number;
};

/** Defaults of the `sent` loss (docs/contracts.md §2, docs/algorithms.md §5.2/§5.5). */
export const SENT_DEFAULTS: SentOptions = {
  mode: "code-intended",
  tokenSet: "low",
  lowEntropyFrac: 0.8,
  highEntropyFrac: 0.2,
  klCovRatio: 0.0002,
  ppoKlCoef: 0.1,
  highCovCoef: 2.0,
  lowCovCoef: 0.5,
  betaHigh: 0.2,
  betaLow: 0.05,
  clipRatio: 0.2,
};

/** Options of the `sent-v1` loss (docs/algorithms.md §7.8). */
export type SentV1Options = {
  lowEntropyFrac: number;
  ppoKlCoef: number;
};

/** Defaults of the `sent-v1` loss. */
export const SENT_V1_DEFAULTS: SentV1Options = { lowEntropyFrac: 0.8, ppoKlCoef: 0.1 };

const MODES: readonly SentMode[] = ["code-intended", "code-exact", "paper"];
const TOKEN_SETS: readonly SentTokenSet[] = ["low", "high"];

const fraction = (x: number) => x > 0 && x <= 1;
const nonNeg = (x: number) => x >= 0;

/** Fills defaults and validates the `sent` options (`LOSS_BAD_OPTION`, `LOSS_UNKNOWN_OPTION`). */
export function resolveSentOptions(options: Partial<SentOptions> = {}): SentOptions {
  const o = withLossDefaults("sent", SENT_DEFAULTS, options);
  if (!MODES.includes(o.mode)) badLossOption("mode", o.mode, `one of ${MODES.join(", ")}`);
  if (!TOKEN_SETS.includes(o.tokenSet)) badLossOption("tokenSet", o.tokenSet, `one of ${TOKEN_SETS.join(", ")}`);
  checkNumberOption("lowEntropyFrac", o.lowEntropyFrac, fraction, "a fraction in (0, 1]");
  checkNumberOption("highEntropyFrac", o.highEntropyFrac, fraction, "a fraction in (0, 1]");
  checkNumberOption("klCovRatio", o.klCovRatio, (x) => x >= 0 && x <= 1, "a ratio in [0, 1]");
  for (const key of ["ppoKlCoef", "highCovCoef", "lowCovCoef", "betaHigh", "betaLow", "clipRatio"] as const) {
    checkNumberOption(key, o[key], nonNeg, "a number >= 0");
  }
  return o;
}

/** Fills defaults and validates the `sent-v1` options. */
export function resolveSentV1Options(options: Partial<SentV1Options> = {}): SentV1Options {
  const o = withLossDefaults("sent-v1", SENT_V1_DEFAULTS, options);
  checkNumberOption("lowEntropyFrac", o.lowEntropyFrac, fraction, "a fraction in (0, 1]");
  checkNumberOption("ppoKlCoef", o.ppoKlCoef, nonNeg, "a number >= 0");
  return o;
}
