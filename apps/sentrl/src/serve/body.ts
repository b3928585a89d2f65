import type { IncomingMessage } from "node:http";
import { ApiError } from "./api-error.js";

/**
 * A refused body is still read, and thrown away, up to this many bytes: a client that is still sending when the
 * server refuses would otherwise see its connection reset (EPIPE) instead of the 413. Beyond it the connection is
 * dropped.
 */
export const DRAIN_LIMIT_BYTES = 64 << 20;

/**
 * Reads a request body as JSON, refusing more than `limit` bytes (413, after discarding the rest up to
 * `DRAIN_LIMIT_BYTES`) and anything that is not a JSON object (400).
 */
export async function readJsonObject(req: IncomingMessage, limit: number): Promise<Record<string, unknown>> {
  const declared = Number(req.headers["content-length"]);
  if (Number.isFinite(declared) && declared > DRAIN_LIMIT_BYTES) throw tooLarge(limit);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > DRAIN_LIMIT_BYTES) throw tooLarge(limit); // leaves the loop: the stream and its socket are closed
    if (size <= limit) chunks.push(chunk);
  }
  if (size > limit) throw tooLarge(limit);
  let value: unknown;
  try {
    value = JSON.parse(Buffer.concat(chunks).toString("utf8"));
  } catch (e) {
    throw new ApiError(400, `the body is not valid JSON (${(e as Error).message})`, "invalid_json");
  }
  if (value === null || typeof value !== "object" || Array.isArray(value))
    throw new ApiError(400, "the body must be a JSON object", "invalid_json");
  return value as Record<string, unknown>;
}

function tooLarge(limit: number): ApiError {
  return new ApiError(413, `the body is larger than ${limit} bytes (sentrl serve --max-body-bytes)`, "body_too_large");
}
