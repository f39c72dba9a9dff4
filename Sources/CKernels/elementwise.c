// The training loop's elementwise kernels (see include/CKernels.h).
//
// NOTE: measured side by side (README, Speed): the same Adam loop in Swift, written with SIMD8
// vectors, compiles for the baseline x86-64 to 4-lane SSE with the vectors spilled to the stack
// and √ taken one lane at a time; here clang vectorises the plain loop for 16 lanes (AVX-512), 8
// (AVX2) or 4 (the baseline), and the loader picks the widest the CPU has. `-ffp-contract=off`
// (Package.swift) keeps a·b + c as two roundings on every path, as the Swift code did, so the
// weights are bit for bit those of the Swift loop.
#include "CKernels.h"

#include <float.h>

#define KMS_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))

KMS_CLONES void kms_adam_update(float *restrict w, const float *restrict g, float *restrict m,
                                float *restrict v, int64_t count, float alpha, float beta1,
                                float beta2, float epsilon) {
  const float keep1 = 1 - beta1, keep2 = 1 - beta2, tiny = FLT_MIN;
  for (int64_t i = 0; i < count; i++) {
    float gi = g[i];
    float mi = beta1 * m[i] + keep1 * gi;
    float vi = beta2 * v[i] + keep2 * gi * gi;
    // A weight whose gradient stays zero (a ReLU unit dead for the whole batch) has moments
    // that decay by β each step into subnormal floats, which the CPU handles ~3× slower; they
    // are far below anything that could move a weight, so flush them to zero.
    mi = (mi < tiny && mi > -tiny) ? 0.0f : mi;
    vi = vi < tiny ? 0.0f : vi;
    m[i] = mi;
    v[i] = vi;
    w[i] = w[i] - alpha * mi / (__builtin_sqrtf(vi) + epsilon);
  }
}

KMS_CLONES void kms_relu_backward(float *restrict dx, const float *restrict dy,
                                  const float *restrict y, int64_t count) {
  for (int64_t i = 0; i < count; i++) dx[i] = y[i] > 0 ? dy[i] : 0.0f;
}
