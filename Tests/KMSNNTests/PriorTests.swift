import KMSNN
import KMSTensor
import Testing

@Suite("Priors")
struct PriorTests {
  @Test("the swiss roll spans the ranges PAPER-NOTES gives, class k on the k-th tenth")
  func swissRoll() {
    var rng = RandomSource(seed: 1)
    let (points, labels) = Prior(.swissRoll).sample(count: 20_000, rng: &rng)
    #expect(points.shape == [20_000, 2])
    var (minX, maxX, minY, maxY) = (Float.infinity, -Float.infinity, Float.infinity, -Float.infinity)
    for i in 0..<labels.count {
      let (x, y) = (points[i, 0], points[i, 1])
      (minX, maxX, minY, maxY) = (min(minX, x), max(maxX, x), min(minY, y), max(maxY, y))
      // r = 3√u with u in [k/10, (k+1)/10), so the radius tells the class.
      let u = Double(x * x + y * y) / 9
      let k = Double(labels[i])
      #expect(u >= k / 10 - 1e-5 && u < (k + 1) / 10 + 1e-5)
    }
    #expect(abs(minX + 2.26) < 0.02 && abs(maxX - 3.00) < 0.02)
    #expect(abs(minY + 2.64) < 0.02 && abs(maxY - 1.89) < 0.02)
    #expect(Set(labels).count == 10)
  }

  @Test("one-hot samples put a single 1 at the class; noise spreads them")
  func oneHot() {
    var rng = RandomSource(seed: 2)
    let points = Prior(.oneHot).sample(labels: [3, 0, 9], rng: &rng)
    #expect(points.shape == [3, 10])
    #expect(points.argmax(row: 0) == 3 && points.argmax(row: 1) == 0 && points.argmax(row: 2) == 9)
    #expect(points.sum() == 3)
    let noisy = Prior(.oneHot, noise: 0.1).sample(labels: Array(repeating: 5, count: 1000), rng: &rng)
    let offHot = (0..<1000).map { Double(noisy[$0, 0]) }
    let deviation = (offHot.map { $0 * $0 }.reduce(0, +) / 1000).squareRoot()
    #expect(abs(deviation - 0.1) < 0.01)
  }

  @Test("the same seed draws the same prior sample")
  func seeded() {
    var a = RandomSource(seed: 7), b = RandomSource(seed: 7)
    #expect(Prior(.swissRoll).sample(count: 50, rng: &a).points
      .isIdentical(to: Prior(.swissRoll).sample(count: 50, rng: &b).points))
  }
}
