import Foundation
import KMSTensor

// Kernel divergences between a batch of codes and a sample of the prior, with their gradient with
// respect to the codes (the prior sample is a constant). Source: Santana, Emigh & Principe 2016,
// "Information Theoretic-Learning Auto-Encoder", and its code; made precise in PAPER-NOTES.md,
// Part B. With the Gaussian kernel k(a, b) = exp(−‖a − b‖² / s), s being the paper's "kernel size",
//   Vxx = (1/N²) Σᵢⱼ k(xᵢ, xⱼ),  Vzz = (1/M²) Σᵢⱼ k(zᵢ, zⱼ),  Vxz = (1/(N·M)) Σᵢⱼ k(xᵢ, zⱼ)
// (diagonals included), and
//   ∂Vxx/∂xᵢ = −(4/(s·N²)) Σⱼ (xᵢ − xⱼ)·k(xᵢ, xⱼ),  ∂Vxz/∂xᵢ = −(2/(s·N·M)) Σⱼ (xᵢ − zⱼ)·k(xᵢ, zⱼ).
// Each sum Σⱼ (xᵢ − yⱼ)·Kᵢⱼ is computed as rᵢ·xᵢ − (K·Y)ᵢ with rᵢ = Σⱼ Kᵢⱼ, one GEMM per kernel.

/// Which kernel divergence between codes X and a prior sample Z to compute.
public enum DivergenceKind: String, Sendable, CaseIterable, Codable {
  /// The paper's Cauchy–Schwarz divergence, CSD = ½·log Vxx + ½·log Vzz − log Vxz
  /// = log(√(Vxx·Vzz) / Vxz) ≥ 0.
  case cauchySchwarz = "cs"
  /// The textbook Cauchy–Schwarz divergence D_CS = −log(Vxz² / (Vxx·Vzz)), twice the paper's.
  case textbookCauchySchwarz = "cs_textbook"
  /// The Euclidean (integrated squared difference) divergence Vxx + Vzz − 2·Vxz ≥ 0.
  case euclidean = "euclidean"
}

/// Why a divergence could not be computed: bad shapes, a bad kernel size or non-finite values.
public struct DivergenceError: KMSError {
  /// What went wrong, lowercase, naming what was expected.
  public let message: String
  /// What to try.
  public let hint: String?

  /// The message.
  public var headline: String { message }
}

/// Scratch memory for `divergence(codes:prior:kernelSize:kind:gradient:workspace:)`: the kernel
/// matrices and the centred copies of the inputs. Pass the same workspace on every batch and the
/// training loop allocates nothing after the first call (or a call with larger batches).
public final class DivergenceWorkspace {
  var codes = ReusableBuffer()        // [N, d], X centred
  var prior = ReusableBuffer()        // [M, d], Z centred
  var codeKernel = ReusableBuffer()   // [N, N], k(xᵢ, xⱼ)
  var crossKernel = ReusableBuffer()  // [N, M], k(xᵢ, zⱼ)·e^{d₀/s}, shifted (see below)
  var priorKernel = ReusableBuffer()  // [M, M], k(zᵢ, zⱼ)
  var norms = ReusableBuffer()        // [max(N, M)], ‖row‖²
  var codeRowSums: [Double] = []      // [N], Σⱼ k(xᵢ, xⱼ)
  var crossRowSums: [Double] = []     // [N], Σⱼ shifted k(xᵢ, zⱼ)
  var priorRowSums: [Double] = []     // [M], Σⱼ k(zᵢ, zⱼ)

  /// Creates an empty workspace; the first call allocates.
  public init() {}
}

/// A kernel divergence between a batch of codes and a prior sample, and its gradient with respect
/// to the codes, written into `gradient`.
///
/// Pairwise squared distances come from one GEMM each (‖a‖² + ‖b‖² − 2·a·b, tiny negatives
/// clamped to 0), after both sets are centred on their common mean: the divergence does not change
/// under a shift, and centring keeps ‖a‖² small so the subtraction loses little precision.
/// - Parameters:
///   - codes: X, `[N, d]`, N ≥ 1.
///   - prior: Z, `[M, d]`, M ≥ 1, a constant.
///   - kernelSize: s > 0 in k(a, b) = exp(−‖a − b‖² / s) (the paper uses 5, 7 and 4).
///   - kind: which divergence (the paper's CSD by default).
///   - gradient: receives ∂divergence/∂codes, `[N, d]`.
///   - workspace: scratch memory to reuse across calls; a fresh one when nil.
/// - Returns: the divergence, ≥ 0 up to rounding.
/// - Throws: `DivergenceError` for mismatched shapes, empty sets, a kernel size that is not a
///   positive number, or non-finite values in the codes or the prior.
@discardableResult
public func divergence(codes: Tensor, prior: Tensor, kernelSize: Float,
                       kind: DivergenceKind = .cauchySchwarz, gradient: Tensor,
                       workspace: DivergenceWorkspace? = nil) throws -> Float {
  try validateDivergenceInputs(codes: codes, prior: prior, kernelSize: kernelSize,
                               gradient: gradient)
  let work = workspace ?? DivergenceWorkspace()
  let (n, m, d) = (codes.shape[0], prior.shape[0], codes.shape.rowSize)
  let s = Double(kernelSize)

  // Centre X and Z on the mean of all N + M points.
  let x = work.codes.tensor([n, d]), z = work.prior.tensor([m, d])
  var center = [Double](repeating: 0, count: d)
  for (source, rows) in [(codes, n), (prior, m)] {
    for i in 0..<rows {
      for j in 0..<d { center[j] += Double(source.data[i * d + j]) }
    }
  }
  for j in 0..<d { center[j] /= Double(n + m) }
  for (source, target, rows) in [(codes, x, n), (prior, z, m)] {
    for i in 0..<rows {
      for j in 0..<d { target.data[i * d + j] = Float(Double(source.data[i * d + j]) - center[j]) }
    }
  }

  // The three kernel matrices and their row sums. Kxx and Kzz have exp(0) = 1 on the diagonal, so
  // their sums are at least N and M; the cross kernel may underflow when the codes are far from
  // the prior, so it is stored shifted by its smallest distance d₀ (its largest entry is 1).
  let kxx = work.codeKernel.tensor([n, n]), kxz = work.crossKernel.tensor([n, m])
  let kzz = work.priorKernel.tensor([m, m])
  let sumXX = fillGaussianKernel(x, x, kernelSize: kernelSize, into: kxx, norms: &work.norms,
                                 rowSums: &work.codeRowSums, shifted: false).sum
  let cross = fillGaussianKernel(x, z, kernelSize: kernelSize, into: kxz, norms: &work.norms,
                                 rowSums: &work.crossRowSums, shifted: true)
  let sumZZ = fillGaussianKernel(z, z, kernelSize: kernelSize, into: kzz, norms: &work.norms,
                                 rowSums: &work.priorRowSums, shifted: false).sum
  let (nn, mm, nm) = (Double(n * n), Double(m * m), Double(n * m))
  let (vxx, vzz) = (sumXX / nn, sumZZ / mm)
  // log Vxz = −d₀/s + log(Σ shifted / (N·M)): finite however far apart the sets are.
  let logVxz = -cross.shift / s + log(cross.sum / nm)

  // value, and the gradient as cA·(∂-sum over Kxx) + cB·(∂-sum over Kxz), where the ∂-sums are
  // Σⱼ (xᵢ − yⱼ)·Kᵢⱼ. For CSD, (1/(2Vxx))·(−4/(s·N²)) = −2/(s·ΣKxx) and
  // −(1/Vxz)·(−2/(s·N·M))·e^{−d₀/s} = 2/(s·Σ shifted Kxz): the shift cancels.
  let value: Double, cA: Double, cB: Double
  switch kind {
  case .cauchySchwarz, .textbookCauchySchwarz:
    let factor: Double = kind == .cauchySchwarz ? 1 : 2
    value = factor * (0.5 * log(vxx) + 0.5 * log(vzz) - logVxz)
    cA = factor * (-2 / (s * sumXX))
    cB = factor * (2 / (s * cross.sum))
  case .euclidean:
    // NOTE: far from the prior e^{−d₀/s} underflows and the cross term vanishes: the Euclidean
    // divergence really is flat there, unlike CSD, whose −log Vxz keeps pulling.
    let scale = exp(-cross.shift / s)
    value = vxx + vzz - 2 * scale * cross.sum / nm
    cA = -4 / (s * nn)
    cB = 4 * scale / (s * nm)
  }

  // gradient = −cA·Kxx·X − cB·Kxz·Z, then + (cA·rxxᵢ + cB·rxzᵢ)·xᵢ on each row.
  gemm(kxx, x, into: gradient, alpha: Float(-cA), beta: 0)
  gemm(kxz, z, into: gradient, alpha: Float(-cB), beta: 1)
  for i in 0..<n {
    let weight = Float(cA * work.codeRowSums[i] + cB * work.crossRowSums[i])
    let (g, xi) = (gradient.data + i * d, x.data + i * d)
    for j in 0..<d { g[j] += weight * xi[j] }
  }
  return Float(value)
}

/// A kernel divergence and its gradient as a new tensor (for one-off use outside a loop).
/// - Parameters:
///   - codes: X, `[N, d]`, N ≥ 1.
///   - prior: Z, `[M, d]`, M ≥ 1.
///   - kernelSize: s > 0 in k(a, b) = exp(−‖a − b‖² / s).
///   - kind: which divergence (the paper's CSD by default).
/// - Throws: `DivergenceError` as `divergence(codes:prior:kernelSize:kind:gradient:workspace:)`.
public func divergence(codes: Tensor, prior: Tensor, kernelSize: Float,
                       kind: DivergenceKind = .cauchySchwarz) throws
  -> (value: Float, gradient: Tensor)
{
  let gradient = Tensor(shape: codes.shape)
  let value = try divergence(codes: codes, prior: prior, kernelSize: kernelSize, kind: kind,
                             gradient: gradient)
  return (value, gradient)
}

/// Throws unless codes and prior are non-empty `[rows, d]` tables of finite numbers with the same
/// d, the gradient has the codes' shape, and the kernel size is a positive number.
private func validateDivergenceInputs(codes: Tensor, prior: Tensor, kernelSize: Float,
                                      gradient: Tensor) throws {
  func fail(_ message: String, _ hint: String) -> DivergenceError {
    DivergenceError(message: message, hint: hint)
  }
  guard kernelSize > 0, kernelSize.isFinite else {
    throw fail("kernel size must be a positive number, got \(kernelSize)",
               "the paper uses kernel sizes 4 to 7 (s in exp(−‖a − b‖² / s))")
  }
  guard codes.shape.rank == 2, prior.shape.rank == 2 else {
    throw fail("divergence needs codes and prior as [rows, dimension] tables, got codes "
                 + "\(codes.shape) and prior \(prior.shape)", "reshape them to rank 2")
  }
  guard codes.shape[0] >= 1, prior.shape[0] >= 1 else {
    throw fail("divergence needs at least one code and one prior sample, got \(codes.shape[0]) "
                 + "codes and \(prior.shape[0]) prior samples",
               "use batches of hundreds; the estimate is noisy below that")
  }
  guard codes.shape[1] == prior.shape[1] else {
    throw fail("codes are \(codes.shape[1])-D but the prior is \(prior.shape[1])-D",
               "draw the prior with the code's dimension (swiss roll 2-D, one-hot 10-D)")
  }
  guard gradient.shape == codes.shape else {
    throw fail("divergence gradient buffer is \(gradient.shape), expected the codes' shape "
                 + "\(codes.shape)", "allocate the gradient with the codes' shape")
  }
  let sets = [("codes hold", codes, "training may have diverged; try a smaller learning rate"),
              ("prior holds", prior, "check the prior's parameters")]
  for (subject, tensor, hint) in sets {
    if let index = (0..<tensor.count).first(where: { !tensor.data[$0].isFinite }) {
      throw fail("\(subject) a non-finite value \(tensor.data[index]) at row "
                   + "\(index / tensor.shape[1]), column \(index % tensor.shape[1])", hint)
    }
  }
}

/// Fills `kernel[i, j] = exp(−(‖aᵢ − bⱼ‖² − d₀) / s)` and `rowSums[i] = Σⱼ kernel[i, j]`, where d₀
/// is the smallest squared distance when `shifted` and 0 otherwise.
/// - Parameters:
///   - a: `[rows, d]`.
///   - b: `[columns, d]`.
///   - kernelSize: s.
///   - kernel: receives the kernel, `[rows, columns]`.
///   - norms: scratch for ‖bⱼ‖².
///   - rowSums: resized to `rows` and overwritten.
///   - shifted: shift by the smallest distance (for a kernel whose entries may all underflow).
/// - Returns: the sum of all entries and the shift d₀.
private func fillGaussianKernel(_ a: Tensor, _ b: Tensor, kernelSize: Float, into kernel: Tensor,
                                norms: inout ReusableBuffer, rowSums: inout [Double],
                                shifted: Bool) -> (sum: Double, shift: Double) {
  let (rows, columns, d) = (a.shape[0], b.shape[0], a.shape[1])
  let isSelf = a === b
  // kernel = −2·A·Bᵀ, then + ‖aᵢ‖² + ‖bⱼ‖² row by row.
  gemm(a, b, into: kernel, transposeRight: true, alpha: -2, beta: 0)
  let bNorms = norms.tensor([columns])
  for j in 0..<columns {
    var sum: Float = 0
    for k in 0..<d { sum += b.data[j * d + k] * b.data[j * d + k] }
    bNorms.data[j] = sum
  }
  let (nb, kd) = (bNorms.data, kernel.data)
  let ad = a.data
  let perRow = max(1, 32_768 / max(columns, 1))
  Parallel.forEachChunk(of: rows, minimumPerWorker: perRow) { range in
    for i in range {
      var aNorm: Float = 0
      for k in 0..<d { aNorm += ad[i * d + k] * ad[i * d + k] }
      let row = kd + i * columns
      // NOTE: rounding can make a distance slightly negative; it is a square, so clamp at 0.
      for j in 0..<columns { row[j] = max(0, row[j] + aNorm + nb[j]) }
      if isSelf { row[i] = 0 }  // a point's distance to itself is exactly 0
    }
  }
  var shift: Float = 0
  if shifted {
    shift = .infinity
    for i in 0..<(rows * columns) { shift = min(shift, kd[i]) }
  }
  if rowSums.count != rows { rowSums = [Double](repeating: 0, count: rows) }
  let scale = -1 / kernelSize
  rowSums.withUnsafeMutableBufferPointer { sums in
    let sums = sums.baseAddress!
    Parallel.forEachChunk(of: rows, minimumPerWorker: perRow) { range in
      for i in range {
        let row = kd + i * columns
        var sum: Double = 0
        for j in 0..<columns {
          row[j] = expf((row[j] - shift) * scale)
          sum += Double(row[j])
        }
        sums[i] = sum
      }
    }
  }
  // Row sums are added in row order, so the total is the same on every run.
  return (rowSums.reduce(0, +), Double(shift))
}
