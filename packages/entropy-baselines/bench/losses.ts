// npm run bench: kl-cov, clip-cov, high-entropy-mask and entropy-advantage on a 1024 x 4096 batch beside the
// PyTorch reference.
import { policyLossDefinitions } from "../src/index.js";
import { runBench } from "../../core/bench/policy-loss-harness.js";

runBench("@sentrl/entropy-baselines", policyLossDefinitions, [
  { loss: "kl-cov", options: {} },
  { loss: "kl-cov", options: { klCovRatio: 0.002, ppoKlCoef: 1 } },
  { loss: "clip-cov", options: {} },
  { loss: "high-entropy-mask", options: {} },
  { loss: "entropy-advantage", options: {} },
]);
