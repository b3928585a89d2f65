// CPU emulation of the CUDA C subset our kernels use, so `g++ -std=c++20 -include emu.h kernel.cu` builds the same
// sources nvcc compiles to PTX (docs/contracts.md §1; packages/compute-cuda/README.md "The emulator").
//
// Model: one launch runs its blocks one after another; every thread of a block is a cooperative fiber (ucontext to
// create it, _setjmp/_longjmp to switch). `__syncthreads` parks a fiber until every live thread of the block has
// arrived; warp shuffles and votes go through an exchange array between two warp barriers; `__shared__` is a function
// static (one copy, reused block after block); atomics are plain read-modify-writes (one fiber runs at a time).
// What this cannot show: data races, memory ordering/coherence between blocks, timing (see the README).
#pragma once
#include <cmath>
#include <cstdint>
#include <cstring>
#include <utility>

struct uint3 { unsigned x, y, z; };
struct dim3 { unsigned x = 1, y = 1, z = 1; };

namespace emu {
enum class Wait : int { Run, Block, Warp, Done };
struct Fiber { uint3 tid; unsigned linear; Wait wait; };
extern Fiber *cur;                 // the fiber running now
extern uint3 block_idx;            // blockIdx of the running block
extern dim3 block_dim, grid_dim;
extern unsigned long long xch[1024];  // one exchange slot per thread of a block (shuffles, votes)
void yield(Wait w);                // park the running fiber until the scheduler releases `w`
}  // namespace emu

#define threadIdx (::emu::cur->tid)
#define blockIdx (::emu::block_idx)
#define blockDim (::emu::block_dim)
#define gridDim (::emu::grid_dim)
#define warpSize 32
#define __global__
#define __device__
#define __host__
#define __forceinline__ inline
#define __shared__ static
#define __launch_bounds__(...)
#define __restrict__ __restrict

inline void __syncthreads() { emu::yield(emu::Wait::Block); }
inline void __syncwarp(unsigned = 0xffffffffu) { emu::yield(emu::Wait::Warp); }
inline void __threadfence() {}

namespace emu {
template <class T> inline T shfl_from(T v, unsigned src_lane) {
  static_assert(sizeof(T) <= 8, "shuffle of a value wider than 8 bytes");
  const unsigned me = cur->linear;
  unsigned long long bits = 0;
  std::memcpy(&bits, &v, sizeof(T));
  xch[me] = bits;
  yield(Wait::Warp);
  const unsigned src = (me & ~31u) | (src_lane & 31u);
  T r = v;
  const unsigned n = block_dim.x * block_dim.y * block_dim.z;
  if (src < n) std::memcpy(&r, &xch[src], sizeof(T));
  yield(Wait::Warp);  // nobody overwrites a slot before every lane has read it
  return r;
}
}  // namespace emu
template <class T> inline T __shfl_xor_sync(unsigned, T v, int mask, int = 32) { return emu::shfl_from(v, (emu::cur->linear & 31u) ^ (unsigned)mask); }
template <class T> inline T __shfl_sync(unsigned, T v, int lane, int = 32) { return emu::shfl_from(v, (unsigned)lane); }
template <class T> inline T __shfl_down_sync(unsigned, T v, unsigned d, int = 32) {
  const unsigned lane = emu::cur->linear & 31u;
  return emu::shfl_from(v, lane + d < 32 ? lane + d : lane);
}
inline unsigned __ballot_sync(unsigned, int pred) {
  const unsigned me = emu::cur->linear;
  emu::xch[me] = pred ? 1 : 0;
  emu::yield(emu::Wait::Warp);
  const unsigned base = me & ~31u, n = emu::block_dim.x * emu::block_dim.y * emu::block_dim.z;
  unsigned bits = 0;
  for (unsigned l = 0; l < 32 && base + l < n; l++) bits |= (emu::xch[base + l] ? 1u : 0u) << l;
  emu::yield(emu::Wait::Warp);
  return bits;
}
inline int __any_sync(unsigned m, int p) { return __ballot_sync(m, p) != 0; }
inline int __all_sync(unsigned m, int p) { return __ballot_sync(m, !p) == 0; }

template <class T> inline T atomicAdd(T *a, T v) { T o = *a; *a = o + v; return o; }
template <class T> inline T atomicMax(T *a, T v) { T o = *a; if (v > o) *a = v; return o; }
template <class T> inline T atomicCAS(T *a, T c, T v) { T o = *a; if (o == c) *a = v; return o; }
template <class T> inline T atomicExch(T *a, T v) { T o = *a; *a = v; return o; }

inline int min(int a, int b) { return a < b ? a : b; }
inline int max(int a, int b) { return a > b ? a : b; }
inline unsigned min(unsigned a, unsigned b) { return a < b ? a : b; }
inline long long min(long long a, long long b) { return a < b ? a : b; }
inline float rsqrtf(float x) { return 1.0f / std::sqrt(x); }
inline double rsqrt(double x) { return 1.0 / std::sqrt(x); }

// Registration: the build appends `EMU_KERNEL(name)` for every `extern "C" __global__` function of a source file.
namespace emu {
using Invoke = void (*)(void **params);
void register_kernel(const char *name, Invoke fn);
template <class... A, unsigned long... I> inline void call_with(void (*k)(A...), void **p, std::integer_sequence<unsigned long, I...>) {
  k(*static_cast<A *>(p[I])...);
}
template <auto K> struct Registrar;
template <class... A, void (*K)(A...)> struct Registrar<K> {
  static void invoke(void **p) { call_with(K, p, std::make_integer_sequence<unsigned long, sizeof...(A)>{}); }
  explicit Registrar(const char *name) { register_kernel(name, &invoke); }
};
}  // namespace emu
#define EMU_KERNEL(name) static ::emu::Registrar<&name> emu_registrar_##name(#name);
