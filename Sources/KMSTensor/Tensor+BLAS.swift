internal import CBLAS

// Matrix products through OpenBLAS's cblas_sgemm. This is the only file that imports CBLAS.

/// Computes `c = alpha · op(a) · op(b) + beta · c` with `cblas_sgemm`, where `op` transposes when
/// asked. `a` and `b` are read as rank-2 (their leading axis, then the rest); `c` must already have
/// the result's shape, `[rows of op(a), columns of op(b)]`.
/// - Parameters:
///   - a: left operand, `[m, k]`, or `[k, m]` when `transposeLeft`.
///   - b: right operand, `[k, n]`, or `[n, k]` when `transposeRight`.
///   - c: the result, `[m, n]`, overwritten when `beta` is 0 and accumulated into otherwise.
///   - transposeLeft: use `aᵀ`.
///   - transposeRight: use `bᵀ`.
///   - alpha: the product's factor.
///   - beta: the factor on `c`'s old contents (0 overwrites, 1 accumulates).
public func gemm(_ a: Tensor, _ b: Tensor, into c: Tensor,
                 transposeLeft: Bool = false, transposeRight: Bool = false,
                 alpha: Float = 1, beta: Float = 0) {
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
  guard m > 0, n > 0 else { return }
  cblas_sgemm(
    CblasRowMajor, transposeLeft ? CblasTrans : CblasNoTrans,
    transposeRight ? CblasTrans : CblasNoTrans,
    Int32(m), Int32(n), Int32(k), alpha, a.data, Int32(aCols), b.data, Int32(bCols), beta,
    c.data, Int32(n))
}

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

/// Threads OpenBLAS uses for one call.
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
