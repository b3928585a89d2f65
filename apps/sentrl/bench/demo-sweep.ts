// Hyper-parameter sweep of the demo's RL arms on the recipe's VALIDATION split (500 questions, never reported):
// trains one arm per setting from the committed base and prints validation pass@1 with its interval, one JSON line each.
// Run: npx tsx --conditions=source apps/sentrl/bench/demo-sweep.ts '{"lr":5e-5,"totalSteps":32}' ...
import { mkdtempSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { loadModel, loadTokenizer } from "@sentrl/model";
import { runArm } from "../src/demo/arms.js";
import { recipeSplits } from "../src/demo/base-model.js";
import { evaluateModel } from "../src/demo/evaluate.js";
import { DEFAULT_SCALE, writeProblemRows } from "../src/demo/run-demo.js";

const baseDir = process.env.SWEEP_BASE_DIR ?? join(import.meta.dirname, "..", "assets", "demo-base");
const splits = recipeSplits();
const val = splits.validation;
const rl = splits.rl;
const dir = mkdtempSync(join(tmpdir(), "sweep-"));
const trainFile = join(dir, "rl.jsonl");
await writeProblemRows(trainFile, rl);
const tok = loadTokenizer(baseDir);
const evalOn = (model: Awaited<ReturnType<typeof loadModel>>, temperature = DEFAULT_SCALE.evalTemperature) =>
  evaluateModel(model, tok, val, { k: 8, temperature, topP: DEFAULT_SCALE.evalTopP, maxTokens: DEFAULT_SCALE.arm.maxResponseTokens, seed: 1 });
const p1 = (e: Awaited<ReturnType<typeof evalOn>>) => e.passAt["1"];
if (process.env.SWEEP_BASE) {
  const m = await loadModel(baseDir);
  for (const t of [0.6, 1, 0.3, 0.05]) {
    const e = await evalOn(m, t);
    console.log(
      JSON.stringify({
        base: true,
        temperature: t,
        pass1: p1(e),
        pass8: e.passAt["8"],
        nll: e.sampledNll,
        byTerms: Object.fromEntries(Object.entries(e.byTerms).map(([k, v]) => [k, +v.mean.toFixed(3)])),
      }),
    );
  }
}
for (const arg of process.argv.slice(2)) {
  const o = JSON.parse(arg);
  const preset = o.preset ?? "grpo";
  const seed = o.seed ?? 1;
  const scale = { ...DEFAULT_SCALE.arm, ...o };
  delete (scale as Record<string, unknown>).preset;
  delete (scale as Record<string, unknown>).seed;
  const t0 = performance.now();
  const run = await runArm({
    preset,
    seed,
    baseDir,
    outDir: join(dir, `${preset}-${Date.now()}`),
    trainFile,
    stageFiles: o.stageFiles ?? [],
    scale,
  });
  const e = await evalOn(run.policy.model);
  const r = run.reward;
  const q = (xs: number[]) => +(xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length)).toFixed(3);
  console.log(
    JSON.stringify({
      preset,
      seed,
      ...o,
      pass1: p1(e),
      pass8: e.passAt["8"],
      reward: [q(r.slice(0, 4)), q(r.slice(-4))],
      entropy: [q(run.entropy.slice(0, 4)), q(run.entropy.slice(-4))],
      trainS: +run.seconds.toFixed(1),
      s: +((performance.now() - t0) / 1000).toFixed(1),
      load: loadavg()[0],
    }),
  );
  run.policy.model.dispose();
}
rmSync(dir, { recursive: true, force: true });
