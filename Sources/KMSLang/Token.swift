/// The reserved words of kms.
public enum Keyword: String, CaseIterable, Sendable {
  case and, or, not, `if`, `else`, `for`, `in`, `while`, fn, `return`, `break`, `continue`
  case `true`, `false`, none, del
}

/// One piece of an interpolated string literal `"loss \(l)"`: literal text or embedded code.
public enum StringSegment: Hashable, Sendable {
  /// Literal text with escapes already decoded.
  case text(String)
  /// The source of an embedded `\( … )` expression and where it starts.
  case code(String, start: SourceLocation)
}

/// What a token is, with its decoded value for literals and names.
public enum TokenKind: Hashable, Sendable {
  /// A number literal such as `784`, `0.0008` or `1e-3`.
  case number(Double)
  /// A string literal without interpolation, escapes decoded.
  case string(String)
  /// A string literal containing at least one `\( … )`.
  case interpolatedString([StringSegment])
  /// A name: a variable, function, parameter, attribute or keyword-argument label.
  case identifier(String)
  /// A reserved word.
  case keyword(Keyword)
  case leftParen, rightParen, leftBracket, rightBracket, leftBrace, rightBrace
  case comma, dot, colon, semicolon
  case plus, minus, star, slash, percent, starStar, slashSlash
  case equal, plusEqual, minusEqual, starEqual, slashEqual
  case equalEqual, bangEqual, less, lessEqual, greater, greaterEqual
  /// The end of a line outside parentheses and brackets: a statement terminator.
  case newline
  /// The end of the input.
  case endOfFile

  /// How the token reads in a message: `'('`, `number`, `name 'x'`, `end of input`.
  public var displayName: String {
    switch self {
    case .number(let value): "number \(Value.number(value).description)"
    case .string, .interpolatedString: "string"
    case .identifier(let name): "name '\(name)'"
    case .keyword(let keyword): "'\(keyword.rawValue)'"
    case .newline: "end of line"
    case .endOfFile: "end of input"
    default: "'\(spelling)'"
    }
  }

  /// The source spelling of a punctuation or operator token.
  public var spelling: String {
    switch self {
    case .leftParen: "("
    case .rightParen: ")"
    case .leftBracket: "["
    case .rightBracket: "]"
    case .leftBrace: "{"
    case .rightBrace: "}"
    case .comma: ","
    case .dot: "."
    case .colon: ":"
    case .semicolon: ";"
    case .plus: "+"
    case .minus: "-"
    case .star: "*"
    case .slash: "/"
    case .percent: "%"
    case .starStar: "**"
    case .slashSlash: "//"
    case .equal: "="
    case .plusEqual: "+="
    case .minusEqual: "-="
    case .starEqual: "*="
    case .slashEqual: "/="
    case .equalEqual: "=="
    case .bangEqual: "!="
    case .less: "<"
    case .lessEqual: "<="
    case .greater: ">"
    case .greaterEqual: ">="
    case .keyword(let keyword): keyword.rawValue
    case .identifier(let name): name
    case .newline: "\\n"
    case .endOfFile: ""
    case .number(let value): Value.number(value).description
    case .string(let text): text
    case .interpolatedString: "\"…\""
    }
  }
}

/// A token: its kind and the source it was read from.
public struct Token: Sendable {
  /// What the token is.
  public var kind: TokenKind
  /// Where it is.
  public var range: SourceRange

  /// Creates a token.
  /// - Parameters:
  ///   - kind: what the token is.
  ///   - range: where it is.
  public init(kind: TokenKind, range: SourceRange) {
    self.kind = kind
    self.range = range
  }
}
