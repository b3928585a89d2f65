import { defineConfig } from "tsup";
import { packageBuild } from "../../tsup.base";

// Only ESM: the CLI is loaded by bin/sentrl.mjs. Commands are separate entries so start-up stays lazy.
export default defineConfig(
  packageBuild({ cli: "src/cli.ts" }, { format: ["esm"], dts: false, splitting: true }),
);
