import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { annotatedOutputs, docCommentTsBlocks, readmeTsBlocks, runTsBlock } from "../../core/test/readme-examples.js";

// The README's model-clustering example and the doc-comment examples of the model loaders run as written (they use
// the committed tiny models under tools/onnx/models, relative to the repository root).
describe("model clustering documentation", () => {
  it("the README example prints what its `// →` comments say", async () => {
    const code = readmeTsBlocks(join(import.meta.dirname, "..", "README.md")).find((b) =>
      b.includes("createModelSemanticEntropyScorer"),
    );
    expect(code).toBeDefined();
    const { logs } = await runTsBlock(code as string);
    expect(JSON.parse(JSON.stringify(logs.map((a) => a[0])))).toEqual(annotatedOutputs(code as string));
  });

  it.each(["nli/model.ts", "embedding/model.ts", "model-scorer.ts"])(
    "the %s doc example prints what it says",
    async (file) => {
      const blocks = docCommentTsBlocks(join(import.meta.dirname, "..", "src", file));
      expect(blocks.length).toBeGreaterThan(0);
      for (const b of blocks) {
        const { logs } = await runTsBlock(b);
        expect(annotatedOutputs(b).length).toBeGreaterThan(0);
        expect(JSON.parse(JSON.stringify(logs.map((a) => a[0])))).toEqual(annotatedOutputs(b));
      }
    },
  );
});
