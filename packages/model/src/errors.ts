/**
 * Errors from `@sentrl/model`: each carries a stable UPPER_SNAKE `code` and says what to do (the sentrl CLI prints
 * `sentrl: <CODE>: <message>`).
 *
 * Codes: `MODEL_FILES_MISSING`, `MODEL_CONFIG_INVALID`, `MODEL_UNSUPPORTED_ARCHITECTURE`,
 * `MODEL_UNSUPPORTED_ROPE_SCALING`, `MODEL_UNSUPPORTED_SLIDING_WINDOW`, `MODEL_SHARD_INDEX_INVALID`,
 * `MODEL_WEIGHT_MISSING`, `MODEL_WEIGHT_SHAPE`, `MODEL_WEIGHT_UNEXPECTED`, `MODEL_TOKEN_OUT_OF_RANGE`,
 * `MODEL_BAD_TOKENS`, `MODEL_BAD_ARGUMENT`, `SAFETENSORS_TRUNCATED`, `SAFETENSORS_HEADER_TOO_LARGE`,
 * `SAFETENSORS_BAD_HEADER`, `SAFETENSORS_BAD_OFFSETS`, `SAFETENSORS_UNSUPPORTED_DTYPE`, `SAFETENSORS_WRITE`.
 *
 * @example
 * ```ts
 * import { ModelError } from "@sentrl/model";
 * try { await loadModel("missing-dir"); } catch (e) { if (e instanceof ModelError) console.log(e.code); }
 * ```
 */
export class ModelError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "ModelError";
    this.code = code;
  }
}
