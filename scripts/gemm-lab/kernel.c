// A hand-written AVX-512 sgemm for the SAE's products, measured against OpenBLAS (issue 10).
// Not part of kms: compare.c times it beside cblas_sgemm (scripts/gemm-lab/run.sh), and the
// README's Speed section gives the result (level with OpenBLAS, so kms keeps OpenBLAS).
//
// Row-major C[m, n] = alpha·op(A)·op(B) + beta·C (+ bias[n] on every row), BLIS-style:
//   - B is packed, 64 columns at a time, into a panel [k][w] (w = the panel's width rounded up
//     to 16, zero-padded), copied row by row (B as stored) or transposed 8×8 in registers (Bᵀ);
//   - A is read in place, 6 rows at a time (stored transposed, it is packed first into 6-wide
//     groups, so each step's six values are adjacent);
//   - the micro-kernel keeps a 6×64 tile of C in 24 zmm registers for the whole k loop: per
//     step 4 loads of B, 6 broadcasts of A, 24 FMAs (Zen 4 issues one 512-bit FMA a cycle);
//   - edges: narrower panels use 1–3 vectors and a lane mask, short tiles repeat their last row
//     and store only the real ones.
// Each element of C sums its k products in order 0, 1, …, k−1, whatever the split, so results do
// not depend on the number of threads.
#include <immintrin.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define MR 6
#define NR 64

typedef struct { float *data; size_t capacity; } Space;
static _Thread_local Space b_space, a_space;

static float *pack_space(Space *s, size_t floats) {
  if (floats > s->capacity) {
    free(s->data);
    size_t bytes = (floats * sizeof(float) + 63) & ~(size_t)63;
    s->data = aligned_alloc(64, bytes);
    s->capacity = floats;
  }
  return s->data;
}

// a holds op(A) transposed: A[i][p] = a[p·lda + i]. dst: for each tile of MR rows, k groups of MR.
static void pack_a_transposed(float *restrict dst, const float *a, int64_t lda, int64_t m,
                              int64_t k) {
  for (int64_t i0 = 0; i0 < m; i0 += MR) {
    int64_t mr = m - i0 < MR ? m - i0 : MR;
    for (int64_t p = 0; p < k; p++) {
      const float *src = a + p * lda + i0;
      for (int64_t r = 0; r < MR; r++) dst[r] = r < mr ? src[r] : 0.0f;
      dst += MR;
    }
  }
}

#define AVX512 __attribute__((target("avx512f,avx2,fma")))

static inline AVX512 __mmask16 tail_mask(int64_t count) {
  return count >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << count) - 1);
}

// dst[p·w + c] = b[p·ldb + c] for c < jn, 0 for jn ≤ c < w.
static AVX512 void pack_b_rows(float *restrict dst, const float *b, int64_t ldb, int64_t k,
                               int64_t jn, int64_t w) {
  for (int64_t p = 0; p < k; p++) {
    const float *src = b + p * ldb;
    for (int64_t v = 0; v < w; v += 16) {
      _mm512_store_ps(dst + v, _mm512_maskz_loadu_ps(tail_mask(jn - v), src + v));
    }
    dst += w;
  }
}

static inline AVX512 void transpose8(__m256 r[8]) {
  __m256 t0 = _mm256_unpacklo_ps(r[0], r[1]), t1 = _mm256_unpackhi_ps(r[0], r[1]);
  __m256 t2 = _mm256_unpacklo_ps(r[2], r[3]), t3 = _mm256_unpackhi_ps(r[2], r[3]);
  __m256 t4 = _mm256_unpacklo_ps(r[4], r[5]), t5 = _mm256_unpackhi_ps(r[4], r[5]);
  __m256 t6 = _mm256_unpacklo_ps(r[6], r[7]), t7 = _mm256_unpackhi_ps(r[6], r[7]);
  __m256 s0 = _mm256_shuffle_ps(t0, t2, _MM_SHUFFLE(1, 0, 1, 0));
  __m256 s1 = _mm256_shuffle_ps(t0, t2, _MM_SHUFFLE(3, 2, 3, 2));
  __m256 s2 = _mm256_shuffle_ps(t1, t3, _MM_SHUFFLE(1, 0, 1, 0));
  __m256 s3 = _mm256_shuffle_ps(t1, t3, _MM_SHUFFLE(3, 2, 3, 2));
  __m256 s4 = _mm256_shuffle_ps(t4, t6, _MM_SHUFFLE(1, 0, 1, 0));
  __m256 s5 = _mm256_shuffle_ps(t4, t6, _MM_SHUFFLE(3, 2, 3, 2));
  __m256 s6 = _mm256_shuffle_ps(t5, t7, _MM_SHUFFLE(1, 0, 1, 0));
  __m256 s7 = _mm256_shuffle_ps(t5, t7, _MM_SHUFFLE(3, 2, 3, 2));
  r[0] = _mm256_permute2f128_ps(s0, s4, 0x20);
  r[1] = _mm256_permute2f128_ps(s1, s5, 0x20);
  r[2] = _mm256_permute2f128_ps(s2, s6, 0x20);
  r[3] = _mm256_permute2f128_ps(s3, s7, 0x20);
  r[4] = _mm256_permute2f128_ps(s0, s4, 0x31);
  r[5] = _mm256_permute2f128_ps(s1, s5, 0x31);
  r[6] = _mm256_permute2f128_ps(s2, s6, 0x31);
  r[7] = _mm256_permute2f128_ps(s3, s7, 0x31);
}

// dst[p·w + c] = b[c·ldb + p] for c < jn, 0 for jn ≤ c < w (b holds the panel's columns as rows).
static AVX512 void pack_b_columns(float *restrict dst, const float *b, int64_t ldb, int64_t k,
                                  int64_t jn, int64_t w) {
  int64_t k8 = k & ~(int64_t)7;
  for (int64_t c8 = 0; c8 < w; c8 += 8) {
    for (int64_t p8 = 0; p8 < k8; p8 += 8) {
      __m256 r[8];
      for (int c = 0; c < 8; c++) {
        r[c] = c8 + c < jn ? _mm256_loadu_ps(b + (c8 + c) * ldb + p8) : _mm256_setzero_ps();
      }
      transpose8(r);
      for (int q = 0; q < 8; q++) _mm256_store_ps(dst + (p8 + q) * w + c8, r[q]);
    }
    for (int64_t p = k8; p < k; p++) {
      for (int c = 0; c < 8; c++) dst[p * w + c8 + c] = c8 + c < jn ? b[(c8 + c) * ldb + p] : 0.0f;
    }
  }
}

#define KERNEL(NV)                                                                              \
  static AVX512 void kernel_##NV(int64_t k, const float *a, int64_t rsA, int64_t csA, int mr,  \
                                 const float *restrict bp, float *c, int64_t ldc,              \
                                 __mmask16 last, float alpha, float beta, const float *bias) { \
    const float *ar[MR];                                                                        \
    for (int r = 0; r < MR; r++) ar[r] = a + (r < mr ? r : mr - 1) * rsA;                      \
    __m512 acc[MR][NV];                                                                         \
    _Pragma("clang loop unroll(full)") for (int r = 0; r < MR; r++)                            \
      _Pragma("clang loop unroll(full)") for (int v = 0; v < NV; v++)                          \
        acc[r][v] = _mm512_setzero_ps();                                                        \
    int64_t off = 0;                                                                            \
    for (int64_t p = 0; p < k; p++) {                                                           \
      __m512 b[NV];                                                                             \
      _Pragma("clang loop unroll(full)") for (int v = 0; v < NV; v++)                          \
        b[v] = _mm512_load_ps(bp + 16 * v);                                                     \
      _Pragma("clang loop unroll(full)") for (int r = 0; r < MR; r++) {                        \
        __m512 x = _mm512_set1_ps(ar[r][off]);                                                  \
        _Pragma("clang loop unroll(full)") for (int v = 0; v < NV; v++)                        \
          acc[r][v] = _mm512_fmadd_ps(x, b[v], acc[r][v]);                                      \
      }                                                                                         \
      off += csA;                                                                               \
      bp += 16 * NV;                                                                            \
    }                                                                                           \
    for (int r = 0; r < mr; r++) {                                                              \
      float *row = c + r * ldc;                                                                 \
      _Pragma("clang loop unroll(full)") for (int v = 0; v < NV; v++) {                        \
        __mmask16 mask = v == NV - 1 ? last : (__mmask16)0xFFFF;                                \
        __m512 x = acc[r][v];                                                                   \
        if (alpha != 1) x = _mm512_mul_ps(x, _mm512_set1_ps(alpha));                            \
        if (beta != 0) {                                                                        \
          __m512 old = _mm512_maskz_loadu_ps(mask, row + 16 * v);                               \
          x = beta == 1 ? _mm512_add_ps(old, x) : _mm512_fmadd_ps(_mm512_set1_ps(beta), old, x); \
        }                                                                                       \
        if (bias) x = _mm512_add_ps(x, _mm512_maskz_loadu_ps(mask, bias + 16 * v));             \
        _mm512_mask_storeu_ps(row + 16 * v, mask, x);                                           \
      }                                                                                         \
    }                                                                                           \
  }

KERNEL(1)
KERNEL(2)
KERNEL(3)
KERNEL(4)

// C[m,n] = alpha·op(A)·op(B) + beta·C (+ bias[n] on every row), row-major.
AVX512 void lab_sgemm(int transA, int transB, int64_t m, int64_t n, int64_t k, float alpha,
                      const float *a, int64_t lda, const float *b, int64_t ldb, float beta,
                      float *c, int64_t ldc, const float *bias) {
  float *panel = pack_space(&b_space, (size_t)(k > 0 ? k : 1) * NR);
  int64_t rsA = 1, csA = MR, tileA = MR * k;
  if (transA) {
    float *packed = pack_space(&a_space, (size_t)((m + MR - 1) / MR) * MR * (k > 0 ? k : 1));
    pack_a_transposed(packed, a, lda, m, k);
    a = packed;
  } else {
    rsA = lda, csA = 1, tileA = MR * lda;
  }
  for (int64_t j0 = 0; j0 < n; j0 += NR) {
    int64_t jn = n - j0 < NR ? n - j0 : NR;
    int nv = (int)((jn + 15) / 16);
    int64_t w = 16 * nv;
    __mmask16 last = tail_mask(jn - 16 * (nv - 1));
    if (transB) pack_b_columns(panel, b + j0 * ldb, ldb, k, jn, w);
    else pack_b_rows(panel, b + j0, ldb, k, jn, w);
    const float *bj = bias ? bias + j0 : NULL;
    for (int64_t i0 = 0; i0 < m; i0 += MR) {
      int mr = (int)(m - i0 < MR ? m - i0 : MR);
      const float *ai = a + (i0 / MR) * tileA;
      float *ci = c + i0 * ldc + j0;
      switch (nv) {
        case 1: kernel_1(k, ai, rsA, csA, mr, panel, ci, ldc, last, alpha, beta, bj); break;
        case 2: kernel_2(k, ai, rsA, csA, mr, panel, ci, ldc, last, alpha, beta, bj); break;
        case 3: kernel_3(k, ai, rsA, csA, mr, panel, ci, ldc, last, alpha, beta, bj); break;
        default: kernel_4(k, ai, rsA, csA, mr, panel, ci, ldc, last, alpha, beta, bj); break;
      }
    }
  }
}
