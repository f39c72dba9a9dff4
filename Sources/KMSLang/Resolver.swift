/// A mistake found before running: an unknown name or a call that cannot bind.
public enum ResolveError: Error, Sendable {
  /// A name that is neither a variable, a parameter nor a builtin; with the closest known name.
  case unknownName(String, SourceRange, suggestion: String?)
  /// A builtin call whose arguments do not fit its parameters.
  case badCall(message: String, help: String?, SourceRange)
  /// `return` at top level.
  case returnOutsideFunction(SourceRange)
  /// `break` or `continue` outside a loop.
  case outsideLoop(String, SourceRange)
  /// `fn f(a, a)`.
  case duplicateParameter(String, SourceRange)
  /// `{n: 1, n: 2}`.
  case duplicateKey(String, SourceRange)
  /// `f(lr: 1, lr: 2)`.
  case duplicateArgument(String, SourceRange)

  /// Where the error is.
  public var range: SourceRange {
    switch self {
    case .unknownName(_, let range, _), .badCall(_, _, let range),
      .returnOutsideFunction(let range),
      .outsideLoop(_, let range), .duplicateParameter(_, let range), .duplicateKey(_, let range),
      .duplicateArgument(_, let range):
      range
    }
  }

  /// The message: lowercase, no final period.
  public var message: String {
    switch self {
    case .unknownName(let name, _, _): "unknown name '\(name)'"
    case .badCall(let message, _, _): message
    case .returnOutsideFunction: "'return' outside a function"
    case .outsideLoop(let keyword, _): "'\(keyword)' outside a loop"
    case .duplicateParameter(let name, _): "duplicate parameter '\(name)'"
    case .duplicateKey(let key, _): "duplicate key '\(key)' in record"
    case .duplicateArgument(let name, _): "argument '\(name)' given twice"
    }
  }

  /// A hint, when one helps.
  public var help: String? {
    switch self {
    case .unknownName(_, _, let suggestion): suggestion.map { "did you mean '\($0)'?" }
    case .badCall(_, let help, _): help
    default: nil
    }
  }
}

/// The resolver (jlox's phase name): checks a program before any of it runs, so a typo on line
/// 40 fails before line 3 starts a ten-minute training run.
///
/// Scoping (Python's rule): a name assigned anywhere in a function body, a parameter, a loop
/// variable or a nested `fn` is local to that function; other names are read from enclosing
/// functions, then from top-level variables, then from builtins. Blocks do not open scopes.
/// At top level names must be assigned earlier in the source (or in an earlier REPL entry);
/// function bodies may use any top-level name assigned anywhere in the program.
///
/// Calls of builtins by name are checked against their parameters: argument count, unknown or
/// repeated keyword arguments, missing arguments.
public struct Resolver {
  private let registry: BuiltinRegistry
  private var globals: Set<String>
  private var allTopLevelNames: Set<String> = []
  private var functionScopes: [Set<String>] = []
  private var loopDepth = 0
  /// The variables of the list comprehensions being resolved, innermost last.
  private var comprehensionNames: [String] = []
  private var deferredFunctions: [FunctionDeclaration] = []
  private var errors: [ResolveError] = []

  /// Creates a resolver.
  /// - Parameters:
  ///   - registry: the builtins.
  ///   - knownGlobals: top-level names that already exist (earlier REPL entries).
  public init(registry: BuiltinRegistry, knownGlobals: Set<String>) {
    self.registry = registry
    self.globals = knownGlobals
  }

  /// Checks a program.
  /// - Parameter statements: the top-level statements.
  /// - Returns: every error found, in source order.
  public mutating func resolve(_ statements: [Statement]) -> [ResolveError] {
    allTopLevelNames = globals.union(Resolver.assignedNames(in: statements))
    resolve(block: statements)
    // Top-level function bodies run later, so they may use names assigned after them.
    while !deferredFunctions.isEmpty {
      let function = deferredFunctions.removeFirst()
      resolveBody(of: function)
    }
    return errors.sorted { ($0.range.start, $0.range.end) < ($1.range.start, $1.range.end) }
  }

  /// The names a block assigns (its locals when it is a function body), not looking inside
  /// nested functions.
  static func assignedNames(in statements: [Statement]) -> Set<String> {
    var names: Set<String> = []
    for statement in statements {
      switch statement.kind {
      case .assignment(.variable(let name, _), _): names.insert(name)
      case .function(let declaration): names.insert(declaration.name)
      case .for(let variables, _, let body):
        names.formUnion(variables.map(\.name))
        names.formUnion(assignedNames(in: body))
      case .while(_, let body): names.formUnion(assignedNames(in: body))
      case .if(_, let thenBranch, let elseBranch):
        names.formUnion(assignedNames(in: thenBranch))
        names.formUnion(assignedNames(in: elseBranch ?? []))
      default: break
      }
    }
    return names
  }

  // MARK: - Statements

  private var isAtTopLevel: Bool { functionScopes.isEmpty }

  private mutating func declare(_ name: String) {
    if isAtTopLevel { globals.insert(name) }
  }

  /// A loop body runs again after its end, so at top level a name it assigns anywhere may be
  /// read anywhere in it (`if i > 0 { print(previous) }; previous = i`). The first pass is
  /// checked when it runs ("used before it is assigned").
  private mutating func declareLoopBody(_ body: [Statement]) {
    if isAtTopLevel { globals.formUnion(Resolver.assignedNames(in: body)) }
  }

  private mutating func resolve(block statements: [Statement]) {
    for statement in statements { resolve(statement) }
  }

  private mutating func resolve(_ statement: Statement) {
    switch statement.kind {
    case .expression(let expression):
      resolve(expression)
    case .assignment(let target, let value):
      resolve(value)
      switch target {
      case .variable(let name, _): declare(name)
      case .attribute(let object, _, _): resolve(object)
      case .index(let object, let index):
        resolve(object)
        resolve(index)
      }
    case .if(let condition, let thenBranch, let elseBranch):
      resolve(condition)
      resolve(block: thenBranch)
      if let elseBranch { resolve(block: elseBranch) }
    case .while(let condition, let body):
      resolve(condition)
      declareLoopBody(body)
      loopDepth += 1
      resolve(block: body)
      loopDepth -= 1
    case .for(let variables, let iterable, let body):
      resolve(iterable)
      for variable in variables { declare(variable.name) }
      declareLoopBody(body)
      loopDepth += 1
      resolve(block: body)
      loopDepth -= 1
    case .function(let declaration):
      declare(declaration.name)
      resolve(function: declaration)
    case .delete(let name, let range):
      if !isUserName(name) {
        errors.append(
          .unknownName(name, range, suggestion: suggestion(for: name, among: visibleUserNames)))
      }
      if isAtTopLevel { globals.remove(name) }
    case .return(let value):
      if isAtTopLevel { errors.append(.returnOutsideFunction(statement.range)) }
      if let value { resolve(value) }
    case .break:
      if loopDepth == 0 { errors.append(.outsideLoop("break", statement.range)) }
    case .continue:
      if loopDepth == 0 { errors.append(.outsideLoop("continue", statement.range)) }
    }
  }

  private mutating func resolve(function declaration: FunctionDeclaration) {
    var seen: Set<String> = []
    for parameter in declaration.parameters {
      if !seen.insert(parameter.name).inserted {
        errors.append(.duplicateParameter(parameter.name, parameter.range))
      }
    }
    // A function made inside a comprehension sees its names, so it is resolved there and then.
    if isAtTopLevel, comprehensionNames.isEmpty {
      deferredFunctions.append(declaration)
    } else {
      resolveBody(of: declaration)
    }
  }

  private mutating func resolveBody(of declaration: FunctionDeclaration) {
    let parameters = Set(declaration.parameters.map(\.name))
    // Defaults are evaluated at call time with the earlier parameters bound.
    functionScopes.append(parameters)
    for parameter in declaration.parameters {
      if let defaultValue = parameter.defaultValue { resolve(defaultValue) }
    }
    functionScopes[functionScopes.count - 1].formUnion(Resolver.assignedNames(in: declaration.body))
    let savedLoopDepth = loopDepth
    loopDepth = 0
    resolve(block: declaration.body)
    loopDepth = savedLoopDepth
    functionScopes.removeLast()
  }

  // MARK: - Expressions

  private func isUserName(_ name: String) -> Bool {
    if comprehensionNames.contains(name) { return true }
    if functionScopes.contains(where: { $0.contains(name) }) { return true }
    return isAtTopLevel ? globals.contains(name) : allTopLevelNames.contains(name)
  }

  /// The user's names in scope here (variables, parameters, functions).
  private var visibleUserNames: Set<String> {
    var names = isAtTopLevel ? globals : allTopLevelNames
    names.formUnion(comprehensionNames)
    for scope in functionScopes { names.formUnion(scope) }
    return names
  }

  /// The closest name to a misspelling: the user's own names first, then builtins.
  private func closestName(to name: String) -> String? {
    suggestion(for: name, among: visibleUserNames)
      ?? suggestion(for: name, among: registry.builtins.map(\.name))
  }

  private mutating func resolve(_ expression: Expression) {
    switch expression.kind {
    case .number, .string, .boolean, .none:
      break
    case .interpolation(let parts):
      for part in parts { resolve(part) }
    case .variable(let name):
      if !isUserName(name), registry.builtin(named: name) == nil {
        errors.append(.unknownName(name, expression.range, suggestion: closestName(to: name)))
      }
    case .list(let elements):
      for element in elements { resolve(element) }
    case .record(let entries):
      var seen: Set<String> = []
      for entry in entries {
        if !seen.insert(entry.key).inserted {
          errors.append(.duplicateKey(entry.key, entry.keyRange))
        }
        resolve(entry.value)
      }
    case .unary(_, let operand):
      resolve(operand)
    case .binary(_, let left, let right), .logical(_, let left, let right):
      resolve(left)
      resolve(right)
    case .call(let callee, let arguments):
      resolve(callee)
      var labels: Set<String> = []
      for argument in arguments {
        resolve(argument.value)
        if let label = argument.label, !labels.insert(label).inserted {
          errors.append(.duplicateArgument(label, argument.labelRange ?? argument.value.range))
        }
      }
      if labels.count == arguments.filter({ $0.label != nil }).count {
        checkBuiltinCall(callee: callee, arguments: arguments, range: expression.range)
      }
    case .attribute(let object, _, _):
      resolve(object)
    case .index(let object, let index):
      resolve(object)
      resolve(index)
    case .slice(let object, let start, let stop, let step):
      resolve(object)
      for part in [start, stop, step] { if let part { resolve(part) } }
    case .comprehension(let element, let variables, let iterable, let condition):
      resolve(iterable)
      comprehensionNames += variables.map(\.name)
      if let condition { resolve(condition) }
      resolve(element)
      comprehensionNames.removeLast(variables.count)
    case .function(let declaration):
      resolve(function: declaration)
    }
  }

  /// Binds a direct call of a builtin (not shadowed by a variable) against its parameters, and
  /// checks the type of every argument written as a literal (`lr: "fast"`, `epochs: 2.5`).
  private mutating func checkBuiltinCall(
    callee: Expression, arguments: [CallArgument], range: SourceRange
  ) {
    guard case .variable(let name) = callee.kind, !isUserName(name),
      let builtin = registry.builtin(named: name)
    else { return }
    let positionalCount = arguments.prefix { $0.label == nil }.count
    let labels = arguments.enumerated().compactMap { index, argument in
      argument.label.map { (label: $0, argumentIndex: index) }
    }
    switch bindArguments(builtin.slots, positionalCount: positionalCount, labels: labels) {
    case .failure(let problem):
      let (message, help) = problem.message(callee: builtin.name, signature: builtin.signature)
      var errorRange = range
      if case .unknownKeyword(_, let index, _) = problem {
        errorRange = arguments[index].labelRange ?? range
      }
      errors.append(.badCall(message: message, help: help, errorRange))
    case .success(let binding):
      for (slot, parameter) in builtin.parameters.enumerated() {
        let indices =
          parameter.isVariadic
          ? binding.variadic
          : parameter.isKeywordRest ? binding.rest : binding.slotArgument[slot].map { [$0] } ?? []
        for index in indices {
          guard let value = Resolver.literalValue(arguments[index].value),
            !parameter.type.accepts(value)
          else { continue }
          var named = parameter
          var help: String?
          if parameter.isKeywordRest, let label = arguments[index].label {
            named.name = label
            // A misspelt declared keyword lands here (`resolutoin:`): name the one it resembles.
            let declared = builtin.parameters.filter { !$0.isKeywordRest }.map(\.name)
            help = suggestion(for: label, among: declared).map { "did you mean '\($0)'?" }
          }
          let message = badArgumentMessage(parameter: named, callee: builtin.name, value: value)
          errors.append(.badCall(message: message, help: help, range))
          return
        }
      }
    }
  }

  /// A stand-in value with the type (and, for numbers, the value) of a literal argument, or nil
  /// when the argument is not a literal.
  private static func literalValue(_ expression: Expression) -> Value? {
    switch expression.kind {
    case .number(let number): .number(number)
    case .unary(.negate, let operand):
      if case .number(let number) = operand.kind { .number(-number) } else { nil }
    case .string, .interpolation: .string("")
    case .boolean(let value): .boolean(value)
    case .none: Value.none
    case .list: .list(List())
    case .record: .record(Record())
    case .function: .function(.builtin(Resolver.placeholderFunction))
    default: nil
    }
  }

  private static let placeholderFunction = Builtin(
    "fn", summary: "a function literal's stand-in", example: "fn (x) { return x }"
  ) { _ in .none }
}
