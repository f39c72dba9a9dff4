import KMSLang
import Testing

@Suite("Lexer")
struct LexerTests {
  /// The token kinds of `text`, without the final `.endOfFile`.
  func kinds(_ text: String) -> [TokenKind] {
    var lexer = Lexer(file: SourceFile(name: "test", text: text))
    let (tokens, errors) = lexer.tokenize()
    #expect(errors.isEmpty, "\(errors)")
    return tokens.dropLast().map(\.kind)
  }

  @Test("splits an assignment with a call and keyword argument")
  func assignmentWithCall() {
    #expect(
      kinds("t = trainer(model, lr: 0.0008)") == [
        .identifier("t"), .equal, .identifier("trainer"), .leftParen, .identifier("model"), .comma,
        .identifier("lr"), .colon, .number(0.0008), .rightParen, .newline,
      ])
  }

  @Test("reads every operator, longest match first")
  func operators() {
    #expect(
      kinds("+ - * / % = += -= *= /= == != < <= > >= . ; :") == [
        .plus, .minus, .star, .slash, .percent, .equal, .plusEqual, .minusEqual, .starEqual,
        .slashEqual,
        .equalEqual, .bangEqual, .less, .lessEqual, .greater, .greaterEqual, .dot, .semicolon,
        .colon, .newline,
      ])
  }

  @Test("tells keywords from names")
  func keywords() {
    #expect(
      kinds("fn for_each if iffy none") == [
        .keyword(.fn), .identifier("for_each"), .keyword(.if), .identifier("iffy"), .keyword(.none),
        .newline,
      ])
  }

  @Test("reads number forms: integers, fractions, exponents, underscores, leading dot")
  func numbers() {
    #expect(
      kinds("784 0.0008 1e-3 2.5E+2 60_000 .5") == [
        .number(784), .number(0.0008), .number(0.001), .number(250), .number(60000), .number(0.5),
        .newline,
      ])
  }

  @Test("decodes escapes and splits interpolation into segments")
  func strings() {
    #expect(kinds(#""a\tb\"c""#) == [.string("a\tb\"c"), .newline])
    let tokens = kinds(#""loss \(l) done""#)
    guard case .interpolatedString(let segments) = tokens.first else {
      Issue.record("expected an interpolated string, got \(tokens)")
      return
    }
    #expect(segments.count == 3)
    #expect(segments.first == .text("loss "))
    #expect(segments.last == .text(" done"))
    if case .code(let code, let start) = segments[1] {
      #expect(code == "l")
      #expect(start == SourceLocation(line: 1, column: 9))
    } else {
      Issue.record("the middle segment should be code")
    }
  }

  @Test("keeps every line break as one token; the parser skips those inside brackets")
  func newlines() throws {
    #expect(kinds("a\n\n\nb") == [.identifier("a"), .newline, .identifier("b"), .newline])
    #expect(
      kinds("f(1,\n2)\n[3,\n4]") == [
        .identifier("f"), .leftParen, .number(1), .comma, .newline, .number(2), .rightParen,
        .newline, .leftBracket, .number(3), .comma, .newline, .number(4), .rightBracket, .newline,
      ])
    var lexer = Lexer(file: SourceFile(name: "test", text: "f(1,\n2)\nxs = [3,\n\n4]\n"))
    var parser = Parser(tokens: lexer.tokenize().tokens)
    let (statements, errors) = parser.parse()
    #expect(errors.isEmpty)
    #expect(statements.count == 2)
    #expect(
      kinds("{\na\n}") == [.leftBrace, .newline, .identifier("a"), .newline, .rightBrace, .newline])
  }

  @Test("ignores a byte-order mark and carriage returns")
  func byteOrderMark() {
    #expect(kinds("\u{FEFF}x\r\ny") == [.identifier("x"), .newline, .identifier("y"), .newline])
  }

  @Test("skips comments to the end of the line")
  func comments() {
    #expect(kinds("x # note (\ny") == [.identifier("x"), .newline, .identifier("y"), .newline])
  }

  @Test("counts columns in Characters")
  func columns() {
    var lexer = Lexer(file: SourceFile(name: "test", text: "s = \"héllo\" + x"))
    let (tokens, _) = lexer.tokenize()
    #expect(tokens[3].range.start == SourceLocation(line: 1, column: 13))
    #expect(tokens[4].range.start == SourceLocation(line: 1, column: 15))
  }

  @Test("reports each lexical error and keeps going")
  func errors() {
    var lexer = Lexer(file: SourceFile(name: "test", text: "a $ b\n\"open\nc = 3x"))
    let (_, errors) = lexer.tokenize()
    #expect(errors.count == 3)
    #expect(
      errors.map { Diagnostic($0).shortDescription } == [
        "1:3: unexpected character '$'", "2:1: unterminated string", "3:5: malformed number '3x'",
      ])
  }
}
