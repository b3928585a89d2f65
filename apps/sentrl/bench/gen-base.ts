// Regenerates the demo base model into a folder (default: the committed one) from the recipe, with timing.
// Run: npx tsx --conditions=source apps/sentrl/bench/gen-base.ts [dir]
import { committedBaseDir, generateBaseModel } from "../src/demo/base-model.js";
const dir = process.argv[2] ?? committedBaseDir();
const t0 = performance.now();
await generateBaseModel(dir, {
  onStep: (s) => {
    if (s.step % 50 === 0)
      console.error(
        `step ${s.step}/${s.steps} loss ${s.loss.toFixed(4)} ${((performance.now() - t0) / 1000).toFixed(0)} s`,
      );
  },
});
console.log(JSON.stringify({ dir, seconds: (performance.now() - t0) / 1000 }));
