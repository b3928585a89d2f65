// N-API bindings (plain node_api.h). This file is compiled WITHOUT AVX flags: it checks the CPU before any
// kernel (built with -mavx2 -mfma in a separate static library) can run. Every typed array is used in place.
#include <node_api.h>

#include <algorithm>
#include <cstdint>
#include <string>

#include "gemm.h"
#include "kernels.h"
#include "pool.h"

namespace {

bool cpuHasAvx2Fma() {
#if defined(__x86_64__) || defined(_M_X64)
#if defined(__GNUC__) || defined(__clang__)
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
#else
  return false;
#endif
#else
  return false;
#endif
}

const bool kCpuOk = cpuHasAvx2Fma();

struct ArgError {
  std::string message;
};

class Args {
 public:
  Args(napi_env env, napi_callback_info info, const char* fn) : env_(env), fn_(fn) {
    argc_ = 16;
    napi_get_cb_info(env, info, &argc_, argv_, nullptr, nullptr);
  }
  napi_value at(size_t i) {
    if (i >= argc_) fail(i, "is missing");
    return argv_[i];
  }
  bool isNullish(size_t i) {
    if (i >= argc_) return true;
    napi_valuetype t;
    napi_typeof(env_, argv_[i], &t);
    return t == napi_null || t == napi_undefined;
  }
  double number(size_t i) {
    double d;
    if (napi_get_value_double(env_, at(i), &d) != napi_ok) fail(i, "must be a number");
    return d;
  }
  int integer(size_t i, int min = 0) {
    double d = number(i);
    if (!(d >= min) || d > 2147483647.0 || d != static_cast<double>(static_cast<int64_t>(d)))
      fail(i, "must be an integer >= " + std::to_string(min));
    return static_cast<int>(d);
  }
  bool boolean(size_t i) {
    if (isNullish(i)) return false;
    bool b;
    if (napi_get_value_bool(env_, at(i), &b) != napi_ok) fail(i, "must be a boolean");
    return b;
  }
  template <typename T>
  T* array(size_t i, napi_typedarray_type want, const char* typeName, int64_t minLength, bool optional) {
    if (optional && isNullish(i)) return nullptr;
    bool isTa = false;
    napi_is_typedarray(env_, at(i), &isTa);
    if (!isTa) fail(i, std::string("must be a ") + typeName);
    napi_typedarray_type type;
    size_t length;
    void* data;
    napi_get_typedarray_info(env_, at(i), &type, &length, &data, nullptr, nullptr);
    if (type != want) fail(i, std::string("must be a ") + typeName);
    if (static_cast<int64_t>(length) < minLength)
      fail(i, "has " + std::to_string(length) + " elements, needs at least " + std::to_string(minLength));
    return static_cast<T*>(data);
  }
  float* f32(size_t i, int64_t n, bool optional = false) {
    return array<float>(i, napi_float32_array, "Float32Array", n, optional);
  }
  int32_t* i32(size_t i, int64_t n) { return array<int32_t>(i, napi_int32_array, "Int32Array", n, false); }
  uint8_t* u8(size_t i, int64_t n, bool optional) {
    return array<uint8_t>(i, napi_uint8_array, "Uint8Array", n, optional);
  }
  int64_t f32Length(size_t i) {
    bool isTa = false;
    napi_is_typedarray(env_, at(i), &isTa);
    if (!isTa) fail(i, "must be a Float32Array");
    napi_typedarray_type type;
    size_t length;
    napi_get_typedarray_info(env_, at(i), &type, &length, nullptr, nullptr, nullptr);
    if (type != napi_float32_array) fail(i, "must be a Float32Array");
    return static_cast<int64_t>(length);
  }
  [[noreturn]] void fail(size_t i, const std::string& what) {
    throw ArgError{std::string(fn_) + ": argument " + std::to_string(i) + " " + what};
  }
  [[noreturn]] void failMsg(const std::string& what) { throw ArgError{std::string(fn_) + ": " + what}; }

 private:
  napi_env env_;
  const char* fn_;
  size_t argc_;
  napi_value argv_[16];
};

template <typename F>
napi_value guarded(napi_env env, napi_callback_info info, const char* name, F&& body) {
  if (!kCpuOk) {
    napi_throw_error(env, "NATIVE_CPU_UNSUPPORTED", "this CPU lacks AVX2/FMA; use the TypeScript backend");
    return nullptr;
  }
  try {
    Args a(env, info, name);
    return body(a);
  } catch (const ArgError& e) {
    napi_throw_range_error(env, "NATIVE_BAD_ARGUMENT", e.message.c_str());
    return nullptr;
  } catch (const std::exception& e) {
    napi_throw_error(env, "NATIVE_KERNEL_FAILED", e.what());
    return nullptr;
  }
}

napi_value undefinedValue(napi_env env) {
  napi_value u;
  napi_get_undefined(env, &u);
  return u;
}

int64_t mul(int64_t a, int64_t b) { return a * b; }

napi_value MatmulForward(napi_env env, napi_callback_info info) {
  return guarded(env, info, "matmulForward", [&](Args& a) {
    const int rows = a.integer(4), inDim = a.integer(5), outDim = a.integer(6);
    float* y = a.f32(0, mul(rows, outDim));
    const float* x = a.f32(1, mul(rows, inDim));
    const float* w = a.f32(2, mul(outDim, inDim));
    const float* bias = a.f32(3, outDim, true);
    sentrl::matmulForward(y, x, w, bias, rows, inDim, outDim);
    return undefinedValue(env);
  });
}

napi_value MatmulBackwardInput(napi_env env, napi_callback_info info) {
  return guarded(env, info, "matmulBackwardInput", [&](Args& a) {
    const int rows = a.integer(3), inDim = a.integer(4), outDim = a.integer(5);
    float* dx = a.f32(0, mul(rows, inDim));
    const float* dy = a.f32(1, mul(rows, outDim));
    const float* w = a.f32(2, mul(outDim, inDim));
    sentrl::matmulBackwardInput(dx, dy, w, rows, inDim, outDim, a.boolean(6));
    return undefinedValue(env);
  });
}

napi_value MatmulBackwardWeight(napi_env env, napi_callback_info info) {
  return guarded(env, info, "matmulBackwardWeight", [&](Args& a) {
    const int rows = a.integer(4), inDim = a.integer(5), outDim = a.integer(6);
    float* dw = a.f32(0, mul(outDim, inDim), true);
    float* dbias = a.f32(1, outDim, true);
    const float* dy = a.f32(2, mul(rows, outDim));
    const float* x = a.f32(3, mul(rows, inDim));
    sentrl::matmulBackwardWeight(dw, dbias, dy, x, rows, inDim, outDim);
    return undefinedValue(env);
  });
}

void checkTargets(Args& a, const int32_t* targets, int rows, int vocab) {
  for (int r = 0; r < rows; r++)
    if (targets[r] >= vocab)
      a.failMsg("target " + std::to_string(targets[r]) + " at row " + std::to_string(r) + " is outside [0, " +
                std::to_string(vocab) + ")");
}

void checkTemperature(Args& a, double t) {
  if (!(t > 0) || t == 1.0 / 0.0) a.failMsg("temperature must be a positive finite number");
}

napi_value LogitsStatsForward(napi_env env, napi_callback_info info) {
  return guarded(env, info, "logitsStatsForward", [&](Args& a) {
    const int rows = a.integer(3), dim = a.integer(4), vocab = a.integer(5, 1);
    const double temperature = a.number(6);
    checkTemperature(a, temperature);
    const float* h = a.f32(0, mul(rows, dim));
    const float* w = a.f32(1, mul(vocab, dim));
    const int32_t* targets = a.i32(2, rows);
    float* logp = a.f32(7, rows);
    float* entropy = a.f32(8, rows);
    float* lse = a.f32(9, rows, true);
    checkTargets(a, targets, rows, vocab);
    sentrl::logitsStatsForward(h, w, targets, rows, dim, vocab, static_cast<float>(temperature), logp, entropy, lse);
    return undefinedValue(env);
  });
}

napi_value LogitsStatsBackward(napi_env env, napi_callback_info info) {
  return guarded(env, info, "logitsStatsBackward", [&](Args& a) {
    const int rows = a.integer(7), dim = a.integer(8), vocab = a.integer(9, 1);
    const double temperature = a.number(10);
    checkTemperature(a, temperature);
    const float* h = a.f32(0, mul(rows, dim));
    const float* w = a.f32(1, mul(vocab, dim));
    const int32_t* targets = a.i32(2, rows);
    const float* lse = a.f32(3, rows);
    const float* entropy = a.f32(4, rows);
    const float* dlogp = a.f32(5, rows, true);
    const float* dentropy = a.f32(6, rows, true);
    float* dh = a.f32(11, mul(rows, dim), true);
    float* dw = a.f32(12, mul(vocab, dim), true);
    checkTargets(a, targets, rows, vocab);
    sentrl::logitsStatsBackward(h, w, targets, lse, entropy, dlogp, dentropy, rows, dim, vocab,
                                static_cast<float>(temperature), dh, dw, a.boolean(13));
    return undefinedValue(env);
  });
}

napi_value RmsnormForward(napi_env env, napi_callback_info info) {
  return guarded(env, info, "rmsnormForward", [&](Args& a) {
    const int rows = a.integer(4), dim = a.integer(5, 1);
    float* out = a.f32(0, mul(rows, dim));
    float* rstd = a.f32(1, rows, true);
    const float* x = a.f32(2, mul(rows, dim));
    const float* w = a.f32(3, dim);
    sentrl::rmsnormForward(out, rstd, x, w, rows, dim, static_cast<float>(a.number(6)));
    return undefinedValue(env);
  });
}

napi_value RmsnormBackward(napi_env env, napi_callback_info info) {
  return guarded(env, info, "rmsnormBackward", [&](Args& a) {
    const int rows = a.integer(6), dim = a.integer(7, 1);
    float* dx = a.f32(0, mul(rows, dim));
    float* dweight = a.f32(1, dim, true);
    const float* dout = a.f32(2, mul(rows, dim));
    const float* x = a.f32(3, mul(rows, dim));
    const float* w = a.f32(4, dim);
    const float* rstd = a.f32(5, rows);
    sentrl::rmsnormBackward(dx, dweight, dout, x, w, rstd, rows, dim, a.boolean(8));
    return undefinedValue(env);
  });
}

napi_value SwigluForward(napi_env env, napi_callback_info info) {
  return guarded(env, info, "swigluForward", [&](Args& a) {
    const int64_t n = a.integer(3);
    sentrl::swigluForward(a.f32(0, n), a.f32(1, n), a.f32(2, n), n);
    return undefinedValue(env);
  });
}

napi_value SwigluBackward(napi_env env, napi_callback_info info) {
  return guarded(env, info, "swigluBackward", [&](Args& a) {
    const int64_t n = a.integer(5);
    sentrl::swigluBackward(a.f32(0, n), a.f32(1, n), a.f32(2, n), a.f32(3, n), a.f32(4, n), n, a.boolean(6));
    return undefinedValue(env);
  });
}

napi_value SumSquares(napi_env env, napi_callback_info info) {
  return guarded(env, info, "sumSquares", [&](Args& a) {
    const int64_t n = a.f32Length(0);
    const double s = sentrl::sumSquares(a.f32(0, n), n);
    napi_value out;
    napi_create_double(env, s, &out);
    return out;
  });
}

napi_value AdamwUpdate(napi_env env, napi_callback_info info) {
  return guarded(env, info, "adamwUpdate", [&](Args& a) {
    const int64_t n = a.f32Length(0);
    float* p = a.f32(0, n);
    const float* g = a.f32(1, n);
    float* m = a.f32(2, n);
    float* v = a.f32(3, n);
    const int step = a.integer(9, 1);
    sentrl::adamwUpdate(p, g, m, v, n, static_cast<float>(a.number(4)), static_cast<float>(a.number(5)),
                        static_cast<float>(a.number(6)), static_cast<float>(a.number(7)),
                        static_cast<float>(a.number(8)), step, static_cast<float>(a.number(10)));
    return undefinedValue(env);
  });
}

void checkHeads(Args& a, int heads, int kvHeads) {
  if (kvHeads < 1 || heads % kvHeads != 0) a.failMsg("heads must be a multiple of kvHeads (>= 1)");
}

napi_value AttentionForward(napi_env env, napi_callback_info info) {
  return guarded(env, info, "attentionForward", [&](Args& a) {
    const int batch = a.integer(6), seqLen = a.integer(7), heads = a.integer(8, 1), kvHeads = a.integer(9, 1),
              hd = a.integer(10, 1);
    checkHeads(a, heads, kvHeads);
    const int64_t rows = mul(batch, seqLen);
    float* out = a.f32(0, rows * heads * hd);
    float* probs = a.f32(1, mul(batch, heads) * mul(seqLen, seqLen), true);
    const float* q = a.f32(2, rows * heads * hd);
    const float* k = a.f32(3, rows * kvHeads * hd);
    const float* v = a.f32(4, rows * kvHeads * hd);
    const uint8_t* mask = a.u8(5, rows, true);
    sentrl::attentionForward(out, probs, q, k, v, mask, batch, seqLen, heads, kvHeads, hd);
    return undefinedValue(env);
  });
}

napi_value AttentionBackward(napi_env env, napi_callback_info info) {
  return guarded(env, info, "attentionBackward", [&](Args& a) {
    const int batch = a.integer(8), seqLen = a.integer(9), heads = a.integer(10, 1), kvHeads = a.integer(11, 1),
              hd = a.integer(12, 1);
    checkHeads(a, heads, kvHeads);
    const int64_t rows = mul(batch, seqLen);
    float* dq = a.f32(0, rows * heads * hd);
    float* dk = a.f32(1, rows * kvHeads * hd);
    float* dv = a.f32(2, rows * kvHeads * hd);
    const float* dout = a.f32(3, rows * heads * hd);
    const float* probs = a.f32(4, mul(batch, heads) * mul(seqLen, seqLen));
    const float* q = a.f32(5, rows * heads * hd);
    const float* k = a.f32(6, rows * kvHeads * hd);
    const float* v = a.f32(7, rows * kvHeads * hd);
    sentrl::attentionBackward(dq, dk, dv, dout, probs, q, k, v, batch, seqLen, heads, kvHeads, hd, a.boolean(13));
    return undefinedValue(env);
  });
}

napi_value PackedWeightsSize(napi_env env, napi_callback_info info) {
  return guarded(env, info, "packedWeightsSize", [&](Args& a) {
    napi_value v;
    napi_create_double(env, static_cast<double>(sentrl::packedWeightsSize(a.integer(0, 1), a.integer(1, 1))), &v);
    return v;
  });
}

napi_value PackWeights(napi_env env, napi_callback_info info) {
  return guarded(env, info, "packWeights", [&](Args& a) {
    const int inDim = a.integer(2, 1), outDim = a.integer(3, 1);
    float* dst = a.f32(0, sentrl::packedWeightsSize(inDim, outDim));
    const float* w = a.f32(1, mul(outDim, inDim));
    sentrl::packWeights(dst, w, inDim, outDim);
    return undefinedValue(env);
  });
}

napi_value MatmulForwardPacked(napi_env env, napi_callback_info info) {
  return guarded(env, info, "matmulForwardPacked", [&](Args& a) {
    const int rows = a.integer(4), inDim = a.integer(5, 1), outDim = a.integer(6, 1);
    float* y = a.f32(0, mul(rows, outDim));
    const float* x = a.f32(1, mul(rows, inDim));
    const float* packed = a.f32(2, sentrl::packedWeightsSize(inDim, outDim));
    const float* bias = a.f32(3, outDim, true);
    napi_value v;
    napi_get_boolean(env, sentrl::matmulForwardPacked(y, x, packed, bias, rows, inDim, outDim), &v);
    return v;
  });
}

napi_value SampleUnfiltered(napi_env env, napi_callback_info info) {
  return guarded(env, info, "sampleUnfiltered", [&](Args& a) {
    const int rows = a.integer(1), vocab = a.integer(2, 1);
    const float* logits = a.f32(0, mul(rows, vocab));
    const double* u = a.array<double>(3, napi_float64_array, "Float64Array", rows, false);
    const double* t = a.array<double>(4, napi_float64_array, "Float64Array", rows, false);
    const uint8_t* which = a.u8(5, rows, false);
    int32_t* ids = a.i32(6, rows);
    float* lp = a.f32(7, rows);
    sentrl::sampleUnfiltered(logits, rows, vocab, u, t, which, ids, lp);
    return undefinedValue(env);
  });
}

napi_value CachedAttention(napi_env env, napi_callback_info info) {
  return guarded(env, info, "cachedAttention", [&](Args& a) {
    const int rows = a.integer(6), capacity = a.integer(7), heads = a.integer(8, 1), kvHeads = a.integer(9, 1),
              hd = a.integer(10, 1);
    checkHeads(a, heads, kvHeads);
    float* out = a.f32(0, mul(rows, heads) * hd);
    const float* q = a.f32(1, mul(rows, heads) * hd);
    const int64_t cacheLen = std::min(a.f32Length(2), a.f32Length(3));
    const float* kc = a.f32(2, 0);
    const float* vc = a.f32(3, 0);
    const int32_t* slots = a.i32(4, rows);
    const int32_t* lengths = a.i32(5, rows);
    const int64_t slotSize = mul(capacity, kvHeads) * hd;
    for (int r = 0; r < rows; r++) {
      if (slots[r] < 0) continue;
      if (lengths[r] < 0 || lengths[r] > capacity) a.failMsg("a length is outside [0, capacity]");
      if ((static_cast<int64_t>(slots[r]) + 1) * slotSize > cacheLen) a.failMsg("a slot is outside the cache");
    }
    sentrl::cachedAttention(out, q, kc, vc, slots, lengths, rows, capacity, heads, kvHeads, hd);
    return undefinedValue(env);
  });
}

napi_value SetThreads(napi_env env, napi_callback_info info) {
  try {
    Args a(env, info, "setThreads");
    sentrl::setThreadCount(a.integer(0, 1));
  } catch (const ArgError& e) {
    napi_throw_range_error(env, "NATIVE_BAD_ARGUMENT", e.message.c_str());
  }
  return undefinedValue(env);
}

napi_value GemmIsa(napi_env env, napi_callback_info) {
  napi_value out;
  napi_create_string_utf8(env, kCpuOk ? sentrl::gemmIsa() : "none", NAPI_AUTO_LENGTH, &out);
  return out;
}

napi_value SetGemmIsa(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  char name[16] = {0};
  size_t len = 0;
  bool ok = false;
  if (kCpuOk && argc >= 1 && napi_get_value_string_utf8(env, argv[0], name, sizeof(name), &len) == napi_ok)
    ok = sentrl::setGemmIsa(name);
  napi_value out;
  napi_get_boolean(env, ok, &out);
  return out;
}

napi_value GetThreads(napi_env env, napi_callback_info) {
  napi_value out;
  napi_create_int32(env, sentrl::threadCount(), &out);
  return out;
}

napi_value CpuSupported(napi_env env, napi_callback_info) {
  napi_value out;
  napi_get_boolean(env, kCpuOk, &out);
  return out;
}

napi_value Init(napi_env env, napi_value exports) {
  struct Entry {
    const char* name;
    napi_callback cb;
  };
  const Entry entries[] = {
      {"cpuSupported", CpuSupported},
      {"setThreads", SetThreads},
      {"getThreads", GetThreads},
      {"gemmIsa", GemmIsa},
      {"setGemmIsa", SetGemmIsa},
      {"matmulForward", MatmulForward},
      {"matmulBackwardInput", MatmulBackwardInput},
      {"matmulBackwardWeight", MatmulBackwardWeight},
      {"logitsStatsForward", LogitsStatsForward},
      {"logitsStatsBackward", LogitsStatsBackward},
      {"rmsnormForward", RmsnormForward},
      {"rmsnormBackward", RmsnormBackward},
      {"swigluForward", SwigluForward},
      {"swigluBackward", SwigluBackward},
      {"sumSquares", SumSquares},
      {"adamwUpdate", AdamwUpdate},
      {"attentionForward", AttentionForward},
      {"attentionBackward", AttentionBackward},
      {"cachedAttention", CachedAttention},
      {"sampleUnfiltered", SampleUnfiltered},
      {"packedWeightsSize", PackedWeightsSize},
      {"packWeights", PackWeights},
      {"matmulForwardPacked", MatmulForwardPacked},
  };
  for (const Entry& e : entries) {
    napi_value fn;
    napi_create_function(env, e.name, NAPI_AUTO_LENGTH, e.cb, nullptr, &fn);
    napi_set_named_property(env, exports, e.name, fn);
  }
  napi_value version;
  napi_create_int32(env, 4, &version);
  napi_set_named_property(env, exports, "abiVersion", version);
  return exports;
}

}  // namespace

NAPI_MODULE(NODE_GYP_MODULE_NAME, Init)
