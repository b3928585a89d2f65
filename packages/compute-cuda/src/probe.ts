import { CU_ATTR, type CudaDriver, loadCudaDriver } from "./driver.js";

export interface CudaDevice {
  ordinal: number;
  name: string;
  memoryBytes: number;
  computeCapability: string;
  multiprocessors: number;
}

/** What `probeCuda` found: either devices, or the reason there are none. */
export type CudaProbe =
  | { available: true; library: string; driverVersion: string; devices: CudaDevice[] }
  | { available: false; reason: string };

function errorName(drv: CudaDriver, rc: number): string {
  const out: (string | null)[] = [null];
  drv.getErrorName(rc, out);
  return `${out[0] ?? "CUDA_ERROR"} (${rc})`;
}

/**
 * Looks for a usable NVIDIA GPU through the driver API. Never throws: a machine without a GPU, driver or koffi gets
 * `{ available: false, reason }`.
 *
 * @example
 * ```ts
 * import { probeCuda } from "@sentrl/compute-cuda";
 * const p = probeCuda();
 * console.log(p.available ? p.devices[0].name : `no GPU: ${p.reason}`);
 * ```
 */
export function probeCuda(env: NodeJS.ProcessEnv = process.env): CudaProbe {
  const drv = loadCudaDriver(env);
  if (typeof drv === "string") return { available: false, reason: drv };
  try {
    let rc = drv.init(0);
    if (rc !== 0) return { available: false, reason: `cuInit failed: ${errorName(drv, rc)}` };
    const ver = [0];
    drv.driverGetVersion(ver);
    const count = [0];
    rc = drv.deviceGetCount(count);
    if (rc !== 0) return { available: false, reason: `cuDeviceGetCount failed: ${errorName(drv, rc)}` };
    if (count[0] === 0) return { available: false, reason: "the NVIDIA driver loaded but reports no GPU" };
    const devices: CudaDevice[] = [];
    for (let i = 0; i < count[0]; i++) {
      const dev = [0];
      if (drv.deviceGet(dev, i) !== 0) continue;
      const name = Buffer.alloc(256);
      drv.deviceGetName(name, 256, dev[0]);
      const mem: (number | bigint)[] = [0];
      drv.deviceTotalMem(mem, dev[0]);
      const major = [0];
      const minor = [0];
      const sms = [0];
      drv.deviceGetAttribute(major, CU_ATTR.computeCapabilityMajor, dev[0]);
      drv.deviceGetAttribute(minor, CU_ATTR.computeCapabilityMinor, dev[0]);
      drv.deviceGetAttribute(sms, CU_ATTR.multiprocessorCount, dev[0]);
      devices.push({
        ordinal: i,
        name: name.toString("utf8").replace(/\0[\s\S]*$/, ""),
        memoryBytes: Number(mem[0]),
        computeCapability: `${major[0]}.${minor[0]}`,
        multiprocessors: sms[0],
      });
    }
    return {
      available: true,
      library: drv.library,
      driverVersion: `${Math.floor(ver[0] / 1000)}.${(ver[0] % 1000) / 10}`,
      devices,
    };
  } catch (e) {
    return { available: false, reason: `the CUDA driver API failed: ${(e as Error).message}` };
  }
}
