export { type BootstrapOptions, bootstrapCI, type ConfidenceInterval } from "./bootstrap.js";
export { avgAtK, majAtK, passAtK, type VoteSample } from "./pass-at-k.js";
