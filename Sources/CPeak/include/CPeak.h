// The machine's floating-point peak, measured with loops of independent fused multiply-adds
// (`kms bench peak`). The only C source file kms compiles itself: Swift cannot ask for a given
// vector instruction set per function, C can (`__attribute__((target(...)))`).
#ifndef KMS_CPEAK_H
#define KMS_CPEAK_H

#include <stdint.h>

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
