import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { annotatedOutputs, docCommentTsBlocks, readmeTsBlocks, runTsBlock } from "../../core/test/readme-examples.js";

describe("@sentrl/onnx documentation", () => {
  it("the README example prints what its `// →` comments say", async () => {
    const [code] = readmeTsBlocks(join(import.meta.dirname, "..", "README.md"));
    const { logs } = await runTsBlock(code);
    expect(logs.map((a) => a[0])).toEqual(annotatedOutputs(code));
    expect(logs[0][1]).toBe("length");
  });

  it.each(["generator.ts", "transformers.ts"])("the %s doc examples print what they say", async (file) => {
    const blocks = docCommentTsBlocks(join(import.meta.dirname, "..", "src", file));
    expect(blocks.length).toBeGreaterThan(0);
    for (const code of blocks) {
      const { logs } = await runTsBlock(code);
      expect(logs.map((a) => a[0])).toEqual(annotatedOutputs(code));
    }
  });
});

describe("optional dependency errors", () => {
  it("a missing package is ONNX_DEPENDENCY_MISSING naming it; other load failures ONNX_RUNTIME_UNAVAILABLE", async () => {
    const { transformersImportError } = await import("../src/index.js");
    const missing = Object.assign(new Error("Cannot find package 'onnxruntime-node' imported from /x.js"), {
      code: "ERR_MODULE_NOT_FOUND",
    });
    const e = transformersImportError(missing);
    expect(e.code).toBe("ONNX_DEPENDENCY_MISSING");
    expect(e.message).toMatch(
      /^onnxruntime-node is not installed; .*npm install @huggingface\/transformers@4\.3\.2 onnxruntime-node@1\.30\.0/,
    );
    const broken = transformersImportError(new Error("libonnxruntime.so.1: cannot open shared object file"));
    expect(broken.code).toBe("ONNX_RUNTIME_UNAVAILABLE");
    expect(broken.message).toMatch(/libonnxruntime/);
  });

  it("importTransformers maps an importer failure; loadTransformers configures local-only loading", async () => {
    const { importTransformers, loadTransformers } = await import("../src/transformers.js");
    const fail = () =>
      Promise.reject(
        Object.assign(new Error("Cannot find package '@huggingface/transformers'"), { code: "ERR_MODULE_NOT_FOUND" }),
      );
    await expect(importTransformers(fail as never)).rejects.toMatchObject({ code: "ONNX_DEPENDENCY_MISSING" });
    const t = await loadTransformers();
    expect(t.env.allowRemoteModels).toBe(false);
  });

  it("a folder that is not an ONNX causal LM is refused with a coded error", async () => {
    const { createOnnxGenerator } = await import("../src/index.js");
    const models = join(import.meta.dirname, "..", "..", "..", "tools", "onnx", "models");
    await expect(createOnnxGenerator(join(models, "nope"))).rejects.toMatchObject({ code: "ONNX_MODEL_NOT_FOUND" });
    await expect(createOnnxGenerator(join(models, "tiny-nli"))).rejects.toMatchObject({ code: "ONNX_BAD_MODEL" });
  });
});
