import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { annotatedOutputs, docCommentTsBlocks, runTsBlock } from "../../test/readme-examples.js";
import { DEFAULT_TRAINER_CONFIG, resolveTrainerConfig, TRAINER_CONFIG_SCHEMA } from "../trainer/config.js";
import { configFields, describeFields, fieldPaths, int, list, object, oneOf, optional, str, tagged } from "./schema.js";

describe("config schema", () => {
  it("the doc example prints what its comments say", async () => {
    const [code] = docCommentTsBlocks(join(__dirname, "schema.ts"));
    const { logs } = await runTsBlock(code);
    expect(JSON.parse(JSON.stringify(logs.map((a) => a[0])))).toEqual(annotatedOutputs(code));
  });

  const schema = configFields({
    name: str({ doc: "a name" }),
    size: optional(int({ doc: "a size", min: 1 })),
    mode: oneOf(["a", "b"] as const, { doc: "a mode", default: "a" }),
    inner: object(
      { depth: int({ doc: "how deep", default: 2 }), tags: list(str({ doc: "tag" }), { doc: "tags", default: ["x"] }) },
      { doc: "nested" },
    ),
    shape: optional(
      tagged(
        {
          square: object(
            { kind: oneOf(["square"] as const, { doc: "" }), side: int({ doc: "side", min: 1 }) },
            { doc: "" },
          ),
          circle: object(
            { kind: oneOf(["circle"] as const, { doc: "" }), radius: int({ doc: "radius", min: 1 }) },
            { doc: "" },
          ),
        },
        { doc: "a shape" },
      ),
    ),
  });

  it("fills defaults (nested too), keeps optional fields absent and names the path of every error", () => {
    expect(schema.parse({ name: "n" }, "config")).toEqual({ name: "n", mode: "a", inner: { depth: 2, tags: ["x"] } });
    const err = (v: unknown) => {
      try {
        schema.parse(v, "config");
      } catch (e) {
        return `${(e as { code: string }).code}: ${(e as Error).message}`;
      }
      return "no error";
    };
    expect(err({})).toBe("CONFIG_BAD_FIELD: config.name: expected a value");
    expect(err({ name: "n", size: 0 })).toBe("CONFIG_BAD_FIELD: config.size: expected an integer ≥ 1, got 0");
    expect(err({ name: "n", mode: "c" })).toBe('CONFIG_BAD_FIELD: config.mode: expected one of "a", "b", got "c"');
    expect(err({ name: "n", inner: { depht: 1 } })).toBe(
      "CONFIG_UNKNOWN_FIELD: config.inner.depht: unknown field; valid fields: depth, tags",
    );
    expect(err({ name: "n", inner: { tags: ["ok", 3] } })).toBe(
      "CONFIG_BAD_FIELD: config.inner.tags[1]: expected a non-empty string, got 3",
    );
    expect(err({ name: "n", shape: { kind: "oval" } })).toBe(
      'CONFIG_BAD_FIELD: config.shape.kind: expected one of "square", "circle", got "oval"',
    );
    expect(err({ name: "n", shape: { kind: "circle", side: 1 } })).toMatch(/config\.shape\.side: unknown field/);
    expect(schema.parse({ name: "n", shape: { kind: "circle", radius: 2 } }, "c").shape).toEqual({
      kind: "circle",
      radius: 2,
    });
  });

  it("fieldPaths and describeFields list every declared field once, variants merged", () => {
    const paths = [
      "name",
      "size",
      "mode",
      "inner",
      "inner.depth",
      "inner.tags",
      "shape",
      "shape.kind",
      "shape.side",
      "shape.radius",
    ];
    expect(fieldPaths(schema)).toEqual(paths);
    const lines = describeFields(schema);
    expect(lines.map((l) => l.trim().split(/\s+/)[0])).toEqual(paths);
    expect(lines).toContain('mode  "a" | "b" (default "a")  a mode');
    expect(lines).toContain("  shape.radius  integer ≥ 1 (required)  radius [kind: circle]");
  });
});

describe("the trainer's config schema", () => {
  it("defaults are the SENT recipe and a plain JSON object", () => {
    expect(DEFAULT_TRAINER_CONFIG).toMatchObject({
      promptsPerStep: 256,
      groupSize: 8,
      miniBatchPrompts: 128,
      reward: "dapo",
    });
    expect(JSON.parse(JSON.stringify(DEFAULT_TRAINER_CONFIG))).toEqual(DEFAULT_TRAINER_CONFIG);
    expect(fieldPaths(TRAINER_CONFIG_SCHEMA)).toContain("optimizer.maxGradNorm");
  });

  it("errors name the field: bad values, unknown keys, unknown optimizer keys, cross-field rules", () => {
    expect(() => resolveTrainerConfig({ temperature: 0 })).toThrow(/config\.temperature: expected a number > 0, got 0/);
    expect(() => resolveTrainerConfig({ lr: 1 } as never)).toThrow(
      expect.objectContaining({
        code: "CONFIG_UNKNOWN_FIELD",
        message: expect.stringMatching(/^config\.lr: unknown field; valid fields: seed, /),
      }),
    );
    expect(() => resolveTrainerConfig({ optimizer: { lr: 1, momentum: 0.9 } as never })).toThrow(
      /config\.optimizer\.momentum: unknown field; valid fields: lr, betas, eps, weightDecay, maxGradNorm/,
    );
    expect(() => resolveTrainerConfig({ eosTokenId: -1 })).toThrow(
      /config\.eosTokenId: expected an integer ≥ 0, got -1/,
    );
    expect(() => resolveTrainerConfig({ promptsPerStep: 4 })).toThrow(
      expect.objectContaining({
        code: "CONFIG_BAD_FIELD",
        message: "config.miniBatchPrompts: expected at most promptsPerStep (4), got 128",
      }),
    );
    expect(resolveTrainerConfig({ optimizer: { lr: 0.5 } as never }).optimizer).toEqual({
      lr: 0.5,
      betas: [0.9, 0.999],
      eps: 1e-8,
      weightDecay: 0.01,
      maxGradNorm: 1,
    });
  });
});
