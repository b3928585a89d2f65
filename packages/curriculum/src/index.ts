/** @sentrl/curriculum: Semantic-entropy curriculum: stage building, JSONL/Parquet stage files and staged/online trainer plugins. */
export {};
