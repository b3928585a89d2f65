import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { createReferenceBackend } from "@sentrl/compute";
import { afterAll, describe, expect, it } from "vitest";
import { bf16ToF32, f16ToF32, f32ToBf16, f32ToF16, loadModel, SafetensorsFile, saveModel, writeSafetensors } from "../src/index.js";
import { cleanupTemp, codeOf, FIXTURES, tempDir } from "./helpers.js";

afterAll(cleanupTemp);

describe("float16 / bfloat16 conversions", () => {
  it("round to nearest even and handle the edges", () => {
    expect(f32ToF16(1)).toBe(0x3c00);
    expect(f32ToF16(-2)).toBe(0xc000);
    expect(f32ToF16(1 / 3)).toBe(0x3555);
    expect(f32ToF16(65504)).toBe(0x7bff);
    expect(f32ToF16(65520)).toBe(0x7c00); // rounds up to Inf
    expect(f32ToF16(2 ** -24)).toBe(0x0001); // smallest subnormal
    expect(f32ToF16(2 ** -26)).toBe(0x0000); // below half the smallest subnormal
    expect(f32ToF16(1 + 2 ** -11)).toBe(0x3c00); // tie → even
    expect(f32ToF16(1 + 3 * 2 ** -11)).toBe(0x3c02); // tie → even (up)
    expect(Number.isNaN(f16ToF32(f32ToF16(Number.NaN)))).toBe(true);
    for (let h = 0; h < 0x7c00; h += 37) expect(f32ToF16(f16ToF32(h))).toBe(h);
    expect(f32ToBf16(1)).toBe(0x3f80);
    expect(f32ToBf16(1 + 2 ** -8)).toBe(0x3f80); // tie → even
    expect(f32ToBf16(1 + 3 * 2 ** -8)).toBe(0x3f82);
    expect(bf16ToF32(0xc0a0)).toBe(-5);
    expect(Number.isNaN(bf16ToF32(f32ToBf16(Number.NaN)))).toBe(true);
  });
});

describe("writeSafetensors", () => {
  it("round-trips F32 exactly and F16/BF16 to their precision, pads the header to 8 bytes, leaves no temp files", () => {
    const dir = tempDir("write");
    const path = join(dir, "t.safetensors");
    const a = Float32Array.from({ length: 7 }, (_, i) => Math.sin(i) * 100);
    writeSafetensors(path, { a: { data: a, shape: [7] }, "b.h": { data: a, shape: [7], dtype: "F16" }, c: { data: a, shape: [1, 7], dtype: "BF16" }, e: { data: new Float32Array(0), shape: [0, 3] } }, { format: "pt" });
    expect(readdirSync(dir)).toEqual(["t.safetensors"]);
    const buf = readFileSync(path);
    expect(Number(buf.readBigUInt64LE(0)) % 8).toBe(0);
    const f = SafetensorsFile.open(path);
    expect(f.names()).toEqual(["a", "b.h", "c", "e"]);
    expect(f.header.metadata).toEqual({ format: "pt" });
    expect(Array.from(f.readFloat32("a"))).toEqual(Array.from(a));
    f.readFloat32("b.h").forEach((v, i) => {
      expect(Math.abs(v - a[i])).toBeLessThanOrEqual(Math.abs(a[i]) * 2 ** -11);
    });
    f.readFloat32("c").forEach((v, i) => {
      expect(Math.abs(v - a[i])).toBeLessThanOrEqual(Math.abs(a[i]) * 2 ** -8);
    });
    expect(f.info("c")?.shape).toEqual([1, 7]);
    expect(f.readFloat32("e").length).toBe(0);
    f.close();
  });

  it("rejects a shape that does not match the data, and a folder that does not exist, leaving nothing behind", async () => {
    const dir = tempDir("write-bad");
    expect(await codeOf(() => writeSafetensors(join(dir, "x.safetensors"), { a: { data: new Float32Array(3), shape: [2, 2] } }))).toBe("SAFETENSORS_WRITE");
    expect(await codeOf(() => writeSafetensors(join(dir, "missing", "x.safetensors"), { a: { data: new Float32Array(3), shape: [3] } }))).toBe("SAFETENSORS_WRITE");
    expect(readdirSync(dir)).toEqual([]);
  });
});

describe("saveModel → loadModel", () => {
  it.each([
    ["F32", 0],
    ["BF16", 0.05],
  ] as const)("%s checkpoint of an untied GQA model scores like the original", async (dtype, tol) => {
    const backend = createReferenceBackend();
    const model = await loadModel(join(FIXTURES, "qwen2-untied-gqa2-f16"), { backend });
    const dir = tempDir(`save-${dtype}`);
    await saveModel(model, dir, { dtype });
    expect(readdirSync(dir).sort()).toEqual(["config.json", "model.safetensors"]);
    const cfg = JSON.parse(readFileSync(join(dir, "config.json"), "utf8"));
    expect(cfg).toMatchObject({ model_type: "qwen2", tie_word_embeddings: false, num_key_value_heads: 2, rope_scaling: null });
    const again = await loadModel(dir, { backend });
    const rows = [
      [1, 5, 9, 130],
      [7, 7],
    ];
    const s0 = model.score(rows, { temperature: 0.7 });
    const s1 = again.score(rows, { temperature: 0.7 });
    s0.logp.forEach((r, i) => {
      r.forEach((v, t) => {
        if (tol === 0) expect(s1.logp[i][t]).toBe(v);
        else expect(Math.abs(s1.logp[i][t] - v)).toBeLessThan(tol * Math.max(1, Math.abs(v)));
      });
    });
  });
});
