import { describe, it } from "vitest";
import { createReferenceBackend } from "../src/index.js";
import { runBackendConformance } from "../src/testing/index.js";

runBackendConformance(() => createReferenceBackend(), { describe, it });
