/** @sentrl/token-entropy-kl: SENT's token-level loss: KL on low-entropy, high-covariance tokens (code-intended, code-exact and paper modes). */
export {
  resolveSentOptions,
  resolveSentV1Options,
  SENT_DEFAULTS,
  SENT_V1_DEFAULTS,
  type SentMode,
  type SentOptions,
  type SentTokenSet,
  type SentV1Options,
} from "./options.js";
export {
  ENTROPY_QUANTILES,
  entropyTokenSet,
  shiftedMean,
  type SentSelection,
  sentSelect,
  tokenSetSize,
  type ValidTokens,
  validTokens,
} from "./select.js";
export { absKlTokenTerms, paperTokenTerms } from "./token-loss.js";
export { sentLoss } from "./sent.js";
export { type SentV1Selection, sentV1Loss } from "./sent-v1.js";
export { policyLossDefinitions, type TokenEntropyKlPlugin, tokenEntropyKlPlugin } from "./plugin.js";
