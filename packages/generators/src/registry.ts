import { type Generator, SentrlError } from "@sentrl/core";
import { createOpenAIGenerator } from "./openai.js";
import { createReplayGenerator } from "./replay.js";
import { type GeneratorSpec, parseGeneratorSpec } from "./spec.js";

/** Options passed through to a scheme's factory (each scheme reads the keys it knows). */
export interface CreateGeneratorOptions {
  /** Environment to read `OPENAI_API_KEY` from (default `process.env`). */
  env?: Record<string, string | undefined>;
  [key: string]: unknown;
}

/** Builds a generator for a parsed spec. */
export type GeneratorFactory = (spec: GeneratorSpec, options: CreateGeneratorOptions) => Generator | Promise<Generator>;

const builtins: Record<string, GeneratorFactory> = {
  replay: (spec) => createReplayGenerator(spec.target, { spec: spec.spec }),
  openai: (spec, options) =>
    createOpenAIGenerator({ ...options, baseURL: spec.baseURL!, model: spec.model!, spec: spec.spec }),
};
const registered = new Map<string, GeneratorFactory>();

const PROVIDERS: Record<string, string> = {
  local: "@sentrl/model (the sentrl app registers it)",
  onnx: "the sentrl app through @huggingface/transformers",
};

/**
 * Adds a generator scheme (the app registers `local:` and `onnx:`; core never imports a model or ONNX). Returns a
 * function that removes it again. Registering a scheme twice is `GENERATOR_SCHEME_DUPLICATE` unless
 * `{ replace: true }`.
 *
 * @example
 * ```ts
 * import { registerGeneratorScheme } from "@sentrl/generators";
 * registerGeneratorScheme("local", async (spec) => (await import("@sentrl/model")).localGenerator(spec.target));
 * ```
 */
export function registerGeneratorScheme(
  scheme: string,
  factory: GeneratorFactory,
  options: { replace?: boolean } = {},
): () => void {
  if (!/^[a-z][a-z0-9+.-]*$/.test(scheme)) {
    throw new SentrlError(
      "GENERATOR_SPEC_INVALID",
      `"${scheme}" is not a valid scheme name (lower-case letters, digits, + . -)`,
    );
  }
  if (registered.has(scheme) && !options.replace) {
    throw new SentrlError(
      "GENERATOR_SCHEME_DUPLICATE",
      `generator scheme "${scheme}:" is already registered; pass { replace: true } to override it`,
    );
  }
  registered.set(scheme, factory);
  return () => {
    if (registered.get(scheme) === factory) registered.delete(scheme);
  };
}

/** Schemes a spec may use right now (built in plus registered). */
export function generatorSchemes(): string[] {
  return [...new Set([...Object.keys(builtins), ...registered.keys()])].sort();
}

/**
 * Builds the generator a spec names (docs/contracts.md §7): `replay:` and `openai:` are built in; other schemes must be
 * registered with {@link registerGeneratorScheme} (`GENERATOR_SCHEME_UNAVAILABLE` says who provides `local:` and
 * `onnx:`). A registered factory wins over a built-in one.
 *
 * @example
 * ```ts
 * import { createGenerator } from "@sentrl/generators";
 * const gen = await createGenerator("replay:./responses.jsonl");
 * const [completions] = await gen.generate([{ id: "q1" }], { n: 4 });
 * ```
 */
export async function createGenerator(spec: string, options: CreateGeneratorOptions = {}): Promise<Generator> {
  const parsed = parseGeneratorSpec(spec, registered.keys());
  const factory = registered.get(parsed.scheme) ?? builtins[parsed.scheme];
  if (!factory) {
    throw new SentrlError(
      "GENERATOR_SCHEME_UNAVAILABLE",
      `no generator is registered for "${parsed.scheme}:" (provided by ${PROVIDERS[parsed.scheme] ?? "a plugin"}); call registerGeneratorScheme("${parsed.scheme}", factory) first. Available: ${generatorSchemes().join(", ")}`,
    );
  }
  return factory(parsed, options);
}
