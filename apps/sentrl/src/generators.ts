import type { Backend } from "@sentrl/compute";
import { SentrlError } from "@sentrl/core";
import { registerGeneratorScheme } from "@sentrl/generators";

let done = false;

/**
 * Registers the generator schemes the app provides on top of core's built-ins: `local:<dir>` (our own model,
 * docs/contracts.md §7) and `onnx:<dir>` (`@sentrl/onnx`). `@sentrl/model` / `@sentrl/onnx` are imported only when
 * such a spec is actually built, so commands that never use them do not load them. Idempotent; a `local:` or
 * `onnx:` scheme someone else registered first is left in place.
 * Factory options read: `backend` (a `@sentrl/compute` Backend), `batchSize`, `chatTemplateVariables`.
 *
 * @example
 * ```ts
 * import { createGenerator } from "@sentrl/generators";
 * import { registerAppGenerators } from "./generators.js";
 * registerAppGenerators();
 * const gen = await createGenerator("local:models/Qwen2.5-0.5B-Instruct");
 * ```
 */
export function registerAppGenerators(): void {
  if (done) return;
  done = true;
  try {
    registerGeneratorScheme("local", async (spec, options) => {
      const { createLocalGenerator } = await import("@sentrl/model");
      return createLocalGenerator(spec.target, {
        spec: spec.spec,
        backend: options.backend as Backend | undefined,
        batchSize: options.batchSize as number | undefined,
        chatTemplateVariables: options.chatTemplateVariables as Record<string, unknown> | undefined,
      });
    });
  } catch (e) {
    if (!(e instanceof SentrlError && e.code === "GENERATOR_SCHEME_DUPLICATE")) throw e;
  }
  try {
    // `onnx:<dir>` (docs/contracts.md §7): `@sentrl/onnx` and its optional peers load only when such a spec is built.
    registerGeneratorScheme("onnx", async (spec) => {
      const { createOnnxGenerator } = await import("@sentrl/onnx");
      return createOnnxGenerator(spec.target, { spec: spec.spec });
    });
  } catch (e) {
    if (!(e instanceof SentrlError && e.code === "GENERATOR_SCHEME_DUPLICATE")) throw e;
  }
}
