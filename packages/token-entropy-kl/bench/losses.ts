// npm run bench: sent (every mode, tokenSet high) and sent-v1 on a 1024 x 4096 batch beside the PyTorch reference.
import { policyLossDefinitions } from "../src/index.js";
import { runBench } from "../../core/bench/policy-loss-harness.js";

runBench("@sentrl/token-entropy-kl", policyLossDefinitions, [
  { loss: "sent", options: { mode: "code-intended" } },
  { loss: "sent", options: { mode: "code-exact" } },
  { loss: "sent", options: { mode: "paper" } },
  { loss: "sent", options: { mode: "code-intended", tokenSet: "high" } },
  { loss: "sent", options: { mode: "code-intended" }, common: { useKlLoss: true, klLossCoef: 0.001 } },
  { loss: "sent-v1", options: {} },
]);
