import Foundation
import KMSPlot
import KMSTensor

/// Deterministic inputs for the plot tests, all drawn from a seeded `RandomSource` so goldens are
/// stable across runs and machines.
enum SampleData {
  static let classNames = ["o", "ki", "su", "tsu", "na", "ha", "ma", "ya", "re", "wo"]

  /// `count` 28×28 images of two or three soft strokes each, values in [0, 1], with labels
  /// cycling through the ten classes.
  /// The ten classes in hiragana.
  static let kanaNames = ["お", "き", "す", "つ", "な", "は", "ま", "や", "れ", "を"]

  static func images(count: Int, seed: UInt64 = 1) -> (images: [[Float]], labels: [Int]) {
    var rng = RandomSource(seed: seed)
    var images: [[Float]] = []
    for _ in 0..<count {
      var pixels = [Float](repeating: 0, count: 28 * 28)
      for _ in 0..<(2 + rng.int(below: 2)) {
        let (ax, ay) = (rng.uniform(in: 5...23), rng.uniform(in: 5...23))
        let (bx, by) = (rng.uniform(in: 5...23), rng.uniform(in: 5...23))
        for y in 0..<28 {
          for x in 0..<28 {
            // Distance from the pixel to segment ab, through a soft 1.6-pixel pen.
            let (px, py) = (Float(x), Float(y))
            let (dx, dy) = (bx - ax, by - ay)
            let t = max(0, min(1, ((px - ax) * dx + (py - ay) * dy) / max(dx * dx + dy * dy, 1e-6)))
            let (ex, ey) = (px - ax - t * dx, py - ay - t * dy)
            let ink = max(0, 1 - (ex * ex + ey * ey).squareRoot() / 1.6)
            pixels[y * 28 + x] = max(pixels[y * 28 + x], ink)
          }
        }
      }
      images.append(pixels)
    }
    return (images, (0..<count).map { $0 % 10 })
  }

  /// Blurred copies of `images` (a 3×3 box filter), standing in for a decoder's output.
  static func blurred(_ images: [[Float]]) -> [[Float]] {
    images.map { image in
      (0..<(28 * 28)).map { i in
        let (x, y) = (i % 28, i / 28)
        var sum: Float = 0
        for dy in -1...1 {
          for dx in -1...1 {
            let (u, v) = (min(max(x + dx, 0), 27), min(max(y + dy, 0), 27))
            sum += image[v * 28 + u]
          }
        }
        return sum / 9
      }
    }
  }

  /// `count` codes of `dimension` ≥ 2 in ten noisy clusters, with their labels.
  static func codes(count: Int, dimension: Int, seed: UInt64 = 2) -> (
    codes: [[Float]], labels: [Int]
  ) {
    var rng = RandomSource(seed: seed)
    var codes: [[Float]] = [], labels: [Int] = []
    for i in 0..<count {
      let label = i % 10
      var code = (0..<dimension).map { _ in 0.35 * rng.normal() }
      let angle = Float(label) / 10 * 2 * Float.pi
      code[0] += 2.5 * cos(angle)
      code[1] += 2.5 * sin(angle)
      if dimension > 2 { code[label % dimension] += 1.5 }
      codes.append(code)
      labels.append(label)
    }
    return (codes, labels)
  }

  /// A 2-D swiss-roll sample as in the paper's notes: for class k, u = (U(0,1) + k)/10,
  /// r = 3√u, θ = 4π√u, point (r cos θ, r sin θ).
  static func swissRoll(count: Int, seed: UInt64 = 3) -> (points: [[Float]], labels: [Int]) {
    var rng = RandomSource(seed: seed)
    var points: [[Float]] = [], labels: [Int] = []
    for _ in 0..<count {
      let k = rng.int(below: 10)
      let u = (rng.uniform() + Float(k)) / 10
      let (r, theta) = (3 * u.squareRoot(), 4 * Float.pi * u.squareRoot())
      points.append([r * cos(theta), r * sin(theta)])
      labels.append(k)
    }
    return (points, labels)
  }

  /// A 10×10 confusion matrix with a strong diagonal, about 1,000 samples a class.
  static func confusionCounts(seed: UInt64 = 4) -> [[Int]] {
    var rng = RandomSource(seed: seed)
    return (0..<10).map { t in
      (0..<10).map { p in
        p == t ? 800 + rng.int(below: 150) : rng.int(below: rng.int(below: 4) == 0 ? 60 : 12)
      }
    }
  }

  /// A falling training loss and a validation loss that turns up after its minimum, over
  /// `epochs` epochs, and the epoch of the validation minimum (1-based).
  static func history(epochs: Int, seed: UInt64 = 5) -> (
    train: [Float], validation: [Float], best: Int
  ) {
    var rng = RandomSource(seed: seed)
    var train: [Float] = [], validation: [Float] = []
    for e in 0..<epochs {
      let t = Float(e)
      train.append(0.02 + 0.06 * exp(-t / 5) + 0.0008 * rng.normal())
      validation.append(0.028 + 0.055 * exp(-t / 5) + 0.00012 * t * t / 4 + 0.0008 * rng.normal())
    }
    let best = validation.indices.min { validation[$0] < validation[$1] }! + 1
    return (train, validation, best)
  }
}
