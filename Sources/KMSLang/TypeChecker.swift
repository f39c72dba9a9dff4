/// The type checker: after the resolver, infers the types of expressions from literals, the
/// builtins' declared return types (`Builtin.returns`) and the host types' declared attribute
/// and method types (`HostAttribute.type`), carries them forward through assignments, and
/// reports, before anything runs, the mistakes that would otherwise end a long script late:
///
///     h = t.fit(30)           # h: history (trainer.fit returns one)
///     print(h.val_los)        # history has no attribute 'val_los' / did you mean 'val_loss'?
///     print("final " + h.loss[-1])   # cannot add string and number
///
/// It is conservative by construction: a type it cannot be sure of is `unknown`, and nothing
/// of unknown type is checked. Branches and loops join the types they leave behind (a name
/// that may hold two types becomes unknown), function parameters and results are unknown, and
/// a function body sees the program's other names as unknown (they may change before it runs).
/// So every error it reports is one the interpreter would raise if that line ran.
public struct TypeChecker {
  /// What the checker knows about a value.
  indirect enum StaticType: Equatable {
    /// Anything: never checked.
    case unknown
    case number, string, boolean, record
    /// A list whose elements have this type (`unknown` when mixed or not known).
    case list(StaticType)
    /// A function; the builtin (or host method) when it is known which.
    case function(Builtin?)
    /// An object of the host type with this name.
    case host(String)

    static func == (a: StaticType, b: StaticType) -> Bool {
      switch (a, b) {
      case (.unknown, .unknown), (.number, .number), (.string, .string), (.boolean, .boolean),
        (.record, .record):
        return true
      case (.list(let x), .list(let y)): return x == y
      case (.function(let x), .function(let y)): return x === y
      case (.host(let x), .host(let y)): return x == y
      default: return false
      }
    }

    /// The type a value of `type` has, as far as the declaration says.
    init(declared type: ValueType) {
      switch type {
      case .number, .integer: self = .number
      case .string: self = .string
      case .boolean: self = .boolean
      case .list: self = .list(.unknown)
      case .listOf(let element): self = .list(StaticType(declared: element))
      case .record: self = .record
      case .function: self = .function(nil)
      case .host(let name): self = .host(name)
      case .any, .oneOf, .optional: self = .unknown
      }
    }

    /// The type of a value that exists (a REPL variable from an earlier entry).
    init(of value: Value) {
      switch value {
      case .number: self = .number
      case .string: self = .string
      case .boolean: self = .boolean
      // NOTE: `none` is what scripts test against (`if best == none or loss < best`), and the
      // checker does not narrow types by conditions, so a none is unknown, never checked.
      case .none: self = .unknown
      case .list: self = .list(.unknown)
      case .record: self = .record
      case .function(.builtin(let builtin)), .function(.method(let builtin, _)):
        self = .function(builtin)
      case .function(.user): self = .function(nil)
      case .host(let object): self = .host(object.hostType.name)
      }
    }

    /// The least type covering both (what a name holds after two branches).
    func joined(with other: StaticType) -> StaticType {
      if self == other { return self }
      switch (self, other) {
      case (.list(let x), .list(let y)): return .list(x.joined(with: y))
      case (.function, .function): return .function(nil)
      default: return .unknown
      }
    }

    /// The name messages use, as `Value.typeName` does at run time; nil when unknown.
    var name: String? {
      switch self {
      case .unknown: nil
      case .number: "number"
      case .string: "string"
      case .boolean: "boolean"
      case .list: "list"
      case .record: "record"
      case .function: "function"
      case .host(let name): name
      }
    }

    /// False only when a value of this type is certainly not accepted by `type`.
    func mayBeAccepted(by type: ValueType) -> Bool {
      switch (type, self) {
      case (_, .unknown), (.any, _): true
      case (.number, .number), (.integer, .number), (.string, .string), (.boolean, .boolean),
        (.list, .list), (.record, .record), (.function, .function):
        true
      case (.listOf(let element), .list(let elements)): elements.mayBeAccepted(by: element)
      case (.host(let name), .host(let other)): name == other
      case (.oneOf(let types), _): types.contains { mayBeAccepted(by: $0) }
      case (.optional(let wrapped), _): mayBeAccepted(by: wrapped)
      default: false
      }
    }
  }

  /// The types of the names assigned so far on the path being checked.
  typealias Scope = [String: StaticType]

  private let registry: BuiltinRegistry
  private let knownGlobals: Scope
  /// Every name the program or the session assigns anywhere: where one is not in the current
  /// scope it is unknown rather than the builtin of that name.
  private var assignedAnywhere: Set<String> = []
  private var scope: Scope = [:]
  private var isInFunction = false
  private var silentDepth = 0
  private var diagnostics: [Diagnostic] = []

  /// Creates a checker.
  /// - Parameters:
  ///   - registry: the builtins and host types, with their declared types.
  ///   - globals: the variables that already exist (earlier REPL entries), typed by value.
  public init(registry: BuiltinRegistry, globals: [String: Value]) {
    self.registry = registry
    self.knownGlobals = globals.mapValues(StaticType.init(of:))
  }

  /// Checks a resolved program.
  /// - Parameter statements: the top-level statements.
  /// - Returns: every type error found, in source order, as resolution-phase diagnostics.
  public mutating func check(_ statements: [Statement]) -> [Diagnostic] {
    assignedAnywhere = Set(knownGlobals.keys)
    collectAssignedNames(statements)
    scope = knownGlobals
    check(block: statements)
    var seen: Set<String> = []
    return diagnostics.filter { seen.insert($0.shortDescription).inserted }
      .sorted { ($0.range.start, $0.range.end) < ($1.range.start, $1.range.end) }
  }

  private mutating func report(_ message: String, at range: SourceRange, help: String? = nil) {
    guard silentDepth == 0 else { return }
    diagnostics.append(Diagnostic(phase: .resolution, message: message, range: range, help: help))
  }

  // MARK: - Names assigned anywhere

  private mutating func collectAssignedNames(_ statements: [Statement]) {
    for statement in statements {
      switch statement.kind {
      case .assignment(.variable(let name, _), let value):
        assignedAnywhere.insert(name)
        collectAssignedNames(in: value)
      case .assignment(_, let value), .expression(let value):
        collectAssignedNames(in: value)
      case .function(let declaration): collectAssignedNames(declaration)
      case .for(let variables, _, let body):
        assignedAnywhere.formUnion(variables.map(\.name))
        collectAssignedNames(body)
      case .while(_, let body): collectAssignedNames(body)
      case .if(_, let thenBranch, let elseBranch):
        collectAssignedNames(thenBranch)
        collectAssignedNames(elseBranch ?? [])
      case .return(let value): if let value { collectAssignedNames(in: value) }
      case .break, .continue, .delete: break
      }
    }
  }

  private mutating func collectAssignedNames(_ declaration: FunctionDeclaration) {
    assignedAnywhere.insert(declaration.name)
    assignedAnywhere.formUnion(declaration.parameters.map(\.name))
    collectAssignedNames(declaration.body)
  }

  /// Function literals inside expressions (`fn (x) { … }` passed as an argument).
  private mutating func collectAssignedNames(in expression: Expression) {
    switch expression.kind {
    case .function(let declaration): collectAssignedNames(declaration)
    case .call(let callee, let arguments):
      collectAssignedNames(in: callee)
      for argument in arguments { collectAssignedNames(in: argument.value) }
    case .list(let elements), .interpolation(let elements):
      for element in elements { collectAssignedNames(in: element) }
    case .record(let entries):
      for entry in entries { collectAssignedNames(in: entry.value) }
    case .unary(_, let operand), .attribute(let operand, _, _):
      collectAssignedNames(in: operand)
    case .binary(_, let left, let right), .logical(_, let left, let right),
      .index(let left, let right):
      collectAssignedNames(in: left)
      collectAssignedNames(in: right)
    case .slice(let object, let start, let stop, let step):
      for part in [object, start, stop, step] {
        if let part { collectAssignedNames(in: part) }
      }
    case .comprehension(let element, let variables, let iterable, let condition):
      assignedAnywhere.formUnion(variables.map(\.name))
      for part in [element, iterable, condition] {
        if let part { collectAssignedNames(in: part) }
      }
    case .number, .string, .boolean, .none, .variable: break
    }
  }

  // MARK: - Statements

  private static func join(_ a: Scope, _ b: Scope) -> Scope {
    var result: Scope = [:]
    for (name, type) in a {
      result[name] = b[name].map { type.joined(with: $0) } ?? .unknown
    }
    for name in b.keys where a[name] == nil { result[name] = .unknown }
    return result
  }

  private mutating func check(block statements: [Statement]) {
    for statement in statements { check(statement) }
  }

  private mutating func check(_ statement: Statement) {
    switch statement.kind {
    case .expression(let expression):
      _ = infer(expression)
    case .assignment(let target, let value):
      let type = infer(value)
      switch target {
      case .variable(let name, _): scope[name] = type
      case .attribute(let object, _, _): _ = infer(object)
      case .index(let object, let index):
        _ = infer(object)
        _ = infer(index)
      }
    case .if(let condition, let thenBranch, let elseBranch):
      _ = infer(condition)
      let before = scope
      check(block: thenBranch)
      let afterThen = scope
      scope = before
      check(block: elseBranch ?? [])
      scope = TypeChecker.join(afterThen, scope)
    case .while(let condition, let body):
      checkLoop(body) { checker in _ = checker.infer(condition) }
    case .for(let variables, let iterable, let body):
      let element = elementType(of: infer(iterable), at: iterable.range)
      checkLoop(body) { checker in checker.bind(variables, to: element) }
    case .delete(let name, _):
      scope[name] = nil
    case .function(let declaration):
      scope[declaration.name] = .function(nil)
      check(function: declaration)
    case .return(let value):
      if let value { _ = infer(value) }
    case .break, .continue:
      break
    }
  }

  /// A loop body may run many times, each time starting from what the last pass left: find
  /// the types at its start by joining passes (silently) until they settle, then check it once.
  private mutating func checkLoop(_ body: [Statement], head: (inout TypeChecker) -> Void) {
    var entry = scope
    silentDepth += 1
    var settled = false
    for _ in 0..<4 {
      scope = entry
      head(&self)
      check(block: body)
      let next = TypeChecker.join(entry, scope)
      if next == entry {
        settled = true
        break
      }
      entry = next
    }
    silentDepth -= 1
    if !settled {
      var names: Set<String> = []
      Self.namesAssigned(in: body, into: &names)
      for name in names { entry[name] = .unknown }
    }
    scope = entry
    head(&self)
    check(block: body)
    // The body may have run no times, or stopped anywhere with `break`.
    scope = TypeChecker.join(entry, scope)
  }

  private static func namesAssigned(in statements: [Statement], into names: inout Set<String>) {
    names.formUnion(Resolver.assignedNames(in: statements))
  }

  private mutating func check(function declaration: FunctionDeclaration) {
    let saved = (scope, isInFunction)
    // Parameters and the program's other names are unknown inside: they are bound by the call.
    scope = [:]
    isInFunction = true
    for parameter in declaration.parameters {
      if let defaultValue = parameter.defaultValue { _ = infer(defaultValue) }
      scope[parameter.name] = .unknown
    }
    check(block: declaration.body)
    (scope, isInFunction) = saved
  }

  // MARK: - Expressions

  /// The type of the elements `for` visits in a value of `type`; reports values that cannot be
  /// iterated.
  private mutating func elementType(of type: StaticType, at range: SourceRange) -> StaticType {
    switch type {
    case .list(let element): return element
    case .string: return .string
    case .record: return .string
    case .number:
      report(
        "cannot iterate over a number", at: range,
        help: "use range(n) to count: for i in range(n) { … }")
      return .unknown
    case .boolean, .function:
      report(
        "cannot iterate over a \(type.name!)", at: range,
        help: "for loops go over lists, strings and records")
      return .unknown
    case .host("dataset"): return .record
    default: return .unknown
    }
  }

  /// Gives loop names their types: one name gets the element's, several (unpacked) unknown.
  private mutating func bind(_ variables: [LoopVariable], to element: StaticType) {
    if variables.count == 1 {
      scope[variables[0].name] = element
    } else {
      for variable in variables { scope[variable.name] = .unknown }
    }
  }

  /// The type of a name read here.
  private func lookup(_ name: String) -> StaticType {
    if let type = scope[name] { return type }
    if assignedAnywhere.contains(name) { return .unknown }
    if let builtin = registry.builtin(named: name) { return .function(builtin) }
    return .unknown
  }

  /// True when `callee` names a builtin directly; the resolver already checks such calls'
  /// arguments against the parameters and literal arguments' types.
  private func isDirectBuiltinCall(_ callee: Expression) -> Bool {
    guard case .variable(let name) = callee.kind else { return false }
    return scope[name] == nil && !assignedAnywhere.contains(name)
      && registry.builtin(named: name) != nil
  }

  private mutating func infer(_ expression: Expression) -> StaticType {
    switch expression.kind {
    case .number: return .number
    case .string: return .string
    case .boolean: return .boolean
    case .none: return .unknown  // see StaticType.init(of:)
    case .interpolation(let parts):
      for part in parts { _ = infer(part) }
      return .string
    case .variable(let name):
      return lookup(name)
    case .list(let elements):
      let types = elements.map { infer($0) }
      guard let first = types.first else { return .list(.unknown) }
      return .list(types.dropFirst().reduce(first) { $0.joined(with: $1) })
    case .record(let entries):
      for entry in entries { _ = infer(entry.value) }
      return .record
    case .unary(let op, let operand):
      let type = infer(operand)
      switch op {
      case .not: return .boolean
      case .negate:
        if let name = type.name, type != .number {
          report("cannot negate a \(name)", at: expression.range)
        }
        return .number
      }
    case .binary(let op, let left, let right):
      return binary(op, infer(left), infer(right), at: expression.range)
    case .logical(_, let left, let right):
      return infer(left).joined(with: infer(right))
    case .call(let callee, let arguments):
      return call(callee, arguments, at: expression.range)
    case .attribute(let object, let name, let nameRange):
      return attribute(name, of: infer(object), at: nameRange)
    case .index(let object, let index):
      let objectType = infer(object)
      _ = infer(index)
      switch objectType {
      case .list(let element): return element
      case .string: return .string
      case .host("dataset"): return .record
      default: return .unknown
      }
    case .slice(let object, let start, let stop, let step):
      let objectType = infer(object)
      for part in [start, stop, step] {
        guard let part else { continue }
        let type = infer(part)
        if let name = type.name, type != .number {
          report("slice bounds must be whole numbers, got \(name)", at: part.range)
        }
      }
      switch objectType {
      case .list, .string, .host("dataset"): return objectType
      case .unknown: return .unknown
      default:
        report(
          "cannot slice a \(objectType.name!)", at: expression.range,
          help: "lists, strings and datasets can be sliced: xs[1:3]")
        return .unknown
      }
    case .comprehension(let element, let variables, let iterable, let condition):
      let elementOfIterable = elementType(of: infer(iterable), at: iterable.range)
      let saved = scope
      bind(variables, to: elementOfIterable)
      if let condition { _ = infer(condition) }
      let result = infer(element)
      scope = saved
      return .list(result)
    case .function(let declaration):
      check(function: declaration)
      return .function(nil)
    }
  }

  /// The result of `left op right`, reporting operands that cannot combine (the interpreter's
  /// rules and messages, `Interpreter.binary`).
  private mutating func binary(
    _ op: BinaryOperator, _ left: StaticType, _ right: StaticType, at range: SourceRange
  ) -> StaticType {
    switch op {
    case .equal, .notEqual: return .boolean
    case .less, .lessEqual, .greater, .greaterEqual:
      if let leftName = left.name, let rightName = right.name,
        !(left == .number && right == .number), !(left == .string && right == .string)
      {
        report(
          "cannot compare \(leftName) with \(rightName) using '\(op.rawValue)'", at: range,
          help: "'<', '<=', '>' and '>=' compare two numbers or two strings")
      }
      return .boolean
    case .in, .notIn:
      switch (right, left) {
      case (.number, _), (.boolean, _), (.function, _):
        report(
          "cannot test membership in a \(right.name!)", at: range,
          help: "'in' looks in lists, strings and records")
      case (.string, _), (.record, _):
        if let leftName = left.name, left != .string {
          report(
            "'in' on a \(right.name!) needs a string on the left, got \(leftName)", at: range,
            help: right == .string
              ? "test a substring: \"ab\" in \"cab\"" : "test a key: \"lr\" in config")
        }
      default: break
      }
      return .boolean
    case .add, .subtract, .multiply, .divide, .remainder, .power, .floorDivide:
      break
    }
    guard let leftName = left.name, let rightName = right.name else {
      // Only `+` and `*` can give something other than a number.
      return op == .add || op == .multiply ? .unknown : .number
    }
    switch (op, left, right) {
    case (_, .number, .number): return .number
    case (.add, .string, .string): return .string
    case (.add, .list(let a), .list(let b)): return .list(a.joined(with: b))
    case (.multiply, .string, .number), (.multiply, .number, .string): return .string
    default:
      let verb = BinaryOperator.verbs[op]!
      var help: String?
      if op == .add, left == .string {
        help = "convert with str() first: \"text\" + str(x), or interpolate: \"text \\(x)\""
      } else if op == .add, right == .string {
        help = "convert with str() first: str(x) + \"text\", or interpolate: \"\\(x) text\""
      }
      report("cannot \(verb) \(leftName) and \(rightName)", at: range, help: help)
      return .unknown
    }
  }

  /// The type of `object.name`, reporting members that a known host type does not have.
  private mutating func attribute(_ name: String, of object: StaticType, at range: SourceRange)
    -> StaticType
  {
    switch object {
    case .host(let typeName):
      guard let type = registry.hostType(named: typeName) else { return .unknown }
      if let attribute = type.attribute(named: name) { return StaticType(declared: attribute.type) }
      if let method = type.method(named: name) { return .function(method) }
      report(
        "\(type.name) has no attribute '\(name)'", at: range,
        help: suggestion(for: name, among: type.memberNames).map { "did you mean '\($0)'?" }
          ?? (type.memberNames.isEmpty
            ? nil : "\(type.name) has: " + type.memberNames.joined(separator: ", ")))
      return .unknown
    case .string:
      let type = StringReceiver.hostType
      if let method = type.method(named: name) { return .function(method) }
      report(
        "a string has no attribute '\(name)'", at: range,
        help: suggestion(for: name, among: type.memberNames).map { "did you mean '\($0)'?" }
          ?? "strings have: " + type.memberNames.joined(separator: ", "))
      return .unknown
    case .number, .boolean:
      report("a \(object.name!) has no attribute '\(name)'", at: range)
      return .unknown
    default:
      return .unknown
    }
  }

  /// The result of a call, checking a known builtin's or method's arguments.
  private mutating func call(
    _ callee: Expression, _ arguments: [CallArgument], at range: SourceRange
  ) -> StaticType {
    let calleeType = infer(callee)
    let argumentTypes = arguments.map { infer($0.value) }
    guard case .function(let known) = calleeType, let builtin = known else { return .unknown }
    let isDirect = isDirectBuiltinCall(callee)
    let labels = arguments.enumerated().compactMap { index, argument in
      argument.label.map { (label: $0, argumentIndex: index) }
    }
    guard Set(labels.map(\.label)).count == labels.count else { return .unknown }
    let positionalCount = arguments.prefix { $0.label == nil }.count
    switch bindArguments(builtin.slots, positionalCount: positionalCount, labels: labels) {
    case .failure(let problem):
      // A direct call of a builtin by name was already reported by the resolver.
      if !isDirect {
        let (message, help) = problem.message(callee: builtin.name, signature: builtin.signature)
        var errorRange = range
        if case .unknownKeyword(_, let index, _) = problem {
          errorRange = arguments[index].labelRange ?? range
        }
        report(message, at: errorRange, help: help)
      }
    case .success(let binding):
      for (slot, parameter) in builtin.parameters.enumerated() {
        let indices =
          parameter.isVariadic
          ? binding.variadic
          : parameter.isKeywordRest ? binding.rest : binding.slotArgument[slot].map { [$0] } ?? []
        for index in indices {
          if let choices = parameter.choices, case .string(let text) = arguments[index].value.kind,
            !choices.contains(text)
          {
            report(
              "unknown \(parameter.choiceNoun ?? parameter.name) \(Value.string(text).repr) "
                + "for '\(builtin.name)'",
              at: arguments[index].value.range,
              help: suggestion(for: text, among: choices).map { "did you mean \(Value.string($0).repr)?" }
                ?? "use " + quotedList(choices, conjunction: "or"))
            continue
          }
          let type = argumentTypes[index]
          guard let typeName = type.name, !type.mayBeAccepted(by: parameter.type) else { continue }
          // The resolver reports literal arguments of direct calls.
          if isDirect, TypeChecker.isLiteral(arguments[index].value) { continue }
          let name =
            parameter.isKeywordRest ? arguments[index].label ?? parameter.name : parameter.name
          report(
            "bad argument '\(name)' to '\(builtin.name)' (\(parameter.type) expected, "
              + "got \(typeName))", at: arguments[index].value.range)
        }
      }
    }
    return StaticType(declared: builtin.returns)
  }

  private static func isLiteral(_ expression: Expression) -> Bool {
    switch expression.kind {
    case .number, .string, .interpolation, .boolean, .none, .list, .record, .function: true
    case .unary(.negate, let operand):
      if case .number = operand.kind { true } else { false }
    default: false
    }
  }
}
