import Foundation
import Testing

@testable import KMSTensor

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

@Suite("PCA")
struct PCATests {
  @Test("the symmetric 2×2 matrix [[2, 1], [1, 2]] has eigenvalues 3 and 1")
  func jacobiTwoByTwo() {
    let (values, vectors) = jacobiEigen([2, 1, 1, 2], size: 2)
    #expect(Set(values.map { ($0 * 1e9).rounded() / 1e9 }) == [3, 1])
    // Each column v satisfies A·v = λ·v.
    for k in 0..<2 {
      let v = (vectors[k], vectors[2 + k])
      #expect(abs(2 * v.0 + v.1 - values[k] * v.0) < 1e-12)
      #expect(abs(v.0 + 2 * v.1 - values[k] * v.1) < 1e-12)
    }
  }

  @Test("points along a line in 3-D have that line as first component")
  func line() {
    let points: [[Float]] = (0..<50).map { i in
      let t = Float(i) / 10 - 2.5
      let wobble: Float = i % 2 == 0 ? 0.01 : -0.01
      return [t, 2 * t + wobble, -t]
    }
    let pca = PCA(points: points)
    let norm = Double(6).squareRoot()
    let first = pca.components[0]
    #expect(
      abs(first[0] - 1 / norm) < 1e-3 && abs(first[1] - 2 / norm) < 1e-3
        && abs(first[2] + 1 / norm) < 1e-3)
    #expect(pca.variances[0] > 1000 * pca.variances[1])
    // Projections are centred.
    let projected = pca.project(points)
    #expect(abs(projected.map { $0[0] }.reduce(0, +)) < 1e-6)
  }
}
