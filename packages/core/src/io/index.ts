// Files: atomic writes, JSON Lines parsing and the JSONL metrics log.
export { writeFileAtomic, writeFileAtomicSync } from "./write-file-atomic.js";
export { createMetricsLogger, type MetricsLogger, type MetricsRecord } from "./metrics-logger.js";
export { type JsonLine, type ParseJsonLinesOptions, parseJsonLines } from "./jsonl.js";
