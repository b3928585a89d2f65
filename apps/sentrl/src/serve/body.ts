import type { IncomingMessage } from "node:http";
import { ApiError } from "./api-error.js";

/**
 * Reads a request body as JSON, refusing more than `limit` bytes (413, without reading the rest) and anything that is
 * not a JSON object (400).
 */
export async function readJsonObject(req: IncomingMessage, limit: number): Promise<Record<string, unknown>> {
  const declared = Number(req.headers["content-length"]);
  if (Number.isFinite(declared) && declared > limit) throw tooLarge(limit);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw tooLarge(limit);
    chunks.push(chunk);
  }
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
