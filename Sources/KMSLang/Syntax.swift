/// The syntax tree (jlox's `Expr` and `Stmt`), as Swift enums with `indirect` cases; every node
/// is wrapped in a struct that carries its `SourceRange`, as ShapeScript's `Expression` does.

/// A unary operator: `-x`, `not x`.
public enum UnaryOperator: String, Sendable {
  case negate = "-"
  case not = "not"
}

/// A binary operator other than `and` / `or` (which short-circuit and are separate nodes).
public enum BinaryOperator: String, Sendable {
  case add = "+", subtract = "-", multiply = "*", divide = "/", remainder = "%"
  /// `a ** b` (right-associative, above unary minus: `-2 ** 2 == -4`) and `a // b` (floored).
  case power = "**", floorDivide = "//"
  case equal = "==", notEqual = "!=", less = "<", lessEqual = "<=", greater = ">"
  case greaterEqual = ">="
  /// Membership: an element of a list, a substring of a string, a key of a record.
  case `in` = "in", notIn = "not in"
}

/// A name bound by a `for` loop or a comprehension; `for i, x in enumerate(xs)` binds two,
/// unpacking each element (a list) into them.
public struct LoopVariable: Sendable {
  /// The name.
  public var name: String
  /// Where it is written.
  public var range: SourceRange
}

extension BinaryOperator {
  /// How "cannot VERB a and b" reads for each arithmetic operator.
  static let verbs: [BinaryOperator: String] = [
    .add: "add", .subtract: "subtract", .multiply: "multiply", .divide: "divide",
    .remainder: "take the remainder of", .power: "raise", .floorDivide: "floor-divide",
  ]
}

/// A short-circuiting boolean operator.
public enum LogicalOperator: String, Sendable {
  case and, or
}

/// One argument in a call: positional `x` or keyword `lr: 0.001`.
public struct CallArgument: Sendable {
  /// The keyword label, or nil for a positional argument.
  public var label: String?
  /// Where the label is, for "unknown keyword argument" messages.
  public var labelRange: SourceRange?
  /// The argument's expression.
  public var value: Expression
}

/// A `name: value` entry of a record literal.
public struct RecordEntry: Sendable {
  /// The key.
  public var key: String
  /// Where the key is written.
  public var keyRange: SourceRange
  /// The value expression.
  public var value: Expression
}

/// A parameter of a user function: `a` or `b: 2` (with a default).
public struct FunctionParameter: Sendable {
  /// The parameter's name.
  public var name: String
  /// Where it is written.
  public var range: SourceRange
  /// The default value expression, evaluated at each call that omits the argument.
  public var defaultValue: Expression?
}

/// A user function: `fn name(a, b: 2) { … }` or the anonymous `fn (x) { … }`.
public final class FunctionDeclaration: Sendable {
  /// The name, or `<fn>` for an anonymous function.
  public let name: String
  /// Where the name (or `fn` keyword) is.
  public let nameRange: SourceRange
  /// The parameters in order.
  public let parameters: [FunctionParameter]
  /// The body.
  public let body: [Statement]
  /// The whole declaration, from `fn` to the closing brace.
  public let range: SourceRange

  /// Creates a declaration.
  /// - Parameters:
  ///   - name: the function's name.
  ///   - nameRange: where the name is.
  ///   - parameters: the parameters in order.
  ///   - body: the statements of the body.
  ///   - range: the whole declaration.
  public init(
    name: String, nameRange: SourceRange, parameters: [FunctionParameter], body: [Statement],
    range: SourceRange
  ) {
    self.name = name
    self.nameRange = nameRange
    self.parameters = parameters
    self.body = body
    self.range = range
  }
}

/// An expression node with its source range.
public struct Expression: Sendable {
  /// What the expression is.
  public var kind: ExpressionKind
  /// The source it spans.
  public var range: SourceRange

  /// Creates an expression.
  /// - Parameters:
  ///   - kind: what the expression is.
  ///   - range: the source it spans.
  public init(_ kind: ExpressionKind, _ range: SourceRange) {
    self.kind = kind
    self.range = range
  }
}

/// The kinds of expressions.
public indirect enum ExpressionKind: Sendable {
  /// `3`, `0.0008`.
  case number(Double)
  /// `"text"`.
  case string(String)
  /// `"loss \(l)"`: parts are string literals and embedded expressions, joined with `str`.
  case interpolation([Expression])
  /// `true`, `false`.
  case boolean(Bool)
  /// `none`.
  case none
  /// A name read: `x`.
  case variable(String)
  /// `[a, b, c]`.
  case list([Expression])
  /// `{name: "a", n: 3}`.
  case record([RecordEntry])
  /// `-x`, `not x`.
  case unary(UnaryOperator, Expression)
  /// `a + b`, `a < b`.
  case binary(BinaryOperator, Expression, Expression)
  /// `a and b`, `a or b`.
  case logical(LogicalOperator, Expression, Expression)
  /// `f(x, lr: 0.001)`.
  case call(Expression, [CallArgument])
  /// `value.name`; the second range is the name's.
  case attribute(Expression, String, SourceRange)
  /// `xs[i]`.
  case index(Expression, Expression)
  /// `xs[start:stop:step]`, each part optional: `xs[1:3]`, `xs[-2:]`, `text[::-1]`.
  case slice(Expression, start: Expression?, stop: Expression?, step: Expression?)
  /// `[element for x in xs if condition]`: the loop variables are local to it.
  case comprehension(
    Expression, variables: [LoopVariable], iterable: Expression, condition: Expression?)
  /// `fn (x) { … }`.
  case function(FunctionDeclaration)
}

/// What an assignment writes to.
public enum AssignmentTarget: Sendable {
  /// `name = …`.
  case variable(String, SourceRange)
  /// `value.name = …`.
  case attribute(Expression, String, SourceRange)
  /// `xs[i] = …`.
  case index(Expression, Expression)
}

/// A statement node with its source range.
public struct Statement: Sendable {
  /// What the statement is.
  public var kind: StatementKind
  /// The source it spans.
  public var range: SourceRange

  /// Creates a statement.
  /// - Parameters:
  ///   - kind: what the statement is.
  ///   - range: the source it spans.
  public init(_ kind: StatementKind, _ range: SourceRange) {
    self.kind = kind
    self.range = range
  }
}

/// The kinds of statements.
public indirect enum StatementKind: Sendable {
  /// An expression evaluated for its effect (or, in the REPL, its printed value).
  case expression(Expression)
  /// `target = value`; `x += 1` is parsed as `x = x + 1`.
  case assignment(AssignmentTarget, Expression)
  /// `if c { … } else if d { … } else { … }`; the else branch of an `else if` holds one `if`.
  case `if`(Expression, [Statement], [Statement]?)
  /// `while c { … }`.
  case `while`(Expression, [Statement])
  /// `for x in xs { … }` or `for i, x in enumerate(xs) { … }`.
  case `for`([LoopVariable], Expression, [Statement])
  /// `del name`: removes a variable, so a builtin it shadowed (`print = 5`) is seen again.
  case delete(String, SourceRange)
  /// `fn name(…) { … }`: binds `name` in the current scope.
  case function(FunctionDeclaration)
  /// `return` or `return value`.
  case `return`(Expression?)
  /// `break`.
  case `break`
  /// `continue`.
  case `continue`
}
