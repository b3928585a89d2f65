import { definePlugin } from "@sentrl/core";

/**
 * A plugin written from scratch: DAPO-style dynamic filtering. Groups whose responses all got the same reward
 * carry no GRPO signal (every advantage is 0), so `afterRollout` drops them and records how many it dropped.
 */
export function dropUniformGroups() {
  return definePlugin({
    name: "drop-uniform-groups",
    afterRollout(ctx, groups) {
      const kept = groups.filter((g) => g.responses.some((r) => r.reward !== g.responses[0].reward));
      ctx.metrics.record("drop-uniform-groups/dropped", groups.length - kept.length);
      return kept;
    },
  });
}
