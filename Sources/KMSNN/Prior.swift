import Foundation
import KMSTensor

/// A prior distribution for an autoencoder's code (paper §II.C, made precise in PAPER-NOTES.md):
/// samples come with the class label that owns their region, so they can be coloured by class and
/// drawn conditioned on true labels.
///
/// Every kind divides its space into `classCount` regions, one per class, so every kind can be
/// conditioned on labels (the label picks the region a sample is drawn from) and `PriorFit` can
/// ask whether a code lies in its own class's region.
public struct Prior: Sendable, Equatable {
  /// The shape of the distribution.
  public enum Kind: String, Sendable, CaseIterable, Codable {
    /// A 2-D swiss roll of two turns, class k owning the k-th tenth (class 0 at the centre).
    case swissRoll = "swiss_roll"
    /// The 2-D roll swept along a third axis (the paper's suggestion, §IV.D): (x, y) on the 2-D
    /// roll, height z uniform in [−1.5, 1.5]; class k owns the k-th tenth along the roll at every
    /// height.
    case swissRoll3D = "swiss_roll_3d"
    /// Ten 2-D Gaussians (σ 0.25) centred on a circle of radius 2.5, class k at angle 2πk/10.
    case gaussianMixture = "gaussian_mixture"
    /// An isotropic standard Gaussian N(0, I) of any dimension; class k owns the k-th of
    /// `classCount` equal angular sectors of the first two coordinates (as the cited AAE code's
    /// label-conditioned Gaussian).
    case gaussian = "gaussian"
    /// One-hot vectors of the class, `classCount`-D, optionally with Gaussian noise.
    case oneHot = "one_hot"
  }

  /// The shape.
  public let kind: Kind
  /// The number of classes (regions of the roll, mixture components, sectors or one-hot
  /// dimensions).
  public let classCount: Int
  /// Standard deviation of Gaussian noise added to every coordinate (0 for none). The paper
  /// suggests noise on the one-hot prior as an improvement (§IV.D).
  public let noise: Float
  /// The dimension of a sample: 2 for the swiss roll and the mixture, 3 for the 3-D roll,
  /// `classCount` for one-hot, any (≥ 2) for the Gaussian.
  public let dimension: Int

  /// The mixture's component radius and deviation.
  static let mixtureRadius = 2.5, mixtureDeviation = 0.25
  /// Half the 3-D roll's height.
  static let rollHalfHeight = 1.5

  /// Creates a prior.
  /// - Parameters:
  ///   - kind: the shape.
  ///   - classCount: classes, at least 1 (10 for KMNIST; the Gaussian's sectors need 1 to 360).
  ///   - noise: Gaussian noise deviation, ≥ 0.
  ///   - dimension: the Gaussian's dimension (≥ 2); ignored by the other kinds, whose dimension
  ///     is fixed.
  public init(_ kind: Kind, classCount: Int = 10, noise: Float = 0, dimension: Int = 2) {
    precondition(classCount >= 1, "a prior needs at least one class, got \(classCount)")
    precondition(noise >= 0 && noise.isFinite, "prior noise must be ≥ 0, got \(noise)")
    precondition(kind != .gaussian || dimension >= 2,
                 "a Gaussian prior needs at least 2 dimensions, got \(dimension)")
    self.kind = kind
    self.classCount = classCount
    self.noise = noise
    switch kind {
    case .swissRoll, .gaussianMixture: self.dimension = 2
    case .swissRoll3D: self.dimension = 3
    case .gaussian: self.dimension = dimension
    case .oneHot: self.dimension = classCount
    }
  }

  /// Draws one sample per label, each from its class's region: the label-conditioned prior.
  /// - Parameters:
  ///   - labels: the class of each sample, each in `0..<classCount`.
  ///   - rng: the random source.
  /// - Returns: `[labels.count, dimension]`.
  public func sample(labels: [Int32], rng: inout RandomSource) -> Tensor {
    let points = Tensor(shape: [labels.count, dimension])
    fill(points, labels: labels, rng: &rng)
    return points
  }

  /// Overwrites `points` with samples, drawing each one's class uniformly when `labels` is nil
  /// (the paper's priors), else from the given class: the training loop's allocation-free form.
  /// - Parameters:
  ///   - points: `[rows, dimension]`.
  ///   - labels: one class per row, each in `0..<classCount`, or nil.
  ///   - rng: the random source.
  public func fill<Labels: Collection<Int32>>(_ points: Tensor, labels: Labels?,
                                              rng: inout RandomSource) {
    precondition(points.shape.rank == 2 && points.shape[1] == dimension,
                 "prior of dimension \(dimension) cannot fill \(points.shape)")
    precondition(labels.map { $0.count == points.shape[0] } ?? true,
                 "prior: \(labels?.count ?? 0) labels for \(points.shape[0]) rows")
    var given = labels?.makeIterator()
    points.fill(with: 0)
    for row in 0..<points.shape[0] {
      let k = Int(given?.next() ?? Int32(rng.int(below: classCount)))
      precondition(k >= 0 && k < classCount, "prior label \(k) outside 0..<\(classCount)")
      let p = points.data + row * dimension
      switch kind {
      case .swissRoll, .swissRoll3D:
        // From the AAE code the paper cites: u = (U(0,1) + k)/10, r = 3√u, θ = 4π√u.
        let u = (Double(rng.uniform()) + Double(k)) / Double(classCount)
        let r = 3 * u.squareRoot(), theta = 4 * Double.pi * u.squareRoot()
        p[0] = Float(r * cos(theta))
        p[1] = Float(r * sin(theta))
        if kind == .swissRoll3D {
          p[2] = Float((2 * Double(rng.uniform()) - 1) * Prior.rollHalfHeight)
        }
      case .gaussianMixture:
        let angle = 2 * Double.pi * Double(k) / Double(classCount)
        p[0] = Float(Prior.mixtureRadius * cos(angle)) + Float(Prior.mixtureDeviation) * rng.normal()
        p[1] = Float(Prior.mixtureRadius * sin(angle)) + Float(Prior.mixtureDeviation) * rng.normal()
      case .gaussian:
        for j in 0..<dimension { p[j] = rng.normal() }
        // NOTE: the first two coordinates' radius is kept and only their angle moved into the
        // class's sector, uniformly: the marginal over classes is still exactly N(0, I).
        let radius = (Double(p[0]) * Double(p[0]) + Double(p[1]) * Double(p[1])).squareRoot()
        let angle = 2 * Double.pi * (Double(k) + Double(rng.uniform())) / Double(classCount)
        p[0] = Float(radius * cos(angle))
        p[1] = Float(radius * sin(angle))
      case .oneHot:
        p[k] = 1
      }
      if noise > 0 {
        for j in 0..<dimension { p[j] += noise * rng.normal() }
      }
    }
  }

  /// Draws `count` samples with uniformly random classes, as the paper's priors do.
  /// - Parameters:
  ///   - count: samples, ≥ 0.
  ///   - rng: the random source.
  /// - Returns: the points `[count, dimension]` and each one's class.
  public func sample(count: Int, rng: inout RandomSource) -> (points: Tensor, labels: [Int32]) {
    let labels = (0..<count).map { _ in Int32(rng.int(below: classCount)) }
    return (sample(labels: labels, rng: &rng), labels)
  }
}
