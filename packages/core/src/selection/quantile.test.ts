import { describe, expect, it } from "vitest";
import { quantiles } from "./quantile.js";

describe("quantiles", () => {
  it("interpolates linearly like numpy", () => {
    expect(quantiles([4, 1, 3, 2], [0.1, 0.5, 0.9])).toEqual([1.3, 2.5, 3.7]);
    expect(quantiles([5], [0, 0.5, 1])).toEqual([5, 5, 5]);
    expect(quantiles([2, 2, 1, 9, 7], [0, 1, 0.5])).toEqual([1, 9, 2]);
  });
  it("returns NaN on empty input and rejects a bad q", () => {
    expect(quantiles([], [0.5])).toEqual([Number.NaN]);
    expect(() => quantiles([1], [1.5])).toThrow(/\[0, 1\]/);
  });
  it("agrees with a sort on random data and leaves the input alone", () => {
    let s = 1;
    const v = Float64Array.from({ length: 10001 }, () => {
      s = (s * 16807) % 2147483647;
      return s / 2147483647;
    });
    const copy = v.slice();
    const sorted = [...v].sort((a, b) => a - b);
    const q = quantiles(v, [0.1, 0.5, 0.9]);
    expect(q[0]).toBeCloseTo(sorted[1000], 15);
    expect(q[1]).toBe(sorted[5000]);
    expect(q[2]).toBeCloseTo(sorted[9000], 15);
    expect(v).toEqual(copy);
  });
});
