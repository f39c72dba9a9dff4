internal import CBLAS

// The pieces of a convolution lowered to matrix products: the geometry of one 2-D convolution,
// im2col (unfold one image's receptive fields into the columns of a matrix), col2im (fold such a
// matrix back, adding overlaps) and a single-threaded sgemm on raw pointers for code that already
// runs on its own worker (Conv2D splits a batch across workers, one image at a time).
//
// Layouts (NCHW, one image):
//   image    [channels, height, width]
//   columns  [channels · kernel · kernel, outHeight · outWidth]   row (c, ki, kj), column (oy, ox)
// so `weight [filters, channels · kernel²] · columns` is the output image `[filters, outH · outW]`
// already in NCHW order, with no transpose.

/// The shapes of one square-kernel 2-D convolution, with Keras's `"valid"` and `"same"` padding.
public struct ConvolutionGeometry: Equatable, Sendable {
  /// Input channels.
  public let channels: Int
  /// Input height.
  public let height: Int
  /// Input width.
  public let width: Int
  /// The kernel's side.
  public let kernel: Int
  /// The step between receptive fields.
  public let stride: Int
  /// Zero rows added above the image (the rest of the padding, if odd, goes below).
  public let padTop: Int
  /// Zero columns added left of the image (the rest, if odd, goes right).
  public let padLeft: Int
  /// Output height.
  public let outHeight: Int
  /// Output width.
  public let outWidth: Int
  /// Whether the padding is `"same"` (else `"valid"`).
  public let isSame: Bool

  /// The geometry for an input `[channels, height, width]`, or nil when no output pixel fits
  /// (a `"valid"` kernel larger than the input).
  /// - Parameters:
  ///   - same: Keras's `"same"` padding: out = ⌈in / stride⌉, the padding split evenly with the
  ///     odd pixel at the bottom and right; otherwise `"valid"`:
  ///     out = ⌊(in − kernel) / stride⌋ + 1.
  public init?(channels: Int, height: Int, width: Int, kernel: Int, stride: Int, same: Bool) {
    guard channels > 0, height > 0, width > 0, kernel > 0, stride > 0 else { return nil }
    (self.channels, self.height, self.width, self.kernel, self.stride, isSame) =
      (channels, height, width, kernel, stride, same)
    if same {
      outHeight = (height + stride - 1) / stride
      outWidth = (width + stride - 1) / stride
      padTop = max((outHeight - 1) * stride + kernel - height, 0) / 2
      padLeft = max((outWidth - 1) * stride + kernel - width, 0) / 2
    } else {
      guard kernel <= height, kernel <= width else { return nil }
      outHeight = (height - kernel) / stride + 1
      outWidth = (width - kernel) / stride + 1
      (padTop, padLeft) = (0, 0)
    }
  }

  /// Rows of the column matrix: channels · kernel².
  public var patchSize: Int { channels * kernel * kernel }
  /// Columns of the column matrix: output pixels of one filter.
  public var outPixels: Int { outHeight * outWidth }
  /// Elements of one input image.
  public var imageSize: Int { channels * height * width }

  /// The output columns `ox` whose input column `ox·stride + kj − padLeft` is inside the image.
  @inline(__always) func validColumns(kj: Int) -> Range<Int> {
    let offset = kj - padLeft
    // ox·stride + offset ≥ 0  ⇔  ox ≥ ⌈−offset / stride⌉
    let first = offset >= 0 ? 0 : (-offset + stride - 1) / stride
    // ox·stride + offset ≤ width − 1
    let last = width - 1 - offset < 0 ? -1 : (width - 1 - offset) / stride
    return first..<max(first, min(outWidth, last + 1))
  }
}

/// Unfolds one image into its column matrix, zeros where a field reaches into the padding.
/// - Parameters:
///   - image: `[channels, height, width]`.
///   - geometry: the convolution.
///   - columns: receives `[patchSize, outPixels]`, every element written.
public func im2col(_ image: UnsafePointer<Float>, _ geometry: ConvolutionGeometry,
                   into columns: UnsafeMutablePointer<Float>) {
  let g = geometry
  let (outW, s) = (g.outWidth, g.stride)
  var row = columns
  for c in 0..<g.channels {
    let plane = image + c * g.height * g.width
    for ki in 0..<g.kernel {
      for kj in 0..<g.kernel {
        let valid = g.validColumns(kj: kj)
        let offset = kj - g.padLeft
        for oy in 0..<g.outHeight {
          let dst = row + oy * outW
          let iy = oy * s + ki - g.padTop
          guard iy >= 0 && iy < g.height, !valid.isEmpty else {
            dst.update(repeating: 0, count: outW)
            continue
          }
          let src = plane + iy * g.width + offset
          if valid.lowerBound > 0 { dst.update(repeating: 0, count: valid.lowerBound) }
          if s == 1 {
            (dst + valid.lowerBound).update(from: src + valid.lowerBound, count: valid.count)
          } else {
            for ox in valid { dst[ox] = src[ox * s] }
          }
          if valid.upperBound < outW {
            (dst + valid.upperBound).update(repeating: 0, count: outW - valid.upperBound)
          }
        }
        row += g.outPixels
      }
    }
  }
}

/// Folds a column matrix back into an image, adding every field's entries where fields overlap
/// (the adjoint of `im2col`: the gradient with respect to the image).
/// - Parameters:
///   - columns: `[patchSize, outPixels]`.
///   - geometry: the convolution.
///   - image: `[channels, height, width]`, overwritten.
public func col2im(_ columns: UnsafePointer<Float>, _ geometry: ConvolutionGeometry,
                   into image: UnsafeMutablePointer<Float>) {
  let g = geometry
  let (outW, s) = (g.outWidth, g.stride)
  image.update(repeating: 0, count: g.imageSize)
  var row = columns
  for c in 0..<g.channels {
    let plane = image + c * g.height * g.width
    for ki in 0..<g.kernel {
      for kj in 0..<g.kernel {
        let valid = g.validColumns(kj: kj)
        let offset = kj - g.padLeft
        for oy in 0..<g.outHeight {
          let iy = oy * s + ki - g.padTop
          guard iy >= 0 && iy < g.height else { continue }
          let src = row + oy * outW
          let dst = plane + iy * g.width + offset
          if s == 1 {
            for ox in valid { dst[ox] += src[ox] }
          } else {
            for ox in valid { dst[ox * s] += src[ox] }
          }
        }
        row += g.outPixels
      }
    }
  }
}

/// `c = alpha · op(a) · op(b) + beta · c` for row-major matrices given by pointers and leading
/// dimensions, in one single-threaded sgemm on the calling thread. For code that already splits
/// its work across workers (a convolution, image by image); elsewhere use `gemm`, which splits.
/// - Parameters:
///   - m: rows of op(a) and c.
///   - n: columns of op(b) and c.
///   - k: columns of op(a), rows of op(b).
public func serialGEMM(transposeA: Bool = false, transposeB: Bool = false, m: Int, n: Int, k: Int,
                       alpha: Float = 1, a: UnsafePointer<Float>, lda: Int,
                       b: UnsafePointer<Float>, ldb: Int, beta: Float = 0,
                       c: UnsafeMutablePointer<Float>, ldc: Int) {
  guard m > 0, n > 0 else { return }
  _ = singleThreadedConvolutionBLAS
  cblas_sgemm(
    CblasRowMajor, transposeA ? CblasTrans : CblasNoTrans, transposeB ? CblasTrans : CblasNoTrans,
    Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
}

/// As `gemm`: kms splits work itself, so OpenBLAS runs one thread per call.
private let singleThreadedConvolutionBLAS: Void = BLASThreads.set(1)
