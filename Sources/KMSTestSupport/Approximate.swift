import Testing

/// True when `a` and `b` agree to a relative tolerance (with an absolute floor near zero), after
/// swift-numerics' `isApproximatelyEqual`.
/// - Parameters:
///   - a: one value.
///   - b: the other.
///   - relativeTolerance: allowed |a − b| / max(|a|, |b|).
///   - absoluteTolerance: allowed |a − b| when both are near zero.
public func isClose(_ a: Double, _ b: Double, relativeTolerance: Double = 1e-5,
                    absoluteTolerance: Double = 1e-7) -> Bool {
  let difference = abs(a - b)
  return difference <= absoluteTolerance || difference <= relativeTolerance * max(abs(a), abs(b))
}

/// Expects two arrays to agree elementwise within a relative tolerance; on failure it reports the
/// largest difference and the first few mismatches (after llm.c's `check_tensor`).
/// - Parameters:
///   - actual: computed values.
///   - expected: reference values.
///   - relativeTolerance: allowed relative difference.
///   - absoluteTolerance: allowed absolute difference near zero.
///   - sourceLocation: the caller's location, for the failure message.
public func expectClose(_ actual: [Float], _ expected: [Float], relativeTolerance: Double = 1e-5,
                        absoluteTolerance: Double = 1e-6,
                        sourceLocation: SourceLocation = #_sourceLocation) {
  guard actual.count == expected.count else {
    Issue.record("count \(actual.count) != expected \(expected.count)", sourceLocation: sourceLocation)
    return
  }
  var mismatches: [String] = []
  var worst = 0.0
  for i in actual.indices {
    let (a, e) = (Double(actual[i]), Double(expected[i]))
    worst = max(worst, abs(a - e))
    if !isClose(a, e, relativeTolerance: relativeTolerance, absoluteTolerance: absoluteTolerance) {
      mismatches.append("[\(i)] \(a) vs \(e)")
    }
  }
  if !mismatches.isEmpty {
    Issue.record(
      Comment(rawValue: "\(mismatches.count) of \(actual.count) differ, max |diff| \(worst); first: "
        + mismatches.prefix(5).joined(separator: ", ")), sourceLocation: sourceLocation)
  }
}
