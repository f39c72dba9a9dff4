import Foundation

/// Tick positions and labels: "nice" values on 1-2-2.5-5 steps for linear axes (matplotlib's
/// `MaxNLocator` with `steps=[1, 2, 2.5, 5, 10]`), decades for log axes.
public enum Ticks {
  /// Tick values inside `range` spaced by a nice step, at most about `maxCount` of them.
  /// - Parameters:
  ///   - range: the axis limits.
  ///   - maxCount: the most ticks wanted (matplotlib's `nbins` + 1).
  public static func linear(in range: ClosedRange<Double>, maxCount: Int = 9) -> [Double] {
    let step = niceStep(for: range, maxCount: maxCount)
    guard step > 0, step.isFinite else { return [range.lowerBound] }
    let first = (range.lowerBound / step - 1e-9).rounded(.up)
    let last = (range.upperBound / step + 1e-9).rounded(.down)
    // An overflowing span (e.g. ±1e308) must not ask for billions of ticks.
    guard first <= last, last - first <= 1000 else { return [] }
    return stride(from: first, through: last, by: 1).map { k in
      let value = k * step
      return abs(value) < step * 1e-9 ? 0 : value  // no "-0"
    }
  }

  /// The smallest step from {1, 2, 2.5, 5} × 10ᵏ that fits `range` in at most `maxCount` ticks.
  /// - Parameters:
  ///   - range: the axis limits.
  ///   - maxCount: the most ticks wanted.
  public static func niceStep(for range: ClosedRange<Double>, maxCount: Int) -> Double {
    let span = range.upperBound - range.lowerBound
    guard span > 0, span.isFinite else { return 1 }
    let raw = span / Double(max(maxCount - 1, 1))
    let magnitude = pow(10, floor(log10(raw)))
    for multiple in [1, 2, 2.5, 5, 10] where multiple * magnitude >= raw * (1 - 1e-9) {
      return multiple * magnitude
    }
    return 10 * magnitude
  }

  /// Labels for `values` spaced by `step`, all with the same number of decimals (matplotlib's
  /// `ScalarFormatter`), e.g. 0.0, 0.5, 1.0; very large or small values use %g.
  /// - Parameters:
  ///   - values: the tick values.
  ///   - step: their spacing.
  public static func labels(for values: [Double], step: Double) -> [String] {
    guard step > 0, step.isFinite else { return values.map { format($0) } }
    let largest = values.map(abs).max() ?? 0
    if largest >= 1e6 || step < 1e-4 { return values.map { String(format: "%g", $0) } }
    // As many decimals as the step needs: 0.2 → 1, 0.25 → 2, 250 → 0.
    var decimals = 0
    var scaled = step
    while abs(scaled - scaled.rounded()) > 1e-9 * max(1, abs(scaled)) && decimals < 12 {
      decimals += 1
      scaled *= 10
    }
    return values.map { String(format: "%.\(decimals)f", $0) }
  }

  /// A compact label for one number (%g with up to 4 significant digits).
  /// - Parameter value: the number.
  public static func format(_ value: Double) -> String {
    String(format: "%.4g", value)
  }

  /// Decade ticks 10ᵏ inside `range` (positive), and minor ticks 2…9 × 10ᵏ.
  /// - Parameter range: the axis limits, both positive.
  public static func logarithmic(in range: ClosedRange<Double>)
    -> (major: [Double], minor: [Double])
  {
    guard range.lowerBound > 0 else { return ([], []) }
    let low = Int(floor(log10(range.lowerBound))), high = Int(ceil(log10(range.upperBound)))
    var major: [Double] = [], minor: [Double] = []
    for k in low...max(low, high) {
      let decade = pow(10, Double(k))
      if range.contains(decade) { major.append(decade) }
      for m in 2...9 where range.contains(Double(m) * decade) { minor.append(Double(m) * decade) }
    }
    return (major, minor)
  }
}
