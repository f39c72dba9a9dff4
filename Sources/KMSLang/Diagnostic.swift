/// One error, from any phase, ready to print: every phase's error enum folds into this type and
/// one function, `rendered(colored:)`, prints it (ShapeScript's `ProgramError` does the same).
public struct Diagnostic: Error, Sendable {
  /// The phase that found the error; decides the exit code.
  public enum Phase: Sendable {
    /// Splitting text into tokens.
    case lexical
    /// Parsing tokens into statements.
    case syntax
    /// Checking names and calls before running.
    case resolution
    /// Running.
    case runtime
  }

  /// The phase that found the error.
  public var phase: Phase
  /// The message: lowercase, no final period.
  public var message: String
  /// Where the error is; the whole range is underlined.
  public var range: SourceRange
  /// A hint printed as `help: …`.
  public var help: String?
  /// For runtime errors inside functions: the kms call stack, innermost first.
  public var traceback: [TracebackEntry]

  /// Creates a diagnostic.
  /// - Parameters:
  ///   - phase: the phase that found it.
  ///   - message: lowercase, no final period.
  ///   - range: where it is.
  ///   - help: an optional hint.
  ///   - traceback: the call stack for runtime errors, innermost first.
  public init(
    phase: Phase, message: String, range: SourceRange, help: String? = nil,
    traceback: [TracebackEntry] = []
  ) {
    self.phase = phase
    self.message = message
    self.range = range
    self.help = help
    self.traceback = traceback
  }

  /// The process exit code for this error (sysexits): 65 before running, 70 while running.
  public var exitCode: Int32 { phase == .runtime ? 70 : 65 }

  /// `line:col: message`, the form fixture files use in `# error:` lines.
  public var shortDescription: String { "\(range.start): \(message)" }
}

/// One frame of a runtime error's kms call stack.
public struct TracebackEntry: Sendable, Equatable {
  /// The function running in this frame: a function's name, or `<script>` for top-level code.
  public var function: String
  /// Where that frame was when the error happened (the error itself, or a call).
  public var range: SourceRange

  /// Creates an entry.
  /// - Parameters:
  ///   - function: the function's name or `<script>`.
  ///   - range: where the frame was.
  public init(function: String, range: SourceRange) {
    self.function = function
    self.range = range
  }
}

// MARK: - Folding each phase's errors

extension Diagnostic {
  /// Folds a lexical error.
  /// - Parameter error: the error.
  public init(_ error: LexError) {
    switch error {
    case .unexpectedCharacter(let character, let hint, let range):
      // Invisible and direction-changing characters (U+200B, U+FEFF, U+202E) are named by code
      // point: echoed raw they show nothing, or turn the rest of the message around.
      let shown = character.isInvisible ? character.codePoint : String(character)
      self.init(
        phase: .lexical, message: "unexpected character '\(shown)'", range: range, help: hint)
    case .unterminatedString(let range):
      self.init(
        phase: .lexical, message: "unterminated string", range: range,
        help: "close the string with '\"' on the same line")
    case .unknownEscape(let character, let range):
      self.init(
        phase: .lexical, message: "unknown escape '\\\(character)' in string", range: range,
        help: "known escapes are \\n \\t \\r \\0 \\\" \\\\ and \\( expression )")
    case .malformedNumber(let text, let range):
      self.init(phase: .lexical, message: "malformed number '\(text)'", range: range)
    }
  }

  /// Folds a syntax error.
  /// - Parameter error: the error.
  public init(_ error: ParseError) {
    switch error {
    case .expected(let what, let found, let range):
      self.init(phase: .syntax, message: "\(what), found \(found.displayName)", range: range)
    case .invalidAssignmentTarget(let range):
      self.init(
        phase: .syntax, message: "cannot assign to this expression", range: range,
        help: "assign to a name (x = 1), an attribute (r.x = 1) or an element (xs[0] = 1)")
    case .positionalAfterKeyword(let range):
      self.init(
        phase: .syntax, message: "positional argument after keyword arguments", range: range,
        help: "put positional arguments first: f(x, lr: 0.001)")
    case .unexpected(let kind, let range):
      self.init(phase: .syntax, message: "unexpected \(kind.displayName)", range: range)
    case .lexical(let error):
      self.init(error)
    case .tooDeep(let range):
      self.init(
        phase: .syntax,
        message: "nested too deeply (the limit is \(Parser.maximumNesting) levels of brackets, "
          + "blocks or chained operators)",
        range: range,
        help:
          "split the expression with intermediate variables; the rest of the input was not checked"
      )
    }
  }

  /// Folds a resolution error.
  /// - Parameter error: the error.
  public init(_ error: ResolveError) {
    self.init(phase: .resolution, message: error.message, range: error.range, help: error.help)
  }

  /// Folds a runtime error.
  /// - Parameter error: the error.
  public init(_ error: RuntimeError) {
    self.init(
      phase: .runtime, message: error.message, range: error.range, help: error.help,
      traceback: error.traceback)
  }
}

// MARK: - Rendering

extension Diagnostic {
  /// Renders the diagnostic the way compilers print errors:
  ///
  ///     samples/sae.kms:14:9: error: unknown name 'encodr'
  ///        14 | z = encodr(batch)
  ///           |     ^^^^^^
  ///     help: did you mean 'encoder'?
  ///
  /// The line number is right-aligned in a gutter (as swift-syntax's DiagnosticsFormatter does),
  /// the caret run covers the whole range on its first line, counted in Characters and widened
  /// for double-width glyphs. Runtime errors inside functions end with the call stack.
  /// - Parameter colored: use ANSI colours (only when the output is a terminal).
  /// - Returns: the text, ending with a newline.
  public func rendered(colored: Bool) -> String {
    let style = Style(colored: colored)
    let file = range.file
    var output =
      style.bold("\(file.name):\(range.start): ") + style.red("error: ") + style.bold(message)
      + "\n"
    // Invisible characters in the echoed line are shown by code point too, so a U+202E cannot
    // turn the caret line around; the caret is placed by the shown widths.
    let characters = Array(file.line(range.start.line))
    let lineText = characters.map {
      $0.isInvisible && $0 != "\t" ? "<\($0.codePoint)>" : String($0)
    }.joined()
    let number = String(range.start.line)
    let gutterWidth = max(5, number.count + 1)
    let pad = String(repeating: " ", count: gutterWidth - number.count)
    output += style.blue(pad + number + " |") + " " + lineText + "\n"
    let startIndex = min(max(range.start.column - 1, 0), characters.count)
    let endColumn = range.end.line == range.start.line ? range.end.column : characters.count + 1
    let endIndex = min(max(endColumn - 1, startIndex + 1), max(characters.count, startIndex + 1))
    // Keep tabs so the caret lines up with the text above it.
    let indent = characters[..<startIndex].map {
      $0 == "\t" ? "\t" : String(repeating: " ", count: displayWidth($0))
    }.joined()
    let underlineWidth =
      startIndex < characters.count
      ? characters[startIndex..<min(endIndex, characters.count)].reduce(0) { $0 + displayWidth($1) }
      : 1
    output +=
      style.blue(String(repeating: " ", count: gutterWidth) + " |") + " " + indent
      + style.red(String(repeating: "^", count: max(underlineWidth, 1))) + "\n"
    if let help {
      output += style.cyan("help: ") + help + "\n"
    }
    if traceback.count > 1 {
      output += "stack traceback (innermost first):\n"
      // A runaway recursion has hundreds of frames: show both ends.
      let shown =
        traceback.count <= 12
        ? Array(traceback) : Array(traceback.prefix(8)) + Array(traceback.suffix(3))
      for (position, entry) in shown.enumerated() {
        if traceback.count > 12, position == 8 {
          output += "  … \(traceback.count - 11) more frames …\n"
        }
        let place = entry.function == "<script>" ? "in top-level code" : "in fn '\(entry.function)'"
        output += "  \(entry.range.file.name):\(entry.range.start): \(place)\n"
      }
    }
    return output
  }

  /// Renders several diagnostics, one after another.
  /// - Parameters:
  ///   - diagnostics: the diagnostics in order.
  ///   - colored: use ANSI colours.
  public static func render(_ diagnostics: [Diagnostic], colored: Bool) -> String {
    diagnostics.map { $0.rendered(colored: colored) }.joined()
  }
}

extension Character {
  /// True for characters that show nothing or change the text's direction: controls, format
  /// characters (U+200B, U+FEFF, U+202E), separators other than a space, unassigned code points.
  var isInvisible: Bool {
    unicodeScalars.contains {
      switch $0.properties.generalCategory {
      case .control, .format, .lineSeparator, .paragraphSeparator, .privateUse, .surrogate,
        .unassigned:
        return true
      case .spaceSeparator:
        return $0 != " "
      default:
        return $0.value == 0xFFFD
      }
    }
  }

  /// `U+202E`: the first scalar's code point.
  var codePoint: String {
    "U+" + String(unicodeScalars.first!.value, radix: 16, uppercase: true)
  }
}

/// Columns a character takes in a terminal: 2 for East Asian wide and fullwidth glyphs and most
/// emoji, as many as its `<U+…>` form for invisible ones, 1 otherwise.
func displayWidth(_ character: Character) -> Int {
  if character.isInvisible && character != "\t" { return character.codePoint.count + 2 }
  guard let scalar = character.unicodeScalars.first else { return 1 }
  switch scalar.value {
  case 0x1100...0x115F, 0x2E80...0x303E, 0x3041...0x33FF, 0x3400...0x4DBF, 0x4E00...0x9FFF,
    0xA000...0xA4CF, 0xAC00...0xD7A3, 0xF900...0xFAFF, 0xFE30...0xFE4F, 0xFF00...0xFF60,
    0xFFE0...0xFFE6, 0x1F300...0x1F64F, 0x1F900...0x1F9FF, 0x20000...0x3FFFD:
    return 2
  default:
    return 1
  }
}

/// ANSI styling that turns into plain text when colour is off.
private struct Style {
  let colored: Bool
  private func wrap(_ code: String, _ text: String) -> String {
    colored ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text
  }
  func bold(_ text: String) -> String { wrap("1", text) }
  func red(_ text: String) -> String { wrap("1;31", text) }
  func blue(_ text: String) -> String { wrap("34", text) }
  func cyan(_ text: String) -> String { wrap("1;36", text) }
}
