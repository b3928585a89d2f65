import type { Options } from "tsup";

/** Shared tsup settings: ESM + CJS + d.ts, one entry per public export. */
export function packageBuild(entry: Record<string, string> | string[] = ["src/index.ts"], extra: Partial<Options> = {}): Options {
  return {
    entry,
    format: ["esm", "cjs"],
    dts: true,
    sourcemap: true,
    clean: true,
    target: "node20",
    platform: "node",
    splitting: false,
    treeshake: false,
    ...extra,
  };
}
