import { describe, expect, it } from "vitest";
import { deriveSeed, fnv1a32 } from "./derive-seed.js";
import { Rng, type RngState } from "./xoshiro.js";

describe("Rng (xoshiro128**)", () => {
  it("matches the reference xoshiro128** output for state [1, 2, 3, 4]", () => {
    // First outputs of the reference C implementation seeded with s = {1, 2, 3, 4} (also rand_xoshiro's test vector).
    const rng = Rng.fromState({ algorithm: "xoshiro128**", s: [1, 2, 3, 4], spare: null });
    const out = Array.from({ length: 10 }, () => rng.uint32());
    expect(out).toEqual([
      11520, 0, 5927040, 70819200, 2031721883, 1637235492, 1287239034, 3734860849, 3729100597, 4258142804,
    ]);
  });

  it("is deterministic per seed and differs across seeds", () => {
    const a = new Rng(42);
    const b = new Rng(42);
    const c = new Rng(43);
    const xa = Array.from({ length: 8 }, () => a.uint32());
    expect(Array.from({ length: 8 }, () => b.uint32())).toEqual(xa);
    expect(Array.from({ length: 8 }, () => c.uint32())).not.toEqual(xa);
    expect(new Rng(2 ** 40).uint32()).not.toBe(new Rng(0).uint32());
  });

  it("round-trips its state through JSON, including the cached normal", () => {
    const rng = new Rng(7);
    rng.uniform();
    rng.normal(); // leaves a spare
    const saved = JSON.parse(JSON.stringify(rng.state())) as RngState;
    expect(saved.spare).not.toBeNull();
    const restored = Rng.fromState(saved);
    for (let i = 0; i < 5; i++) expect(restored.normal()).toBe(rng.normal());
    expect(restored.uint32()).toBe(rng.uint32());
    expect(rng.clone().uniform()).toBe(rng.uniform());
  });

  it("rejects bad states and seeds with codes", () => {
    expect(() => Rng.fromState({ algorithm: "xoshiro128**", s: [0, 0, 0, 0], spare: null })).toThrow(
      expect.objectContaining({ code: "RNG_BAD_STATE" }),
    );
    expect(() => Rng.fromState({ algorithm: "pcg" } as unknown as RngState)).toThrow(/xoshiro128/);
    expect(() => new Rng(Number.NaN)).toThrow(expect.objectContaining({ code: "RNG_BAD_SEED" }));
  });

  it("draws uniforms in [0, 1) with the right mean and variance", () => {
    const rng = new Rng(1);
    const n = 100_000;
    let s = 0;
    let s2 = 0;
    let outside = 0;
    for (let i = 0; i < n; i++) {
      const u = rng.uniform();
      if (!(u >= 0 && u < 1)) outside++;
      s += u;
      s2 += u * u;
    }
    expect(outside).toBe(0);
    expect(s / n).toBeCloseTo(0.5, 2);
    expect(s2 / n - (s / n) ** 2).toBeCloseTo(1 / 12, 2);
  });

  it("draws normals with mean 0 and variance 1", () => {
    const rng = new Rng(3);
    const n = 100_000;
    let s = 0;
    let s2 = 0;
    for (let i = 0; i < n; i++) {
      const z = rng.normal();
      s += z;
      s2 += z * z;
    }
    expect(Math.abs(s / n)).toBeLessThan(0.02);
    expect(Math.abs(s2 / n - 1)).toBeLessThan(0.02);
    expect(new Rng(3).normal(10, 0)).toBe(10);
  });

  it("int(n) is unbiased and in range", () => {
    const rng = new Rng(5);
    const counts = new Array(6).fill(0);
    for (let i = 0; i < 60_000; i++) counts[rng.int(6)]++;
    for (const c of counts) expect(Math.abs(c - 10_000)).toBeLessThan(400);
    expect(() => rng.int(0)).toThrow(expect.objectContaining({ code: "RNG_BAD_ARGUMENT" }));
    expect(() => rng.int(1.5)).toThrow(/positive integer/);
  });

  it("categorical follows the weights and never picks a zero weight", () => {
    const rng = new Rng(9);
    const w = [0, 1, 3, 0];
    const counts = [0, 0, 0, 0];
    for (let i = 0; i < 40_000; i++) counts[rng.categorical(w)]++;
    expect(counts[0]).toBe(0);
    expect(counts[3]).toBe(0);
    expect(counts[2] / counts[1]).toBeGreaterThan(2.8);
    expect(counts[2] / counts[1]).toBeLessThan(3.2);
    expect(rng.categorical(new Float64Array([0.25, 0.75]), 1)).toBeLessThan(2);
    expect(() => rng.categorical([0, 0])).toThrow(expect.objectContaining({ code: "RNG_BAD_ARGUMENT" }));
    expect(() => rng.categorical([])).toThrow(/at least one/);
  });

  it("shuffle is a uniform permutation (Fisher–Yates)", () => {
    const rng = new Rng(11);
    const counts = new Map<string, number>();
    for (let i = 0; i < 24_000; i++) {
      const key = rng.shuffle([0, 1, 2]).join("");
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    expect(counts.size).toBe(6);
    for (const c of counts.values()) expect(Math.abs(c - 4000)).toBeLessThan(300);
    const typed = rng.shuffle(new Int32Array([1, 2, 3, 4, 5]));
    expect([...typed].sort()).toEqual([1, 2, 3, 4, 5]);
  });
});

describe("deriveSeed", () => {
  it("is stable (documented algorithm) and separates purposes, steps and seeds", () => {
    expect(fnv1a32("")).toBe(0x811c9dc5);
    expect(fnv1a32("a")).toBe(0xe40c292c); // FNV-1a 32 test vector
    const base = deriveSeed(1, 0, "data");
    expect(deriveSeed(1, 0, "data")).toBe(base);
    const others = [
      deriveSeed(2, 0, "data"),
      deriveSeed(1, 1, "data"),
      deriveSeed(1, 0, "datb"),
      deriveSeed(1 + 2 ** 32, 0, "data"),
    ];
    for (const o of others) expect(o).not.toBe(base);
    expect(new Set(others).size).toBe(others.length);
    expect(Number.isInteger(base) && base >= 0 && base < 2 ** 32).toBe(true);
  });

  it("rejects negative or fractional inputs", () => {
    expect(() => deriveSeed(-1, 0, "x")).toThrow(expect.objectContaining({ code: "RNG_BAD_SEED" }));
    expect(() => deriveSeed(0, 0.5, "x")).toThrow(/step/);
  });
});
