// The emulator's "driver": the slice of the CUDA driver API that @sentrl/compute-cuda calls (same names and
// signatures as libcuda.so.1), implemented on the CPU. Device memory is host memory; a module is the set of kernels
// registered by the emulated .cu sources (the PTX text handed to cuModuleLoadData is only checked for `.entry`
// names); cuLaunchKernel runs the grid block by block, each block's threads as cooperative fibers (emu.h).
// The JS side binds this library exactly as it binds libcuda (SENTRL_LIBCUDA / loadCudaDriver), so the backend
// code that runs on the emulator is the code that runs on a GPU.
#include "emu.h"

#include <setjmp.h>
#include <ucontext.h>

#include <cstdio>
#include <cstdlib>
#include <map>
#include <string>
#include <vector>

namespace emu {
Fiber *cur = nullptr;
uint3 block_idx{0, 0, 0};
dim3 block_dim, grid_dim;
unsigned long long xch[1024];

static std::map<std::string, Invoke> &registry() {
  static std::map<std::string, Invoke> r;
  return r;
}
void register_kernel(const char *name, Invoke fn) { registry()[name] = fn; }

namespace {
constexpr size_t kStack = 256 * 1024;
struct Slot {
  Fiber f;
  jmp_buf jb;
  ucontext_t uc;
  char *stack = nullptr;
};
std::vector<Slot *> slots;     // persistent fibers, reused launch after launch
jmp_buf sched_jb;              // where a parked fiber returns to
ucontext_t boot_uc;            // creation hand-off
Invoke launch_fn = nullptr;    // the kernel of the running launch
void **launch_params = nullptr;
Slot *running = nullptr;

void fiber_main() {
  Slot *s = running;
  if (_setjmp(s->jb) == 0) setcontext(&boot_uc);  // created: hand control back, resume here on first run
  for (;;) {
    launch_fn(launch_params);
    s->f.wait = Wait::Done;
    if (_setjmp(s->jb) == 0) _longjmp(sched_jb, 1);
  }
}

Slot *slot(unsigned i) {
  while (slots.size() <= i) {
    Slot *s = new Slot();
    s->stack = static_cast<char *>(std::malloc(kStack));
    getcontext(&s->uc);
    s->uc.uc_stack.ss_sp = s->stack;
    s->uc.uc_stack.ss_size = kStack;
    s->uc.uc_link = nullptr;
    makecontext(&s->uc, fiber_main, 0);
    running = s;
    swapcontext(&boot_uc, &s->uc);
    slots.push_back(s);
  }
  return slots[i];
}

// Runs one block to completion. Returns false on a deadlock (threads waiting at barriers that can never open).
bool run_block(unsigned n) {
  for (unsigned i = 0; i < n; i++) {
    Slot *s = slot(i);
    s->f.linear = i;
    s->f.tid = {i % block_dim.x, (i / block_dim.x) % block_dim.y, i / (block_dim.x * block_dim.y)};
    s->f.wait = Wait::Run;
  }
  for (;;) {
    bool any_ran = false;
    for (unsigned i = 0; i < n; i++) {
      Slot *s = slots[i];
      if (s->f.wait != Wait::Run) continue;
      any_ran = true;
      cur = &s->f;
      running = s;
      if (_setjmp(sched_jb) == 0) _longjmp(s->jb, 1);
    }
    // Release barriers: a warp barrier opens when every live lane of the warp waits at one; the block barrier when
    // every live thread of the block waits at it. Finished threads count as arrived.
    unsigned done = 0, at_block = 0;
    bool released = false;
    for (unsigned w = 0; w < n; w += 32) {
      unsigned end = w + 32 < n ? w + 32 : n, live = 0, at_warp = 0;
      for (unsigned i = w; i < end; i++) {
        Wait st = slots[i]->f.wait;
        if (st == Wait::Done) done++;
        else { live++; if (st == Wait::Warp) at_warp++; if (st == Wait::Block) at_block++; }
      }
      if (live > 0 && at_warp == live) {
        for (unsigned i = w; i < end; i++) if (slots[i]->f.wait == Wait::Warp) slots[i]->f.wait = Wait::Run;
        released = true;
      }
    }
    if (done == n) return true;
    if (!released && at_block + done == n) {
      for (unsigned i = 0; i < n; i++) if (slots[i]->f.wait == Wait::Block) slots[i]->f.wait = Wait::Run;
      released = true;
    }
    if (!released && !any_ran) return false;
  }
}
}  // namespace

void yield(Wait w) {
  Slot *s = running;
  s->f.wait = w;
  if (_setjmp(s->jb) == 0) _longjmp(sched_jb, 1);
}
}  // namespace emu

using emu::Invoke;
static std::string last_error;

extern "C" {
// Error codes follow the driver's CUresult values.
enum { OK = 0, INVALID_VALUE = 1, OUT_OF_MEMORY = 2, NOT_FOUND = 500, LAUNCH_FAILED = 719, INVALID_IMAGE = 200 };

int cuInit(unsigned flags) { return flags == 0 ? OK : INVALID_VALUE; }
int cuDriverGetVersion(int *v) { *v = 13000; return OK; }
int cuGetErrorName(int err, const char **name) {
  switch (err) {
    case OK: *name = "CUDA_SUCCESS"; break;
    case INVALID_VALUE: *name = "CUDA_ERROR_INVALID_VALUE"; break;
    case OUT_OF_MEMORY: *name = "CUDA_ERROR_OUT_OF_MEMORY"; break;
    case NOT_FOUND: *name = "CUDA_ERROR_NOT_FOUND"; break;
    case LAUNCH_FAILED: *name = "CUDA_ERROR_LAUNCH_FAILED (emulator: deadlock at a barrier)"; break;
    default: *name = "CUDA_ERROR_UNKNOWN";
  }
  return OK;
}
int cuGetErrorString(int err, const char **s) { return cuGetErrorName(err, s); }
int cuDeviceGetCount(int *n) { *n = 1; return OK; }
int cuDeviceGet(int *dev, int ordinal) { *dev = ordinal; return ordinal == 0 ? OK : 101; }
int cuDeviceGetName(char *name, int len, int) { std::snprintf(name, len, "sentrl CUDA emulator (CPU)"); return OK; }
int cuDeviceTotalMem_v2(size_t *bytes, int) { *bytes = (size_t)1 << 32; return OK; }
int cuDeviceGetAttribute(int *v, int attr, int) { *v = attr == 75 ? 9 : attr == 76 ? 0 : attr == 16 ? 1 : 0; return OK; }
int cuDevicePrimaryCtxRetain(void **ctx, int) { *ctx = reinterpret_cast<void *>(0xE4u); return OK; }
int cuCtxSetCurrent(void *) { return OK; }
int cuCtxSynchronize(void) { return OK; }
int cuModuleLoadData(void **mod, const char *image) {
  // Every `.entry name(` of the PTX must be a kernel the emulator has: a PTX built from other sources is refused.
  for (const char *p = std::strstr(image, ".entry "); p; p = std::strstr(p + 7, ".entry ")) {
    const char *b = p + 7, *e = b;
    while (*e && *e != '(' && *e != ' ' && *e != '\n') e++;
    if (!emu::registry().count(std::string(b, e))) return INVALID_IMAGE;
  }
  *mod = reinterpret_cast<void *>(0xE5u);
  return OK;
}
int cuModuleGetFunction(void **fn, void *, const char *name) {
  auto it = emu::registry().find(name);
  if (it == emu::registry().end()) return NOT_FOUND;
  *fn = reinterpret_cast<void *>(it->second);
  return OK;
}
int cuMemAlloc_v2(uint64_t *ptr, size_t bytes) {
  void *p = std::calloc(bytes ? bytes : 1, 1);
  *ptr = reinterpret_cast<uint64_t>(p);
  return p ? OK : OUT_OF_MEMORY;
}
int cuMemFree_v2(uint64_t ptr) { std::free(reinterpret_cast<void *>(ptr)); return OK; }
int cuMemcpyHtoD_v2(uint64_t dst, const void *src, size_t n) { std::memcpy(reinterpret_cast<void *>(dst), src, n); return OK; }
int cuMemcpyDtoH_v2(void *dst, uint64_t src, size_t n) { std::memcpy(dst, reinterpret_cast<void *>(src), n); return OK; }
int cuMemcpyDtoD_v2(uint64_t dst, uint64_t src, size_t n) { std::memmove(reinterpret_cast<void *>(dst), reinterpret_cast<void *>(src), n); return OK; }
int cuMemsetD32_v2(uint64_t dst, unsigned v, size_t n) {
  unsigned *p = reinterpret_cast<unsigned *>(dst);
  for (size_t i = 0; i < n; i++) p[i] = v;
  return OK;
}
int cuLaunchKernel(void *fn, unsigned gx, unsigned gy, unsigned gz, unsigned bx, unsigned by, unsigned bz, unsigned,
                   void *, void **params, void **) {
  const unsigned n = bx * by * bz;
  if (!fn || n == 0 || n > 1024 || gx == 0 || gy == 0 || gz == 0) return INVALID_VALUE;
  emu::launch_fn = reinterpret_cast<Invoke>(fn);
  emu::launch_params = params;
  emu::block_dim = {bx, by, bz};
  emu::grid_dim = {gx, gy, gz};
  for (unsigned z = 0; z < gz; z++)
    for (unsigned y = 0; y < gy; y++)
      for (unsigned x = 0; x < gx; x++) {
        emu::block_idx = {x, y, z};
        if (!emu::run_block(n)) {
          emu::slots.clear();  // those fibers are stuck mid-kernel: never resume them (their stacks leak)
          return LAUNCH_FAILED;
        }
      }
  return OK;
}
}
