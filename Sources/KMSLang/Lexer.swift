/// A mistake found while splitting source into tokens.
public enum LexError: Error, Equatable, Sendable {
  /// A character that starts no token, e.g. `$`; `hint` suggests the kms spelling when one exists.
  case unexpectedCharacter(Character, hint: String?, SourceRange)
  /// A string literal that reaches the end of its line without a closing quote.
  case unterminatedString(SourceRange)
  /// A backslash escape kms does not know, e.g. `\q`.
  case unknownEscape(Character, SourceRange)
  /// A number such as `1e` or `2.5e+`.
  case malformedNumber(String, SourceRange)

  /// Where the error is.
  public var range: SourceRange {
    switch self {
    case .unexpectedCharacter(_, _, let range), .unterminatedString(let range),
      .unknownEscape(_, let range), .malformedNumber(_, let range):
      range
    }
  }
}

/// The scanner (jlox's phase name): turns source text into tokens.
///
/// Every line break becomes a `.newline` token (consecutive ones collapse into one). Whether it
/// ends a statement is the parser's call: inside `( … )` and `[ … ]` it skips them, so long calls
/// and lists can span lines; inside `{ … }` they count again.
///
/// NOTE: the lexer used to drop newlines inside brackets itself. A bracket left open then hid
/// every later statement boundary, and each error recovery had to scan the rest of the file
/// again: 10,000 lines of `x = (` took a minute. Keeping the tokens makes recovery a jump.
public struct Lexer {
  private let file: SourceFile
  private let characters: [Character]
  private var index = 0
  private var line: Int
  private var column: Int
  private var tokens: [Token] = []
  private var errors: [LexError] = []

  /// Creates a lexer over a whole file.
  /// - Parameter file: the source to scan.
  public init(file: SourceFile) {
    self.init(text: file.text, file: file, start: SourceLocation(line: 1, column: 1))
  }

  /// Creates a lexer over a piece of a file, e.g. the code inside a string's `\( … )`.
  /// - Parameters:
  ///   - text: the text to scan.
  ///   - file: the file that text belongs to, for ranges.
  ///   - start: where `text` starts inside `file`.
  public init(text: String, file: SourceFile, start: SourceLocation) {
    self.file = file
    // A byte-order mark some editors write is not part of the program.
    self.characters = Array(text.hasPrefix("\u{FEFF}") ? String(text.dropFirst()) : text)
    self.line = start.line
    self.column = start.column
  }

  /// Scans the whole input.
  /// - Returns: the tokens, always ending with `.endOfFile`, and every error found on the way.
  public mutating func tokenize() -> (tokens: [Token], errors: [LexError]) {
    while true {
      skipSpaceAndComments()
      guard index < characters.count else { break }
      scanToken()
    }
    // Errors "found end of input" point just past the last token, not at an empty last line.
    let end = tokens.last(where: { $0.kind != .newline })?.range.end ?? location
    if let last = tokens.last, last.kind != .newline {
      tokens.append(Token(kind: .newline, range: SourceRange(file: file, start: end, end: end)))
    }
    tokens.append(Token(kind: .endOfFile, range: SourceRange(file: file, start: end, end: end)))
    return (tokens, errors)
  }

  // MARK: - Reading characters

  private var location: SourceLocation { SourceLocation(line: line, column: column) }

  private func peek(_ offset: Int = 0) -> Character? {
    index + offset < characters.count ? characters[index + offset] : nil
  }

  @discardableResult
  private mutating func advance() -> Character {
    let character = characters[index]
    index += 1
    if character.isLineBreak {
      line += 1
      column = 1
    } else {
      column += 1
    }
    return character
  }

  private mutating func match(_ expected: Character) -> Bool {
    guard peek() == expected else { return false }
    advance()
    return true
  }

  private mutating func skipSpaceAndComments() {
    while let character = peek() {
      if character == "#" {
        while let next = peek(), !next.isLineBreak { advance() }
      } else if character.isLineBreak {
        let start = location
        advance()
        let previous = tokens.last?.kind
        if previous != nil, previous != .newline, previous != .semicolon {
          tokens.append(
            Token(kind: .newline, range: SourceRange(file: file, start: start, end: location)))
        }
      } else if character == " " || character == "\t" || character == "\r" {
        advance()
      } else {
        return
      }
    }
  }

  // MARK: - Tokens

  private mutating func add(_ kind: TokenKind, from start: SourceLocation) {
    tokens.append(Token(kind: kind, range: SourceRange(file: file, start: start, end: location)))
  }

  private mutating func scanToken() {
    let start = location
    let character = advance()
    switch character {
    case "(", "[", "{":
      let kind: TokenKind =
        character == "(" ? .leftParen : character == "[" ? .leftBracket : .leftBrace
      add(kind, from: start)
    case ")", "]", "}":
      add(
        character == ")" ? .rightParen : character == "]" ? .rightBracket : .rightBrace, from: start
      )
    case ",": add(.comma, from: start)
    case ".":
      if let next = peek(), next.isASCII, next.isNumber {
        scanNumber(from: start, leadingDot: true)
      } else {
        add(.dot, from: start)
      }
    case ":": add(.colon, from: start)
    case ";": add(.semicolon, from: start)
    case "+": add(match("=") ? .plusEqual : .plus, from: start)
    case "-": add(match("=") ? .minusEqual : .minus, from: start)
    case "*":
      if match("*") {
        add(.starStar, from: start)
      } else {
        add(match("=") ? .starEqual : .star, from: start)
      }
    case "/":
      if match("/") {
        add(.slashSlash, from: start)
      } else {
        add(match("=") ? .slashEqual : .slash, from: start)
      }
    case "%": add(.percent, from: start)
    case "=": add(match("=") ? .equalEqual : .equal, from: start)
    case "<": add(match("=") ? .lessEqual : .less, from: start)
    case ">": add(match("=") ? .greaterEqual : .greater, from: start)
    case "!":
      if match("=") {
        add(.bangEqual, from: start)
      } else {
        unexpected("!", hint: "use 'not' for negation", from: start)
      }
    case "&":
      _ = match("&")
      unexpected("&", hint: "use 'and' to combine conditions", from: start)
    case "|":
      _ = match("|")
      unexpected("|", hint: "use 'or' to combine conditions", from: start)
    case "\"": scanString(from: start)
    case "'": unexpected("'", hint: "strings use double quotes: \"text\"", from: start)
    default:
      if character.isASCII && character.isNumber {
        scanNumber(from: start, leadingDot: false)
      } else if character == "_" || character.isLetter {
        scanIdentifier(from: start)
      } else {
        unexpected(character, hint: nil, from: start)
      }
    }
  }

  private mutating func unexpected(
    _ character: Character, hint: String?, from start: SourceLocation
  ) {
    // A run of the same stray character (a pasted ``` fence) is one error, underlined whole.
    if case .unexpectedCharacter(let previous, let previousHint, let range) = errors.last,
      previous == character, range.end == start
    {
      errors[errors.count - 1] = .unexpectedCharacter(
        character, hint: previousHint, SourceRange(file: file, start: range.start, end: location))
      return
    }
    errors.append(
      .unexpectedCharacter(
        character, hint: hint, SourceRange(file: file, start: start, end: location)))
  }

  private static func isDigit(_ character: Character?) -> Bool {
    guard let character else { return false }
    return character.isASCII && character.isNumber
  }

  private mutating func scanDigits(into text: inout String) {
    while let next = peek(), Self.isDigit(next) || (next == "_" && Self.isDigit(peek(1))) {
      if next != "_" { text.append(next) }
      advance()
    }
  }

  private mutating func scanNumber(from start: SourceLocation, leadingDot: Bool) {
    var text = leadingDot ? "0." : String(characters[index - 1])
    scanDigits(into: &text)
    if !leadingDot, peek() == ".", Self.isDigit(peek(1)) {
      text.append(advance())
      scanDigits(into: &text)
    }
    if let next = peek(), next == "e" || next == "E" {
      let sign = peek(1)
      if Self.isDigit(sign) || ((sign == "+" || sign == "-") && Self.isDigit(peek(2))) {
        text.append(advance())
        if sign == "+" || sign == "-" { text.append(advance()) }
        scanDigits(into: &text)
      }
    }
    var isMalformed = false
    // A number glued to letters, such as `3x`, is a typo, not a number followed by a name.
    if let next = peek(), next.isLetter || next == "_" {
      isMalformed = true
      while let more = peek(), more.isLetter || more.isNumber || more == "_" {
        text.append(advance())
      }
    }
    let range = SourceRange(file: file, start: start, end: location)
    if isMalformed {
      errors.append(.malformedNumber(text, range))
      tokens.append(Token(kind: .number(0), range: range))
    } else {
      tokens.append(Token(kind: .number(Double(text) ?? 0), range: range))
    }
  }

  private mutating func scanIdentifier(from start: SourceLocation) {
    var name = String(characters[index - 1])
    while let next = peek(), next.isLetter || next.isNumber || next == "_" {
      name.append(advance())
    }
    if let keyword = Keyword(rawValue: name) {
      add(.keyword(keyword), from: start)
    } else {
      add(.identifier(name), from: start)
    }
  }

  private mutating func scanString(from start: SourceLocation) {
    var segments: [StringSegment] = []
    var text = ""
    while true {
      guard let character = peek(), !character.isLineBreak else {
        errors.append(.unterminatedString(SourceRange(file: file, start: start, end: location)))
        add(.string(text), from: start)
        return
      }
      advance()
      if character == "\"" { break }
      if character != "\\" {
        text.append(character)
        continue
      }
      let escapeStart = SourceLocation(line: line, column: column - 1)
      guard let escaped = peek(), !escaped.isLineBreak else { continue }
      advance()
      switch escaped {
      case "n": text.append("\n")
      case "t": text.append("\t")
      case "r": text.append("\r")
      case "0": text.append("\0")
      case "\"": text.append("\"")
      case "\\": text.append("\\")
      case "(":
        if !text.isEmpty { segments.append(.text(text)) }
        text = ""
        let codeStart = location
        guard let code = scanInterpolatedCode() else {
          errors.append(.unterminatedString(SourceRange(file: file, start: start, end: location)))
          add(.string(""), from: start)
          return
        }
        segments.append(.code(code, start: codeStart))
      default:
        errors.append(
          .unknownEscape(escaped, SourceRange(file: file, start: escapeStart, end: location)))
      }
    }
    if segments.isEmpty {
      add(.string(text), from: start)
    } else {
      if !text.isEmpty { segments.append(.text(text)) }
      add(.interpolatedString(segments), from: start)
    }
  }

  /// Reads the code of a `\( … )` up to its matching `)`, skipping nested parentheses and strings.
  /// Returns nil when the line ends first.
  private mutating func scanInterpolatedCode() -> String? {
    var code = ""
    var depth = 0
    var inString = false
    while let character = peek(), !character.isLineBreak {
      advance()
      if inString {
        if character == "\\", let next = peek(), !next.isLineBreak {
          code.append(character)
          code.append(advance())
          continue
        }
        if character == "\"" { inString = false }
      } else if character == "\"" {
        inString = true
      } else if character == "(" {
        depth += 1
      } else if character == ")" {
        if depth == 0 { return code }
        depth -= 1
      }
      code.append(character)
    }
    return nil
  }
}

extension Character {
  /// A line ending: `\n`, or `\r\n`, which Swift reads as one Character.
  var isLineBreak: Bool { self == "\n" || self == "\r\n" }
}
