import Foundation
import KMSTensor
import Testing

@testable import KMSPlot

@Suite("PCA in many dimensions")
struct PCALeadingTests {
  @Test("subspace iteration finds the same leading eigenpairs as Jacobi")
  func agreesWithJacobi() {
    var rng = RandomSource(seed: 4)
    let n = 80
    // A random covariance with a clear spectrum: B·Bᵀ plus a strong two-dimensional part.
    let b = (0..<(n * n)).map { _ in Double(rng.uniform(in: -1...1)) }
    var a = [Double](repeating: 0, count: n * n)
    for i in 0..<n {
      for j in 0..<n {
        var sum = 0.0
        for l in 0..<n { sum += b[i * n + l] * b[j * n + l] }
        a[i * n + j] = sum + (i < 2 && j < 2 ? 400 * Double(2 - i) : 0)
      }
    }
    let full = jacobiEigen(a, size: n)
    let leading = leadingEigen(a, size: n, count: 2)
    let expected = full.values.sorted(by: >).prefix(2)
    let found = leading.values.sorted(by: >)
    for (e, f) in zip(expected, found) { #expect(abs(e - f) <= 1e-6 * e, "\(e) vs \(f)") }
  }

  @Test("784-D points project onto the direction they vary along, ")
  func imageSizedPoints() {
    var rng = RandomSource(seed: 2)
    let direction = (0..<784).map { Float($0 % 7) - 3 }
    let points: [[Float]] = (0..<2000).map { _ in
      let t = rng.normal() * 5
      return direction.map { $0 * t + rng.normal() * 0.1 }
    }
    let pca = PCA(points: points)
    let norm = direction.reduce(0) { $0 + Double($1 * $1) }.squareRoot()
    let cosine = zip(pca.components[0], direction).reduce(0) { $0 + $1.0 * Double($1.1) } / norm
    #expect(abs(cosine) > 0.999)
    #expect(pca.variances[0] > 100 * pca.variances[1])
  }
}
