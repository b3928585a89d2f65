import { describe, expect, it } from "vitest";
import { numberOption, oneOf } from "../src/option-values.js";

describe("option values", () => {
  it("oneOf: the value, the fallback, or a usage error naming the choices", () => {
    expect(oneOf("b", "--x", ["a", "b"], "a")).toBe("b");
    expect(oneOf(undefined, "--x", ["a", "b"], "a")).toBe("a");
    expect(() => oneOf("c", "--x", ["a", "b"], "a")).toThrow(/^unknown --x `c`; use one of a, b$/);
    expect(() => oneOf(undefined, "--x", ["a", "b"])).toThrow(/^--x is required; use one of a, b$/);
    expect(() => oneOf("c", "--x", ["a"])).toThrow(expect.objectContaining({ code: "USAGE" }));
  });

  it("numberOption: integers, lower bounds, and no silent 0 for an empty value", () => {
    expect(numberOption(undefined, "--n")).toBeUndefined();
    expect(numberOption("2.5", "--t", { min: 0 })).toBe(2.5);
    expect(numberOption("8", "--n", { int: true, min: 1 })).toBe(8);
    expect(() => numberOption("0", "--n", { int: true, min: 1 })).toThrow("--n must be an integer ≥ 1, got `0`");
    expect(() => numberOption("1.5", "--n", { int: true })).toThrow("--n must be an integer, got `1.5`");
    expect(() => numberOption("", "--seed", { int: true })).toThrow(/--seed must be an integer/);
    expect(() => numberOption("abc", "--t")).toThrow("--t must be a number, got `abc`");
  });
});
