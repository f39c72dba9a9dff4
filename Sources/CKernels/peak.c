// The FMA-peak loops of include/CKernels.h. NOTE: 12 accumulators, because a core retires two FMAs a cycle with a
// latency of four cycles: eight chains in flight keep both units busy, twelve leave a margin for
// the loop's own instructions. Each accumulator converges (a ← a·0.9999999 + 1e-7 tends to 1), so
// no value becomes subnormal or infinite, which could slow some CPUs.
#include "CKernels.h"

#include <immintrin.h>

int kms_peak_has_avx2_fma(void) {
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
}

int kms_peak_has_avx512f(void) {
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx512f");
}

#define KMS_PEAK_BODY(VEC, SET1, FMA, ADD, STORE, LANES)                                   \
  VEC x = SET1(0.9999999f), y = SET1(1e-7f);                                               \
  VEC a0 = SET1(0.10f), a1 = SET1(0.11f), a2 = SET1(0.12f), a3 = SET1(0.13f);              \
  VEC a4 = SET1(0.14f), a5 = SET1(0.15f), a6 = SET1(0.16f), a7 = SET1(0.17f);              \
  VEC a8 = SET1(0.18f), a9 = SET1(0.19f), a10 = SET1(0.20f), a11 = SET1(0.21f);            \
  for (int64_t i = 0; i < iterations; i++) {                                               \
    a0 = FMA(a0, x, y); a1 = FMA(a1, x, y); a2 = FMA(a2, x, y); a3 = FMA(a3, x, y);        \
    a4 = FMA(a4, x, y); a5 = FMA(a5, x, y); a6 = FMA(a6, x, y); a7 = FMA(a7, x, y);        \
    a8 = FMA(a8, x, y); a9 = FMA(a9, x, y); a10 = FMA(a10, x, y); a11 = FMA(a11, x, y);    \
  }                                                                                        \
  VEC s = ADD(ADD(ADD(a0, a1), ADD(a2, a3)), ADD(ADD(a4, a5), ADD(a6, a7)));               \
  s = ADD(s, ADD(ADD(a8, a9), ADD(a10, a11)));                                             \
  float lanes[LANES];                                                                      \
  STORE(lanes, s);                                                                         \
  float total = 0;                                                                         \
  for (int i = 0; i < LANES; i++) total += lanes[i];                                       \
  return total;

__attribute__((target("avx2,fma"))) float kms_peak_fma_avx2(int64_t iterations) {
  KMS_PEAK_BODY(__m256, _mm256_set1_ps, _mm256_fmadd_ps, _mm256_add_ps, _mm256_storeu_ps, 8)
}

__attribute__((target("avx512f"))) float kms_peak_fma_avx512(int64_t iterations) {
  KMS_PEAK_BODY(__m512, _mm512_set1_ps, _mm512_fmadd_ps, _mm512_add_ps, _mm512_storeu_ps, 16)
}
