export { appendDetails, recoverDetails, type SampleRecord } from "./details.js";
export { type EvalProblem, type EvalProgress, type RunEvalOptions, type RunEvalResult, runEval } from "./runner.js";
export { type EvalSummary, type MetricValue, summarize, summaryMarkdown } from "./summary.js";
