import { SentrlError } from "@sentrl/core";

/** The schemes of docs/contracts.md §7. `local:` and `onnx:` are provided by the app (core never loads a model). */
export const BUILTIN_GENERATOR_SCHEMES = ["local", "openai", "onnx", "replay"] as const;

/**
 * A parsed generator spec. `target` is everything after `<scheme>:`; `openai:` specs also carry `baseURL` and
 * `model` (split at the last `#`).
 */
export interface GeneratorSpec {
  spec: string;
  scheme: string;
  target: string;
  baseURL?: string;
  model?: string;
}

const SCHEME = /^[a-z][a-z0-9+.-]*$/;
const EXAMPLES =
  "local:<dir>, openai:<baseURL>#<model> (e.g. openai:http://127.0.0.1:8000/v1#Qwen/Qwen2.5-Math-7B), onnx:<dir>, replay:<file.jsonl>";

/**
 * Parses a generator spec (docs/contracts.md §7) without touching the file system or the network.
 *
 * Errors: `GENERATOR_SPEC_INVALID` (not `<scheme>:<target>`, empty target, an `openai:` spec without an http(s)
 * base URL or a `#<model>`), `GENERATOR_SCHEME_UNKNOWN` (a scheme that is neither built in nor in `extraSchemes`).
 *
 * @example
 * ```ts
 * import { parseGeneratorSpec } from "@sentrl/generators";
 * parseGeneratorSpec("openai:http://127.0.0.1:8000/v1#Qwen/Qwen2.5-Math-1.5B");
 * // { scheme: "openai", baseURL: "http://127.0.0.1:8000/v1", model: "Qwen/Qwen2.5-Math-1.5B", ... }
 * ```
 */
export function parseGeneratorSpec(spec: string, extraSchemes: Iterable<string> = []): GeneratorSpec {
  if (typeof spec !== "string" || spec.trim() === "") {
    throw new SentrlError("GENERATOR_SPEC_INVALID", `empty generator spec; expected one of ${EXAMPLES}`);
  }
  const colon = spec.indexOf(":");
  const scheme = colon > 0 ? spec.slice(0, colon) : "";
  if (!SCHEME.test(scheme)) {
    throw new SentrlError("GENERATOR_SPEC_INVALID", `"${spec}" is not <scheme>:<target>; expected one of ${EXAMPLES}`);
  }
  const known = new Set<string>([...BUILTIN_GENERATOR_SCHEMES, ...extraSchemes]);
  if (!known.has(scheme)) {
    throw new SentrlError(
      "GENERATOR_SCHEME_UNKNOWN",
      `unknown generator scheme "${scheme}:" in "${spec}"; known schemes: ${[...known].sort().join(", ")}`,
    );
  }
  const target = spec.slice(colon + 1);
  if (target.trim() === "") {
    throw new SentrlError(
      "GENERATOR_SPEC_INVALID",
      `"${spec}" has nothing after "${scheme}:"; expected one of ${EXAMPLES}`,
    );
  }
  if (scheme !== "openai") return { spec, scheme, target };

  const hash = target.lastIndexOf("#");
  const baseURL = hash >= 0 ? target.slice(0, hash) : target;
  const model = hash >= 0 ? target.slice(hash + 1) : "";
  if (model.trim() === "") {
    throw new SentrlError(
      "GENERATOR_SPEC_INVALID",
      `"${spec}" names no model: write openai:<baseURL>#<model>, e.g. openai:http://127.0.0.1:8000/v1#Qwen/Qwen2.5-Math-7B`,
    );
  }
  let url: URL;
  try {
    url = new URL(baseURL);
  } catch {
    throw new SentrlError(
      "GENERATOR_SPEC_INVALID",
      `"${baseURL}" in "${spec}" is not a URL; write openai:http(s)://host:port[/v1]#<model>`,
    );
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new SentrlError("GENERATOR_SPEC_INVALID", `"${baseURL}" in "${spec}" must be an http:// or https:// URL`);
  }
  return { spec, scheme, target, baseURL, model };
}
