import { defineConfig } from "vitest/config";

// Tests run on the TypeScript sources: every workspace package exports a `source` condition first.
// GPU tests (`*.cuda.test.ts`) run only when SENTRL_CUDA_TESTS=1 (set by tools/gpu-check on a GPU machine).
const cuda = process.env.SENTRL_CUDA_TESTS === "1";

export default defineConfig({
  resolve: { conditions: ["source", "import", "module", "node", "default"] },
  ssr: { resolve: { conditions: ["source", "import", "module", "node", "default"], externalConditions: ["source"] } },
  test: {
    include: [
      "packages/*/src/**/*.test.ts",
      "packages/*/test/**/*.test.ts",
      "apps/*/src/**/*.test.ts",
      "apps/*/test/**/*.test.ts",
      "examples/*/src/**/*.test.ts",
      "tools/**/*.test.ts",
    ],
    exclude: ["**/node_modules/**", "**/dist/**", ...(cuda ? [] : ["**/*.cuda.test.ts"])],
    pool: "forks",
    testTimeout: 60_000,
    hookTimeout: 120_000,
    typecheck: { enabled: true, include: ["packages/*/src/**/*.test-d.ts"], tsconfig: "./tsconfig.json" },
  },
});
