import { SentrlError } from "@sentrl/core";
import type { CliIO } from "../command.js";

export const help = `sentrl score: not implemented yet`;

export async function run(_args: string[], _io: CliIO): Promise<number> {
  throw new SentrlError("NOT_IMPLEMENTED", "`sentrl score` is not implemented yet");
}
