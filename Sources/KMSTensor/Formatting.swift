/// Number formatting shared by every layer's messages and summaries (data files, models, the
/// language), kept here, at the bottom, so that no layer imports another sideways for it.

/// `1,234,567`: thousands separated by commas, for messages and summaries.
/// - Parameter value: the number.
public func grouped(_ value: Int) -> String {
  let digits = String(value.magnitude)
  var result = ""
  for (offset, digit) in digits.enumerated() {
    if offset > 0 && (digits.count - offset) % 3 == 0 { result.append(",") }
    result.append(digit)
  }
  return value < 0 ? "-" + result : result
}
