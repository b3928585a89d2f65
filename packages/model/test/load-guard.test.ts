// Resource limits before allocation, special files refused, non-finite weights refused at load (docs/contracts.md §1).
import { execFileSync } from "node:child_process";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { loadModel, SafetensorsFile, writeSafetensors } from "../src/index.js";
import { checkModelFits, parameterCount } from "../src/load-guard.js";
import { parseModelConfig } from "../src/config.js";
import { cleanupTemp, codeOf, copyFixture } from "./helpers.js";

afterAll(cleanupTemp);

const base = "qwen2-tied-gqa1";
const cfgOf = (dir: string) => JSON.parse(readFileSync(join(dir, "config.json"), "utf8")) as Record<string, unknown>;
const writeCfg = (dir: string, cfg: unknown) => writeFileSync(join(dir, "config.json"), JSON.stringify(cfg));

describe("sizes are checked against the weights' header before anything is allocated", () => {
  it.each([
    ["num_hidden_layers 100000", { num_hidden_layers: 100000 }, "MODEL_WEIGHT_MISSING"],
    ["num_hidden_layers 10^7", { num_hidden_layers: 10_000_000 }, "MODEL_WEIGHT_MISSING"],
    ["vocab_size 1e12", { vocab_size: 1e12 }, "MODEL_WEIGHT_SHAPE"],
    ["hidden_size 2^20", { hidden_size: 2 ** 20, num_attention_heads: 1, num_key_value_heads: 1 }, "MODEL_WEIGHT_SHAPE"],
  ])("%s → %s, in well under a second", async (_name, patch, code) => {
    const dir = copyFixture(base);
    writeCfg(dir, { ...cfgOf(dir), ...patch });
    const t0 = performance.now();
    expect(await codeOf(() => loadModel(dir))).toBe(code);
    expect(performance.now() - t0).toBeLessThan(1000);
  });

  it("the float32 parameter memory is checked against a limit (SENTRL_MAX_MODEL_BYTES overrides)", async () => {
    const dir = copyFixture(base);
    const cfg = parseModelConfig(cfgOf(dir));
    expect(() => checkModelFits(dir, cfg, { maxBytes: 1000 })).toThrow(
      expect.objectContaining({ code: "MODEL_TOO_LARGE", message: expect.stringContaining("SENTRL_MAX_MODEL_BYTES") }),
    );
    expect(() => checkModelFits(dir, cfg, { maxBytes: 4 * parameterCount(cfg) })).not.toThrow();
    expect(await codeOf(() => loadModel(dir, { maxBytes: 1000 }))).toBe("MODEL_TOO_LARGE");
    // parameterCount is the sum of the header's tensors
    const f = SafetensorsFile.open(join(dir, "model.safetensors"));
    const total = f.names().reduce((n, name) => n + (f.info(name)?.shape ?? []).reduce((a, b) => a * b, 1), 0);
    f.close();
    expect(parameterCount(cfg)).toBe(total);
  });
});

describe("special files and bad values", () => {
  it("a FIFO as weights file or config.json is refused instead of blocking", async () => {
    const dir = copyFixture(base);
    rmSync(join(dir, "model.safetensors"));
    execFileSync("mkfifo", [join(dir, "model.safetensors")]);
    expect(await codeOf(() => loadModel(dir))).toBe("MODEL_FILE_NOT_REGULAR");
    const dir2 = copyFixture(base);
    rmSync(join(dir2, "config.json"));
    execFileSync("mkfifo", [join(dir2, "config.json")]);
    expect(await codeOf(() => loadModel(dir2))).toBe("MODEL_FILE_NOT_REGULAR");
  });

  it.each([
    ["NaN", Number.NaN],
    ["Infinity", Number.POSITIVE_INFINITY],
    ["1e30", 1e30],
  ])("a weight of %s is MODEL_WEIGHTS_NOT_FINITE naming the tensor", async (_name, value) => {
    const dir = copyFixture(base);
    const f = SafetensorsFile.open(join(dir, "model.safetensors"));
    const tensors: Record<string, { data: Float32Array; shape: number[] }> = {};
    for (const name of f.names()) tensors[name] = { data: f.readFloat32(name), shape: f.info(name)?.shape ?? [] };
    f.close();
    tensors["model.norm.weight"].data[1] = value;
    writeSafetensors(join(dir, "model.safetensors"), tensors);
    await expect(loadModel(dir)).rejects.toMatchObject({
      code: "MODEL_WEIGHTS_NOT_FINITE",
      message: expect.stringContaining("`model.norm.weight` holds"),
    });
  });
});
