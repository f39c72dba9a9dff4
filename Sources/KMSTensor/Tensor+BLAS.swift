internal import CBLAS

// Matrix products through OpenBLAS's cblas_sgemm. This file and Convolution.swift (the serial
// sgemm a convolution calls on its own workers) are the only ones that import CBLAS.
//
// NOTE: OpenBLAS stays the one engine because nothing measured beat it on the SAE's 17 products
// of a batch (README, Speed): a hand-written AVX-512 6×64 kernel (scripts/gemm-lab) ran level
// with it (1 thread: best 90.4 against 92.2 GFLOP/s; split in two as below: 163.7 against
// 162.7), oneDNN's dnnl_sgemm 4–10% ahead on one thread but behind with its own OpenMP threads
// (best 121 against 159), OpenBLAS's own threads level with kms's split (158 against 159).

/// Computes `c = alpha · op(a) · op(b) + beta · c` with `cblas_sgemm`, where `op` transposes when
/// asked. `a` and `b` are read as rank-2 (their leading axis, then the rest); `c` must already have
/// the result's shape, `[rows of op(a), columns of op(b)]`.
///
/// Large products are cut into `Parallel.pieceCount` independent pieces along the longer side of `c`
/// (rows of `c` are rows of `op(a)`, columns of `c` are columns of `op(b)`), each computed by a
/// single-threaded sgemm on its own worker. Every piece is a plain pointer offset into the same
/// row-major buffers, so nothing is copied and no partial sums need adding.
/// - Parameters:
///   - a: left operand, `[m, k]`, or `[k, m]` when `transposeLeft`.
///   - b: right operand, `[k, n]`, or `[n, k]` when `transposeRight`.
///   - c: the result, `[m, n]`, overwritten when `beta` is 0 and accumulated into otherwise.
///   - transposeLeft: use `aᵀ`.
///   - transposeRight: use `bᵀ`.
///   - alpha: the product's factor.
///   - beta: the factor on `c`'s old contents (0 overwrites, 1 accumulates).
///   - rowBias: a vector `[n]` added to every row of the result, by the worker that computed the
///     row while it is still in cache (a dense layer's bias).
public func gemm(_ a: Tensor, _ b: Tensor, into c: Tensor,
                 transposeLeft: Bool = false, transposeRight: Bool = false,
                 alpha: Float = 1, beta: Float = 0, rowBias: Tensor? = nil) {
  let (aRows, aCols) = (a.shape[0], a.shape.rowSize)
  let (bRows, bCols) = (b.shape[0], b.shape.rowSize)
  let m = transposeLeft ? aCols : aRows
  let k = transposeLeft ? aRows : aCols
  let kb = transposeRight ? bCols : bRows
  let n = transposeRight ? bRows : bCols
  precondition(
    k == kb && c.shape[0] == m && c.shape.rowSize == n,
    "gemm: \(a.shape)\(transposeLeft ? "ᵀ" : "") · \(b.shape)\(transposeRight ? "ᵀ" : "")"
      + " does not fit result \(c.shape)")
  precondition(rowBias == nil || rowBias!.count == n, "gemm: row bias \(rowBias!.shape) for \(n) columns")
  guard m > 0, n > 0 else { return }
  _ = singleThreadedBLAS
  let product = GEMMOperands(
    a: a.data, lda: aCols, transposeA: transposeLeft, b: b.data, ldb: bCols,
    transposeB: transposeRight, c: c.data, ldc: n, k: k, alpha: alpha, beta: beta,
    rowBias: rowBias?.data)

  // Below ~4 MFLOP the hand-off costs more than it saves; no piece is thinner than 16.
  let workers = 2 * m * n * k >= 4_000_000
    ? Parallel.pieceCount(of: max(m, n), minimumPerPiece: 16) : 1
  guard workers > 1 else {
    product.run(rows: 0..<m, columns: 0..<n)
    return
  }
  let splitRows = m >= n
  Parallel.run(parts: workers) { part in
    if splitRows {
      product.run(rows: Parallel.range(of: m, parts: workers, part: part), columns: 0..<n)
    } else {
      product.run(rows: 0..<m, columns: Parallel.range(of: n, parts: workers, part: part))
    }
  }
}

/// The operands of one row-major sgemm, able to compute any rectangle of `c` on its own.
private struct GEMMOperands: @unchecked Sendable {
  let a: UnsafeMutablePointer<Float>, lda: Int, transposeA: Bool
  let b: UnsafeMutablePointer<Float>, ldb: Int, transposeB: Bool
  let c: UnsafeMutablePointer<Float>, ldc: Int
  let k: Int, alpha: Float, beta: Float
  let rowBias: UnsafeMutablePointer<Float>?

  /// Computes `c[rows, columns]` with one single-threaded sgemm.
  func run(rows: Range<Int>, columns: Range<Int>) {
    // Row r of op(a) starts at a + r·lda, or at a + r when a is stored transposed.
    let aStart = a + rows.lowerBound * (transposeA ? 1 : lda)
    // Column j of op(b) starts at b + j, or at b + j·ldb when b is stored transposed.
    let bStart = b + columns.lowerBound * (transposeB ? ldb : 1)
    let cStart = c + rows.lowerBound * ldc + columns.lowerBound
    cblas_sgemm(
      CblasRowMajor, transposeA ? CblasTrans : CblasNoTrans, transposeB ? CblasTrans : CblasNoTrans,
      Int32(rows.count), Int32(columns.count), Int32(k), alpha, aStart, Int32(lda), bStart,
      Int32(ldb), beta, cStart, Int32(ldc))
    guard let rowBias else { return }
    let bias = rowBias + columns.lowerBound
    for row in 0..<rows.count {
      let y = cStart + row * ldc
      for j in 0..<columns.count { y[j] += bias[j] }
    }
  }
}

/// Set once, before the first product: kms does its own splitting, so OpenBLAS runs one thread per
/// call unless the caller (the benchmark) changes it afterwards.
private let singleThreadedBLAS: Void = openblas_set_num_threads(1)

/// A new tensor `op(a) · op(b)`.
/// - Parameters:
///   - a: left operand, `[m, k]` (or `[k, m]` when `transposeLeft`).
///   - b: right operand, `[k, n]` (or `[n, k]` when `transposeRight`).
///   - transposeLeft: use `aᵀ`.
///   - transposeRight: use `bᵀ`.
public func matmul(_ a: Tensor, _ b: Tensor, transposeLeft: Bool = false,
                   transposeRight: Bool = false) -> Tensor {
  let m = transposeLeft ? a.shape.rowSize : a.shape[0]
  let n = transposeRight ? b.shape[0] : b.shape.rowSize
  let c = Tensor(shape: [m, n])
  gemm(a, b, into: c, transposeLeft: transposeLeft, transposeRight: transposeRight)
  return c
}

/// Threads OpenBLAS uses inside one sgemm call.
///
/// kms sets this to 1 before its first product and parallelises by splitting
/// products itself; the benchmark also measures OpenBLAS's own threading for comparison.
public enum BLASThreads {
  /// The number of threads OpenBLAS currently uses inside one sgemm call.
  public static var count: Int { Int(openblas_get_num_threads()) }

  /// Sets the number of threads OpenBLAS uses inside one sgemm call.
  /// - Parameter threads: at least 1.
  public static func set(_ threads: Int) {
    precondition(threads >= 1, "BLAS thread count must be at least 1, got \(threads)")
    openblas_set_num_threads(Int32(threads))
  }
}
