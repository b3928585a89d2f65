import type { DecoderModel, GenerationEngine, GenerationRequest, ModelTokenizer, SampledSequence } from "@sentrl/model";
import { ApiError } from "./api-error.js";

/** The model functions the host needs (imported lazily by the command, so `sentrl --help` loads no model code). */
export interface ModelFunctions {
  readModelConfig: typeof import("@sentrl/model").readModelConfig;
  readCheckpoint: typeof import("@sentrl/model").readCheckpoint;
}

/**
 * The served model: one generation engine shared by every request (continuous batching), and the weight swap of
 * `/update_weights_from_disk` (docs/contracts.md §10). Generation requests hold the model "shared"; an update waits
 * for those in flight to finish (with the old weights), holds new ones back meanwhile, swaps the parameters, and lets
 * them go on: nothing queued is dropped, and no sequence mixes two sets of weights (SGLang's behaviour).
 */
export class ModelHost {
  private inFlight = 0;
  private gate: Promise<void> | null = null;
  private onIdle: (() => void) | null = null;
  /** Weight updates applied so far. */
  version = 0;

  constructor(
    readonly model: DecoderModel,
    readonly engine: GenerationEngine,
    readonly tokenizer: ModelTokenizer | undefined,
    readonly eosTokenIds: number[],
    private readonly fns: ModelFunctions,
  ) {}

  /** A weight update is waiting for the requests in flight or swapping (new requests wait). */
  get updating(): boolean {
    return this.gate !== null;
  }

  /** Runs `work` (which submits to the engine) once no weight update is pending or running. */
  async shared<T>(work: () => Promise<T>): Promise<T> {
    while (this.gate) await this.gate;
    this.inFlight++;
    try {
      return await work();
    } finally {
      this.inFlight--;
      if (this.inFlight === 0) this.onIdle?.();
    }
  }

  /** One sequence on the engine (EOS ids of the model always stop it). */
  sample(request: Omit<GenerationRequest, "eosTokenIds">): Promise<SampledSequence> {
    return this.engine.submit({ ...request, eosTokenIds: this.eosTokenIds });
  }

  /**
   * Reads the weights of `dir` (config.json of the same architecture, safetensors) and swaps them in. The files are read
   * and checked before generation pauses; a bad folder leaves the served weights as they were (`ApiError` 400).
   */
  async updateFromDisk(dir: string): Promise<{ tensors: number }> {
    let tensors: Map<string, Float32Array>;
    try {
      const config = this.fns.readModelConfig(dir);
      const diff = Object.keys(this.model.config).filter(
        (k) => !["torchDtype", "bosTokenId", "eosTokenId"].includes(k) && JSON.stringify((config as unknown as Record<string, unknown>)[k]) !== JSON.stringify((this.model.config as unknown as Record<string, unknown>)[k]),
      );
      if (diff.length > 0) throw new ApiError(400, `${dir} has a different architecture (${diff.join(", ")} differ); only weights of the served architecture can be loaded`, "architecture_mismatch", "model_path");
      tensors = new Map();
      this.fns.readCheckpoint(dir, config, (spec, data) => {
        for (let i = 0; i < data.length; i++) {
          if (!Number.isFinite(data[i])) throw new ApiError(400, `${spec.name} in ${dir} has a non-finite value at ${i}`, "weights_not_finite", "model_path");
        }
        tensors.set(spec.name, data);
      });
    } catch (e) {
      if (e instanceof ApiError) throw e;
      throw new ApiError(400, `cannot load ${dir}: ${(e as Error).message}`, "weights_unreadable", "model_path");
    }
    while (this.gate) await this.gate;
    let release = () => {};
    this.gate = new Promise<void>((r) => {
      release = r;
    });
    try {
      if (this.inFlight > 0) await new Promise<void>((r) => (this.onIdle = r));
      this.onIdle = null;
      this.engine.updateWeights(tensors);
      this.version++;
    } finally {
      this.gate = null;
      release();
    }
    return { tensors: tensors.size };
  }

  /** A parameter's values by Hugging Face name (SGLang's `/get_weights_by_name`), the first `limit` of them. */
  weights(name: string, limit: number): number[] {
    if (!this.model.parameterNames().includes(name)) throw new ApiError(404, `no parameter named ${name}`, "parameter_not_found", "name");
    return Array.from(this.model.getParameter(name).subarray(0, limit));
  }
}
