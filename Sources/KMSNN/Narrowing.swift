import Foundation

// The paper's way of choosing hyperparameters, automated: train at the low end, the middle and
// the high end of a range; keep the half of the range around the best of the three; repeat until
// the step between the three points is no larger than the resolution; then try every grid value
// left in the final interval. Two arguments narrowed together (the paper's learning rate and
// batch size) use the 3 × 3 points of their joint grid each round.
//
// NOTE: this is numeric search, not language: the objective is any closure, so the tests check
// it on a synthetic function with a known optimum, and the kms binding (`narrow`) only turns
// trials into scores.

/// How an argument's range is divided: evenly, or evenly in its logarithm (learning rates).
public enum NarrowingScale: String, Sendable {
  /// Grid values `lo + k · step`.
  case linear
  /// Grid values `lo · factor^k`.
  case log
}

/// One argument to narrow: its range, scale and resolution, fixed as a grid of values.
public struct NarrowingAxis: Sendable, Equatable {
  /// The argument's name (`lr`).
  public let name: String
  /// The grid, ascending, from the range's low to its high end; the search moves on it.
  public let grid: [Double]
  /// Whether values are whole numbers (batch sizes, layer widths).
  public let isInteger: Bool
  /// The scale the grid is even in.
  public let scale: NarrowingScale

  /// Makes the grid for a range.
  /// - Parameters:
  ///   - name: the argument's name.
  ///   - low: the range's low end.
  ///   - high: the range's high end (> low).
  ///   - scale: linear, or log (then both ends must be > 0).
  ///   - resolution: the largest step the search may end with: a difference for a linear axis,
  ///     a factor (> 1) for a log axis; nil for 1/16 of the range (a factor giving 16 steps on a
  ///     log axis), at least 1 for integers.
  ///   - isInteger: round every value to a whole number.
  /// - Throws: `NarrowingError.invalidRange` for an empty or non-positive (log) range or a bad
  ///   resolution.
  public init(
    name: String, low: Double, high: Double, scale: NarrowingScale = .linear,
    resolution: Double? = nil, isInteger: Bool = false
  ) throws {
    guard low.isFinite, high.isFinite, low < high else {
      throw NarrowingError.invalidRange(name: name, why: "needs low < high, got [\(low), \(high)]")
    }
    var steps: Int
    switch scale {
    case .linear:
      var step = resolution ?? (high - low) / 16
      if isInteger { step = max(1, step.rounded(.down)) }
      guard step > 0 else {
        throw NarrowingError.invalidRange(name: name, why: "resolution must be > 0")
      }
      steps = Int(((high - low) / step).rounded(.up))
    case .log:
      guard low > 0 else {
        throw NarrowingError.invalidRange(name: name, why: "a log scale needs values > 0")
      }
      let span = log(high / low)
      let factor = resolution ?? exp(span / 16)
      guard factor > 1 else {
        throw NarrowingError.invalidRange(
          name: name, why: "a log scale's resolution is a factor > 1, got \(factor)")
      }
      // A tiny tolerance so a factor that divides the span exactly does not add a step.
      steps = Int((span / log(factor) - 1e-9).rounded(.up))
    }
    steps = max(1, steps)
    var grid: [Double] = []
    for k in 0...steps {
      let fraction = Double(k) / Double(steps)
      var value =
        scale == .linear ? low + fraction * (high - low) : low * pow(high / low, fraction)
      if k == steps { value = high }
      if isInteger { value = value.rounded() }
      if grid.last != value { grid.append(value) }
    }
    self.name = name
    self.grid = grid
    self.isInteger = isInteger
    self.scale = scale
  }
}

/// A range that cannot be narrowed.
public enum NarrowingError: Error, Equatable {
  /// The range or resolution of an argument is unusable.
  case invalidRange(name: String, why: String)
  /// No trial gave a usable score.
  case noScore
}

/// What narrowing found, and what it cost.
public struct NarrowingResult: Sendable {
  /// One round: the intervals searched and the points it scored.
  public struct Round: Sendable {
    /// Per axis, the interval of grid values at the round's start.
    public var intervals: [ClosedRange<Double>]
    /// The points of the round, each with its score (nil when it gave none).
    public var points: [(values: [Double], score: Double?)]
    /// The best point of the round.
    public var best: [Double]
    /// True for the last round, which tries every grid value of the final interval.
    public var isFinal: Bool
  }

  /// The rounds in order.
  public var rounds: [Round]
  /// The best point found, one value per axis.
  public var best: [Double]
  /// Its score.
  public var bestScore: Double
  /// Distinct points scored (each one trial).
  public var trialCount: Int
  /// Points on the full joint grid: what trying every value would have cost.
  public var fullGridCount: Int
}

/// The narrowing search over one or more axes (narrowed together on their joint grid).
public struct Narrowing {
  /// The axes, narrowed together.
  public let axes: [NarrowingAxis]
  /// True when a lower score is better (a loss); false for an accuracy.
  public let lowerIsBetter: Bool

  /// Creates a search.
  /// - Parameters:
  ///   - axes: one or more axes.
  ///   - lowerIsBetter: true for losses, false for accuracies.
  public init(axes: [NarrowingAxis], lowerIsBetter: Bool = true) {
    precondition(!axes.isEmpty, "narrowing needs at least one axis")
    self.axes = axes
    self.lowerIsBetter = lowerIsBetter
  }

  /// Runs the search. Each distinct point is scored once; a point whose score is nil or NaN (a
  /// failed or diverged trial) loses to every point with a score.
  /// - Parameters:
  ///   - score: trains at a point (one value per axis) and returns its score.
  ///   - onRound: called after each round, e.g. to print it.
  /// - Throws: what `score` throws; `NarrowingError.noScore` when no point gave a score.
  public func run(
    score: ([Double]) throws -> Double?, onRound: (NarrowingResult.Round) -> Void = { _ in }
  ) throws -> NarrowingResult {
    // Intervals as index ranges on each axis's grid.
    var intervals = axes.map { 0...($0.grid.count - 1) }
    var scores: [[Int]: Double?] = [:]
    var order: [[Int]] = []
    var rounds: [NarrowingResult.Round] = []
    func scored(_ index: [Int]) throws -> Double? {
      if let known = scores[index] { return known }
      let values = zip(axes, index).map { $0.grid[$1] }
      var value = try score(values)
      if let v = value, v.isNaN { value = nil }
      scores[index] = value
      order.append(index)
      return value
    }
    func better(_ a: Double?, than b: Double?) -> Bool {
      guard let a else { return false }
      guard let b else { return true }
      return lowerIsBetter ? a < b : a > b
    }
    while true {
      // NOTE: a step of at most one grid value means lo, mid and hi are neighbours (or fewer):
      // every value of the interval is then among them, which is the final round.
      let isFinal = intervals.allSatisfy { $0.count <= 3 }
      let perAxis: [[Int]] = intervals.map { interval in
        if isFinal { return Array(interval) }
        let mid = (interval.lowerBound + interval.upperBound) / 2
        return Array(Set([interval.lowerBound, mid, interval.upperBound])).sorted()
      }
      var points: [[Int]] = [[]]
      for values in perAxis { points = points.flatMap { p in values.map { p + [$0] } } }
      var best: [Int]?
      var bestScore: Double?
      var roundPoints: [(values: [Double], score: Double?)] = []
      for point in points {
        let value = try scored(point)
        roundPoints.append((zip(axes, point).map { $0.grid[$1] }, value))
        if best == nil || better(value, than: bestScore) { (best, bestScore) = (point, value) }
      }
      let round = NarrowingResult.Round(
        intervals: zip(axes, intervals).map { $0.grid[$1.lowerBound]...$0.grid[$1.upperBound] },
        points: roundPoints, best: zip(axes, best!).map { $0.grid[$1] }, isFinal: isFinal)
      rounds.append(round)
      onRound(round)
      if isFinal { break }
      // Keep the half of each interval around the best point.
      intervals = zip(intervals, best!).map { interval, at in
        guard interval.count > 3 else { return interval }
        let (lo, hi) = (interval.lowerBound, interval.upperBound)
        let mid = (lo + hi) / 2
        if at == lo { return lo...mid }
        if at == hi { return mid...hi }
        return (lo + mid) / 2...(mid + hi + 1) / 2
      }
    }
    var best: [Int]?
    var bestScore: Double?
    for index in order where best == nil || better(scores[index]!, than: bestScore) {
      (best, bestScore) = (index, scores[index]!)
    }
    guard let best, let bestScore else { throw NarrowingError.noScore }
    return NarrowingResult(
      rounds: rounds, best: zip(axes, best).map { $0.grid[$1] }, bestScore: bestScore,
      trialCount: scores.count, fullGridCount: axes.reduce(1) { $0 * $1.grid.count })
  }
}
