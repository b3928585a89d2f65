// Test helpers: a real `sentrl serve` (the command's own host and server modules) on a free port.
import { createModelHost } from "../src/serve/load-host.js";
import type { ModelHost } from "../src/serve/model-host.js";
import { type RunningServer, startServer } from "../src/serve/server.js";

export interface TestServer {
  server: RunningServer;
  host: ModelHost;
  url: string;
  stop(): Promise<void>;
}

/** Starts the server on `dir` (port 0) with the given backend and batch size. */
export async function startTestServer(dir: string, options: { backend?: string; maxBatch?: number; maxConcurrency?: number; maxBodyBytes?: number; name?: string } = {}): Promise<TestServer> {
  const host = await createModelHost(dir, { maxBatch: options.maxBatch ?? 8, backend: options.backend ?? "reference" });
  const c = host.model.config;
  const server = await startServer({
    host,
    modelName: options.name ?? "tiny",
    limits: { maxTokens: 64, maxN: 16, contextLength: c.maxPositionEmbeddings, vocabSize: c.vocabSize },
    maxConcurrency: options.maxConcurrency,
    maxBodyBytes: options.maxBodyBytes,
    port: 0,
  });
  return {
    server,
    host,
    url: server.url,
    async stop() {
      await server.close(5000);
      host.engine.dispose();
      host.model.dispose();
    },
  };
}

/** POSTs JSON and returns the status and parsed body. */
// biome-ignore lint/suspicious/noExplicitAny: answers are checked field by field in the tests
export async function postJson(url: string, body: unknown): Promise<{ status: number; json: any }> {
  const r = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: typeof body === "string" ? body : JSON.stringify(body) });
  const text = await r.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = text;
  }
  return { status: r.status, json };
}
