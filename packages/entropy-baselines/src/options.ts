import { SentrlError } from "@sentrl/core";

function bad(key: string, v: unknown, what: string): never {
  throw new SentrlError("LOSS_BAD_OPTION", `\`${key}\` must be ${what}, got ${JSON.stringify(v)}`);
}

/** Checks a finite number with a range predicate (`LOSS_BAD_OPTION` otherwise); returns it. */
export function checkNumber(key: string, v: unknown, ok: (x: number) => boolean, what: string): number {
  if (typeof v !== "number" || !Number.isFinite(v) || !ok(v)) bad(key, v, what);
  return v;
}

/**
 * Fills a loss's defaults into its options after rejecting unknown keys (`LOSS_UNKNOWN_OPTION`, listing the
 * valid ones). `undefined`/`null` values mean "use the default".
 */
export function withDefaults<O extends Record<string, unknown>>(loss: string, defaults: O, options: Partial<O>): O {
  const valid = Object.keys(defaults);
  const o: Record<string, unknown> = { ...defaults };
  for (const [key, v] of Object.entries(options)) {
    if (!valid.includes(key)) {
      throw new SentrlError(
        "LOSS_UNKNOWN_OPTION",
        `unknown option \`${key}\` for loss \`${loss}\`; valid options: ${valid.join(", ")}`,
      );
    }
    if (v !== undefined && v !== null) o[key] = v;
  }
  return o as O;
}

export const nonNeg = (x: number) => x >= 0;
export const ratio01 = (x: number) => x >= 0 && x <= 1;
