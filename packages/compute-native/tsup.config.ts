import { defineConfig } from "tsup";
import { packageBuild } from "../../tsup.base";

// `shims` gives the CJS build an `import.meta.url`, which the loader uses to find build/Release/sentrl_native.node.
export default defineConfig(packageBuild({ index: "src/index.ts" }, { shims: true }));
