import KMSTensor
import Testing

/// The C kernels (Sources/CKernels) against the Swift arithmetic they replaced: bit for bit,
/// so loss histories do not change with the CPU's vector width.
@Suite("Kernels")
struct KernelTests {
  @Test("the C Adam step equals the scalar Swift formula bit for bit, flushing tiny moments")
  func adamMatchesSwift() {
    var rng = RandomSource(seed: 3)
    let count = 1_003  // not a multiple of any vector width: the tails run too
    let g = Tensor.uniform([count], in: -1e-3...1e-3, rng: &rng)
    let w = Tensor.uniform([count], in: -1...1, rng: &rng)
    let m = Tensor.uniform([count], in: -1e-4...1e-4, rng: &rng)
    let v = Tensor.uniform([count], in: 0...1e-6, rng: &rng)
    // Moments about to become subnormal, and zero gradients (a dead ReLU unit).
    for i in stride(from: 0, to: count, by: 7) {
      g[i] = 0
      m[i] = Float.leastNormalMagnitude  // × β₁ falls below it: flushed
      v[i] = Float.leastNormalMagnitude
    }
    let (alpha, b1, b2, eps): (Float, Float, Float, Float) = (0.0008, 0.9, 0.999, 1e-7)
    var expected = (w: w.scalars, m: m.scalars, v: v.scalars)
    for i in 0..<count {
      var mi = b1 * expected.m[i] + (1 - b1) * g[i]
      var vi = b2 * expected.v[i] + (1 - b2) * g[i] * g[i]
      if mi < Float.leastNormalMagnitude && mi > -Float.leastNormalMagnitude { mi = 0 }
      if vi < Float.leastNormalMagnitude { vi = 0 }
      expected.m[i] = mi
      expected.v[i] = vi
      expected.w[i] = expected.w[i] - alpha * mi / (vi.squareRoot() + eps)
    }
    Kernels.adamUpdate(weights: w.data, gradients: g.data, firstMoments: m.data,
                       secondMoments: v.data, count: count, stepSize: alpha, beta1: b1,
                       beta2: b2, epsilon: eps)
    #expect(w.scalars.map(\.bitPattern) == expected.w.map(\.bitPattern))
    #expect(m.scalars.map(\.bitPattern) == expected.m.map(\.bitPattern))
    #expect(v.scalars.map(\.bitPattern) == expected.v.map(\.bitPattern))
    #expect(m.scalars.contains(0) && v.scalars.contains(0))  // the flush happened
  }

  @Test("the C ReLU backward passes the gradient where the output is positive")
  func reluBackward() {
    let y = Tensor(shape: [11], scalars: [0, 1, -1, 2, 0, 3, -0.0, 4, 5, -6, 7])
    let dy = Tensor(shape: [11], scalars: (1...11).map(Float.init))
    let dx = Tensor(shape: [11], repeating: .nan)
    Kernels.reluBackward(inputGradient: dx.data, outputGradient: dy.data, output: y.data,
                         count: 11)
    #expect(dx.scalars == [0, 2, 0, 4, 0, 6, 0, 8, 9, 0, 11])
  }
}
