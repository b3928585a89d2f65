import { SentrlError } from "@sentrl/core";
import type { CliIO } from "../command.js";

export const help = `sentrl grade: not implemented yet`;

export async function run(_args: string[], _io: CliIO): Promise<number> {
  throw new SentrlError("NOT_IMPLEMENTED", "`sentrl grade` is not implemented yet");
}
