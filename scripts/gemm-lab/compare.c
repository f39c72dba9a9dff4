// The SAE's 17 products of one batch (784-800-400-225-400-800-784 at batch 164, as Dense makes
// them: forward x·Wᵀ, dW = dyᵀ·x, dx = dy·W), OpenBLAS's cblas_sgemm against kernel.c's, in
// interleaved rounds. See run.sh.
//
//   compare THREADS ROUNDS   THREADS 1: each product whole on this thread;
//                            THREADS 2: each product cut in two as kms cuts it (rows of C when
//                            m ≥ n, else columns, at multiples of 16), one half a thread, both
//                            threads meeting after every product (kms's parallel regions).
// Every product has its own operands, so each call finds its data where a training batch would:
// in L3, not in L2. Prints each round's GFLOP/s and, at the end, the best and the median.
#include <cblas.h>
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

void lab_sgemm(int transA, int transB, int64_t m, int64_t n, int64_t k, float alpha,
               const float *a, int64_t lda, const float *b, int64_t ldb, float beta, float *c,
               int64_t ldc, const float *bias);
void openblas_set_num_threads(int);

typedef struct { int transA, transB, m, n, k; } Product;
static Product products[17];
static float *as[17], *bs[17], *cs[17];
static int count, engine, threads, repetitions = 20;
static pthread_barrier_t meet;

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + 1e-9 * t.tv_nsec;
}

static float *uniform(size_t n) {
  float *p = aligned_alloc(64, (n * sizeof(float) + 63) / 64 * 64);
  for (size_t i = 0; i < n; i++) p[i] = (float)(rand() % 2001) / 1000.0f - 1.0f;
  return p;
}

// Part `part` of `parts` of product i (all of it when parts is 1).
static void run_part(int i, int part, int parts) {
  Product q = products[i];
  int lda = q.transA ? q.m : q.k, ldb = q.transB ? q.k : q.n;
  int byRows = q.m >= q.n, total = byRows ? q.m : q.n;
  int lo = total * part / parts / 16 * 16;
  int hi = part == parts - 1 ? total : total * (part + 1) / parts / 16 * 16;
  const float *a = as[i], *b = bs[i];
  float *c = cs[i];
  int m = q.m, n = q.n;
  if (byRows) a += (int64_t)lo * (q.transA ? 1 : lda), c += (int64_t)lo * q.n, m = hi - lo;
  else b += (int64_t)lo * (q.transB ? ldb : 1), c += lo, n = hi - lo;
  if (engine == 0) {
    cblas_sgemm(CblasRowMajor, q.transA ? CblasTrans : CblasNoTrans,
                q.transB ? CblasTrans : CblasNoTrans, m, n, q.k, 1, a, lda, b, ldb, 0, c, q.n);
  } else {
    lab_sgemm(q.transA, q.transB, m, n, q.k, 1, a, lda, b, ldb, 0, c, q.n, NULL);
  }
}

static void *worker(void *argument) {
  int part = (int)(intptr_t)argument;
  for (int r = 0; r < repetitions; r++) {
    for (int i = 0; i < count; i++) {
      run_part(i, part, threads);
      if (threads > 1) pthread_barrier_wait(&meet);
    }
  }
  return NULL;
}

static int by_value(const void *x, const void *y) {
  double a = *(const double *)x, b = *(const double *)y;
  return (a > b) - (a < b);
}

int main(int argc, char **argv) {
  threads = argc > 1 ? atoi(argv[1]) : 1;
  int rounds = argc > 2 ? atoi(argv[2]) : 10;
  if (threads < 1 || threads > 2 || rounds < 1 || rounds > 1000) {
    fprintf(stderr, "usage: compare THREADS(1|2) ROUNDS\n");
    return 64;
  }
  openblas_set_num_threads(1);
  int sizes[7] = {784, 800, 400, 225, 400, 800, 784}, batch = 164;
  for (int l = 0; l < 6; l++) {
    int in = sizes[l], out = sizes[l + 1];
    products[count++] = (Product){0, 1, batch, out, in};      // x · Wᵀ
    products[count++] = (Product){1, 0, out, in, batch};      // dW = dyᵀ · x
    if (l > 0) products[count++] = (Product){0, 0, batch, in, out};  // dx = dy · W
  }
  double flops = 0;
  for (int i = 0; i < count; i++) {
    Product q = products[i];
    flops += 2.0 * q.m * q.n * q.k;
    as[i] = uniform((size_t)q.m * q.k), bs[i] = uniform((size_t)q.k * q.n);
    cs[i] = uniform((size_t)q.m * q.n);
  }
  // The two engines must agree (to float rounding over sums of up to 800 products).
  double worst = 0;
  for (int i = 0; i < count; i++) {
    Product q = products[i];
    size_t size = (size_t)q.m * q.n;
    float *reference = uniform(size);
    engine = 0, run_part(i, 0, 1);
    for (size_t t = 0; t < size; t++) reference[t] = cs[i][t];
    engine = 1, run_part(i, 0, 1);
    for (size_t t = 0; t < size; t++) worst = fmax(worst, fabs(reference[t] - cs[i][t]));
    free(reference);
  }
  printf("%d products, %.1f MFLOP a batch, %d thread(s); largest difference %.2g\n", count,
         flops / 1e6, threads, worst);
  if (worst > 1e-3) return 1;
  pthread_barrier_init(&meet, NULL, (unsigned)threads);
  double rates[2][1000];
  const char *names[2] = {"OpenBLAS", "kernel.c"};
  for (int r = 0; r < rounds; r++) {
    for (int e = 0; e < 2; e++) {
      engine = (r % 2) ^ e;  // alternate which engine goes first
      double start = now();
      pthread_t helper;
      if (threads > 1) pthread_create(&helper, NULL, worker, (void *)(intptr_t)1);
      worker((void *)(intptr_t)0);
      if (threads > 1) pthread_join(helper, NULL);
      rates[engine][r] = flops * repetitions / (now() - start) / 1e9;
    }
    printf("round %2d  %s %6.1f  %s %6.1f GFLOP/s\n", r + 1, names[0], rates[0][r], names[1],
           rates[1][r]);
  }
  for (int e = 0; e < 2; e++) {
    qsort(rates[e], rounds, sizeof(double), by_value);
    printf("%-9s best %6.1f  median %6.1f GFLOP/s\n", names[e], rates[e][rounds - 1],
           rates[e][rounds / 2]);
  }
  return 0;
}
