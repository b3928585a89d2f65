/** @sentrl/evaluators: Math answer extraction and checkers (dapo, opencompass-v2, symbolic), benchmark loaders, pass@k/avg@k and an eval runner. */
export {};
