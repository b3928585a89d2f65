// A reusable LossWorkspace (ctx.workspace) must not change any result, also when its buffers hold stale values.
import { describeWorkspaceIdentity } from "../../core/test/loss-workspace-identity.js";
import { policyLossDefinitions } from "../src/index.js";

describeWorkspaceIdentity(policyLossDefinitions, [
  ["kl-cov", { klCovRatio: 0.05, ppoKlCoef: 1 }],
  ["clip-cov", { clipCovRatio: 0.1, clipCovLb: -10, clipCovUb: 10 }],
  ["high-entropy-mask", { topEntropyRatio: 0.3 }],
  ["entropy-advantage", {}],
]);
