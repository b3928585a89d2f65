import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { checkResumeConfig, RESUME_SAFE_FIELDS, SentrlError } from "@sentrl/core";

// `sentrl train --resume` checks the run configuration against the one the output folder was started with
// (`run-config.json`): the trainer checks its own settings against the checkpoint; this check
// also covers what the trainer does not see (preset, policy, data, curriculum).

/**
 * Run-config fields that may change with `--resume-with-changes`: they cannot alter the steps already trained. The
 * trainer's own (`RESUME_SAFE_FIELDS`) plus `epochs`, which only sets `totalSteps`.
 */
export const RUN_SAFE_FIELDS = [...RESUME_SAFE_FIELDS, "epochs"];

/**
 * Throws `RESUME_CONFIG_MISMATCH` (listing the differing fields) when `rc` differs from `<outDir>/run-config.json`
 * in a field that may not change; an unreadable run-config.json is `CHECKPOINT_CORRUPT` (a missing one is skipped).
 *
 * @example
 * ```ts
 * await checkRunConfigForResume("runs/a", rc, { allowChanges: values["resume-with-changes"] === true });
 * ```
 */
export async function checkRunConfigForResume(
  outDir: string,
  rc: unknown,
  options: { allowChanges?: boolean } = {},
): Promise<void> {
  const path = join(outDir, "run-config.json");
  let saved: unknown;
  try {
    saved = JSON.parse(await readFile(path, "utf8"));
  } catch (e) {
    // Missing: a run killed before it wrote it (nothing trained yet) or from before this check; the trainer still
    // checks its own settings against the checkpoint.
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return;
    throw new SentrlError(
      "CHECKPOINT_CORRUPT",
      `${path} is not valid JSON, so the run's configuration cannot be checked; start a new run in another output folder`,
    );
  }
  // Compared as JSON, the way it was saved (undefined members dropped).
  checkResumeConfig(saved, JSON.parse(JSON.stringify(rc)), {
    safeFields: RUN_SAFE_FIELDS,
    allowChanges: options.allowChanges,
    source: outDir,
  });
}
