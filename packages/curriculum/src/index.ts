/**
 * @sentrl/curriculum: the semantic-entropy curriculum of SENT (docs/algorithms.md §3, §4): stable SE ordering and stage
 * splits, JSONL / Parquet stage files with a manifest, a resumable generator-driven build, and the
 * `stagedCurriculum` / `onlineCurriculum` trainer plugins.
 */
export * from "./split.js";
export * from "./stats.js";
export * from "./dataset.js";
export { loadParquetCodec, type ParquetCodec } from "./parquet-codec.js";
export * from "./prompt.js";
export * from "./cache.js";
export * from "./sample.js";
export * from "./build.js";
export * from "./pipeline.js";
export * from "./plugins/staged.js";
export * from "./plugins/online.js";
