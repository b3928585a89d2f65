#!/usr/bin/env node
// GPU smoke test: loads the CUDA driver API through FFI (koffi), JIT-loads the committed PTX of a trivial saxpy
// kernel, runs it on 1M floats, checks the result on the CPU and prints one JSON report on stdout.
// Exit 0 when the kernel ran and matched; 1 otherwise (the report says where it stopped).
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(join(here, "..", "..", "package.json"));
const report = { node: process.version, arch: process.arch, stage: "start", ok: false };
const done = (code) => {
  process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  process.exit(code);
};

let koffi;
try {
  koffi = require("koffi");
} catch (e) {
  report.stage = "load-koffi";
  report.error = `koffi not found (${e.message}); carry node_modules/koffi`;
  done(1);
}

let lib;
for (const name of [process.env.SENTRL_LIBCUDA, "libcuda.so.1", "libcuda.so"].filter(Boolean)) {
  try {
    lib = koffi.load(name);
    report.libcuda = name;
    break;
  } catch (e) {
    report.libcudaError = e.message;
  }
}
if (!lib) {
  report.stage = "load-libcuda";
  report.error = "the CUDA driver library could not be loaded (no NVIDIA driver on this machine)";
  done(1);
}

const f = (sig) => lib.func(sig);
const cu = {
  init: f("int cuInit(unsigned int flags)"),
  driverVersion: f("int cuDriverGetVersion(_Out_ int *v)"),
  errorName: f("int cuGetErrorName(int err, _Out_ const char **name)"),
  deviceCount: f("int cuDeviceGetCount(_Out_ int *n)"),
  deviceGet: f("int cuDeviceGet(_Out_ int *dev, int ordinal)"),
  deviceName: f("int cuDeviceGetName(_Out_ char *name, int len, int dev)"),
  totalMem: f("int cuDeviceTotalMem_v2(_Out_ size_t *bytes, int dev)"),
  attribute: f("int cuDeviceGetAttribute(_Out_ int *v, int attr, int dev)"),
  primaryCtxRetain: f("int cuDevicePrimaryCtxRetain(_Out_ void **ctx, int dev)"),
  ctxSetCurrent: f("int cuCtxSetCurrent(void *ctx)"),
  moduleLoadData: f("int cuModuleLoadData(_Out_ void **mod, const char *image)"),
  moduleGetFunction: f("int cuModuleGetFunction(_Out_ void **fn, void *mod, const char *name)"),
  memAlloc: f("int cuMemAlloc_v2(_Out_ uint64_t *ptr, size_t bytes)"),
  memFree: f("int cuMemFree_v2(uint64_t ptr)"),
  htod: f("int cuMemcpyHtoD_v2(uint64_t dst, const void *src, size_t bytes)"),
  dtoh: f("int cuMemcpyDtoH_v2(_Out_ void *dst, uint64_t src, size_t bytes)"),
  launch: f(
    "int cuLaunchKernel(void *fn, unsigned int gx, unsigned int gy, unsigned int gz, unsigned int bx, unsigned int by, unsigned int bz, unsigned int shmem, void *stream, void *params, void *extra)",
  ),
  sync: f("int cuCtxSynchronize()"),
};

function check(stage, rc) {
  if (rc === 0) return;
  const name = [null];
  cu.errorName(rc, name);
  report.stage = stage;
  report.error = `${name[0] ?? "CUDA_ERROR"} (${rc})`;
  done(1);
}

check("cuInit", cu.init(0));
const ver = [0];
check("cuDriverGetVersion", cu.driverVersion(ver));
report.driverApiVersion = `${Math.floor(ver[0] / 1000)}.${(ver[0] % 1000) / 10}`;
const count = [0];
check("cuDeviceGetCount", cu.deviceCount(count));
report.devices = count[0];
if (count[0] < 1) {
  report.stage = "no-device";
  report.error = "the driver loaded but sees no GPU";
  done(1);
}
const dev = [0];
check("cuDeviceGet", cu.deviceGet(dev, 0));
const nameBuf = Buffer.alloc(256);
check("cuDeviceGetName", cu.deviceName(nameBuf, 256, dev[0]));
report.device = nameBuf.toString("utf8").replace(/\0.*$/s, "");
const mem = [0];
check("cuDeviceTotalMem", cu.totalMem(mem, dev[0]));
report.memoryGiB = Number(mem[0]) / 2 ** 30;
const major = [0];
const minor = [0];
check("cuDeviceGetAttribute", cu.attribute(major, 75, dev[0]));
check("cuDeviceGetAttribute", cu.attribute(minor, 76, dev[0]));
report.computeCapability = `${major[0]}.${minor[0]}`;
const ctx = [null];
check("cuDevicePrimaryCtxRetain", cu.primaryCtxRetain(ctx, dev[0]));
check("cuCtxSetCurrent", cu.ctxSetCurrent(ctx[0]));

const ptxPath = join(here, "smoke_kernel.ptx");
const ptx = readFileSync(ptxPath, "utf8");
report.ptxVersion = /^\.version\s+(\S+)/m.exec(ptx)?.[1];
const mod = [null];
check("cuModuleLoadData (PTX JIT; an old driver rejects a newer PTX ISA)", cu.moduleLoadData(mod, `${ptx}\0`));
const fn = [null];
check("cuModuleGetFunction", cu.moduleGetFunction(fn, mod[0], "saxpy"));

const n = 1 << 20;
const a = 2.5;
const x = new Float32Array(n).map((_, i) => (i % 1000) / 7);
const y = new Float32Array(n).map((_, i) => 1 - (i % 13));
const dx = [0n];
const dy = [0n];
check("cuMemAlloc", cu.memAlloc(dx, n * 4));
check("cuMemAlloc", cu.memAlloc(dy, n * 4));
check("cuMemcpyHtoD", cu.htod(dx[0], Buffer.from(x.buffer), n * 4));
check("cuMemcpyHtoD", cu.htod(dy[0], Buffer.from(y.buffer), n * 4));
// kernelParams is a void*[] of pointers to each argument's bytes; koffi.address gives a Buffer's address.
const args = [Buffer.alloc(4), Buffer.alloc(4), Buffer.alloc(8), Buffer.alloc(8)];
args[0].writeInt32LE(n);
args[1].writeFloatLE(a);
args[2].writeBigUInt64LE(BigInt(dx[0]));
args[3].writeBigUInt64LE(BigInt(dy[0]));
const params = Buffer.alloc(8 * args.length);
for (const [i, b] of args.entries()) params.writeBigUInt64LE(koffi.address(b), 8 * i);
const t0 = process.hrtime.bigint();
check("cuLaunchKernel", cu.launch(fn[0], Math.ceil(n / 256), 1, 1, 256, 1, 1, 0, null, params, null));
check("cuCtxSynchronize", cu.sync());
report.kernelMs = Number(process.hrtime.bigint() - t0) / 1e6;
const out = Buffer.alloc(n * 4);
check("cuMemcpyDtoH", cu.dtoh(out, dy[0], n * 4));
const got = new Float32Array(out.buffer, out.byteOffset, n);
let maxErr = 0;
for (let i = 0; i < n; i++) maxErr = Math.max(maxErr, Math.abs(got[i] - Math.fround(Math.fround(a * x[i]) + y[i])));
cu.memFree(dx[0]);
cu.memFree(dy[0]);
report.saxpy = { n, maxAbsErr: maxErr, sample: [got[0], got[1], got[n - 1]] };
report.stage = "done";
report.ok = maxErr <= 1e-5;
done(report.ok ? 0 : 1);
