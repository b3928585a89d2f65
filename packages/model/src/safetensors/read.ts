import { closeSync, fstatSync, openSync, readSync, statSync } from "node:fs";
import { ModelError } from "../errors.js";
import { DTYPE_SIZES, decodeFloats, type FloatDtype } from "./dtype.js";

/** Largest JSON header accepted (the format's own limit is 100 MB). */
export const MAX_HEADER_BYTES = 100_000_000;

/** One tensor's header entry; `begin`/`end` are byte offsets from the start of the data section. */
export interface TensorInfo {
  dtype: string;
  shape: number[];
  begin: number;
  end: number;
}

/** A parsed header: tensors by name and the free-form `__metadata__` strings. */
export interface SafetensorsHeader {
  tensors: Map<string, TensorInfo>;
  metadata: Record<string, string>;
  /** Byte offset of the data section in the file (8 + header length). */
  dataStart: number;
}

const bad = (file: string, code: string, msg: string): ModelError => new ModelError(code, `${file}: ${msg}`);

/**
 * Validates a safetensors header strictly: size limits, JSON shape, known dtypes, integer shapes, offsets inside the
 * data section, byte length = elements × dtype size, no overlapping tensors.
 * `headerBytes` is the JSON text; `dataBytes` the size of the data section.
 */
export function parseSafetensorsHeader(headerBytes: Uint8Array, dataBytes: number, file = "safetensors"): SafetensorsHeader {
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(headerBytes));
  } catch (e) {
    throw bad(file, "SAFETENSORS_BAD_HEADER", `header is not valid UTF-8 JSON (${(e as Error).message}); the file is corrupt or not a safetensors file`);
  }
  if (json === null || typeof json !== "object" || Array.isArray(json)) throw bad(file, "SAFETENSORS_BAD_HEADER", "header must be a JSON object");
  const tensors = new Map<string, TensorInfo>();
  let metadata: Record<string, string> = {};
  for (const [name, raw] of Object.entries(json as Record<string, unknown>)) {
    if (name === "__metadata__") {
      if (raw === null || typeof raw !== "object" || Array.isArray(raw) || Object.values(raw).some((v) => typeof v !== "string")) {
        throw bad(file, "SAFETENSORS_BAD_HEADER", "__metadata__ must be an object of strings");
      }
      metadata = raw as Record<string, string>;
      continue;
    }
    const e = raw as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    if (e === null || typeof e !== "object") throw bad(file, "SAFETENSORS_BAD_HEADER", `entry \`${name}\` must be an object`);
    if (typeof e.dtype !== "string" || !(e.dtype in DTYPE_SIZES)) throw bad(file, "SAFETENSORS_BAD_HEADER", `tensor \`${name}\` has unknown dtype ${JSON.stringify(e.dtype)}`);
    if (!Array.isArray(e.shape) || !e.shape.every((d) => Number.isSafeInteger(d) && d >= 0)) throw bad(file, "SAFETENSORS_BAD_HEADER", `tensor \`${name}\` has an invalid shape ${JSON.stringify(e.shape)}`);
    const off = e.data_offsets;
    if (!Array.isArray(off) || off.length !== 2 || !off.every((d) => Number.isSafeInteger(d) && d >= 0) || off[0] > off[1]) {
      throw bad(file, "SAFETENSORS_BAD_HEADER", `tensor \`${name}\` has invalid data_offsets ${JSON.stringify(off)}`);
    }
    const [begin, end] = off as [number, number];
    if (end > dataBytes) throw bad(file, "SAFETENSORS_BAD_OFFSETS", `tensor \`${name}\` ends at byte ${end}, outside the ${dataBytes}-byte data section (truncated or corrupt file)`);
    const elements = (e.shape as number[]).reduce((a, d) => a * d, 1);
    if (end - begin !== elements * DTYPE_SIZES[e.dtype]) {
      throw bad(file, "SAFETENSORS_BAD_OFFSETS", `tensor \`${name}\` spans ${end - begin} bytes but ${e.dtype}[${(e.shape as number[]).join(", ")}] needs ${elements * DTYPE_SIZES[e.dtype]}`);
    }
    tensors.set(name, { dtype: e.dtype, shape: e.shape as number[], begin, end });
  }
  const sorted = [...tensors.entries()].filter(([, t]) => t.end > t.begin).sort((a, b) => a[1].begin - b[1].begin);
  for (let i = 1; i < sorted.length; i++) {
    if (sorted[i][1].begin < sorted[i - 1][1].end) throw bad(file, "SAFETENSORS_BAD_OFFSETS", `tensors \`${sorted[i - 1][0]}\` and \`${sorted[i][0]}\` overlap`);
  }
  return { tensors, metadata, dataStart: 0 };
}

/**
 * A safetensors file opened for reading: the header is parsed and validated on open, tensors are read on demand
 * (so a multi-gigabyte checkpoint is never held twice).
 *
 * @example
 * ```ts
 * import { SafetensorsFile } from "@sentrl/model";
 * const f = SafetensorsFile.open("model.safetensors");
 * const emb = f.readFloat32("model.embed_tokens.weight"); // F32, F16 or BF16 on disk → Float32Array
 * f.close();
 * ```
 */
export class SafetensorsFile {
  private constructor(
    readonly path: string,
    private fd: number | null,
    readonly header: SafetensorsHeader,
  ) {}

  /** Opens and validates `path`; throws `SAFETENSORS_*` coded errors on malformed files. */
  static open(path: string): SafetensorsFile {
    let fd: number;
    // A FIFO or device would block or never end: only regular files are opened (docs/contracts.md §1).
    const st = statSync(path, { throwIfNoEntry: false });
    if (st && !st.isFile())
      throw new ModelError("MODEL_FILE_NOT_REGULAR", `${path} is not a regular file; safetensors weights must be plain files`);
    try {
      fd = openSync(path, "r");
    } catch (e) {
      throw new ModelError("MODEL_FILES_MISSING", `cannot open ${path}: ${(e as Error).message}`, { cause: e });
    }
    try {
      const size = fstatSync(fd).size;
      if (size < 8) throw bad(path, "SAFETENSORS_TRUNCATED", `file has ${size} bytes, fewer than the 8-byte header length`);
      const lenBuf = Buffer.alloc(8);
      readSync(fd, lenBuf, 0, 8, 0);
      const n = lenBuf.readBigUInt64LE(0);
      if (n > BigInt(MAX_HEADER_BYTES)) throw bad(path, "SAFETENSORS_HEADER_TOO_LARGE", `header length ${n} exceeds the ${MAX_HEADER_BYTES}-byte limit (corrupt or not a safetensors file)`);
      const headerLen = Number(n);
      if (8 + headerLen > size) throw bad(path, "SAFETENSORS_TRUNCATED", `header length ${headerLen} runs past the end of the ${size}-byte file`);
      const headerBytes = Buffer.alloc(headerLen);
      readSync(fd, headerBytes, 0, headerLen, 8);
      const header = parseSafetensorsHeader(headerBytes, size - 8 - headerLen, path);
      header.dataStart = 8 + headerLen;
      return new SafetensorsFile(path, fd, header);
    } catch (e) {
      closeSync(fd);
      throw e;
    }
  }

  /** Tensor names in the file. */
  names(): string[] {
    return [...this.header.tensors.keys()];
  }

  /** The header entry of `name` (undefined when absent). */
  info(name: string): TensorInfo | undefined {
    return this.header.tensors.get(name);
  }

  /** Reads tensor `name` (F32, F16 or BF16) as float32 values. */
  readFloat32(name: string): Float32Array {
    const t = this.header.tensors.get(name);
    if (!t) throw new ModelError("MODEL_WEIGHT_MISSING", `${this.path}: no tensor \`${name}\``);
    if (t.dtype !== "F32" && t.dtype !== "F16" && t.dtype !== "BF16") {
      throw new ModelError("SAFETENSORS_UNSUPPORTED_DTYPE", `${this.path}: tensor \`${name}\` is ${t.dtype}; only F32, F16 and BF16 weights are supported (convert the checkpoint)`);
    }
    if (this.fd === null) throw new ModelError("MODEL_BAD_ARGUMENT", `${this.path}: file is closed`);
    const bytes = new Uint8Array(t.end - t.begin);
    let done = 0;
    while (done < bytes.length) {
      const n = readSync(this.fd, bytes, done, bytes.length - done, this.header.dataStart + t.begin + done);
      if (n === 0) throw bad(this.path, "SAFETENSORS_TRUNCATED", `unexpected end of file reading \`${name}\``);
      done += n;
    }
    return decodeFloats(bytes, t.dtype as FloatDtype);
  }

  /** Closes the file descriptor. */
  close(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
  }
}
