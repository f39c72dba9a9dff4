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
    // Covariance, [d, d] row-major, upper triangle then mirrored.
    var c = [Double](repeating: 0, count: d * d)
    var centered = [Double](repeating: 0, count: d)
    for p in points {
      for j in 0..<d { centered[j] = Double(p[j]) - mean[j] }
      for i in 0..<d {
        let ci = centered[i]
        for j in i..<d { c[i * d + j] += ci * centered[j] }
      }
    }
    for i in 0..<d {
      for j in i..<d {
        c[i * d + j] /= Double(n)
        c[j * d + i] = c[i * d + j]
      }
    }
    let (values, vectors) = jacobiEigen(c, size: d)
    let order = (0..<d).sorted { values[$0] > values[$1] }
    var components: [[Double]] = [], variances: [Double] = []
    for k in order.prefix(componentCount) {
      var axis = (0..<d).map { vectors[$0 * d + k] }  // column k
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
