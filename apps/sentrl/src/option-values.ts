import { UsageError } from "./usage-error.js";

// Checking string flag values (`util.parseArgs` gives strings): a choice from a list, a number with bounds.
// Failures are UsageErrors (exit 2) that name the flag and what it accepts.

/**
 * The flag's value if it is one of `allowed`; `fallback` when the flag is absent (required when no fallback).
 *
 * @example
 * const estimator = oneOf(values.estimator, "--estimator", SE_ESTIMATORS, "lengthNormalized");
 */
export function oneOf<T extends string>(value: unknown, flag: string, allowed: readonly T[], fallback?: T): T {
  const s = (value as string | undefined) ?? fallback;
  if (s === undefined) throw new UsageError(`${flag} is required; use one of ${allowed.join(", ")}`);
  if (!allowed.includes(s as T)) throw new UsageError(`unknown ${flag} \`${s}\`; use one of ${allowed.join(", ")}`);
  return s as T;
}

/**
 * The flag's value as a number (undefined when absent); `int` requires an integer, `min` a lower bound.
 *
 * @example
 * const samples = numberOption(values.samples, "--samples", { int: true, min: 1 }) ?? 8;
 */
export function numberOption(
  value: unknown,
  flag: string,
  opts: { int?: boolean; min?: number } = {},
): number | undefined {
  if (value === undefined) return undefined;
  const x = Number(value);
  if (
    String(value).trim() === "" ||
    !Number.isFinite(x) ||
    (opts.int && !Number.isInteger(x)) ||
    (opts.min !== undefined && x < opts.min)
  )
    throw new UsageError(
      `${flag} must be ${opts.int ? "an integer" : "a number"}${opts.min !== undefined ? ` ≥ ${opts.min}` : ""}, got \`${String(value)}\``,
    );
  return x;
}
