import Foundation
import KMSTensor

/// How well a set of codes follows a prior (paper Part B, Figs. 16–20 made measurable).
public struct PriorFit: Sendable, Equatable {
  /// The codes measured.
  public let count: Int
  /// CSD between (up to `divergenceCount` of) the codes and a prior sample of the same size.
  public let divergence: Float
  /// The same CSD between two independent prior samples of that size: the level a perfect fit
  /// reaches at this sample size.
  public let baselineDivergence: Float
  /// s, the kernel size of both divergences.
  public let kernelSize: Float
  /// How many codes entered the divergence (a seeded subset when there were more than the cap).
  public let divergenceCount: Int
  /// The share of codes inside the prior's support (`Prior.contains`).
  public let support: Double
  /// The share of codes lying in their own class's region (`Prior.region`): for the swiss roll
  /// the segment purity, the share whose nearest point on the roll's curve lies in the tenth that
  /// belongs to the code's class (chance 1/classCount); nil without labels.
  public let purity: Double?
}

/// Measures how well codes follow a prior.
/// - Parameters:
///   - codes: `[count, prior.dimension]`, count ≥ 2.
///   - labels: each code's true class (for the purity), or nil.
///   - prior: the prior.
///   - kernelSize: s of the CSD (5, the paper's swiss-roll value, by default).
///   - seed: fixes the prior samples and the subset.
///   - divergenceCap: at most this many codes enter the O(N²) divergence (4,000 by default, three
///     64 MB kernels); more are subsampled with the seed.
/// - Throws: `DivergenceError` for codes of the wrong width or non-finite codes.
public func priorFit(codes: Tensor, labels: [Int32]?, prior: Prior, kernelSize: Float = 5,
                     seed: UInt64 = 0, divergenceCap: Int = 4000) throws -> PriorFit {
  guard codes.shape.rank == 2, codes.shape[1] == prior.dimension else {
    throw DivergenceError(
      message: "codes of shape \(codes.shape) cannot be compared with a \(prior.dimension)-D "
        + "\(prior.kind.rawValue) prior",
      hint: "encode with an autoencoder whose code is \(prior.dimension)-D")
  }
  let n = codes.shape[0]
  guard n >= 2 else {
    throw DivergenceError(message: "prior fit needs at least 2 codes, got \(n)",
                          hint: "measure a whole dataset's codes")
  }
  precondition(labels.map { $0.count == n } ?? true, "priorFit: \(labels!.count) labels for \(n) codes")
  precondition(divergenceCap >= 2, "priorFit: divergence cap must be ≥ 2, got \(divergenceCap)")
  var rng = RandomSource(seed: seed &+ 0x4649_5421)  // "FIT!"
  var subset = codes
  if n > divergenceCap {
    var indices = Array(0..<n)
    for i in 0..<divergenceCap { indices.swapAt(i, i + rng.int(below: n - i)) }
    subset = Tensor(shape: [divergenceCap, prior.dimension])
    codes.gatherRows(Array(indices[0..<divergenceCap]), into: subset)
  }
  let m = subset.shape[0]
  let sample = prior.sample(count: m, rng: &rng).points
  let other = prior.sample(count: m, rng: &rng).points
  let workspace = DivergenceWorkspace()
  let gradient = Tensor(shape: [m, prior.dimension])
  let value = try divergence(codes: subset, prior: sample, kernelSize: kernelSize,
                             gradient: gradient, workspace: workspace)
  let baseline = try divergence(codes: other, prior: sample, kernelSize: kernelSize,
                                gradient: gradient, workspace: workspace)
  var inside = 0, own = 0
  for i in 0..<n {
    let point = UnsafePointer(codes.data + i * prior.dimension)
    if prior.contains(point) { inside += 1 }
    if let labels, prior.region(of: point) == Int(labels[i]) { own += 1 }
  }
  return PriorFit(count: n, divergence: value, baselineDivergence: baseline,
                  kernelSize: kernelSize, divergenceCount: m,
                  support: Double(inside) / Double(n),
                  purity: labels == nil ? nil : Double(own) / Double(n))
}

extension Prior {
  /// The roll's curve sampled finely: t = √u in [0, 1], point 3t·(cos 4πt, sin 4πt), and u.
  /// 4,096 points lie at most 0.01 apart along the curve (its length is about 19).
  private static let rollCurve: [(x: Float, y: Float, u: Float)] = (0..<4096).map { i in
    let t = Double(i) / 4095
    return (Float(3 * t * cos(4 * Double.pi * t)), Float(3 * t * sin(4 * Double.pi * t)), Float(t * t))
  }

  /// How far from the curve a roll code may lie and still count as on the roll: 0.25, a sixth of
  /// the 1.5 between turns, widened by three noise deviations.
  var rollTolerance: Float { 0.25 + 3 * noise }

  /// The nearest point of the roll's curve to (x, y): its squared distance and its u in [0, 1].
  private static func nearestOnRoll(_ x: Float, _ y: Float) -> (distance2: Float, u: Float) {
    var best = (distance2: Float.infinity, u: Float(0))
    for point in rollCurve {
      let (dx, dy) = (point.x - x, point.y - y)
      let d2 = dx * dx + dy * dy
      if d2 < best.distance2 { best = (d2, point.u) }
    }
    return best
  }

  /// The class whose region holds `point` (`[dimension]` floats): the tenth of the roll holding
  /// the nearest curve point (the 3-D roll by its x and y), the nearest mixture component, the
  /// Gaussian's angular sector of the first two coordinates, or the one-hot argmax.
  /// - Parameter point: `dimension` floats.
  public func region(of point: UnsafePointer<Float>) -> Int {
    switch kind {
    case .swissRoll, .swissRoll3D:
      let u = Prior.nearestOnRoll(point[0], point[1]).u
      return min(classCount - 1, Int(u * Float(classCount)))
    case .gaussianMixture:
      var best = (distance2: Double.infinity, k: 0)
      for k in 0..<classCount {
        let angle = 2 * Double.pi * Double(k) / Double(classCount)
        let dx = Double(point[0]) - Prior.mixtureRadius * cos(angle)
        let dy = Double(point[1]) - Prior.mixtureRadius * sin(angle)
        if dx * dx + dy * dy < best.distance2 { best = (dx * dx + dy * dy, k) }
      }
      return best.k
    case .gaussian:
      var angle = atan2(Double(point[1]), Double(point[0]))
      if angle < 0 { angle += 2 * Double.pi }
      return min(classCount - 1, Int(angle / (2 * Double.pi) * Double(classCount)))
    case .oneHot:
      var best = 0
      for j in 1..<dimension where point[j] > point[best] { best = j }
      return best
    }
  }

  /// Whether `point` lies in the prior's support, widened for noise: the roll within
  /// `rollTolerance` (0.25) of its curve (the 3-D roll also within its height ± that), the
  /// mixture within three deviations of a centre, the Gaussian within the radius holding 99% of
  /// its mass, one-hot within 0.5 of a vertex (plus the noise's 99% radius).
  /// - Parameter point: `dimension` floats.
  public func contains(_ point: UnsafePointer<Float>) -> Bool {
    switch kind {
    case .swissRoll, .swissRoll3D:
      let tolerance = rollTolerance
      guard Prior.nearestOnRoll(point[0], point[1]).distance2 <= tolerance * tolerance else {
        return false
      }
      return kind == .swissRoll || abs(point[2]) <= Float(Prior.rollHalfHeight) + tolerance
    case .gaussianMixture:
      let deviation = (Prior.mixtureDeviation * Prior.mixtureDeviation
                       + Double(noise) * Double(noise)).squareRoot()
      return (0..<classCount).contains { k in
        let angle = 2 * Double.pi * Double(k) / Double(classCount)
        let dx = Double(point[0]) - Prior.mixtureRadius * cos(angle)
        let dy = Double(point[1]) - Prior.mixtureRadius * sin(angle)
        return (dx * dx + dy * dy).squareRoot() <= 3 * deviation
      }
    case .gaussian:
      let radius = Prior.chiRadius99(dimension) * (1 + Double(noise) * Double(noise)).squareRoot()
      var norm2 = 0.0
      for j in 0..<dimension { norm2 += Double(point[j]) * Double(point[j]) }
      return norm2.squareRoot() <= radius
    case .oneHot:
      let k = region(of: point)
      var distance2 = 0.0
      for j in 0..<dimension {
        let d = Double(point[j]) - (j == k ? 1 : 0)
        distance2 += d * d
      }
      return distance2.squareRoot() <= 0.5 + Double(noise) * Prior.chiRadius99(dimension)
    }
  }

  /// The radius inside which 99% of a d-D standard Gaussian lies, √χ²_d(0.99), by Wilson and
  /// Hilferty's approximation (within 1% for d ≥ 2; 3.03 for d = 2, 4.86 for d = 10).
  static func chiRadius99(_ d: Int) -> Double {
    let k = Double(d), z = 2.3263
    let cube = 1 - 2 / (9 * k) + z * (2 / (9 * k)).squareRoot()
    return (k * cube * cube * cube).squareRoot()
  }
}
