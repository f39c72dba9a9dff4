import Foundation

/// Principal component analysis of a point set, for drawing codes of more than two dimensions.
///
/// The covariance C = (1/n) Σ (xᵢ − μ)(xᵢ − μ)ᵀ (d×d, in Double) is diagonalised by the cyclic
/// Jacobi method (Golub & Van Loan, *Matrix Computations*, 4th ed., §8.5): plane rotations zero the
/// off-diagonal entries until their norm is negligible; the rotations' product holds the
/// eigenvectors. Components are sorted by variance, and each is signed so that its largest entry
/// is positive, which makes the projection deterministic.
public struct PCA: Sendable {
  /// The mean of the fitted points, [d].
  public let mean: [Double]
  /// The principal axes, [componentCount][d], by decreasing variance.
  public let components: [[Double]]
  /// The variance along each component (the covariance eigenvalues), [componentCount].
  public let variances: [Double]

  /// Fits the principal axes of `points`.
  /// - Parameters:
  ///   - points: n points of equal dimension d ≥ 1 (checked by the caller).
  ///   - componentCount: how many axes to keep, at most d.
  public init(points: [[Float]], componentCount: Int = 2) {
    let n = points.count, d = points.first?.count ?? 0
    precondition(
      n > 0 && d > 0 && componentCount <= d,
      "PCA needs points of dimension ≥ \(componentCount), got \(n)×\(d)")
    var mean = [Double](repeating: 0, count: d)
    for p in points { for j in 0..<d { mean[j] += Double(p[j]) } }
    for j in 0..<d { mean[j] /= Double(n) }
    // Covariance C = Xcᵀ·Xc / n, [d, d], with Xc the centred points [n, d], through sgemm.
    let centered = Tensor(shape: [n, d])
    for (row, p) in points.enumerated() {
      for j in 0..<d { centered.data[row * d + j] = Float(Double(p[j]) - mean[j]) }
    }
    let product = Tensor(shape: [d, d])
    gemm(centered, centered, into: product, transposeLeft: true, alpha: 1 / Float(n))
    let c = product.scalars.map(Double.init)
    // NOTE: Jacobi costs O(d³) per sweep, seconds for 784-D images; past 64 dimensions only the
    // leading axes are found, by subspace iteration (Golub & Van Loan §8.2.4).
    let (values, vectors) =
      d <= 64 ? jacobiEigen(c, size: d) : leadingEigen(c, size: d, count: componentCount)
    let columns = values.count
    let order = (0..<columns).sorted { values[$0] > values[$1] }
    var components: [[Double]] = [], variances: [Double] = []
    for k in order.prefix(componentCount) {
      var axis = (0..<d).map { vectors[$0 * columns + k] }  // column k
      let largest = axis.indices.max { abs(axis[$0]) < abs(axis[$1]) }!
      if axis[largest] < 0 { axis = axis.map { -$0 } }
      components.append(axis)
      variances.append(max(values[k], 0))
    }
    self.mean = mean
    self.components = components
    self.variances = variances
  }

  /// The coordinates of `points` along the components, [n][componentCount].
  /// - Parameter points: points of the fitted dimension.
  public func project(_ points: [[Float]]) -> [[Double]] {
    points.map { p in
      components.map { axis in
        var sum = 0.0
        for j in axis.indices { sum += (Double(p[j]) - mean[j]) * axis[j] }
        return sum
      }
    }
  }
}

/// Eigenvalues and eigenvectors (columns of a [size, size] row-major matrix) of the symmetric
/// matrix `a`, by cyclic Jacobi rotations.
func jacobiEigen(_ matrix: [Double], size n: Int) -> (values: [Double], vectors: [Double]) {
  var a = matrix
  var v = [Double](repeating: 0, count: n * n)
  for i in 0..<n { v[i * n + i] = 1 }
  let scale = max(a.map(abs).max() ?? 0, Double.leastNormalMagnitude)
  for _ in 0..<100 {
    var off = 0.0
    for i in 0..<n { for j in (i + 1)..<max(n, i + 1) { off += a[i * n + j] * a[i * n + j] } }
    if off.squareRoot() <= 1e-14 * scale { break }
    for p in 0..<n {
      for q in (p + 1)..<max(n, p + 1) {
        let apq = a[p * n + q]
        if abs(apq) <= 1e-300 { continue }
        // Rotation angle that zeroes a[p][q] (G&VL Algorithm 8.5.1, sym.schur2).
        let tau = (a[q * n + q] - a[p * n + p]) / (2 * apq)
        let t = (tau >= 0 ? 1 : -1) / (abs(tau) + (1 + tau * tau).squareRoot())
        let cosine = 1 / (1 + t * t).squareRoot(), sine = t * cosine
        for k in 0..<n {  // A ← A·J (columns p, q)
          let akp = a[k * n + p], akq = a[k * n + q]
          a[k * n + p] = cosine * akp - sine * akq
          a[k * n + q] = sine * akp + cosine * akq
        }
        for k in 0..<n {  // A ← Jᵀ·A (rows p, q)
          let apk = a[p * n + k], aqk = a[q * n + k]
          a[p * n + k] = cosine * apk - sine * aqk
          a[q * n + k] = sine * apk + cosine * aqk
        }
        for k in 0..<n {  // V ← V·J
          let vkp = v[k * n + p], vkq = v[k * n + q]
          v[k * n + p] = cosine * vkp - sine * vkq
          v[k * n + q] = sine * vkp + cosine * vkq
        }
      }
    }
  }
  return ((0..<n).map { a[$0 * n + $0] }, v)
}

/// The `count` leading eigenpairs of the symmetric positive semi-definite matrix `a` by subspace
/// iteration: Q ← orth(A·Q) until the subspace settles, then the Rayleigh–Ritz step diagonalises
/// the small matrix QᵀAQ with Jacobi. Eigenvectors come back as the columns of a [size, count]
/// row-major matrix.
func leadingEigen(_ a: [Double], size n: Int, count k: Int) -> (values: [Double], vectors: [Double]) {
  // A deterministic, full-rank start: column j has ones on rows ≡ j (mod k) plus a small ramp.
  var q = [Double](repeating: 0, count: n * k)
  for i in 0..<n { for j in 0..<k { q[i * k + j] = (i % k == j ? 1 : 0) + Double(i + 1) / Double(n * (j + 2)) } }
  orthonormalizeColumns(&q, rows: n, columns: k)
  var next = [Double](repeating: 0, count: n * k)
  for _ in 0..<500 {
    for i in 0..<n {  // next = A·Q
      for j in 0..<k {
        var sum = 0.0
        for l in 0..<n { sum += a[i * n + l] * q[l * k + j] }
        next[i * k + j] = sum
      }
    }
    orthonormalizeColumns(&next, rows: n, columns: k)
    var change = 0.0  // 1 − |cos| between old and new columns
    for j in 0..<k {
      var dot = 0.0
      for i in 0..<n { dot += q[i * k + j] * next[i * k + j] }
      change = max(change, 1 - abs(dot))
    }
    swap(&q, &next)
    if change < 1e-12 { break }
  }
  // Rayleigh–Ritz: B = Qᵀ·A·Q, [k, k]; its eigenvectors rotate Q onto the eigenvectors of A.
  var b = [Double](repeating: 0, count: k * k)
  for r in 0..<k {
    for s in 0..<k {
      var sum = 0.0
      for i in 0..<n {
        var row = 0.0
        for l in 0..<n { row += a[i * n + l] * q[l * k + s] }
        sum += q[i * k + r] * row
      }
      b[r * k + s] = sum
    }
  }
  let (values, small) = jacobiEigen(b, size: k)
  var vectors = [Double](repeating: 0, count: n * k)
  for i in 0..<n {
    for j in 0..<k {
      var sum = 0.0
      for r in 0..<k { sum += q[i * k + r] * small[r * k + j] }
      vectors[i * k + j] = sum
    }
  }
  return (values, vectors)
}

/// Gram–Schmidt (twice, for stability) on the columns of a [rows, columns] row-major matrix.
func orthonormalizeColumns(_ m: inout [Double], rows: Int, columns: Int) {
  for _ in 0..<2 {
    for j in 0..<columns {
      for p in 0..<j {
        var dot = 0.0
        for i in 0..<rows { dot += m[i * columns + j] * m[i * columns + p] }
        for i in 0..<rows { m[i * columns + j] -= dot * m[i * columns + p] }
      }
      var norm = 0.0
      for i in 0..<rows { norm += m[i * columns + j] * m[i * columns + j] }
      norm = norm.squareRoot()
      for i in 0..<rows { m[i * columns + j] /= max(norm, 1e-300) }
    }
  }
}
