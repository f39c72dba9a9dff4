import Foundation

// String methods (`"a,b".split(",")`) and `format(x, ".3f")`: the text a researcher reaches for
// when printing tables of losses.

/// The receiver of a string method: `s.split` is the method `string.split` bound to `s`.
///
/// Strings are values, not host objects; this wrapper exists only so string methods are table
/// rows of a `HostType` like every other type's, which gives `help("string")`, completion and
/// the checker's member lookup without a second mechanism.
final class StringReceiver: HostObject {
  let text: String

  init(_ text: String) { self.text = text }

  var summary: String { Value.quoted(text) }

  /// The kms type `string`: no attributes, the methods below.
  static let hostType = HostType(
    name: "string", summary: "text; \"a\" + \"b\", s[1:3], \"ab\" in s, and these methods",
    methods: [
      .method(
        "split", of: StringReceiver.self, returns: .listOf(.string),
        parameters: [.optional("separator", .optional(.string), default: .none)],
        summary: "the pieces between separators; without one, the words between runs of spaces",
        example: "\"0.1,0.2\".split(\",\")"
      ) { receiver, arguments in
        let pieces: [String]
        if case .string(let separator) = arguments["separator"] {
          try arguments.require("separator", !separator.isEmpty, "a non-empty string")
          pieces = receiver.text.components(separatedBy: separator)
        } else {
          pieces = receiver.text.split(whereSeparator: \.isWhitespace).map(String.init)
        }
        try Limits.checkList(count: pieces.count, "split()", at: arguments.range)
        return .list(pieces.map { .string($0) })
      },
      .method(
        "strip", of: StringReceiver.self, returns: .string,
        parameters: [.optional("characters", .optional(.string), default: .none)],
        summary: "the string without leading and trailing spaces (or the given characters)",
        example: "\"  loss \".strip()"
      ) { receiver, arguments in
        if case .string(let characters) = arguments["characters"] {
          let set = Set(characters)
          let text = receiver.text
          let start = text.firstIndex { !set.contains($0) } ?? text.endIndex
          let end = text.lastIndex { !set.contains($0) }.map(text.index(after:)) ?? start
          return .string(start < end ? String(text[start..<end]) : "")
        }
        return .string(receiver.text.trimmingCharacters(in: .whitespacesAndNewlines))
      },
      .method(
        "upper", of: StringReceiver.self, returns: .string, summary: "the string in capitals",
        example: "\"sae\".upper()"
      ) { receiver, _ in .string(receiver.text.uppercased()) },
      .method(
        "lower", of: StringReceiver.self, returns: .string, summary: "the string in lower case",
        example: "\"MLP\".lower()"
      ) { receiver, _ in .string(receiver.text.lowercased()) },
      .method(
        "startswith", of: StringReceiver.self, returns: .boolean,
        parameters: [.required("prefix", .string)],
        summary: "true when the string begins with prefix", example: "name.startswith(\"ae_\")"
      ) { receiver, arguments in
        .boolean(receiver.text.hasPrefix(try arguments.string("prefix")))
      },
      .method(
        "endswith", of: StringReceiver.self, returns: .boolean,
        parameters: [.required("suffix", .string)],
        summary: "true when the string ends with suffix", example: "path.endswith(\".png\")"
      ) { receiver, arguments in
        .boolean(receiver.text.hasSuffix(try arguments.string("suffix")))
      },
      .method(
        "replace", of: StringReceiver.self, returns: .string,
        parameters: [.required("old", .string), .required("new", .string)],
        summary: "the string with every occurrence of old replaced by new",
        example: "\"a-b-c\".replace(\"-\", \"_\")"
      ) { receiver, arguments in
        let old = try arguments.string("old")
        try arguments.require("old", !old.isEmpty, "a non-empty string")
        let new = try arguments.string("new")
        let occurrences = receiver.text.components(separatedBy: old).count - 1
        try Limits.checkString(
          bytes: receiver.text.utf8.count + occurrences * (new.utf8.count - old.utf8.count),
          "replace()", at: arguments.range)
        return .string(receiver.text.replacingOccurrences(of: old, with: new))
      },
      .method(
        "find", of: StringReceiver.self, returns: .integer,
        parameters: [.required("part", .string)],
        summary: "the position (in characters) of the first occurrence of part, or -1",
        example: "\"epoch 3\".find(\" \")"
      ) { receiver, arguments in
        let part = try arguments.string("part")
        let text = receiver.text
        guard let range = text.range(of: part) else { return .number(-1) }
        return .number(Double(text.distance(from: text.startIndex, to: range.lowerBound)))
      },
    ])
}

/// A parsed format spec: `[[fill]align][sign][0][width][,][.precision][type]`, Python's
/// mini-language without `#`, `=` and `_`.
struct FormatSpec {
  var fill: Character = " "
  var align: Character?
  var sign: Character = "-"
  var zeroPad = false
  var width = 0
  var grouping = false
  var precision: Int?
  var type: Character?

  static let help = "specs look like \".3f\", \">8\", \",d\", \".1%\", \"08.2e\" or \"^10s\""

  init?(_ spec: String) {
    var characters = Array(spec)[...]
    if characters.count >= 2, "<>^".contains(characters[characters.startIndex + 1]) {
      fill = characters.removeFirst()
      align = characters.removeFirst()
    } else if let first = characters.first, "<>^".contains(first) {
      align = characters.removeFirst()
    }
    if let first = characters.first, "+- ".contains(first) { sign = characters.removeFirst() }
    if characters.first == "0" {
      zeroPad = true
      characters.removeFirst()
    }
    var digits = ""
    while let first = characters.first, first.isASCII, first.isNumber {
      digits.append(characters.removeFirst())
    }
    if !digits.isEmpty {
      guard let width = Int(digits), width <= 1000 else { return nil }
      self.width = width
    }
    if characters.first == "," {
      grouping = true
      characters.removeFirst()
    }
    if characters.first == "." {
      characters.removeFirst()
      var digits = ""
      while let first = characters.first, first.isASCII, first.isNumber {
        digits.append(characters.removeFirst())
      }
      guard let precision = Int(digits), precision <= 100 else { return nil }
      self.precision = precision
    }
    if let first = characters.first {
      guard "fFeEgGd%s".contains(first) else { return nil }
      type = characters.removeFirst()
    }
    guard characters.isEmpty else { return nil }
  }

  /// Formats a value, or returns why it cannot (a number spec for a string, `d` for 2.5).
  func format(_ value: Value) -> Result<String, FormatProblem> {
    var body: String
    var isNumber = false
    switch value {
    case .number(let number):
      isNumber = true
      if type == "s" { return .failure(.mismatch("'s' formats strings; got a number")) }
      guard let text = format(number) else {
        return .failure(.mismatch("'d' needs a whole number, got \(Value.format(number))"))
      }
      body = text
    default:
      if let type, type != "s" {
        return .failure(.mismatch("'\(type)' formats numbers; got a \(value.typeName)"))
      }
      if sign != "-" || zeroPad || grouping {
        return .failure(.mismatch("sign, '0' and ',' apply to numbers; got a \(value.typeName)"))
      }
      body = value.description
      if let precision { body = String(body.prefix(precision)) }
    }
    let padding = max(0, width - body.count)
    guard padding > 0 else { return .success(body) }
    if zeroPad, align == nil, isNumber {
      // Zeros go after the sign: -003.50.
      let signLength = body.first.map { "+- ".contains($0) } == true ? 1 : 0
      return .success(
        String(body.prefix(signLength)) + String(repeating: "0", count: padding)
          + String(body.dropFirst(signLength)))
    }
    let fillText = { (count: Int) in String(repeating: self.fill, count: count) }
    switch align ?? (isNumber ? ">" : "<") {
    case "<": return .success(body + fillText(padding))
    case "^": return .success(fillText(padding / 2) + body + fillText(padding - padding / 2))
    default: return .success(fillText(padding) + body)
    }
  }

  private func format(_ number: Double) -> String? {
    var text: String
    if !number.isFinite {
      text = Value.format(number)
    } else {
      switch type {
      case "f", "F": text = String(format: "%.*f", precision ?? 6, number)
      case "e", "E":
        text = String(format: type == "e" ? "%.*e" : "%.*E", precision ?? 6, number)
      case "g", "G":
        text = String(format: type == "g" ? "%.*g" : "%.*G", max(precision ?? 6, 1), number)
      case "%": text = String(format: "%.*f", precision ?? 6, number * 100) + "%"
      case "d":
        guard number == number.rounded(), abs(number) < 1e16 else { return nil }
        text = String(Int64(number))
      default:
        text =
          precision.map { String(format: "%.*g", max($0, 1), number) } ?? Value.format(number)
      }
      // `%.3f` of -0.0001 is "-0.000"; Python writes the same, so it is left as it is.
    }
    if grouping { text = FormatSpec.grouped(text) }
    if sign != "-", !text.hasPrefix("-") { text = String(sign) + text }
    return text
  }

  /// Inserts thousands separators into the integer digits of a formatted number.
  private static func grouped(_ text: String) -> String {
    let negative = text.hasPrefix("-")
    let unsigned = negative ? String(text.dropFirst()) : text
    let digitsEnd = unsigned.firstIndex { !($0.isASCII && $0.isNumber) } ?? unsigned.endIndex
    let digits = Array(unsigned[..<digitsEnd])
    var result = ""
    for (position, digit) in digits.enumerated() {
      if position > 0, (digits.count - position) % 3 == 0 { result.append(",") }
      result.append(digit)
    }
    return (negative ? "-" : "") + result + unsigned[digitsEnd...]
  }
}

/// Why a value does not fit a spec.
enum FormatProblem: Error {
  case mismatch(String)
}

extension BuiltinRegistry {
  /// Registers the `string` type's methods and `format`.
  func registerText() {
    register(StringReceiver.hostType)
    register(
      Builtin(
        "format", returns: .string,
        parameters: [.required("value", .any), .required("spec", .string)],
        summary:
          "a number or string formatted by a spec: \".3f\" decimals, \".2e\" exponent, \",d\" "
          + "thousands, \".1%\" percent, \">8\" width and alignment",
        example: "print(\"loss \\(format(h.loss[-1], \".4f\"))\")"
      ) { arguments in
        let spec = try arguments.string("spec")
        guard let parsed = FormatSpec(spec) else {
          throw arguments.error("bad format spec \(Value.quoted(spec))", help: FormatSpec.help)
        }
        switch parsed.format(arguments["value"]) {
        case .success(let text):
          try Limits.checkString(bytes: text.utf8.count, "format()", at: arguments.range)
          return .string(text)
        case .failure(.mismatch(let why)):
          throw arguments.error(
            "cannot format \(arguments["value"].repr) with \(Value.quoted(spec)): \(why)",
            help: FormatSpec.help)
        }
      })
  }
}
