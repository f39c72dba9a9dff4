/// How `int(text)` and `float(text)` read a string: Python's grammars for `int(s, base)` and
/// `float(s)`, so `int(" 7 ")`, `int("1_000")`, `float("1e-3")` and `float("-inf")` read as they do
/// there and `int("3.5")` or `float("0x10")` do not. Digits of other scripts (`int("٣")`) read
/// as in Python too.
///
/// kms has one number type, a Double, so an integer is a Double with no fraction; the largest
/// magnitude at which every integer is still exact is 2^53 (`Limits.largestExactInteger`).
enum NumberText {
  /// What reading a string as an integer gave.
  enum IntegerReading: Equatable {
    /// A whole number within ±2^53.
    case value(Double)
    /// Not an integer written in the base's digits.
    case invalid
    /// Well formed, but past ±2^53.
    case tooLarge
  }

  /// Reads an integer the way Python's `int(text, base)` does: surrounding whitespace, one
  /// optional sign, the base's digits (letters for 11 to 36, either case), single underscores
  /// between digits, and for bases 2, 8 and 16 an optional `0b`, `0o` or `0x` prefix.
  /// - Parameters:
  ///   - text: the string.
  ///   - base: the base, 2 to 36.
  static func integer(_ text: String, base: Int) -> IntegerReading {
    precondition((2...36).contains(base), "NumberText.integer: base \(base) is not 2 to 36")
    var scalars = Substring(asciiDigits(text)).unicodeScalars[...]
    var isNegative = false
    if let sign = scalars.first, sign == "+" || sign == "-" {
      isNegative = sign == "-"
      scalars.removeFirst()
    }
    let prefixLetter: [Int: String] = [2: "b", 8: "o", 16: "x"]
    if let letter = prefixLetter[base], scalars.first == "0",
      let second = scalars.dropFirst().first, String(second).lowercased() == letter
    {
      scalars.removeFirst(2)
      // NOTE: Python allows one underscore right after a prefix (`0x_ff`), nowhere else first.
      if scalars.first == "_" { scalars.removeFirst() }
    }
    var digits: [UInt64] = []
    var previousWasDigit = false
    for scalar in scalars {
      if scalar == "_" {
        guard previousWasDigit else { return .invalid }
        previousWasDigit = false
        continue
      }
      guard let digit = digitValue(scalar), digit < base else { return .invalid }
      digits.append(UInt64(digit))
      previousWasDigit = true
    }
    guard previousWasDigit else { return .invalid }  // empty, or a trailing underscore
    let limit = UInt64(Limits.largestExactInteger)
    var magnitude: UInt64 = 0
    for digit in digits {
      // magnitude ≤ 2^53 here, so magnitude × 36 + 35 cannot overflow a UInt64.
      magnitude = magnitude * UInt64(base) + digit
      if magnitude > limit { return .tooLarge }
    }
    // `-0` is 0: no negative zero comes out of an integer conversion.
    return .value(isNegative && magnitude != 0 ? -Double(magnitude) : Double(magnitude))
  }

  /// Reads a number the way Python's `float(text)` does: surrounding whitespace, one optional
  /// sign, then `inf`, `infinity` or `nan` in any case, or decimal digits with an optional
  /// fraction and exponent (`12`, `0.5`, `.5`, `5.`, `1e-3`, `1_000.5`); no hexadecimal.
  /// - Parameter text: the string.
  /// - Returns: the number (a too-large one is ±inf, as in Python), or nil when the text is not
  ///   a number.
  static func number(_ text: String) -> Double? {
    var body = Substring(asciiDigits(text))
    var isNegative = false
    if let sign = body.first, sign == "+" || sign == "-" {
      isNegative = sign == "-"
      body.removeFirst()
    }
    switch body.lowercased() {
    case "inf", "infinity": return isNegative ? -.infinity : .infinity
    case "nan": return .nan
    default: break
    }
    var scalars = body.unicodeScalars[...]
    guard let whole = digitRun(&scalars) else { return nil }
    var fraction = ""
    if scalars.first == "." {
      scalars.removeFirst()
      guard let digits = digitRun(&scalars) else { return nil }
      fraction = digits
    }
    guard !whole.isEmpty || !fraction.isEmpty else { return nil }  // "." or "e5" alone
    var exponent = ""
    if let e = scalars.first, e == "e" || e == "E" {
      scalars.removeFirst()
      var sign = ""
      if let s = scalars.first, s == "+" || s == "-" {
        sign = String(s)
        scalars.removeFirst()
      }
      guard let digits = digitRun(&scalars), !digits.isEmpty else { return nil }
      exponent = "e" + sign + digits
    }
    guard scalars.isEmpty else { return nil }
    // Rebuilt in the form Swift's parser reads (it would also take hexadecimal, Python does not).
    let plain =
      (isNegative ? "-" : "") + (whole.isEmpty ? "0" : whole)
      + (fraction.isEmpty ? "" : "." + fraction) + exponent
    return Double(plain)
  }

  /// Consumes decimal digits with single underscores between them; returns them without the
  /// underscores ("" when there are none), or nil when an underscore is misplaced.
  private static func digitRun(_ scalars: inout Substring.UnicodeScalarView.SubSequence)
    -> String?
  {
    var digits = ""
    while let scalar = scalars.first {
      if scalar == "_" {
        // An underscore must sit between two digits.
        let next = scalars.dropFirst().first
        guard !digits.isEmpty, let next, ("0"..."9").contains(next) else { return nil }
      } else if ("0"..."9").contains(scalar) {
        digits.unicodeScalars.append(scalar)
      } else {
        break
      }
      scalars.removeFirst()
    }
    return digits
  }

  /// The text without surrounding whitespace and with every decimal digit of another script
  /// (`٣`, full-width `３`) written as its ASCII digit, as Python reads them.
  private static func asciiDigits(_ text: String) -> String {
    var result = String.UnicodeScalarView()
    for scalar in text.trimmingCharacters(in: .whitespacesAndNewlines).unicodeScalars {
      if !scalar.isASCII, scalar.properties.numericType == .decimal,
        let value = scalar.properties.numericValue, (0...9).contains(value)
      {
        result.append(Unicode.Scalar(48 + UInt8(value)))
      } else {
        result.append(scalar)
      }
    }
    return String(result)
  }

  /// The value of an ASCII digit or letter (`7` is 7, `f` and `F` are 15), or nil.
  private static func digitValue(_ scalar: Unicode.Scalar) -> Int? {
    switch scalar {
    case "0"..."9": Int(scalar.value - 48)
    case "a"..."z": Int(scalar.value - 97) + 10
    case "A"..."Z": Int(scalar.value - 65) + 10
    default: nil
    }
  }
}
