// Rotate-half RoPE and its inverse. Inverse frequencies come from the host (`ropeInvFreq`, float32 like Hugging
// Face); angles are float32 products `pos · invFreq`, cos/sin in float64 rounded to float32, as the reference does.
// One thread per (row, head, j < headDim/2): it owns both halves of its pair, so `out` may alias `x`.

extern "C" __global__ void rope_forward(float *out, const float *x, const int *pos, const float *inv_freq, int rows, int heads, int head_dim) {
  const int half = head_dim / 2;
  const long long total = (long long)rows * heads * half;
  for (long long t = blockIdx.x * (long long)blockDim.x + threadIdx.x; t < total; t += (long long)gridDim.x * blockDim.x) {
    const int j = (int)(t % half);
    const long long rh = t / half;
    const int r = (int)(rh / heads);
    const float a = (float)pos[r] * inv_freq[j];
    const double c = (float)cos((double)a), s = (float)sin((double)a);
    const long long o = rh * head_dim;
    const double x1 = x[o + j], x2 = x[o + j + half];
    out[o + j] = (float)(x1 * c - x2 * s);
    out[o + j + half] = (float)(x2 * c + x1 * s);
  }
}

extern "C" __global__ void rope_backward(float *dx, const float *dout, const int *pos, const float *inv_freq, int rows, int heads, int head_dim) {
  const int half = head_dim / 2;
  const long long total = (long long)rows * heads * half;
  for (long long t = blockIdx.x * (long long)blockDim.x + threadIdx.x; t < total; t += (long long)gridDim.x * blockDim.x) {
    const int j = (int)(t % half);
    const long long rh = t / half;
    const int r = (int)(rh / heads);
    const float a = (float)pos[r] * inv_freq[j];
    const double c = (float)cos((double)a), s = (float)sin((double)a);
    const long long o = rh * head_dim;
    const double d1 = dout[o + j], d2 = dout[o + j + half];
    dx[o + j] = (float)((double)dx[o + j] + (d1 * c + d2 * s));
    dx[o + j + half] = (float)((double)dx[o + j + half] + (d2 * c - d1 * s));
  }
}
