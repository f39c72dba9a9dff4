/// A syntax mistake.
public enum ParseError: Error, Sendable {
  /// Something specific was expected, e.g. "expected ')' after arguments, found end of line".
  case expected(String, found: TokenKind, SourceRange)
  /// The left side of `=` is not a name, attribute or index, e.g. `f() = 3`.
  case invalidAssignmentTarget(SourceRange)
  /// `f(lr: 1, x)`: positional arguments must come first.
  case positionalAfterKeyword(SourceRange)
  /// A token that cannot start a statement here, e.g. a stray `}`.
  case unexpected(TokenKind, SourceRange)
  /// A lexical error inside the code of a string's `\( … )`.
  case lexical(LexError)
  /// Brackets, blocks or operator chains nested deeper than `Parser.maximumNesting`; the
  /// parser stops there (the rest is not checked).
  case tooDeep(SourceRange)

  /// Where the error is.
  public var range: SourceRange {
    switch self {
    case .expected(_, _, let range), .invalidAssignmentTarget(let range),
      .positionalAfterKeyword(let range), .unexpected(_, let range), .tooDeep(let range):
      range
    case .lexical(let error): error.range
    }
  }

  /// True when the error is that the input ended too soon: the REPL then asks for more lines.
  public var isAtEndOfInput: Bool {
    switch self {
    case .expected(_, let found, _), .unexpected(let found, _): found == .endOfFile
    default: false
    }
  }
}

/// The parser (jlox's phase name): recursive descent from tokens to statements.
///
/// Grammar, lowest precedence first:
///
///     program    → statement* EOF
///     statement  → fnDecl | if | while | for | return | break | continue | del | assignment
///                | expr
///     for        → "for" names "in" expr block;  names → name ("," name)*;  del → "del" name
///     assignment → target ("=" | "+=" | "-=" | "*=" | "/=") expr
///     expr       → or;  or → and ("or" and)*;  and → not ("and" not)*;  not → "not" not | compare
///     compare    → sum (("==" | "!=" | "<" | "<=" | ">" | ">=" | "in" | "not" "in") sum)*
///     sum        → product (("+" | "-") product)*
///     product    → unary (("*" | "/" | "//" | "%") unary)*
///     unary      → "-" unary | power;  power → postfix ("**" unary)?
///     postfix    → primary ("(" args ")" | "." name | "[" expr "]" | "[" slice "]")*
///     slice      → expr? ":" expr? (":" expr?)?
///     primary    → number | string | "true" | "false" | "none" | name | "(" expr ")"
///                | "[" exprs "]" | "[" expr "for" names "in" expr ("if" expr)? "]"
///                | "{" entries "}" | "fn" "(" params ")" block
///
/// Statements end at a newline, `;` or a closing `}`; newlines inside `( … )` and `[ … ]` are
/// skipped. After an error the parser skips to the next statement boundary (jlox's
/// `synchronize`) and goes on, so one run reports every error.
///
/// Nesting is limited (`maximumNesting`): recursive descent, the resolver and the interpreter
/// all recurse once per level, so a million `(` must be an error, not a stack overflow.
public struct Parser {
  /// The deepest nesting of brackets, blocks, unary operators and operator chains accepted.
  /// Each link of a chain such as `a + b + c` or `x[0][0]` counts as a level, because it nests
  /// the tree one level deeper.
  public static let maximumNesting = 512

  private var tokens: [Token]
  private var current = 0
  private var errors: [ParseError] = []
  /// Set when a bracket was never closed: parsing resumes at the start of this line.
  private var resumeLine: Int?
  /// One entry per open bracket or brace: true inside `( … )` and `[ … ]`, where newlines are
  /// skipped, false inside `{ … }`, where they end statements.
  private var skipsNewlines: [Bool] = []
  /// How deeply the parser is nested right now (see `maximumNesting`).
  private var nesting = 0
  /// Set after a `tooDeep` error: nothing more is parsed or reported.
  private var isAbandoned = false
  /// Nesting also stops when the native stack gets this low (a quarter of the thread's stack
  /// is kept for the resolver and interpreter), whatever thread parses: each level costs a
  /// dozen frames, large ones in debug builds.
  private let stackFloor: UInt = nativeStackOfCurrentThread().map {
    $0.lowest + max($0.size / 4, 256 * 1024)
  } ?? 0
  private let stackRange = currentThreadStackRange()

  /// Creates a parser over tokens that end with `.endOfFile`.
  /// - Parameters:
  ///   - tokens: the lexer's output.
  ///   - nesting: how deeply the code is already nested (for a string's `\( … )`).
  public init(tokens: [Token], nesting: Int = 0) {
    self.tokens = tokens
    self.nesting = nesting
  }

  /// Parses the whole token stream.
  /// - Returns: the statements that parsed and every syntax error, in source order.
  public mutating func parse() -> (statements: [Statement], errors: [ParseError]) {
    let statements = parseStatements(untilClosingBrace: false)
    return (statements, errors)
  }

  // MARK: - Token helpers

  /// The index of the next token that counts: inside `(` or `[` a newline is passed over (the
  /// lexer collapses consecutive newlines, so there is at most one).
  private func significant(from index: Int) -> Int {
    (skipsNewlines.last ?? false) && tokens[index].kind == .newline
      ? min(index + 1, tokens.count - 1) : index
  }

  private var peek: Token { tokens[significant(from: current)] }
  private var previous: Token { tokens[max(current - 1, 0)] }
  private var isAtEnd: Bool { peek.kind == .endOfFile }

  private func check(_ kind: TokenKind) -> Bool { peek.kind == kind }

  private func checkNext(_ kind: TokenKind) -> Bool {
    let next = significant(from: current)
    guard next + 1 < tokens.count else { return false }
    return tokens[significant(from: next + 1)].kind == kind
  }

  @discardableResult
  private mutating func advance() -> Token {
    let index = significant(from: current)
    let token = tokens[index]
    if token.kind != .endOfFile { current = index + 1 }
    return token
  }

  /// Enters one level of nesting, failing past `maximumNesting`.
  private mutating func enter(at range: SourceRange) throws(ParseError) {
    nesting += 1
    if nesting > Parser.maximumNesting || currentStackAddress(within: stackRange) <= stackFloor {
      nesting -= 1
      throw .tooDeep(range)
    }
  }

  private mutating func match(_ kinds: TokenKind...) -> Bool {
    for kind in kinds where check(kind) {
      advance()
      return true
    }
    return false
  }

  @discardableResult
  private mutating func consume(_ kind: TokenKind, _ what: String) throws(ParseError) -> Token {
    if check(kind) { return advance() }
    throw .expected(what, found: peek.kind, peek.range)
  }

  /// Consumes the bracket that closes `opener`. Inside brackets newlines do not end statements,
  /// so a forgotten `)` is only noticed lines later: the message then names where it opened.
  private mutating func close(_ kind: TokenKind, opener: Token, _ what: String
  ) throws(ParseError) -> Token {
    if check(kind) { return advance() }
    if peek.range.start.line > opener.range.start.line, peek.kind != .endOfFile {
      resumeLine = peek.range.start.line
      throw .expected(
        "expected \(kind.displayName) to close the \(opener.kind.displayName) at \(opener.range.start)",
        found: peek.kind, peek.range)
    }
    throw .expected(what, found: peek.kind, peek.range)
  }

  private mutating func skipNewlines() {
    while check(.newline) { advance() }
  }

  private mutating func identifier(_ what: String) throws(ParseError) -> (String, SourceRange) {
    if case .identifier(let name) = peek.kind {
      let token = advance()
      return (name, token.range)
    }
    throw .expected(what, found: peek.kind, peek.range)
  }

  // MARK: - Statements

  private mutating func parseStatements(untilClosingBrace: Bool) -> [Statement] {
    var statements: [Statement] = []
    while true {
      while match(.newline, .semicolon) {}
      if isAtEnd { break }
      if check(.rightBrace) {
        if untilClosingBrace { break }
        errors.append(.unexpected(peek.kind, peek.range))
        advance()
        continue
      }
      let statementStart = current
      do {
        statements.append(try statement())
      } catch {
        if isAbandoned { break }
        errors.append(error)
        if case .tooDeep = error {
          // Past the limit nothing that follows can be trusted to parse; stop here.
          isAbandoned = true
          current = tokens.count - 1
          break
        }
        if let line = resumeLine {
          resumeLine = nil
          resume(atLine: line)
        } else {
          synchronize(statementStart: statementStart)
        }
      }
    }
    return statements
  }

  /// Goes back to the first token of `line`, the line after a bracket that was never closed.
  ///
  /// NOTE: newlines inside an unclosed `(` or `[` were skipped, so everything after it would
  /// belong to one broken statement and every later error would be hidden. The bracket must
  /// have been forgotten on an earlier line, so the statements start again at this one.
  private mutating func resume(atLine line: Int) {
    var index = significant(from: current)
    while index > 0, tokens[index - 1].range.start.line >= line { index -= 1 }
    current = index
  }

  /// Skips to the next statement boundary: past a newline or `;` outside brackets, or up to a
  /// `}` or the end.
  private mutating func synchronize(statementStart: Int) {
    // Brackets the failed statement opened before the error still hide its newlines.
    var brackets = 0
    for token in tokens[statementStart..<min(current, tokens.count)] {
      switch token.kind {
      case .leftParen, .leftBracket: brackets += 1
      case .rightParen, .rightBracket: brackets = max(brackets - 1, 0)
      default: break
      }
    }
    // Braces opened while skipping are skipped with their contents, so the rest of a broken
    // `fn f( { … }` does not report a stray `}` (clox's panic mode, one error per statement).
    var depth = 0
    while current < tokens.count - 1 {
      let kind = tokens[current].kind
      switch kind {
      case .leftBrace: depth += 1
      case .rightBrace:
        if depth == 0 { return }
        depth -= 1
      case .leftParen, .leftBracket: brackets += 1
      case .rightParen, .rightBracket: brackets = max(brackets - 1, 0)
      case .newline, .semicolon:
        if depth == 0, brackets == 0 {
          current += 1
          return
        }
      default: break
      }
      current += 1
    }
  }

  private mutating func statement() throws(ParseError) -> Statement {
    let start = peek.range
    let kind: StatementKind
    switch peek.kind {
    case .keyword(.fn) where !checkNext(.leftParen):
      advance()
      kind = .function(try functionBody(start: start, named: true))
    case .keyword(.if):
      advance()
      kind = try ifStatement()
    case .keyword(.while):
      advance()
      let condition = try expression()
      kind = .while(condition, try block("after the 'while' condition"))
    case .keyword(.for):
      advance()
      let variables = try loopVariables()
      let iterable = try expression()
      kind = .for(variables, iterable, try block("after the 'for' header"))
    case .keyword(.del):
      advance()
      let (name, nameRange) = try identifier("expected a variable name after 'del'")
      kind = .delete(name, nameRange)
    case .keyword(.return):
      advance()
      if check(.newline) || check(.semicolon) || check(.rightBrace) || isAtEnd {
        kind = .return(nil)
      } else {
        kind = .return(try expression())
      }
    case .keyword(.break):
      advance()
      kind = .break
    case .keyword(.continue):
      advance()
      kind = .continue
    default:
      kind = try assignmentOrExpression()
    }
    let statement = Statement(kind, start.union(previous.range))
    // A closing brace ends a statement, so `if c { … } return x` needs no `;`.
    if previous.kind != .rightBrace { try endOfStatement() }
    return statement
  }

  /// `x in` or `i, x in`: the names a loop binds, and the `in` after them.
  private mutating func loopVariables() throws(ParseError) -> [LoopVariable] {
    var variables: [LoopVariable] = []
    repeat {
      let (name, range) = try identifier("expected a loop variable name after 'for'")
      variables.append(LoopVariable(name: name, range: range))
    } while match(.comma)
    try consume(.keyword(.in), "expected 'in' after the loop variable")
    return variables
  }

  private mutating func endOfStatement() throws(ParseError) {
    if match(.newline, .semicolon) || check(.rightBrace) || isAtEnd { return }
    throw .expected("expected end of statement", found: peek.kind, peek.range)
  }

  private mutating func assignmentOrExpression() throws(ParseError) -> StatementKind {
    let target = try expression()
    let compound: [TokenKind: BinaryOperator?] = [
      .equal: nil, .plusEqual: .add, .minusEqual: .subtract, .starEqual: .multiply,
      .slashEqual: .divide,
    ]
    guard let entry = compound.first(where: { check($0.key) }) else { return .expression(target) }
    let operatorToken = advance()
    let assignmentTarget: AssignmentTarget
    switch target.kind {
    case .variable(let name): assignmentTarget = .variable(name, target.range)
    case .attribute(let object, let name, let nameRange):
      assignmentTarget = .attribute(object, name, nameRange)
    case .index(let object, let index): assignmentTarget = .index(object, index)
    default:
      throw .invalidAssignmentTarget(target.range.union(operatorToken.range))
    }
    var value = try expression()
    if let op = entry.value {
      value = Expression(.binary(op, target, value), target.range.union(value.range))
    }
    return .assignment(assignmentTarget, value)
  }

  private mutating func ifStatement() throws(ParseError) -> StatementKind {
    let condition = try expression()
    let thenBranch = try block("after the 'if' condition")
    // `else` may sit on the line after the closing brace.
    var lookahead = current
    while tokens[lookahead].kind == .newline { lookahead += 1 }
    guard tokens[lookahead].kind == .keyword(.else) else { return .if(condition, thenBranch, nil) }
    current = lookahead + 1
    if check(.keyword(.if)) {
      let start = advance().range
      let nested = try ifStatement()
      return .if(condition, thenBranch, [Statement(nested, start.union(previous.range))])
    }
    return .if(condition, thenBranch, try block("after 'else'"))
  }

  private mutating func block(_ context: String) throws(ParseError) -> [Statement] {
    let brace = try consume(.leftBrace, "expected '{' \(context)")
    try enter(at: brace.range)
    defer { nesting -= 1 }
    skipsNewlines.append(false)
    defer { skipsNewlines.removeLast() }
    let statements = parseStatements(untilClosingBrace: true)
    if isAbandoned { throw .tooDeep(brace.range) }
    try consume(.rightBrace, "expected '}' to close the block")
    return statements
  }

  private mutating func functionBody(start: SourceRange, named: Bool) throws(ParseError)
    -> FunctionDeclaration
  {
    var name = "<fn>"
    var nameRange = start
    if named {
      (name, nameRange) = try identifier("expected a function name after 'fn'")
    }
    try consume(.leftParen, "expected '(' before the parameters")
    skipsNewlines.append(true)
    var parameters: [FunctionParameter] = []
    do {
      defer { skipsNewlines.removeLast() }
      while !check(.rightParen) {
        let (parameterName, range) = try identifier("expected a parameter name")
        var defaultValue: Expression?
        if match(.colon) { defaultValue = try expression() }
        parameters.append(
          FunctionParameter(name: parameterName, range: range, defaultValue: defaultValue))
        if !match(.comma) { break }
      }
      try consume(.rightParen, "expected ')' after the parameters")
    }
    let body = try block("before the function body")
    return FunctionDeclaration(
      name: name, nameRange: nameRange, parameters: parameters, body: body,
      range: start.union(previous.range))
  }

  // MARK: - Expressions

  /// Parses one expression.
  public mutating func expression() throws(ParseError) -> Expression {
    try enter(at: peek.range)
    defer { nesting -= 1 }
    return try or()
  }

  // NOTE: each link of a left-associative chain (`a or b or c`, `a + b + c`, `x[0][0]`) nests the
  // tree one level deeper, so the loops below count their links as nesting; the levels are
  // given back when the chain ends.

  private mutating func or() throws(ParseError) -> Expression {
    let outer = nesting
    defer { nesting = outer }
    var left = try and()
    while match(.keyword(.or)) {
      try enter(at: previous.range)
      let right = try and()
      left = Expression(.logical(.or, left, right), left.range.union(right.range))
    }
    return left
  }

  private mutating func and() throws(ParseError) -> Expression {
    let outer = nesting
    defer { nesting = outer }
    var left = try not()
    while match(.keyword(.and)) {
      try enter(at: previous.range)
      let right = try not()
      left = Expression(.logical(.and, left, right), left.range.union(right.range))
    }
    return left
  }

  private mutating func not() throws(ParseError) -> Expression {
    if match(.keyword(.not)) {
      let start = previous.range
      try enter(at: start)
      defer { nesting -= 1 }
      let operand = try not()
      return Expression(.unary(.not, operand), start.union(operand.range))
    }
    return try comparison()
  }

  private mutating func binaryLevel(
    _ operators: [TokenKind: BinaryOperator], next: (inout Parser) throws(ParseError) -> Expression
  ) throws(ParseError) -> Expression {
    let outer = nesting
    defer { nesting = outer }
    var left = try next(&self)
    while let op = operators[peek.kind] {
      try enter(at: advance().range)
      let right = try next(&self)
      left = Expression(.binary(op, left, right), left.range.union(right.range))
    }
    return left
  }

  private mutating func comparison() throws(ParseError) -> Expression {
    let operators: [TokenKind: BinaryOperator] = [
      .equalEqual: .equal, .bangEqual: .notEqual, .less: .less, .lessEqual: .lessEqual,
      .greater: .greater, .greaterEqual: .greaterEqual, .keyword(.in): .in,
    ]
    let outer = nesting
    defer { nesting = outer }
    var left = try sum()
    while true {
      let op: BinaryOperator
      if let found = operators[peek.kind] {
        op = found
        try enter(at: advance().range)
      } else if check(.keyword(.not)), checkNext(.keyword(.in)) {
        op = .notIn
        try enter(at: advance().range.union(advance().range))
      } else {
        return left
      }
      let right = try sum()
      left = Expression(.binary(op, left, right), left.range.union(right.range))
    }
  }

  private mutating func sum() throws(ParseError) -> Expression {
    try binaryLevel(
      [.plus: .add, .minus: .subtract],
      next: { (parser: inout Parser) throws(ParseError) in try parser.product() })
  }

  private mutating func product() throws(ParseError) -> Expression {
    try binaryLevel(
      [.star: .multiply, .slash: .divide, .slashSlash: .floorDivide, .percent: .remainder],
      next: { (parser: inout Parser) throws(ParseError) in try parser.unary() })
  }

  private mutating func unary() throws(ParseError) -> Expression {
    if match(.minus) {
      let start = previous.range
      try enter(at: start)
      defer { nesting -= 1 }
      let operand = try unary()
      return Expression(.unary(.negate, operand), start.union(operand.range))
    }
    return try power()
  }

  /// `base ** exponent`: right-associative, and the exponent may be negative (`2 ** -1`).
  private mutating func power() throws(ParseError) -> Expression {
    let base = try postfix()
    guard match(.starStar) else { return base }
    try enter(at: previous.range)
    defer { nesting -= 1 }
    let exponent = try unary()
    return Expression(.binary(.power, base, exponent), base.range.union(exponent.range))
  }

  private mutating func postfix() throws(ParseError) -> Expression {
    let outer = nesting
    defer { nesting = outer }
    var expression = try primary()
    while true {
      if match(.leftParen) {
        let opener = previous
        try enter(at: opener.range)
        skipsNewlines.append(true)
        defer { skipsNewlines.removeLast() }
        let arguments = try callArguments()
        let close = try close(.rightParen, opener: opener, "expected ')' after the arguments")
        expression = Expression(.call(expression, arguments), expression.range.union(close.range))
      } else if match(.dot) {
        try enter(at: previous.range)
        let (name, nameRange) = try identifier("expected an attribute name after '.'")
        expression = Expression(
          .attribute(expression, name, nameRange), expression.range.union(nameRange))
      } else if match(.leftBracket) {
        let opener = previous
        try enter(at: opener.range)
        skipsNewlines.append(true)
        defer { skipsNewlines.removeLast() }
        let index = check(.colon) ? nil : try self.expression()
        if check(.colon) {
          expression = try slice(of: expression, start: index, opener: opener)
          continue
        }
        let close = try close(.rightBracket, opener: opener, "expected ']' after the index")
        expression = Expression(
          .index(expression, index!), expression.range.union(close.range))
      } else {
        return expression
      }
    }
  }

  /// The rest of `xs[start:stop:step]` after `start`, from the first `:`.
  private mutating func slice(of object: Expression, start: Expression?, opener: Token)
    throws(ParseError) -> Expression
  {
    try consume(.colon, "expected ':' in the slice")
    let ends: Set<TokenKind> = [.colon, .rightBracket]
    let stop = ends.contains(peek.kind) ? nil : try expression()
    var step: Expression?
    if match(.colon), !check(.rightBracket) { step = try expression() }
    let close = try close(.rightBracket, opener: opener, "expected ']' after the slice")
    return Expression(
      .slice(object, start: start, stop: stop, step: step), object.range.union(close.range))
  }

  private mutating func callArguments() throws(ParseError) -> [CallArgument] {
    var arguments: [CallArgument] = []
    while !check(.rightParen) {
      if case .identifier(let label) = peek.kind, checkNext(.colon) {
        let labelRange = advance().range
        advance()
        arguments.append(
          CallArgument(label: label, labelRange: labelRange, value: try expression()))
      } else {
        let value = try expression()
        if arguments.contains(where: { $0.label != nil }) {
          throw .positionalAfterKeyword(value.range)
        }
        arguments.append(CallArgument(label: nil, labelRange: nil, value: value))
      }
      if !match(.comma) { break }
    }
    return arguments
  }

  private mutating func primary() throws(ParseError) -> Expression {
    let token = peek
    switch token.kind {
    case .number(let value):
      advance()
      return Expression(.number(value), token.range)
    case .string(let text):
      advance()
      return Expression(.string(text), token.range)
    case .interpolatedString(let segments):
      advance()
      return Expression(
        .interpolation(try interpolation(segments, range: token.range)), token.range)
    case .keyword(.true), .keyword(.false):
      advance()
      return Expression(.boolean(token.kind == .keyword(.true)), token.range)
    case .keyword(.none):
      advance()
      return Expression(.none, token.range)
    case .identifier(let name):
      advance()
      return Expression(.variable(name), token.range)
    case .leftParen:
      advance()
      skipsNewlines.append(true)
      defer { skipsNewlines.removeLast() }
      let inner = try expression()
      let close = try close(.rightParen, opener: token, "expected ')' after the expression")
      return Expression(inner.kind, token.range.union(close.range))
    case .leftBracket:
      advance()
      skipsNewlines.append(true)
      defer { skipsNewlines.removeLast() }
      var elements: [Expression] = []
      while !check(.rightBracket) {
        elements.append(try expression())
        if elements.count == 1, match(.keyword(.for)) {
          return try comprehension(of: elements[0], opener: token)
        }
        if !match(.comma) { break }
      }
      let close = try close(.rightBracket, opener: token, "expected ']' after the list elements")
      return Expression(.list(elements), token.range.union(close.range))
    case .leftBrace:
      advance()
      try enter(at: token.range)
      defer { nesting -= 1 }
      skipsNewlines.append(false)
      defer { skipsNewlines.removeLast() }
      return try record(start: token.range)
    case .keyword(.fn):
      advance()
      try enter(at: token.range)
      defer { nesting -= 1 }
      return Expression(
        .function(try functionBody(start: token.range, named: false)),
        token.range.union(previous.range))
    default:
      throw .expected("expected an expression", found: token.kind, token.range)
    }
  }

  /// The rest of `[element for x in xs if condition]` after `for`.
  private mutating func comprehension(of element: Expression, opener: Token)
    throws(ParseError) -> Expression
  {
    let variables = try loopVariables()
    let iterable = try expression()
    let condition = match(.keyword(.if)) ? try expression() : nil
    let close = try close(
      .rightBracket, opener: opener, "expected ']' after the list comprehension")
    return Expression(
      .comprehension(element, variables: variables, iterable: iterable, condition: condition),
      opener.range.union(close.range))
  }

  private mutating func record(start: SourceRange) throws(ParseError) -> Expression {
    var entries: [RecordEntry] = []
    skipNewlines()
    while !check(.rightBrace) {
      let key: String
      let keyRange = peek.range
      switch peek.kind {
      case .identifier(let name): key = name
      case .string(let text): key = text
      case .keyword(let keyword): key = keyword.rawValue
      default: throw .expected("expected a record key", found: peek.kind, peek.range)
      }
      advance()
      try consume(.colon, "expected ':' after the record key")
      skipNewlines()
      entries.append(RecordEntry(key: key, keyRange: keyRange, value: try expression()))
      skipNewlines()
      if !match(.comma) { break }
      skipNewlines()
    }
    let close = try consume(.rightBrace, "expected '}' after the record entries")
    return Expression(.record(entries), start.union(close.range))
  }

  /// Parses each `\( … )` of a string literal as its own expression.
  private mutating func interpolation(_ segments: [StringSegment], range: SourceRange)
    throws(ParseError) -> [Expression]
  {
    var parts: [Expression] = []
    for segment in segments {
      switch segment {
      case .text(let text):
        parts.append(Expression(.string(text), range))
      case .code(let code, let start):
        var lexer = Lexer(text: code, file: range.file, start: start)
        let (tokens, lexErrors) = lexer.tokenize()
        if let first = lexErrors.first { throw .lexical(first) }
        // The code ends at the interpolation's `)`: make that a token, so an unfinished
        // expression reads "found ')'" and is not mistaken for an incomplete REPL entry.
        var innerTokens = tokens.filter { $0.kind != .newline }
        let end = innerTokens.removeLast()
        innerTokens.append(Token(kind: .rightParen, range: end.range))
        innerTokens.append(end)
        var inner = Parser(tokens: innerTokens, nesting: nesting)
        let expression = try inner.expression()
        try inner.consume(.rightParen, "expected ')' to end the interpolation")
        parts.append(expression)
      }
    }
    return parts
  }
}
