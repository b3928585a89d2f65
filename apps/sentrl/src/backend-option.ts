import { UsageError } from "./usage-error.js";

/**
 * `--backend` of every command that runs our model (score, generate, update, train, serve): the choices of `selectBackend` in
 * `@sentrl/compute`. `auto` is the fast CPU kernels (else the reference with one warning), `cuda` the GPU
 * (`@sentrl/compute-cuda`; BACKEND_UNAVAILABLE without one).
 */
export const BACKEND_NAMES = ["auto", "fast", "reference", "cuda"] as const;

/**
 * The flag's value, else `SENTRL_BACKEND`, else `auto`; anything else is a UsageError (exit 2).
 *
 * @example
 * const backendName = backendOption(values.backend, io.env); // "auto" | "fast" | "reference" | "cuda"
 */
export function backendOption(value: unknown, env: Record<string, string | undefined>): string {
  const name = (value as string | undefined) ?? env.SENTRL_BACKEND ?? "auto";
  if (!(BACKEND_NAMES as readonly string[]).includes(name))
    throw new UsageError(`--backend must be one of ${BACKEND_NAMES.join(", ")}, got \`${name}\``);
  return name;
}
