// Kernel entry points (plain pointers; the N-API layer validates sizes before calling).
#pragma once
#include <cstdint>

namespace sentrl {

// y[rows, outDim] = x[rows, inDim] . w[outDim, inDim]^T (+ bias[outDim])
void matmulForward(float* y, const float* x, const float* w, const float* bias, int rows, int inDim, int outDim);
// Prepacked weights for repeated small-batch products (decoding): packWeights fills packedWeightsSize floats;
// matmulForwardPacked equals matmulForward bit for bit, or returns false (nothing written) when the packing was made
// for another ISA.
int64_t packedWeightsSize(int inDim, int outDim);
void packWeights(float* dst, const float* w, int inDim, int outDim);
bool matmulForwardPacked(float* y, const float* x, const float* packed, const float* bias, int rows, int inDim,
                         int outDim);
// dx[rows, inDim] (= or +=) dy[rows, outDim] . w[outDim, inDim]
void matmulBackwardInput(float* dx, const float* dy, const float* w, int rows, int inDim, int outDim, bool accumulate);
// dw[outDim, inDim] += dy^T . x (when dw is given) ; dbias[outDim] += sum over rows of dy (when dbias is given)
void matmulBackwardWeight(float* dw, float* dbias, const float* dy, const float* x, int rows, int inDim, int outDim);

void logitsStatsForward(const float* h, const float* w, const int32_t* targets, int rows, int dim, int vocab,
                        float temperature, float* logp, float* entropy, float* lse);
void logitsStatsBackward(const float* h, const float* w, const int32_t* targets, const float* lse,
                         const float* entropy, const float* dlogp, const float* dentropy, int rows, int dim, int vocab,
                         float temperature, float* dh, float* dw, bool accumulateDh);

void rmsnormForward(float* out, float* rstd, const float* x, const float* weight, int rows, int dim, float eps);
void rmsnormBackward(float* dx, float* dweight, const float* dout, const float* x, const float* weight,
                     const float* rstd, int rows, int dim, bool accumulate);

void swigluForward(float* out, const float* gate, const float* up, int64_t n);
void swigluBackward(float* dgate, float* dup, const float* dout, const float* gate, const float* up, int64_t n,
                    bool accumulate);

double sumSquares(const float* x, int64_t n);
void adamwUpdate(float* param, const float* grad, float* m, float* v, int64_t n, float lr, float beta1, float beta2,
                 float eps, float weightDecay, int step, float gradScale);

void attentionForward(float* out, float* probs, const float* q, const float* k, const float* v,
                      const uint8_t* keyMask, int batch, int seqLen, int heads, int kvHeads, int headDim);
void attentionBackward(float* dq, float* dk, float* dv, const float* dout, const float* probs, const float* q,
                       const float* k, const float* v, int batch, int seqLen, int heads, int kvHeads, int headDim,
                       bool accumulate);

// Attention of `rows` query rows over a KV cache [slot, position, kvHeads*headDim]: row r attends to positions
// [0, lengths[r]) of slot slots[r] (zero output when the slot is negative or the length 0).
void cachedAttention(float* out, const float* q, const float* kCache, const float* vCache, const int32_t* slots,
                     const int32_t* lengths, int rows, int capacity, int heads, int kvHeads, int headDim);

// The plain/greedy rows (which[r] != 0) of sampleTokens: ids and log-probs (see decode.cc).
void sampleUnfiltered(const float* logits, int rows, int vocab, const double* uniforms, const double* temperature,
                      const uint8_t* which, int32_t* ids, float* logprobs);

}  // namespace sentrl
