import { COMMON_LOSS_DEFAULTS, type CommonLossOptions, type PolicyLossDefinition } from "../contracts/policy-loss.js";
import { SentrlError } from "../errors.js";
import { LOSS_AGG_MODES } from "./aggregation.js";
import { assertKlLossType } from "./kl.js";
import { badLossOption, LossOptionError } from "./option-checks.js";

/** The keys every loss accepts (docs/contracts.md §2). */
export const COMMON_LOSS_KEYS = Object.keys(COMMON_LOSS_DEFAULTS) as (keyof CommonLossOptions)[];

/** Throws `LOSS_BAD_OPTION` unless every common option has a valid type and range. */
export function validateCommonOptions(o: CommonLossOptions): void {
  if (!(LOSS_AGG_MODES as readonly unknown[]).includes(o.lossAggMode))
    badLossOption("lossAggMode", o.lossAggMode, `one of ${LOSS_AGG_MODES.join(", ")}`);
  if (
    o.lossAggNorm !== undefined &&
    !(typeof o.lossAggNorm === "number" && Number.isFinite(o.lossAggNorm) && o.lossAggNorm > 0)
  ) {
    badLossOption("lossAggNorm", o.lossAggNorm, "a positive number (the trainer passes maxResponseTokens)");
  }
  if (typeof o.useKlLoss !== "boolean") badLossOption("useKlLoss", o.useKlLoss, "true or false");
  if (typeof o.klLossCoef !== "number" || !Number.isFinite(o.klLossCoef))
    badLossOption("klLossCoef", o.klLossCoef, "a finite number");
  assertKlLossType(o.klLossType);
  if (typeof o.entropyCoeff !== "number" || !Number.isFinite(o.entropyCoeff))
    badLossOption("entropyCoeff", o.entropyCoeff, "a finite number");
}

/** Common options and the loss's own options, split out of one flat config. */
export interface ResolvedLossOptions<O extends Record<string, unknown> = Record<string, unknown>> {
  common: CommonLossOptions;
  /** Only the loss's own keys that the config sets (the definition's `create` applies its defaults). */
  options: Partial<O>;
}

/**
 * Splits a flat loss config (e.g. `sentrl loss --config`) into the common options (`COMMON_LOSS_DEFAULTS` filled
 * in) and the loss's own options. An unknown key throws `LOSS_UNKNOWN_OPTION` listing every valid key; a value of
 * the wrong type (compared with the key's default) or out of range throws `LOSS_BAD_OPTION`. `null` means "use the
 * default". The loss's own ranges are checked by its `create`.
 *
 * @example
 * ```ts
 * import { grpoLoss, resolveLossOptions } from "@sentrl/core";
 * const { common, options } = resolveLossOptions(grpoLoss, { useKlLoss: true, clipRatioHigh: 0.28 });
 * common.klLossType; // "low_var_kl"
 * options; // { clipRatioHigh: 0.28 }
 * ```
 */
export function resolveLossOptions<O extends Record<string, unknown>>(
  def: PolicyLossDefinition<O>,
  config: Record<string, unknown>,
): ResolvedLossOptions<O> {
  if (config === null || typeof config !== "object" || Array.isArray(config)) {
    throw new SentrlError("LOSS_BAD_OPTION", "the loss config must be a JSON object");
  }
  const own = Object.keys(def.defaults);
  const common: Record<string, unknown> = { ...COMMON_LOSS_DEFAULTS };
  const options: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(config)) {
    const isCommon = (COMMON_LOSS_KEYS as string[]).includes(key);
    if (!isCommon && !own.includes(key)) {
      const valid = [...COMMON_LOSS_KEYS, ...own].join(", ");
      throw new LossOptionError(
        "LOSS_UNKNOWN_OPTION",
        key,
        `unknown option \`${key}\` for loss \`${def.name}\`; valid options: ${valid}`,
      );
    }
    if (value === null || value === undefined) continue;
    if (isCommon) {
      common[key] = value;
      continue;
    }
    const d = def.defaults[key];
    if (d !== undefined && d !== null && typeof value !== typeof d) {
      badLossOption(key, value, `a ${typeof d} (default ${JSON.stringify(d)})`);
    }
    if (typeof value === "number" && !Number.isFinite(value)) badLossOption(key, value, "a finite number");
    options[key] = value;
  }
  validateCommonOptions(common as unknown as CommonLossOptions);
  return { common: common as unknown as CommonLossOptions, options: options as Partial<O> };
}
