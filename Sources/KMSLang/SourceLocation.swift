import Foundation

/// A position in kms source text: 1-based line and column, columns counted in `Character`s so a
/// caret lands under the right glyph even after accented letters or kana.
public struct SourceLocation: Hashable, Comparable, Sendable, CustomStringConvertible {
  /// The 1-based line number.
  public var line: Int
  /// The 1-based column, counted in `Character`s.
  public var column: Int

  /// Creates a location.
  /// - Parameters:
  ///   - line: the 1-based line number.
  ///   - column: the 1-based column in `Character`s.
  public init(line: Int, column: Int) {
    self.line = line
    self.column = column
  }

  /// `line:column`, as printed in diagnostics.
  public var description: String { "\(line):\(column)" }

  /// Orders locations by line, then column.
  public static func < (lhs: SourceLocation, rhs: SourceLocation) -> Bool {
    (lhs.line, lhs.column) < (rhs.line, rhs.column)
  }
}

/// A named piece of kms source: a script file, a `-e` argument or one REPL entry (`<repl>`).
///
/// A reference type so every token and node can point back at its text cheaply; diagnostics use
/// it to print the offending line.
public final class SourceFile: Sendable {
  /// The name printed in diagnostics: a path, `<repl>` or `<command line>`.
  public let name: String
  /// The whole text.
  public let text: String
  /// The text split into lines, without line terminators.
  public let lines: [String]

  /// Creates a source file.
  /// - Parameters:
  ///   - name: the name printed in diagnostics.
  ///   - text: the source text.
  public init(name: String, text: String) {
    self.name = name
    self.text = text
    // NOTE: "\r\n" is one Character in Swift, so it is split on explicitly.
    self.lines = text.split(omittingEmptySubsequences: false) { $0 == "\n" || $0 == "\r\n" }.map {
      String($0)
    }
  }

  /// The text of a 1-based line, or an empty string past the end.
  /// - Parameter number: the 1-based line number.
  public func line(_ number: Int) -> String {
    number >= 1 && number <= lines.count ? lines[number - 1] : ""
  }
}

/// A half-open stretch of source, `start ..< end`, in one file.
public struct SourceRange: Hashable, Sendable, CustomStringConvertible {
  /// The file the range points into.
  public let file: SourceFile
  /// The first character of the range.
  public var start: SourceLocation
  /// The location just past the last character.
  public var end: SourceLocation

  /// Creates a range.
  /// - Parameters:
  ///   - file: the file.
  ///   - start: the first character.
  ///   - end: the location just past the last character.
  public init(file: SourceFile, start: SourceLocation, end: SourceLocation) {
    self.file = file
    self.start = start
    self.end = end
  }

  /// The smallest range covering both ranges (which must share a file).
  /// - Parameter other: the range to cover as well.
  public func union(_ other: SourceRange) -> SourceRange {
    SourceRange(file: file, start: min(start, other.start), end: max(end, other.end))
  }

  /// `file:line:col`, as printed at the start of a diagnostic.
  public var description: String { "\(file.name):\(start)" }

  /// Ranges are equal when they cover the same characters of the same file object.
  public static func == (lhs: SourceRange, rhs: SourceRange) -> Bool {
    lhs.file === rhs.file && lhs.start == rhs.start && lhs.end == rhs.end
  }

  /// Hashes the locations and the file's identity.
  public func hash(into hasher: inout Hasher) {
    hasher.combine(ObjectIdentifier(file))
    hasher.combine(start)
    hasher.combine(end)
  }
}

extension SourceFile {
  /// Decodes a script's bytes as UTF-8. Invalid bytes do not refuse the file as a whole: they
  /// become U+FFFD in the text, and the first one is reported where it is, as a lexical error.
  /// - Parameters:
  ///   - data: the file's bytes.
  ///   - name: the name printed in diagnostics.
  /// - Returns: the file, and a diagnostic at the first invalid byte when there is one.
  public static func decoding(_ data: Data, name: String) -> (SourceFile, Diagnostic?) {
    let bytes = [UInt8](data)
    var parser = Unicode.UTF8.ForwardParser()
    var iterator = bytes.makeIterator()
    var offset = 0
    var badOffset: Int?
    var badLength = 0
    loop: while true {
      switch parser.parseScalar(from: &iterator) {
      case .valid(let encoded): offset += encoded.count
      case .emptyInput: break loop
      case .error(let length):
        badOffset = offset
        badLength = length
        break loop
      }
    }
    let text = String(decoding: bytes, as: UTF8.self)
    let file = SourceFile(name: name, text: text)
    guard let badOffset else { return (file, nil) }
    // The line is the count of line feeds before the byte; the column counts the Characters of
    // the (valid) text between the line's start and the byte.
    let lineStart = bytes[..<badOffset].lastIndex(of: 0x0A).map { $0 + 1 } ?? 0
    let line = bytes[..<lineStart].reduce(1) { $1 == 0x0A ? $0 + 1 : $0 }
    let column = String(decoding: bytes[lineStart..<badOffset], as: UTF8.self).count + 1
    let shown = bytes[badOffset..<(badOffset + max(badLength, 1))].map {
      "0x" + String($0, radix: 16, uppercase: true)
    }.joined(separator: " ")
    let range = SourceRange(
      file: file, start: SourceLocation(line: line, column: column),
      end: SourceLocation(line: line, column: column + 1))
    let diagnostic = Diagnostic(
      phase: .lexical, message: "invalid UTF-8 byte\(badLength > 1 ? "s" : "") \(shown)",
      range: range, help: "kms scripts are UTF-8 text; save the file as UTF-8")
    return (file, diagnostic)
  }
}
