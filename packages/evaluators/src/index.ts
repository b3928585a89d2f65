/**
 * @sentrl/evaluators: answer extraction and checkers, the checkers as trainer rewards (`mathRewards`), benchmark
 * loaders, pass@k/avg@k and an eval runner.
 */
export * from "./symbolic/index.js";
export * from "./extract/index.js";
export * from "./checkers/index.js";
export * from "./metrics/index.js";
export * from "./benchmarks/index.js";
export * from "./eval/index.js";
export * from "./rewards/index.js";
export { cpLength, lastCodePoints, pyIsDigit, pyStrip } from "./text/python.js";
