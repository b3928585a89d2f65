import { SentrlError } from "../errors.js";

// Option checks for loss authors: the same LOSS_BAD_OPTION / LOSS_UNKNOWN_OPTION errors from every loss.

/** A bad or unknown loss option; `option` is its key, so a config layer can name the field without reading text. */
export class LossOptionError extends SentrlError {
  readonly option: string;
  constructor(code: "LOSS_BAD_OPTION" | "LOSS_UNKNOWN_OPTION", option: string, message: string) {
    super(code, message);
    this.name = "LossOptionError";
    this.option = option;
  }
}

/**
 * Throws `LOSS_BAD_OPTION`: "`key` must be <what>, got <value>".
 *
 * @example
 * ```ts
 * import { badLossOption } from "@sentrl/core";
 * if (mode !== "a" && mode !== "b") badLossOption("mode", mode, "one of a, b");
 * ```
 */
export function badLossOption(key: string, value: unknown, what: string): never {
  throw new LossOptionError("LOSS_BAD_OPTION", key, `\`${key}\` must be ${what}, got ${JSON.stringify(value)}`);
}

/**
 * Returns `value` if it is a finite number accepted by `ok`, else throws `LOSS_BAD_OPTION` saying `what` it must be.
 *
 * @example
 * ```ts
 * import { checkNumberOption } from "@sentrl/core";
 * const ratio = checkNumberOption("clipRatio", 0.2, (x) => x >= 0, "a number >= 0"); // 0.2
 * ```
 */
export function checkNumberOption(key: string, value: unknown, ok: (x: number) => boolean, what: string): number {
  if (typeof value !== "number" || !Number.isFinite(value) || !ok(value)) badLossOption(key, value, what);
  return value;
}

/**
 * A loss's options with its defaults filled in, after rejecting keys that are not in `defaults`
 * (`LOSS_UNKNOWN_OPTION`, listing the valid ones). `undefined`/`null` values mean "use the default".
 * Ranges are the caller's to check (see {@link checkNumberOption}).
 *
 * @example
 * ```ts
 * import { withLossDefaults } from "@sentrl/core";
 * withLossDefaults("my-loss", { beta: 0.1, frac: 0.2 }, { beta: 0.5 }); // { beta: 0.5, frac: 0.2 }
 * ```
 */
export function withLossDefaults<O extends Record<string, unknown>>(
  loss: string,
  defaults: O,
  options: Partial<O> = {},
): O {
  const valid = Object.keys(defaults);
  const o: Record<string, unknown> = { ...defaults };
  for (const [key, v] of Object.entries(options)) {
    if (!valid.includes(key)) {
      throw new LossOptionError(
        "LOSS_UNKNOWN_OPTION",
        key,
        `unknown option \`${key}\` for loss \`${loss}\`; valid options: ${valid.join(", ")}`,
      );
    }
    if (v !== undefined && v !== null) o[key] = v;
  }
  return o as O;
}
