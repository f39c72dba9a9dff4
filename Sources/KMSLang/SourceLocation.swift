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
