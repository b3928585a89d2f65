/** @sentrl/evaluators: answer extraction and checkers, benchmark loaders, pass@k/avg@k and an eval runner. */
export * from "./symbolic/index.js";
