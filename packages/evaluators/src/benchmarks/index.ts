export { type BenchmarkRow, type LoadBenchmarkOptions, loadBenchmark, resolveBenchmarkFile } from "./load.js";
export {
  DAPO_PROMPT,
  OPENCOMPASS_PROMPT,
  PROMPT_TEMPLATE_NAMES,
  PROMPT_TEMPLATES,
  type PromptTemplateName,
  renderPrompt,
} from "./prompts.js";
export { readJsonl, readParquet, readRows } from "./read-rows.js";
export { BENCHMARK_NAMES, BENCHMARKS, type BenchmarkSpec } from "./registry.js";
