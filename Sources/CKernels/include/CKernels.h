// kms's own C, where Swift cannot go: Swift compiles for the baseline x86-64 (SSE2) and cannot
// ask for another vector instruction set per function; C can (`target`, `target_clones`).
//   peak.c         the machine's FMA peak, loops of independent FMAs (`kms bench peak`)
//   elementwise.c  the training loop's elementwise kernels, built for AVX-512, AVX2 and the
//                  baseline, the best one picked at load time (ifunc)
#ifndef KMS_CKERNELS_H
#define KMS_CKERNELS_H

#include <stdint.h>

// Tells the CPU this thread is spinning on a shared variable (x86 `pause`, Arm `yield`): the loop
// runs slower, draws less power and leaves the core's shared resources to the other hardware
// thread, and leaving the loop does not flush the pipeline on a memory-order misprediction.
static inline void kms_cpu_relax(void) {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#elif defined(__aarch64__)
  __asm__ __volatile__("yield");
#endif
}

// One Adam step (Keras's form, ε outside the bias correction; `alpha` is α_t) on `count`
// elements: m ← β₁m + (1 − β₁)g, v ← β₂v + (1 − β₂)g², each flushed to zero below the smallest
// normal float, then w ← w − α_t·m / (√v + ε). The four arrays must not overlap. Every
// instruction-set path rounds exactly as the others (no FMA contraction), so results do not
// depend on the CPU's vector width.
void kms_adam_update(float *restrict w, const float *restrict g, float *restrict m,
                     float *restrict v, int64_t count, float alpha, float beta1, float beta2,
                     float epsilon);

// dx[i] = y[i] > 0 ? dy[i] : 0: the ReLU's derivative from its output.
void kms_relu_backward(float *restrict dx, const float *restrict dy, const float *restrict y,
                       int64_t count);

// Which loops this CPU can run (asked of the CPU itself, cpuid, at the first call).
int kms_peak_has_avx2_fma(void);
int kms_peak_has_avx512f(void);

// Runs `iterations` rounds of 12 independent 8-lane (AVX2) or 16-lane (AVX-512) FMAs and returns
// a sum of the accumulators, so the work cannot be optimised away. One round is
// 12 · 8 · 2 = 192 FLOP (AVX2) or 12 · 16 · 2 = 384 FLOP (AVX-512). Calling a loop the CPU
// lacks (see above) is an illegal instruction.
float kms_peak_fma_avx2(int64_t iterations);
float kms_peak_fma_avx512(int64_t iterations);

#endif
