import { SentrlError } from "@sentrl/core";

/**
 * Bad command-line usage: a missing or malformed flag, an unknown command. `sentrl` prints it as
 * `sentrl: USAGE: <message>` and exits with status 2 (any other coded error exits 1).
 *
 * @example
 * ```ts
 * import { UsageError } from "./usage-error.js";
 * throw new UsageError("--name <loss> is required; losses: grpo, sent");
 * ```
 */
export class UsageError extends SentrlError {
  constructor(message: string) {
    super("USAGE", message);
    this.name = "UsageError";
  }
}
