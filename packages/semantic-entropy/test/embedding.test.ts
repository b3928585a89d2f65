import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  clusterBySimilarity,
  cosineSimilarities,
  createModelSemanticEntropyScorer,
  type EmbeddingModel,
  type Linkage,
  loadEmbeddingModel,
} from "../src/index.js";

// The tiny embedding model and PyTorch's similarities and clusters, from tools/onnx/tiny_bert.py (committed).
const models = join(import.meta.dirname, "..", "..", "..", "tools", "onnx", "models");
const dir = join(models, "tiny-embed");
const fixture = JSON.parse(readFileSync(join(models, "fixtures", "embed.json"), "utf8")) as {
  thresholds: number[];
  questions: { id: string; responses: string[]; similarity: number[][]; clusters: Record<string, number[]> }[];
};

let model: EmbeddingModel;
beforeAll(async () => {
  model = await loadEmbeddingModel(dir, { batchSize: 4 });
});
afterAll(async () => {
  await model?.dispose();
});

describe("embedding clustering against PyTorch", () => {
  it("mean-pooled, normalised embeddings give PyTorch's cosine similarities (1e-5)", async () => {
    for (const q of fixture.questions) {
      const sim = cosineSimilarities(await model.embed(q.responses));
      sim.forEach((row, i) => {
        row.forEach((v, j) => {
          expect(Math.abs(v - q.similarity[i][j])).toBeLessThan(1e-5);
        });
      });
    }
  });

  it("clusters at each threshold and linkage equal PyTorch's, for every question", async () => {
    expect(fixture.questions.length).toBeGreaterThanOrEqual(20);
    let differ = 0;
    for (const t of fixture.thresholds)
      for (const linkage of ["single", "complete"] as Linkage[]) {
        const se = await createModelSemanticEntropyScorer({
          clustering: "embedding",
          embeddingModel: dir,
          threshold: t,
          linkage,
          estimator: "discrete",
        });
        for (const q of fixture.questions) {
          const r = await se.score({ responses: q.responses });
          expect(r.clusterIds).toEqual(q.clusters[`${linkage}@${t}`]);
          if (linkage === "complete" && q.clusters[`single@${t}`].join() !== r.clusterIds.join()) differ++;
        }
        await se.close();
      }
    expect(differ).toBeGreaterThan(0); // the fixture tells the two linkages apart
  });
});

describe("clusterBySimilarity", () => {
  it("the documented example: single chains, complete does not", () => {
    const sim = [
      [1, 0.9, 0.1],
      [0.9, 1, 0.85],
      [0.1, 0.85, 1],
    ];
    expect(Array.from(clusterBySimilarity(sim, 0.8, "single"))).toEqual([0, 0, 0]);
    expect(Array.from(clusterBySimilarity(sim, 0.8, "complete"))).toEqual([0, 0, 1]);
    expect(Array.from(clusterBySimilarity(sim, 0.95, "single"))).toEqual([0, 1, 2]);
  });

  it("ids are in first-seen order", () => {
    const sim = [
      [1, 0, 0.9],
      [0, 1, 0],
      [0.9, 0, 1],
    ];
    expect(Array.from(clusterBySimilarity(sim, 0.5, "complete"))).toEqual([0, 1, 0]);
  });

  it("bad linkage or threshold → coded errors", () => {
    expect(() => clusterBySimilarity([], 0.5, "average" as Linkage)).toThrow(
      expect.objectContaining({ code: "SE_UNKNOWN_LINKAGE" }),
    );
    expect(() => clusterBySimilarity([], Number.NaN)).toThrow(expect.objectContaining({ code: "SE_BAD_THRESHOLD" }));
  });
});
