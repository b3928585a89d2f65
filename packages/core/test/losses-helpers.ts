import { readFileSync } from "node:fs";
import { join } from "node:path";
import { expect } from "vitest";
import type { TokenBatch } from "../src/index.js";

/** Nested-array input of the `sentrl loss` format, as stored in the fixtures. */
export interface JsonBatch {
  mask: number[][];
  logp: number[][];
  oldLogp: number[][];
  refLogp?: number[][];
  entropy?: number[][];
  advantages: number[][];
}

export interface LossCase {
  name: string;
  config: Record<string, unknown>;
  input: JsonBatch;
  expected: { loss: number; gradLogp: number[][]; gradEntropy?: number[][]; metrics: Record<string, number> };
}

export interface CoreLossFixtures {
  cases: LossCase[];
  klVectors: { type: string; logp: number[]; refLogp: number[]; value: number[]; grad: number[] }[];
  advantages: {
    name: string;
    rewards: number[];
    groups: (number | string)[];
    normAdvByStd: boolean;
    epsilon: number;
    advantages: number[];
  }[];
  microBatches: {
    name: string;
    config: Record<string, unknown>;
    input: JsonBatch;
    slices: [number, number][];
    tokenCounts: number[];
    microBatchMean: number;
    globalTokenMean: number;
  }[];
}

export function loadFixtures(): CoreLossFixtures {
  return JSON.parse(readFileSync(join(__dirname, "fixtures", "core-losses.json"), "utf8"));
}

export function toBatch(j: JsonBatch): TokenBatch {
  const rows = j.mask.length;
  const cols = rows > 0 ? j.mask[0].length : 0;
  const f = (x: number[][] | undefined) => (x ? Float64Array.from(x.flat()) : undefined);
  return {
    rows,
    cols,
    mask: Uint8Array.from(j.mask.flat()),
    logp: f(j.logp)!,
    oldLogp: f(j.oldLogp)!,
    refLogp: f(j.refLogp),
    entropy: f(j.entropy),
    advantages: f(j.advantages)!,
  };
}

/** |actual − expected| ≤ rtol·|expected| + atol, element-wise, with a readable failure. */
export function expectClose(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  what: string,
  rtol = 1e-6,
  atol = 1e-12,
): void {
  expect(actual.length, `${what}: length`).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i];
    const e = expected[i];
    if (!(Math.abs(a - e) <= rtol * Math.abs(e) + atol)) {
      expect.fail(`${what}[${i}]: got ${a}, expected ${e}`);
    }
  }
}
