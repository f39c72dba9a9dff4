import Foundation
import KMSTensor

/// An error while running: a message at a range, with the kms call stack once it leaves a
/// function. Ctrl-C and `exit()` travel the same path, marked by `kind`.
public struct RuntimeError: Error {
  /// Why execution stopped.
  public enum Kind: Equatable, Sendable {
    /// A real error, printed as a diagnostic.
    case failure
    /// Ctrl-C: the REPL returns to the prompt with every variable intact.
    case interrupted
    /// `exit(code)`: the driver ends the process (or the REPL session) with this code.
    case exit(Int32)
  }

  /// Why execution stopped.
  public var kind: Kind
  /// The message: lowercase, no final period.
  public var message: String
  /// Where the error is.
  public var range: SourceRange
  /// A hint printed as `help: …`.
  public var help: String?
  /// The kms call stack, innermost first; empty for errors in top-level code.
  public var traceback: [TracebackEntry] = []
  /// For an interruption: what the interrupted call had produced so far (`t.fit`'s history),
  /// which `h = t.fit(…)` still binds.
  public var partialValue: Value?

  /// Creates an error.
  /// - Parameters:
  ///   - message: lowercase, no final period; names the thing and what was expected.
  ///   - range: where the error is.
  ///   - help: an optional hint.
  ///   - kind: why execution stopped.
  public init(_ message: String, at range: SourceRange, help: String? = nil, kind: Kind = .failure)
  {
    self.kind = kind
    self.message = message
    self.range = range
    self.help = help
  }
}

/// A scope: the variables of the top level or of one function call.
final class Environment {
  var values: [String: Value] = [:]
  let parent: Environment?

  init(parent: Environment?) {
    self.parent = parent
  }

  func lookup(_ name: String) -> Value? {
    var environment: Environment? = self
    while let current = environment {
      if let value = current.values[name] { return value }
      environment = current.parent
    }
    return nil
  }
}

/// The result of lexing, parsing and resolving one piece of source.
public struct Compilation {
  /// The statements (complete only when `diagnostics` is empty).
  public var statements: [Statement]
  /// Every error found, in source order.
  public var diagnostics: [Diagnostic]
  /// True when the only problem is that the input ended too soon (the REPL reads more lines).
  public var isIncomplete: Bool
}

/// The tree-walking interpreter (jlox's phase name), and the entry point that runs source.
///
///     let interpreter = Interpreter()
///     let compilation = interpreter.compile(SourceFile(name: "<repl>", text: "1 + 2"))
///     let value = try interpreter.execute(compilation.statements)   // .number(3)
public final class Interpreter {
  /// The builtins and host types.
  public let registry: BuiltinRegistry
  /// What `args()` returns: the arguments after the script's path.
  public var scriptArguments: [String]
  /// Where `print`, training progress and figures go (the terminal by default).
  public var display: DisplaySink
  /// Deeper kms calls fail with "too many nested calls". Independently of it, a call also fails
  /// that way when the native stack of the running thread is nearly used up, so runaway
  /// recursion is an error, never a crash, on any thread.
  public var maximumCallDepth = 1_000
  /// How sweeps run in this process: trials here, as a worker, or listed (`--trial`, `--trials`).
  public let experiment = ExperimentSettings()
  /// The lowest stack address a kms call may start below; 0 when unknown.
  private var stackFloor: UInt = 0
  /// The lowest stack address an expression may be evaluated below: half-way between the
  /// stack's end and `stackFloor`, so runaway recursion meets the call check first.
  private var expressionFloor: UInt = 0
  /// The stack of the thread running `execute`.
  private var stackRange: Range<UInt> = 0..<0
  let globals = Environment(parent: nil)
  private var callStack: [(name: String, callSite: SourceRange)] = []

  /// Creates an interpreter with an empty top-level scope.
  /// - Parameters:
  ///   - registry: the builtins; `BuiltinRegistry.standard()` by default.
  ///   - scriptArguments: what `args()` returns.
  ///   - display: receives everything kms code prints and shows.
  public init(
    registry: BuiltinRegistry = .standard(), scriptArguments: [String] = [],
    display: DisplaySink = TerminalDisplay()
  ) {
    self.registry = registry
    self.scriptArguments = scriptArguments
    self.display = display
  }

  /// Creates an interpreter whose printed text goes to `output` (figures shown are written as
  /// temporary PNGs, their paths printed).
  public convenience init(
    registry: BuiltinRegistry = .standard(), scriptArguments: [String] = [],
    output: @escaping (String) -> Void
  ) {
    self.init(registry: registry, scriptArguments: scriptArguments, display: TextDisplay(output))
  }

  /// Long notes (a dataset's provenance, a protocol's notice) already printed in this session:
  /// `print` and the REPL show each once (see `displayText`).
  public var shownNotes: Set<String> = []

  /// The text `print` (or, `quoted`, the REPL's echo) shows for a value: its description, with
  /// a dataset's provenance and a protocol's notice written out only the first time.
  /// - Parameters:
  ///   - value: the value.
  ///   - quoted: true for the echo's form (strings quoted).
  public func displayText(_ value: Value, quoted: Bool = false) -> String {
    if case .host(let object as NotesOnce) = value {
      return object.description(shown: &shownNotes)
    }
    return quoted ? value.repr : value.description
  }

  /// Writes text to the display.
  /// - Parameter text: the text, including any newline.
  public func write(_ text: String) {
    display.write(text)
  }

  // MARK: - Top-level variables

  /// The top-level variables, sorted by name (for `:vars`).
  public var globalVariables: [(name: String, value: Value)] {
    globals.values.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
  }

  /// A top-level variable's value, if defined.
  /// - Parameter name: the variable's name.
  public func global(_ name: String) -> Value? {
    globals.values[name]
  }

  /// Sets a top-level variable.
  /// - Parameters:
  ///   - name: the variable's name.
  ///   - value: its new value.
  public func setGlobal(_ name: String, to value: Value) {
    globals.values[name] = value
  }

  /// Removes every top-level variable (the REPL's `:reset`); builtins are seen again.
  public func removeAllGlobals() {
    globals.values.removeAll()
  }

  // MARK: - Running source

  /// Lexes, parses and resolves source against the current top-level variables.
  /// - Parameter file: the source.
  public func compile(_ file: SourceFile) -> Compilation {
    var lexer = Lexer(file: file)
    let (tokens, lexErrors) = lexer.tokenize()
    var parser = Parser(tokens: tokens)
    let (statements, parseErrors) = parser.parse()
    // A parse error on a line with a lexical error is usually its echo (`x = 3 $ 4` then "expected
    // end of statement"), so only the lexical one is reported there.
    let lexLines = Set(lexErrors.map(\.range.start.line))
    var diagnostics =
      lexErrors.map(Diagnostic.init)
      + parseErrors.filter { !lexLines.contains($0.range.start.line) }.map(Diagnostic.init)
    if !diagnostics.isEmpty {
      diagnostics.sort { ($0.range.start, $0.range.end) < ($1.range.start, $1.range.end) }
      let isIncomplete =
        lexErrors.isEmpty && !parseErrors.isEmpty && parseErrors.allSatisfy(\.isAtEndOfInput)
      return Compilation(
        statements: statements, diagnostics: diagnostics, isIncomplete: isIncomplete)
    }
    var resolver = Resolver(registry: registry, knownGlobals: Set(globals.values.keys))
    let resolveErrors = resolver.resolve(statements)
    var checker = TypeChecker(registry: registry, globals: globals.values)
    let checked = (resolveErrors.map(Diagnostic.init) + checker.check(statements))
      .sorted { ($0.range.start, $0.range.end) < ($1.range.start, $1.range.end) }
    return Compilation(statements: statements, diagnostics: checked, isIncomplete: false)
  }

  /// Runs resolved statements at top level.
  /// - Parameter statements: statements from a `Compilation` without diagnostics.
  /// - Returns: the value of the program when it is a single expression (the REPL echoes it).
  @discardableResult
  public func execute(_ statements: [Statement]) throws(RuntimeError) -> Value? {
    callStack.removeAll()
    (stackFloor, expressionFloor) = Interpreter.stackFloorOfCurrentThread()
    stackRange = currentThreadStackRange()
    if statements.count == 1, case .expression(let expression) = statements[0].kind {
      try checkInterrupt(at: expression.range)
      return try evaluate(expression, in: globals)
    }
    _ = try execute(block: statements, in: globals)
    return nil
  }

  /// Compiles and runs a file.
  /// - Parameter file: the source.
  /// - Returns: the program's value (see `execute`), or the diagnostics that stopped it.
  public func run(_ file: SourceFile) -> Result<Value?, RunFailure> {
    let compilation = compile(file)
    if !compilation.diagnostics.isEmpty { return .failure(.compile(compilation.diagnostics)) }
    do {
      return .success(try execute(compilation.statements))
    } catch {
      return .failure(.runtime(error))
    }
  }

  // MARK: - Statements

  private enum Flow {
    case normal
    case breakLoop
    case continueLoop
    case returned(Value)
  }

  private func checkInterrupt(at range: SourceRange) throws(RuntimeError) {
    if Interrupt.isRequested || isPastDeadline {
      throw RuntimeError("interrupted", at: range, kind: .interrupted)
    }
  }

  /// When set, running stops as Ctrl-C would once this moment has passed (tests and fuzzing
  /// bound each program's time with it without touching the process-wide Ctrl-C flag).
  public var deadline: ContinuousClock.Instant?

  /// True once `deadline` has passed.
  public var isPastDeadline: Bool {
    guard let deadline else { return false }
    return ContinuousClock.now >= deadline
  }

  private func execute(block statements: [Statement], in environment: Environment)
    throws(RuntimeError) -> Flow
  {
    for statement in statements {
      let flow = try execute(statement, in: environment)
      if case .normal = flow { continue }
      return flow
    }
    return .normal
  }

  private func execute(_ statement: Statement, in environment: Environment) throws(RuntimeError)
    -> Flow
  {
    try checkInterrupt(at: statement.range)
    switch statement.kind {
    case .expression(let expression):
      _ = try evaluate(expression, in: environment)
    case .assignment(let target, let valueExpression):
      try assign(target, valueExpression, in: environment)
    case .if(let condition, let thenBranch, let elseBranch):
      return try executeIf(condition, thenBranch, elseBranch, in: environment)
    case .while(let condition, let body):
      return try executeWhile(condition, body, in: environment, at: statement.range)
    case .for(let variables, let iterable, let body):
      return try executeFor(variables, iterable, body, in: environment, at: statement.range)
    case .delete(let name, let range):
      try delete(name, in: environment, at: range)
    case .function(let declaration):
      environment.values[declaration.name] = .function(
        .user(UserFunction(declaration: declaration, closure: environment)))
    case .return(let expression):
      guard let expression else { return .returned(.none) }
      return .returned(try evaluate(expression, in: environment))
    case .break:
      return .breakLoop
    case .continue:
      return .continueLoop
    }
    return .normal
  }

  @inline(never)
  private func executeIf(
    _ condition: Expression, _ thenBranch: [Statement], _ elseBranch: [Statement]?,
    in environment: Environment
  ) throws(RuntimeError) -> Flow {
    if try evaluate(condition, in: environment).isTruthy {
      return try execute(block: thenBranch, in: environment)
    } else if let elseBranch {
      return try execute(block: elseBranch, in: environment)
    }
    return .normal
  }

  @inline(never)
  private func executeWhile(
    _ condition: Expression, _ body: [Statement], in environment: Environment,
    at range: SourceRange
  ) throws(RuntimeError) -> Flow {
    while try evaluate(condition, in: environment).isTruthy {
      try checkInterrupt(at: range)
      switch try execute(block: body, in: environment) {
      case .breakLoop: return .normal
      case .returned(let value): return .returned(value)
      case .normal, .continueLoop: continue
      }
    }
    return .normal
  }

  @inline(never)
  private func delete(_ name: String, in environment: Environment, at range: SourceRange)
    throws(RuntimeError)
  {
    guard environment.values.removeValue(forKey: name) != nil else {
      throw RuntimeError(
        "cannot delete '\(name)': it is not assigned here", at: range,
        help: registry.builtin(named: name) != nil ? "'\(name)' is a builtin" : nil)
    }
  }

  @inline(never)
  private func executeFor(
    _ variables: [LoopVariable], _ iterableExpression: Expression, _ body: [Statement],
    in environment: Environment, at range: SourceRange
  ) throws(RuntimeError) -> Flow {
    let iterable = try evaluate(iterableExpression, in: environment)
    let walk = try walk(of: iterable, at: iterableExpression.range)
    for position in 0..<walk.count {
      try checkInterrupt(at: range)
      let element = try element(position, of: walk, at: iterableExpression.range)
      try bind(variables, to: element, in: environment, at: iterableExpression.range)
      switch try execute(block: body, in: environment) {
      case .breakLoop: return .normal
      case .returned(let value): return .returned(value)
      case .normal, .continueLoop: continue
      }
    }
    return .normal
  }

  /// Binds a loop's names to one element: the element itself for one name, its items for
  /// several (`for i, x in enumerate(xs)`).
  private func bind(
    _ variables: [LoopVariable], to element: Value, in environment: Environment,
    at range: SourceRange
  ) throws(RuntimeError) {
    guard variables.count > 1 else {
      environment.values[variables[0].name] = element
      return
    }
    guard case .list(let list) = element else {
      throw RuntimeError(
        "cannot unpack a \(element.typeName) into \(variables.count) names", at: range,
        help: "each element must be a list of \(variables.count) values, as enumerate and zip give")
    }
    guard list.elements.count == variables.count else {
      throw RuntimeError(
        "cannot unpack a list of \(list.elements.count) into \(variables.count) names",
        at: range)
    }
    for (variable, value) in zip(variables, list.elements) {
      environment.values[variable.name] = value
    }
  }

  /// What `for` walks: values already there, or a host sequence whose elements are made one at
  /// a time as the loop reaches them (all of the official training set's examples at once
  /// would take gigabytes).
  private enum Walk {
    case values([Value])
    case host(any HostSequence)

    var count: Int {
      switch self {
      case .values(let values): values.count
      case .host(let host): host.count
      }
    }
  }

  private func walk(of value: Value, at range: SourceRange) throws(RuntimeError) -> Walk {
    if case .host(let host as HostSequence) = value { return .host(host) }
    return .values(try elements(of: value, at: range))
  }

  private func element(_ position: Int, of walk: Walk, at range: SourceRange)
    throws(RuntimeError) -> Value
  {
    switch walk {
    case .values(let values): return values[position]
    case .host(let host): return try hostCall(at: range) { try host.element(at: position) }
    }
  }

  func elements(of value: Value, at range: SourceRange) throws(RuntimeError) -> [Value] {
    switch value {
    case .list(let list): return list.elements
    case .string(let text): return text.map { .string(String($0)) }
    case .record(let record): return record.keys.map { .string($0) }
    case .host(let host as HostSequence):
      try Limits.checkMemory(
        bytes: host.count &* host.valuesPerElement &* MemoryLayout<Value>.stride,
        "the \(grouped(host.count)) elements of this \(host.hostType.name)", at: range)
      var elements: [Value] = []
      for position in 0..<host.count {
        elements.append(try hostCall(at: range) { try host.element(at: position) })
      }
      return elements
    case .number:
      throw RuntimeError(
        "cannot iterate over a number", at: range,
        help: "use range(n) to count: for i in range(n) { … }")
    default:
      throw RuntimeError(
        "cannot iterate over a \(value.typeName)", at: range,
        help: "for loops go over lists, strings and records")
    }
  }

  private func assign(
    _ target: AssignmentTarget, _ valueExpression: Expression, in environment: Environment
  )
    throws(RuntimeError)
  {
    switch target {
    case .variable(let name, _):
      do {
        environment.values[name] = try evaluate(valueExpression, in: environment)
      } catch {
        // NOTE: only the call written right here binds its partial result (`h = t.fit(…)`),
        // not a call nested in it, whose partial result is not what the name was meant to hold.
        if error.kind == .interrupted, let partial = error.partialValue,
          error.range == valueExpression.range
        {
          environment.values[name] = partial
        }
        throw error
      }
    case .attribute(let objectExpression, let name, let nameRange):
      let object = try evaluate(objectExpression, in: environment)
      let value = try evaluate(valueExpression, in: environment)
      guard case .record(let record) = object else {
        throw RuntimeError(
          "cannot set attribute '\(name)' of a \(object.typeName)", at: nameRange,
          help: object.isHost
            ? "host objects are changed through their methods"
            : "only records have assignable fields")
      }
      record[name] = value
    case .index(let objectExpression, let indexExpression):
      let object = try evaluate(objectExpression, in: environment)
      let index = try evaluate(indexExpression, in: environment)
      let value = try evaluate(valueExpression, in: environment)
      switch object {
      case .list(let list):
        let position = try listIndex(index, count: list.elements.count, at: indexExpression.range)
        list.elements[position] = value
      case .record(let record):
        guard case .string(let key) = index else {
          throw RuntimeError(
            "record keys are strings, got \(index.typeName)", at: indexExpression.range)
        }
        record[key] = value
      default:
        throw RuntimeError(
          "cannot assign to an element of a \(object.typeName)", at: objectExpression.range)
      }
    }
  }

  // MARK: - Expressions

  // NOTE: each case of `evaluate` and `execute` calls its own small function. In debug builds a
  // function's frame holds the locals of every case, and these two recurse once per kms call
  // level, so keeping them small is what lets deep kms recursion fit on the native stack.

  private func evaluate(_ expression: Expression, in environment: Environment) throws(RuntimeError)
    -> Value
  {
    // The parser limits nesting, but a thread with a small stack (a test's, a callback's) could
    // still run out: check the native stack as calls do.
    let stackAddress = currentStackAddress(within: stackRange)
    if stackAddress <= expressionFloor {
      throw RuntimeError(
        "expression nested too deeply to evaluate on this thread", at: expression.range,
        help: "split it with intermediate variables")
    }
    switch expression.kind {
    case .number(let number): return .number(number)
    case .string(let text): return .string(text)
    case .boolean(let value): return .boolean(value)
    case .none: return .none
    case .variable(let name): return try variable(name, in: environment, at: expression.range)
    case .interpolation(let parts): return try interpolate(parts, in: environment)
    case .list(let elements): return try list(elements, in: environment)
    case .record(let entries): return try record(entries, in: environment)
    case .unary(let op, let operand):
      return try unary(op, operand, in: environment, at: expression.range)
    case .binary(let op, let left, let right):
      return try binary(op, left, right, in: environment, at: expression.range)
    case .logical(let op, let left, let right): return try logical(op, left, right, in: environment)
    case .call(let callee, let arguments):
      return try evaluateCall(callee, arguments, in: environment, at: expression.range)
    case .attribute(let object, let name, let nameRange):
      return try attribute(name, of: try evaluate(object, in: environment), at: nameRange)
    case .index(let object, let position): return try index(object, position, in: environment)
    case .slice(let object, let start, let stop, let step):
      return try slice(object, start, stop, step, in: environment, at: expression.range)
    case .comprehension(let element, let variables, let iterable, let condition):
      return try comprehension(
        element, variables, iterable, condition, in: environment, at: expression.range)
    case .function(let declaration):
      return .function(.user(UserFunction(declaration: declaration, closure: environment)))
    }
  }

  private func variable(_ name: String, in environment: Environment, at range: SourceRange)
    throws(RuntimeError) -> Value
  {
    if let value = environment.lookup(name) { return value }
    if let builtin = registry.builtin(named: name) { return .function(.builtin(builtin)) }
    throw RuntimeError(
      "'\(name)' is used before it is assigned", at: range,
      help: "assign it first, e.g. \(name) = …")
  }

  @inline(never)
  private func interpolate(_ parts: [Expression], in environment: Environment) throws(RuntimeError)
    -> Value
  {
    var text = ""
    for part in parts {
      let piece = try evaluate(part, in: environment)
      guard let pieceText = piece.text(limit: Limits.maximumStringBytes - text.utf8.count) else {
        try Limits.checkString(
          bytes: Limits.maximumStringBytes + 1, "this interpolation", at: part.range)
        break
      }
      text += pieceText
    }
    return .string(text)
  }

  @inline(never)
  private func list(_ expressions: [Expression], in environment: Environment) throws(RuntimeError)
    -> Value
  {
    var elements: [Value] = []
    elements.reserveCapacity(expressions.count)
    for element in expressions { elements.append(try evaluate(element, in: environment)) }
    return .list(List(elements))
  }

  @inline(never)
  private func record(_ entries: [RecordEntry], in environment: Environment) throws(RuntimeError)
    -> Value
  {
    let record = Record()
    for entry in entries { record[entry.key] = try evaluate(entry.value, in: environment) }
    return .record(record)
  }

  @inline(never)
  private func unary(
    _ op: UnaryOperator, _ operandExpression: Expression, in environment: Environment,
    at range: SourceRange
  ) throws(RuntimeError) -> Value {
    let operand = try evaluate(operandExpression, in: environment)
    switch op {
    case .not: return .boolean(!operand.isTruthy)
    case .negate:
      guard case .number(let number) = operand else {
        throw RuntimeError("cannot negate a \(operand.typeName)", at: range)
      }
      return .number(-number)
    }
  }

  @inline(never)
  private func binary(
    _ op: BinaryOperator, _ leftExpression: Expression, _ rightExpression: Expression,
    in environment: Environment, at range: SourceRange
  ) throws(RuntimeError) -> Value {
    let left = try evaluate(leftExpression, in: environment)
    let right = try evaluate(rightExpression, in: environment)
    return try binary(op, left, right, at: range)
  }

  @inline(never)
  private func logical(
    _ op: LogicalOperator, _ leftExpression: Expression, _ rightExpression: Expression,
    in environment: Environment
  ) throws(RuntimeError) -> Value {
    let left = try evaluate(leftExpression, in: environment)
    switch op {
    case .and: return left.isTruthy ? try evaluate(rightExpression, in: environment) : left
    case .or: return left.isTruthy ? left : try evaluate(rightExpression, in: environment)
    }
  }

  @inline(never)
  private func evaluateCall(
    _ calleeExpression: Expression, _ argumentExpressions: [CallArgument],
    in environment: Environment, at range: SourceRange
  ) throws(RuntimeError) -> Value {
    let callee = try evaluate(calleeExpression, in: environment)
    var positional: [Value] = []
    var keywords: [(label: String, value: Value, range: SourceRange)] = []
    for argument in argumentExpressions {
      let value = try evaluate(argument.value, in: environment)
      if let label = argument.label {
        keywords.append((label, value, argument.labelRange ?? argument.value.range))
      } else {
        positional.append(value)
      }
    }
    return try call(
      callee, positional: positional, keywords: keywords, at: range,
      calleeExpression: calleeExpression)
  }

  @inline(never)
  private func index(
    _ objectExpression: Expression, _ indexExpression: Expression, in environment: Environment
  )
    throws(RuntimeError) -> Value
  {
    let object = try evaluate(objectExpression, in: environment)
    let index = try evaluate(indexExpression, in: environment)
    return try element(of: object, at: index, range: indexExpression.range)
  }

  @inline(never)
  private func slice(
    _ objectExpression: Expression, _ startExpression: Expression?,
    _ stopExpression: Expression?, _ stepExpression: Expression?, in environment: Environment,
    at range: SourceRange
  ) throws(RuntimeError) -> Value {
    let object = try evaluate(objectExpression, in: environment)
    var bounds: [Value] = []
    for part in [startExpression, stopExpression, stepExpression] {
      bounds.append(try part.map { (part) throws(RuntimeError) in
        try evaluate(part, in: environment) } ?? .none)
    }
    return try slice(object, start: bounds[0], stop: bounds[1], step: bounds[2],
      at: range)
  }

  /// `object[start:stop:step]` with Python's rules: missing bounds mean the whole length,
  /// negative ones count from the end, bounds past either end are clamped, a negative step
  /// walks backwards.
  func slice(
    _ object: Value, start: Value, stop: Value, step: Value, at range: SourceRange
  ) throws(RuntimeError) -> Value {
    let count: Int
    switch object {
    case .list(let list): count = list.elements.count
    case .string(let text): count = text.count
    default:
      guard case .host(let host as HostSequence) = object else {
        throw RuntimeError(
          "cannot slice a \(object.typeName)", at: range,
          help: "lists, strings and datasets can be sliced: xs[1:3]")
      }
      count = host.count
    }
    func whole(_ value: Value, _ name: String) throws(RuntimeError) -> Int? {
      switch value {
      case .none: return nil
      case .number(let number) where number == number.rounded() && abs(number) < 9e15:
        return Int(number)
      default:
        throw RuntimeError(
          "slice \(name) must be a whole number or left out, got \(value.repr)", at: range)
      }
    }
    let step = try whole(step, "step") ?? 1
    guard step != 0 else { throw RuntimeError("slice step cannot be 0", at: range) }
    func clamp(_ bound: Int?, _ fallback: Int) -> Int {
      guard var bound else { return fallback }
      if bound < 0 { bound += count }
      return step > 0 ? min(max(bound, 0), count) : min(max(bound, -1), count - 1)
    }
    let first = clamp(try whole(start, "start"), step > 0 ? 0 : count - 1)
    let end = clamp(try whole(stop, "stop"), step > 0 ? count : -1)
    let positions = Array(stride(from: first, to: end, by: step))
    switch object {
    case .list(let list): return .list(List(positions.map { list.elements[$0] }))
    case .string(let text):
      if step == 1 {
        let characters = Array(text)
        return .string(String(characters[first..<max(first, end)]))
      }
      let characters = Array(text)
      return .string(String(positions.map { characters[$0] }))
    case .host(let host as HostSequence):
      return try hostCall(at: range) { try host.elements(at: positions) }
    default: return .none
    }
  }

  @inline(never)
  private func comprehension(
    _ elementExpression: Expression, _ variables: [LoopVariable], _ iterableExpression: Expression,
    _ condition: Expression?, in environment: Environment, at range: SourceRange
  ) throws(RuntimeError) -> Value {
    let iterable = try evaluate(iterableExpression, in: environment)
    var results: [Value] = []
    let walk = try walk(of: iterable, at: iterableExpression.range)
    for position in 0..<walk.count {
      try checkInterrupt(at: range)
      // Its own scope, so the loop names do not leak (Python 3's rule) and each element's
      // closures see their own values.
      let scope = Environment(parent: environment)
      let element = try element(position, of: walk, at: iterableExpression.range)
      try bind(variables, to: element, in: scope, at: iterableExpression.range)
      if let condition, !(try evaluate(condition, in: scope).isTruthy) { continue }
      results.append(try evaluate(elementExpression, in: scope))
    }
    return .list(List(results))
  }

  private func binary(_ op: BinaryOperator, _ left: Value, _ right: Value, at range: SourceRange)
    throws(RuntimeError) -> Value
  {
    switch (op, left, right) {
    case (.in, _, _): return .boolean(try contains(right, left, at: range))
    case (.notIn, _, _): return .boolean(!(try contains(right, left, at: range)))
    case (.power, .number(let a), .number(let b)):
      let result = Foundation.pow(a, b)
      if a < 0, b != b.rounded() {
        throw RuntimeError(
          "cannot raise a negative number to a fractional power", at: range,
          help: "\(Value.format(a)) ** \(Value.format(b)) has no real value")
      }
      if a == 0, b < 0 { throw RuntimeError("zero raised to a negative power", at: range) }
      return .number(result)
    case (.floorDivide, .number(let a), .number(let b)):
      if b == 0 { throw RuntimeError("division by zero", at: range) }
      return .number((a / b).rounded(.down))
    case (.equal, _, _): return .boolean(left.isEqual(to: right))
    case (.notEqual, _, _): return .boolean(!left.isEqual(to: right))
    case (.add, .number(let a), .number(let b)): return .number(a + b)
    case (.subtract, .number(let a), .number(let b)): return .number(a - b)
    case (.multiply, .number(let a), .number(let b)): return .number(a * b)
    case (.divide, .number(let a), .number(let b)):
      if b == 0 { throw RuntimeError("division by zero", at: range) }
      return .number(a / b)
    case (.remainder, .number(let a), .number(let b)):
      if b == 0 { throw RuntimeError("remainder by zero", at: range) }
      // Floored, so the result has the divisor's sign (as in Lua and Python): -1 % 3 == 2.
      return .number(a - (a / b).rounded(.down) * b)
    case (.add, .string(let a), .string(let b)):
      try Limits.checkString(bytes: a.utf8.count + b.utf8.count, "joining two strings", at: range)
      return .string(a + b)
    case (.add, .list(let a), .list(let b)):
      try Limits.checkList(
        count: a.elements.count + b.elements.count, "joining two lists", at: range)
      return .list(List(a.elements + b.elements))
    case (.multiply, .string(let text), .number(let count)),
      (.multiply, .number(let count), .string(let text)):
      guard count >= 0, count == count.rounded() else {
        throw RuntimeError(
          "a string can only be repeated a whole number of times, got \(Value.format(count))",
          at: range)
      }
      // The product is taken in Double: 1e300 copies of "ab" must not overflow Int first.
      let bytes = Double(text.utf8.count) * count
      try Limits.checkString(
        bytes: bytes > Double(Int.max / 2) ? Int.max / 2 : Int(bytes),
        "repeating a string \(Value.format(count)) times", at: range)
      return .string(String(repeating: text, count: text.isEmpty ? 0 : Int(count)))
    case (.less, .number(let a), .number(let b)): return .boolean(a < b)
    case (.lessEqual, .number(let a), .number(let b)): return .boolean(a <= b)
    case (.greater, .number(let a), .number(let b)): return .boolean(a > b)
    case (.greaterEqual, .number(let a), .number(let b)): return .boolean(a >= b)
    case (.less, .string(let a), .string(let b)): return .boolean(a < b)
    case (.lessEqual, .string(let a), .string(let b)): return .boolean(a <= b)
    case (.greater, .string(let a), .string(let b)): return .boolean(a > b)
    case (.greaterEqual, .string(let a), .string(let b)): return .boolean(a >= b)
    case (.less, _, _), (.lessEqual, _, _), (.greater, _, _), (.greaterEqual, _, _):
      throw RuntimeError(
        "cannot compare \(left.typeName) with \(right.typeName) using '\(op.rawValue)'", at: range,
        help: "'<', '<=', '>' and '>=' compare two numbers or two strings")
    default:
      let verb = BinaryOperator.verbs[op]!
      var help: String?
      if op == .add, case .string = left { help = "convert with str() first: \"text\" + str(x)" }
      if op == .add, case .string = right { help = "convert with str() first: str(x) + \"text\"" }
      throw RuntimeError(
        "cannot \(verb) \(left.typeName) and \(right.typeName)", at: range, help: help)
    }
  }

  /// `needle in haystack`: an element of a list (by `==`), a substring of a string, a key of
  /// a record.
  private func contains(_ haystack: Value, _ needle: Value, at range: SourceRange)
    throws(RuntimeError) -> Bool
  {
    switch (haystack, needle) {
    case (.list(let list), _): return list.elements.contains { $0.isEqual(to: needle) }
    case (.string(let text), .string(let part)): return part.isEmpty || text.contains(part)
    case (.record(let record), .string(let key)): return record[key] != nil
    case (.string, _), (.record, _):
      throw RuntimeError(
        "'in' on a \(haystack.typeName) needs a string on the left, got \(needle.typeName)",
        at: range,
        help: haystack.typeName == "string"
          ? "test a substring: \"ab\" in \"cab\"" : "test a key: \"lr\" in config")
    default:
      throw RuntimeError(
        "cannot test membership in a \(haystack.typeName)", at: range,
        help: "'in' looks in lists, strings and records")
    }
  }

  private func listIndex(
    _ index: Value, count: Int, of kind: String = "list", at range: SourceRange
  ) throws(RuntimeError) -> Int {
    guard case .number(let number) = index, number == number.rounded() else {
      throw RuntimeError("\(kind) index must be a whole number, got \(index.repr)", at: range)
    }
    let help =
      count == 0
      ? "the \(kind) is empty"
      : "valid indices are 0 to \(count - 1), or -\(count) to -1 from the end"
    // A whole number too large for Int (1e300) is simply out of range.
    guard abs(number) < 9e15 else {
      throw RuntimeError(
        "index \(Value.format(number)) out of range for a \(kind) of length \(count)", at: range,
        help: help)
    }
    // Negative indices count from the end: xs[-1] is the last element.
    let position = number < 0 ? count + Int(number) : Int(number)
    guard position >= 0, position < count else {
      throw RuntimeError(
        "index \(Value.format(number)) out of range for a \(kind) of length \(count)", at: range,
        help: help)
    }
    return position
  }

  private func element(of object: Value, at index: Value, range: SourceRange) throws(RuntimeError)
    -> Value
  {
    switch object {
    case .list(let list):
      return list.elements[try listIndex(index, count: list.elements.count, at: range)]
    case .string(let text):
      let characters = Array(text)
      return .string(
        String(characters[try listIndex(index, count: characters.count, of: "string", at: range)]))
    case .record(let record):
      guard case .string(let key) = index else {
        throw RuntimeError("record keys are strings, got \(index.typeName)", at: range)
      }
      guard let value = record[key] else {
        throw RuntimeError(
          "record has no key \(Value.quoted(key))", at: range,
          help: suggestion(for: key, among: record.keys).map { "did you mean \(Value.quoted($0))?" }
        )
      }
      return value
    case .host(let host as HostSequence):
      let position = try listIndex(index, count: host.count, of: host.hostType.name, at: range)
      return try hostCall(at: range) { try host.element(at: position) }
    default:
      throw RuntimeError(
        "cannot index a \(object.typeName)", at: range,
        help: "lists, strings and records can be indexed")
    }
  }

  private func attribute(_ name: String, of object: Value, at range: SourceRange)
    throws(RuntimeError) -> Value
  {
    switch object {
    case .record(let record):
      guard let value = record[name] else {
        throw RuntimeError(
          "record has no field '\(name)'", at: range,
          help: suggestion(for: name, among: record.keys).map { "did you mean '\($0)'?" })
      }
      return value
    case .host(let host):
      let type = host.hostType
      if let attribute = type.attribute(named: name) {
        do {
          return try attribute.get(host)
        } catch let error as RuntimeError {
          throw error
        } catch {
          throw RuntimeError(describe(error), at: range)
        }
      }
      if let method = type.method(named: name) { return .function(.method(method, receiver: host)) }
      throw RuntimeError(
        "\(type.name) has no attribute '\(name)'", at: range,
        help: suggestion(for: name, among: type.memberNames).map { "did you mean '\($0)'?" }
          ?? (type.memberNames.isEmpty
            ? nil : "\(type.name) has: " + type.memberNames.joined(separator: ", ")))
    case .string(let text):
      let type = StringReceiver.hostType
      if let method = type.method(named: name) {
        return .function(.method(method, receiver: StringReceiver(text)))
      }
      throw RuntimeError(
        "a string has no attribute '\(name)'", at: range,
        help: suggestion(for: name, among: type.memberNames).map { "did you mean '\($0)'?" }
          ?? "strings have: " + type.memberNames.joined(separator: ", "))
    default:
      var help: String?
      if case .list = object, name == "length" || name == "count" || name == "len" {
        help = "use len(xs)"
      }
      if case .list = object, name == "push" || name == "append" { help = "use push(xs, value)" }
      throw RuntimeError("a \(object.typeName) has no attribute '\(name)'", at: range, help: help)
    }
  }

  // MARK: - Calls

  /// Calls a function value with already evaluated arguments (builtins use this for callbacks).
  /// - Parameters:
  ///   - callee: the function value.
  ///   - arguments: positional arguments.
  ///   - range: the call's range, for errors.
  public func call(_ callee: Value, arguments: [Value], at range: SourceRange) throws(RuntimeError)
    -> Value
  {
    try call(callee, positional: arguments, keywords: [], at: range, calleeExpression: nil)
  }

  /// Calls a function value with positional and keyword arguments (`sweep` calls trials so).
  /// - Parameters:
  ///   - callee: the function value.
  ///   - arguments: positional arguments.
  ///   - keywords: keyword arguments, in order.
  ///   - range: the call's range, for errors.
  public func call(
    _ callee: Value, arguments: [Value], keywords: [(label: String, value: Value)],
    at range: SourceRange
  ) throws(RuntimeError) -> Value {
    try call(
      callee, positional: arguments, keywords: keywords.map { ($0.label, $0.value, range) },
      at: range, calleeExpression: nil)
  }

  private func call(
    _ callee: Value, positional: [Value],
    keywords: [(label: String, value: Value, range: SourceRange)],
    at range: SourceRange, calleeExpression: Expression?
  ) throws(RuntimeError) -> Value {
    guard case .function(let callable) = callee else {
      var what = "a \(callee.typeName)"
      if let calleeExpression, case .variable(let name) = calleeExpression.kind {
        what = "'\(name)' (a \(callee.typeName))"
      }
      throw RuntimeError("cannot call \(what)", at: range, help: "only functions can be called")
    }
    switch callable {
    case .builtin(let builtin):
      return try callBuiltin(
        builtin, receiver: nil, positional: positional, keywords: keywords, at: range)
    case .method(let builtin, let receiver):
      return try callBuiltin(
        builtin, receiver: receiver, positional: positional, keywords: keywords, at: range)
    case .user(let function):
      return try callUser(function, positional: positional, keywords: keywords, at: range)
    }
  }

  private func bindingFailure(
    _ problem: BindingError, callee: String, signature: String,
    keywords: [(label: String, value: Value, range: SourceRange)], positionalCount: Int,
    at range: SourceRange
  ) -> RuntimeError {
    let (message, help) = problem.message(callee: callee, signature: signature)
    var errorRange = range
    switch problem {
    case .unknownKeyword(_, let index, _), .givenTwice(_, let index):
      errorRange = keywords[index - positionalCount].range
    default: break
    }
    return RuntimeError(message, at: errorRange, help: help)
  }

  private func callBuiltin(
    _ builtin: Builtin, receiver: (any HostObject)?, positional: [Value],
    keywords: [(label: String, value: Value, range: SourceRange)], at range: SourceRange
  ) throws(RuntimeError) -> Value {
    let labels = keywords.enumerated().map {
      (label: $1.label, argumentIndex: positional.count + $0)
    }
    let binding: (slotArgument: [Int?], variadic: [Int], rest: [Int])
    switch bindArguments(builtin.slots, positionalCount: positional.count, labels: labels) {
    case .success(let result): binding = result
    case .failure(let problem):
      throw bindingFailure(
        problem, callee: builtin.name, signature: builtin.signature, keywords: keywords,
        positionalCount: positional.count, at: range)
    }
    func argument(_ index: Int) -> Value {
      index < positional.count ? positional[index] : keywords[index - positional.count].value
    }
    var values: [Value] = []
    var given: [Bool] = []
    for (slot, parameter) in builtin.parameters.enumerated() {
      if parameter.isVariadic {
        let collected = binding.variadic.map(argument)
        for value in collected where !parameter.type.accepts(value) {
          throw RuntimeError(
            badArgumentMessage(parameter: parameter, callee: builtin.name, value: value),
            at: range)
        }
        values.append(.list(List(collected)))
        given.append(!collected.isEmpty)
      } else if parameter.isKeywordRest {
        let collected = Record()
        for index in binding.rest {
          let keyword = keywords[index - positional.count]
          guard parameter.type.accepts(keyword.value) else {
            var named = parameter
            named.name = keyword.label
            throw RuntimeError(
              badArgumentMessage(parameter: named, callee: builtin.name, value: keyword.value),
              at: keyword.range)
          }
          collected[keyword.label] = keyword.value
        }
        values.append(.record(collected))
        given.append(!binding.rest.isEmpty)
      } else if let index = binding.slotArgument[slot] {
        let value = argument(index)
        guard parameter.type.accepts(value) else {
          throw RuntimeError(
            badArgumentMessage(parameter: parameter, callee: builtin.name, value: value),
            at: range)
        }
        values.append(value)
        given.append(true)
      } else {
        values.append(parameter.defaultValue ?? .none)
        given.append(false)
      }
    }
    let arguments = Arguments(
      callee: builtin, range: range, receiver: receiver, interpreter: self, values: values,
      given: given)
    do {
      return try builtin.implementation(arguments)
    } catch let error as RuntimeError {
      throw error
    } catch let error as any KMSError {
      throw RuntimeError(error.headline, at: range, help: error.hint)
    } catch {
      throw RuntimeError(describe(error), at: range)
    }
  }

  private func callUser(
    _ function: UserFunction, positional: [Value],
    keywords: [(label: String, value: Value, range: SourceRange)],
    at range: SourceRange
  ) throws(RuntimeError) -> Value {
    let declaration = function.declaration
    try checkInterrupt(at: range)
    let stackAddress = currentStackAddress(within: stackRange)
    guard callStack.count < maximumCallDepth, stackAddress > stackFloor else {
      throw RuntimeError(
        "too many nested calls", at: range,
        help: "a recursive function probably never reaches its base case")
    }
    let labels = keywords.enumerated().map {
      (label: $1.label, argumentIndex: positional.count + $0)
    }
    let binding: [Int?]
    switch bindArguments(declaration.slots, positionalCount: positional.count, labels: labels) {
    case .success(let result): binding = result.slotArgument
    case .failure(let problem):
      throw bindingFailure(
        problem, callee: declaration.name, signature: declaration.signature, keywords: keywords,
        positionalCount: positional.count, at: range)
    }
    let environment = Environment(parent: function.closure)
    callStack.append((declaration.name, range))
    defer { callStack.removeLast() }
    do {
      for (slot, parameter) in declaration.parameters.enumerated() {
        if let index = binding[slot] {
          environment.values[parameter.name] =
            index < positional.count ? positional[index] : keywords[index - positional.count].value
        } else if let defaultValue = parameter.defaultValue {
          environment.values[parameter.name] = try evaluate(defaultValue, in: environment)
        }
      }
      if case .returned(let value) = try execute(block: declaration.body, in: environment) {
        return value
      }
      return .none
    } catch var error {
      if error.traceback.isEmpty, !isExit(error) {
        error.traceback = traceback(innermost: error.range)
      }
      throw error
    }
  }

  /// The addresses below which the current thread's stack is too close to its end for another
  /// kms call (its lowest address plus 1/16 of its size, at least 512 KiB, room for the deepest
  /// call's own frames and the library code it may run) and for another nested expression (half
  /// that margin); zeros when unknown.
  private static func stackFloorOfCurrentThread() -> (calls: UInt, expressions: UInt) {
    guard let (lowest, size) = nativeStackOfCurrentThread() else { return (0, 0) }
    let margin = max(size / 16, 512 * 1024)
    return (lowest + margin, lowest + margin / 2)
  }

  private func isExit(_ error: RuntimeError) -> Bool {
    if case .exit = error.kind { return true }
    return false
  }

  /// The call stack at this moment, innermost first, starting at `range`.
  private func traceback(innermost range: SourceRange) -> [TracebackEntry] {
    var entries: [TracebackEntry] = []
    var location = range
    for frame in callStack.reversed() {
      entries.append(TracebackEntry(function: frame.name, range: location))
      location = frame.callSite
    }
    entries.append(TracebackEntry(function: "<script>", range: location))
    return entries
  }

  /// A message for a Swift error thrown by library code inside a builtin.
  private func describe(_ error: any Error) -> String {
    String(describing: error)
  }
}

/// Why running a file failed.
public enum RunFailure: Error {
  /// Lexical, syntax or resolution errors: nothing ran.
  case compile([Diagnostic])
  /// An error (or interruption, or `exit`) while running.
  case runtime(RuntimeError)
}

extension Value {
  var isHost: Bool {
    if case .host = self { return true }
    return false
  }
}

extension Interpreter {
  /// Runs library code for a host object, turning its Swift errors into runtime errors at
  /// `range`.
  func hostCall<T>(at range: SourceRange, _ body: () throws -> T) throws(RuntimeError) -> T {
    do {
      return try body()
    } catch let error as RuntimeError {
      throw error
    } catch let error as any KMSError {
      throw RuntimeError(error.headline, at: range, help: error.hint)
    } catch {
      throw RuntimeError(String(describing: error), at: range)
    }
  }
}
