#include <algorithm>
#include <cstring>
#include <vector>

#include "gemm.h"
#include "kernels.h"
#include "pool.h"

namespace sentrl {

void matmulForward(float* y, const float* x, const float* w, const float* bias, int rows, int inDim, int outDim) {
  if (bias) {
    for (int r = 0; r < rows; r++) std::memcpy(y + static_cast<int64_t>(r) * outDim, bias, sizeof(float) * outDim);
  }
  gemm(rows, outDim, inDim, MatView{x, inDim, 1}, MatView{w, 1, inDim}, y, outDim, bias != nullptr);
}

int64_t packedWeightsSize(int inDim, int outDim) { return packedBSize(outDim, inDim); }

void packWeights(float* dst, const float* w, int inDim, int outDim) {
  prepackB(outDim, inDim, MatView{w, 1, inDim}, dst);
}

bool matmulForwardPacked(float* y, const float* x, const float* packed, const float* bias, int rows, int inDim,
                         int outDim) {
  if (!packedBCurrent(outDim, inDim, packed)) return false;
  if (bias) {
    for (int r = 0; r < rows; r++) std::memcpy(y + static_cast<int64_t>(r) * outDim, bias, sizeof(float) * outDim);
  }
  return gemmPacked(rows, outDim, inDim, MatView{x, inDim, 1}, packed, y, outDim, bias != nullptr);
}

void matmulBackwardInput(float* dx, const float* dy, const float* w, int rows, int inDim, int outDim, bool accumulate) {
  gemm(rows, inDim, outDim, MatView{dy, outDim, 1}, MatView{w, inDim, 1}, dx, inDim, accumulate);
}

void matmulBackwardWeight(float* dw, float* dbias, const float* dy, const float* x, int rows, int inDim, int outDim) {
  if (dw) gemm(outDim, inDim, rows, MatView{dy, 1, outDim}, MatView{x, inDim, 1}, dw, inDim, true);
  if (dbias) {
    for (int r = 0; r < rows; r++) {
      const float* g = dy + static_cast<int64_t>(r) * outDim;
      for (int o = 0; o < outDim; o++) dbias[o] += g[o];
    }
  }
}

}  // namespace sentrl
