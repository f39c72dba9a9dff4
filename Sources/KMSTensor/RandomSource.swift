import Foundation

/// A seeded pseudo-random source: the same seed gives the same sequence on every run.
///
/// The generator is xoshiro256** (Blackman & Vigna 2018, "Scrambled Linear Pseudorandom Number
/// Generators"), seeded through SplitMix64 as its authors recommend. Normal samples use the
/// Box–Muller transform and cache the second value.
public struct RandomSource: RandomNumberGenerator, Sendable {
  private var state: (UInt64, UInt64, UInt64, UInt64)
  private var spareNormal: Float?

  /// Creates a source whose sequence is fixed by `seed`.
  /// - Parameter seed: any 64-bit value.
  public init(seed: UInt64) {
    var mix = seed
    func splitMix() -> UInt64 {
      mix &+= 0x9E37_79B9_7F4A_7C15
      var z = mix
      z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
      z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
      return z ^ (z >> 31)
    }
    state = (splitMix(), splitMix(), splitMix(), splitMix())
  }

  /// The next 64 random bits.
  public mutating func next() -> UInt64 {
    let result = rotateLeft(state.1 &* 5, 7) &* 9
    let t = state.1 << 17
    state.2 ^= state.0
    state.3 ^= state.1
    state.1 ^= state.2
    state.0 ^= state.3
    state.2 ^= t
    state.3 = rotateLeft(state.3, 45)
    return result
  }

  private func rotateLeft(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }

  /// A uniform sample from [0, 1), with 24 random bits.
  public mutating func uniform() -> Float {
    Float(next() >> 40) * (1.0 / 16_777_216.0)
  }

  /// A uniform sample from `range`.
  /// - Parameter range: the interval to sample.
  public mutating func uniform(in range: ClosedRange<Float>) -> Float {
    range.lowerBound + (range.upperBound - range.lowerBound) * uniform()
  }

  /// A standard normal sample, N(0, 1).
  public mutating func normal() -> Float {
    if let spare = spareNormal {
      spareNormal = nil
      return spare
    }
    // Box–Muller: u1 in (0, 1] so the log is finite.
    let u1 = Double(next() >> 11 + 1) * (1.0 / 9_007_199_254_740_992.0)
    let u2 = Double(next() >> 11) * (1.0 / 9_007_199_254_740_992.0)
    let radius = (-2 * Foundation.log(u1)).squareRoot()
    spareNormal = Float(radius * Foundation.sin(2 * Double.pi * u2))
    return Float(radius * Foundation.cos(2 * Double.pi * u2))
  }

  /// A uniform integer in `0..<bound`, without modulo bias (Lemire's method).
  /// - Parameter bound: the exclusive upper bound, at least 1.
  public mutating func int(below bound: Int) -> Int {
    precondition(bound > 0, "int(below:) needs a positive bound, got \(bound)")
    return Int(next(upperBound: UInt64(bound)))
  }

  /// Shuffles `array` in place (Fisher–Yates), reproducibly for a given seed.
  /// - Parameter array: the elements to permute.
  public mutating func shuffle<T>(_ array: inout [T]) {
    guard array.count > 1 else { return }
    for i in stride(from: array.count - 1, to: 0, by: -1) {
      array.swapAt(i, int(below: i + 1))
    }
  }
}

extension Tensor {
  /// A tensor of uniform samples from `range`.
  /// - Parameters:
  ///   - shape: the tensor's shape.
  ///   - range: the interval to sample.
  ///   - rng: the random source, advanced by `shape.elementCount` draws.
  public static func uniform(_ shape: Shape, in range: ClosedRange<Float>,
                             rng: inout RandomSource) -> Tensor {
    let result = Tensor(shape: shape)
    for i in 0..<result.count { result.data[i] = rng.uniform(in: range) }
    return result
  }

  /// A tensor of normal samples, N(mean, deviation²).
  /// - Parameters:
  ///   - shape: the tensor's shape.
  ///   - mean: the distribution's mean.
  ///   - deviation: the distribution's standard deviation.
  ///   - rng: the random source.
  public static func normal(_ shape: Shape, mean: Float = 0, deviation: Float = 1,
                            rng: inout RandomSource) -> Tensor {
    let result = Tensor(shape: shape)
    for i in 0..<result.count { result.data[i] = mean + deviation * rng.normal() }
    return result
  }
}

/// A source's whole state, so checkpoints can save it and resume the same sequence: the four
/// xoshiro words and the cached second normal sample (a copy of the struct is a snapshot too).
extension RandomSource: Codable, Equatable {
  private enum CodingKeys: String, CodingKey { case words, spareNormal }

  public init(from decoder: Decoder) throws {
    let container = try decoder.container(keyedBy: CodingKeys.self)
    let words = try container.decode([UInt64].self, forKey: .words)
    guard words.count == 4, words.contains(where: { $0 != 0 }) else {
      throw DecodingError.dataCorruptedError(
        forKey: .words, in: container, debugDescription: "a random state is four words, not all zero")
    }
    self.init(seed: 0)
    state = (words[0], words[1], words[2], words[3])
    spareNormal = try container.decodeIfPresent(Float.self, forKey: .spareNormal)
  }

  public func encode(to encoder: Encoder) throws {
    var container = encoder.container(keyedBy: CodingKeys.self)
    try container.encode([state.0, state.1, state.2, state.3], forKey: .words)
    try container.encodeIfPresent(spareNormal, forKey: .spareNormal)
  }

  public static func == (a: RandomSource, b: RandomSource) -> Bool {
    a.state == b.state && a.spareNormal == b.spareNormal
  }
}
