import Foundation
import KMSTensor

/// The checked arguments of one builtin call, with typed accessors and helpers that build the
/// standard error messages at the call's range.
///
///     let lr = try arguments.positive("lr")          // "lr must be > 0, got -1"
///     let model = try arguments.host("model", as: ModelObject.self)
///     throw arguments.error("no such class 'x'", help: "classes are 0 to 9")
public struct Arguments {
  /// The builtin being called (its name appears in messages).
  public let callee: Builtin
  /// The whole call expression: where errors point.
  public let range: SourceRange
  /// The object a method was called on, or nil for a plain builtin.
  public let receiver: (any HostObject)?
  /// The interpreter running the call: output, registry, script arguments.
  public let interpreter: Interpreter
  private let values: [Value]
  private let given: [Bool]

  init(
    callee: Builtin, range: SourceRange, receiver: (any HostObject)?, interpreter: Interpreter,
    values: [Value], given: [Bool]
  ) {
    self.callee = callee
    self.range = range
    self.receiver = receiver
    self.interpreter = interpreter
    self.values = values
    self.given = given
  }

  private func index(of name: String) -> Int? {
    callee.parameters.firstIndex { $0.name == name }
  }

  /// The argument for a parameter (its default when omitted, `none` for an unknown name).
  /// - Parameter name: the parameter's name.
  public subscript(name: String) -> Value {
    index(of: name).map { values[$0] } ?? .none
  }

  /// True when the caller passed this argument explicitly.
  /// - Parameter name: the parameter's name.
  public func isGiven(_ name: String) -> Bool {
    index(of: name).map { given[$0] } ?? false
  }

  // MARK: - Errors

  /// A runtime error at the call's range.
  /// - Parameters:
  ///   - message: lowercase, no final period, names the thing and what was expected.
  ///   - help: an optional hint printed as `help: …`.
  public func error(_ message: String, help: String? = nil) -> RuntimeError {
    RuntimeError(message, at: range, help: help)
  }

  /// "bad argument 'lr' to 'trainer' (number expected, got string)".
  /// - Parameters:
  ///   - name: the parameter's name.
  ///   - expected: what was expected, e.g. `number` or `list of numbers`.
  ///   - value: the value that was passed.
  public func badArgument(_ name: String, expected: String, got value: Value) -> RuntimeError {
    error(
      "bad argument '\(name)' to '\(callee.name)' (\(expected) expected, got \(value.typeName))")
  }

  /// Throws "NAME must be REQUIREMENT, got VALUE" unless `condition` holds.
  /// - Parameters:
  ///   - name: the parameter's name.
  ///   - condition: the range condition.
  ///   - requirement: how the condition reads, e.g. `> 0` or `between 0 and 1`.
  public func require(_ name: String, _ condition: Bool, _ requirement: String) throws(RuntimeError)
  {
    guard !condition else { return }
    throw error("\(name) must be \(requirement), got \(self[name].repr)")
  }

  // MARK: - Typed accessors

  /// The argument as a number.
  /// - Parameter name: the parameter's name.
  public func number(_ name: String) throws(RuntimeError) -> Double {
    guard case .number(let number) = self[name] else {
      throw badArgument(name, expected: "number", got: self[name])
    }
    return number
  }

  /// The argument as an `Int`; it must be a whole number.
  /// - Parameter name: the parameter's name.
  public func integer(_ name: String) throws(RuntimeError) -> Int {
    let number = try self.number(name)
    guard number == number.rounded() else {
      throw error("\(name) must be a whole number, got \(Value.format(number))")
    }
    // Whole, but past what a Double counts exactly (2^53) and far past any size kms can use.
    guard abs(number) <= Limits.largestExactInteger else {
      throw error(
        "\(name) is too large: \(Value.format(number)) does not fit in an integer",
        help: "whole numbers here must lie between -9,007,199,254,740,992 and 9,007,199,254,740,992")
    }
    return Int(number)
  }

  /// The argument as a number greater than zero ("lr must be > 0, got -1").
  /// - Parameter name: the parameter's name.
  public func positive(_ name: String) throws(RuntimeError) -> Double {
    let number = try self.number(name)
    try require(name, number > 0, "> 0")
    return number
  }

  /// The argument as a number in a closed interval ("p must be between 0 and 1, got 2").
  /// - Parameters:
  ///   - name: the parameter's name.
  ///   - range: the allowed values.
  public func number(_ name: String, in range: ClosedRange<Double>) throws(RuntimeError) -> Double {
    let number = try self.number(name)
    try require(
      name, range.contains(number),
      "between \(Value.format(range.lowerBound)) and \(Value.format(range.upperBound))")
    return number
  }

  /// The argument as an integer of at least `minimum` ("epochs must be >= 1, got 0").
  /// - Parameters:
  ///   - name: the parameter's name.
  ///   - minimum: the smallest allowed value.
  public func integer(_ name: String, atLeast minimum: Int) throws(RuntimeError) -> Int {
    let value = try integer(name)
    try require(name, value >= minimum, ">= \(minimum)")
    return value
  }

  /// The argument as a string.
  /// - Parameter name: the parameter's name.
  public func string(_ name: String) throws(RuntimeError) -> String {
    guard case .string(let text) = self[name] else {
      throw badArgument(name, expected: "string", got: self[name])
    }
    return text
  }

  /// A string argument read as one of a library enumeration's raw values (`AdamEpsilon`,
  /// `Prior.Kind`), or nil when the argument is none. A literal given to a parameter declared
  /// `.choosing(T.self)` is refused by the checker before the run; this refuses a string that
  /// only exists at run time, in the same words.
  /// - Parameters:
  ///   - name: the parameter's name.
  ///   - type: the enumeration.
  ///   - what: what one value is called in the message ("prior", "adam form").
  public func choice<T: RawRepresentable & CaseIterable>(
    _ name: String, as type: T.Type, what: String
  ) throws(RuntimeError) -> T? where T.RawValue == String {
    guard case .string(let text) = self[name] else { return nil }
    guard let value = T(rawValue: text) else {
      throw error(
        "unknown \(what) \(self[name].repr)",
        help: "use " + quotedList(T.allCases.map(\.rawValue), conjunction: "or"))
    }
    return value
  }

  /// The argument as a boolean.
  /// - Parameter name: the parameter's name.
  public func boolean(_ name: String) throws(RuntimeError) -> Bool {
    guard case .boolean(let value) = self[name] else {
      throw badArgument(name, expected: "boolean", got: self[name])
    }
    return value
  }

  /// The argument as a list object (mutations are seen by the caller).
  /// - Parameter name: the parameter's name.
  public func list(_ name: String) throws(RuntimeError) -> List {
    guard case .list(let list) = self[name] else {
      throw badArgument(name, expected: "list", got: self[name])
    }
    return list
  }

  /// The argument as a list of numbers, e.g. layer sizes `[800, 400, 225]`.
  /// - Parameter name: the parameter's name.
  public func numbers(_ name: String) throws(RuntimeError) -> [Double] {
    let list = try self.list(name)
    var numbers: [Double] = []
    numbers.reserveCapacity(list.elements.count)
    for (position, element) in list.elements.enumerated() {
      guard case .number(let number) = element else {
        throw error(
          "bad argument '\(name)' to '\(callee.name)' (list of numbers expected, element \(position) is a \(element.typeName))"
        )
      }
      numbers.append(number)
    }
    return numbers
  }

  /// The argument as a list of whole numbers.
  /// - Parameter name: the parameter's name.
  public func integers(_ name: String) throws(RuntimeError) -> [Int] {
    var integers: [Int] = []
    for (position, number) in try numbers(name).enumerated() {
      guard number == number.rounded() else {
        throw error(
          "\(name) must hold whole numbers, element \(position) is \(Value.format(number))")
      }
      guard abs(number) <= Limits.largestExactInteger else {
        throw error(
          "\(name) element \(position) is too large: \(Value.format(number)) does not fit in an "
            + "integer")
      }
      integers.append(Int(number))
    }
    return integers
  }

  /// The argument as a record.
  /// - Parameter name: the parameter's name.
  public func record(_ name: String) throws(RuntimeError) -> Record {
    guard case .record(let record) = self[name] else {
      throw badArgument(name, expected: "record", got: self[name])
    }
    return record
  }

  /// The argument as a host object of a given Swift class.
  /// - Parameters:
  ///   - name: the parameter's name.
  ///   - type: the expected class.
  public func host<Object: HostObject>(_ name: String, as type: Object.Type) throws(RuntimeError)
    -> Object
  {
    guard case .host(let object) = self[name], let typed = object as? Object else {
      throw badArgument(name, expected: Object.hostType.name, got: self[name])
    }
    return typed
  }

  /// The elements collected by a variadic parameter.
  /// - Parameter name: the variadic parameter's name.
  public func variadic(_ name: String) -> [Value] {
    if case .list(let list) = self[name] { return list.elements }
    return []
  }

  /// The receiver of a method call, cast to its class.
  /// - Parameter type: the expected class.
  public func receiver<Object: HostObject>(as type: Object.Type) throws(RuntimeError) -> Object {
    guard let typed = receiver as? Object else {
      throw error("'\(callee.name)' must be called on a \(Object.hostType.name)")
    }
    return typed
  }

  // MARK: - Context

  /// Where the call's output goes: text, progress and figures.
  public var display: DisplaySink { interpreter.display }

  /// Writes text to the interpreter's display (standard output, or a test's buffer).
  /// - Parameter text: the text, including any newline.
  public func write(_ text: String) {
    interpreter.write(text)
  }

  /// True once the user pressed Ctrl-C; long-running builtins poll it and stop cleanly.
  public var shouldStop: () -> Bool {
    { [interpreter] in Interrupt.isRequested || interpreter.isPastDeadline }
  }
}

// MARK: - Binding arguments to parameters

/// One parameter as argument binding sees it, for builtins and user functions alike.
struct ParameterSlot {
  var name: String
  var isRequired: Bool
  var isKeywordOnly: Bool
  var isVariadic: Bool
  /// Collects keyword arguments no other slot names (`Parameter.keywords`).
  var isKeywordRest = false
}

/// Why a call's arguments do not fit the callee's parameters.
enum BindingError: Error {
  case tooManyArguments(expected: Int, got: Int, hasKeywordOnly: Bool)
  case unknownKeyword(String, argumentIndex: Int, candidates: [String])
  case givenTwice(String, argumentIndex: Int)
  case missing(String)

  /// The message and help for a call to `callee` with signature `signature`.
  func message(callee: String, signature: String) -> (String, String?) {
    switch self {
    case .tooManyArguments(let expected, let got, let hasKeywordOnly):
      let kind = hasKeywordOnly ? "positional arguments" : "arguments"
      if expected == 0 {
        return ("'\(callee)' takes no \(kind) (got \(got))", "signature: \(signature)")
      }
      return (
        "too many \(kind) to '\(callee)' (expected at most \(expected), got \(got))",
        "signature: \(signature)"
      )
    case .unknownKeyword(let label, _, let candidates):
      let help =
        suggestion(for: label, among: candidates).map { "did you mean '\($0)'?" }
        ?? "signature: \(signature)"
      return ("unknown keyword argument '\(label)' to '\(callee)'", help)
    case .givenTwice(let name, _):
      return ("argument '\(name)' to '\(callee)' given twice", nil)
    case .missing(let name):
      return ("missing argument '\(name)' to '\(callee)'", "signature: \(signature)")
    }
  }
}

/// Matches positional and keyword arguments to parameter slots.
///
/// Positional arguments fill the non-keyword-only parameters in order; extra ones go to a
/// variadic parameter. Keyword arguments fill parameters by name; with a keyword-rest slot,
/// those naming no parameter go to it.
/// - Returns: for each slot, the index of its argument (or nil), the variadic arguments and the
///   keyword-rest arguments.
func bindArguments(
  _ slots: [ParameterSlot], positionalCount: Int, labels: [(label: String, argumentIndex: Int)]
) -> Result<(slotArgument: [Int?], variadic: [Int], rest: [Int]), BindingError> {
  var slotArgument = [Int?](repeating: nil, count: slots.count)
  var variadic: [Int] = []
  var rest: [Int] = []
  let restSlot = slots.indices.first { slots[$0].isKeywordRest }
  let positionalSlots = slots.indices.filter { !slots[$0].isKeywordOnly && !slots[$0].isVariadic }
  let variadicSlot = slots.indices.first { slots[$0].isVariadic }
  for argument in 0..<positionalCount {
    if argument < positionalSlots.count {
      slotArgument[positionalSlots[argument]] = argument
    } else if variadicSlot != nil {
      variadic.append(argument)
    } else {
      return .failure(
        .tooManyArguments(
          expected: positionalSlots.count, got: positionalCount,
          hasKeywordOnly: slots.contains(where: \.isKeywordOnly)))
    }
  }
  for (label, argumentIndex) in labels {
    guard
      let slot = slots.indices.first(where: {
        slots[$0].name == label && !slots[$0].isVariadic && !slots[$0].isKeywordRest
      })
    else {
      if restSlot != nil {
        guard !labels.contains(where: { $0.label == label && $0.argumentIndex < argumentIndex })
        else { return .failure(.givenTwice(label, argumentIndex: argumentIndex)) }
        rest.append(argumentIndex)
        continue
      }
      return .failure(
        .unknownKeyword(
          label, argumentIndex: argumentIndex,
          candidates: slots.filter { !$0.isVariadic }.map(\.name)))
    }
    if slotArgument[slot] != nil {
      return .failure(.givenTwice(label, argumentIndex: argumentIndex))
    }
    slotArgument[slot] = argumentIndex
  }
  for (slot, parameter) in slots.enumerated()
  where parameter.isRequired && slotArgument[slot] == nil {
    return .failure(.missing(parameter.name))
  }
  return .success((slotArgument, variadic, rest))
}

extension Builtin {
  var slots: [ParameterSlot] {
    parameters.map {
      ParameterSlot(
        name: $0.name, isRequired: $0.defaultValue == nil && !$0.isVariadic,
        isKeywordOnly: $0.isKeywordOnly, isVariadic: $0.isVariadic,
        isKeywordRest: $0.isKeywordRest)
    }
  }
}

extension FunctionDeclaration {
  var slots: [ParameterSlot] {
    parameters.map {
      ParameterSlot(
        name: $0.name, isRequired: $0.defaultValue == nil, isKeywordOnly: false, isVariadic: false)
    }
  }

  /// `name(a, b: 2)` as written.
  var signature: String {
    "\(name)("
      + parameters.map { $0.defaultValue == nil ? $0.name : "\($0.name): …" }.joined(
        separator: ", ") + ")"
  }
}

// MARK: - Suggestions

/// The closest candidate to a misspelt name by edit distance, if close enough to be a likely typo
/// (at most a third of the name's length, minimum 1, as argument-parser's suggestions cut off).
/// - Parameters:
///   - name: the misspelt name.
///   - candidates: the names that exist.
public func suggestion(for name: String, among candidates: some Sequence<String>) -> String? {
  let cutoff = max(1, name.count / 3)
  // Ties go to the candidate closest in length, then alphabetically, so the answer never
  // depends on the order of a Set.
  var best: (distance: Int, lengthDifference: Int, name: String)?
  for candidate in candidates where candidate != name {
    let distance = editDistance(name, candidate)
    guard distance <= cutoff else { continue }
    let key = (distance, abs(candidate.count - name.count), candidate)
    if best.map({ key < $0 }) ?? true { best = key }
  }
  return best?.name
}

/// Damerau–Levenshtein (optimal string alignment) distance between two strings, in Characters,
/// so a swapped pair of letters (`encdoer`) counts as one edit.
func editDistance(_ a: String, _ b: String) -> Int {
  let a = Array(a.lowercased())
  let b = Array(b.lowercased())
  if a.isEmpty { return b.count }
  if b.isEmpty { return a.count }
  var previousPrevious = [Int](repeating: 0, count: b.count + 1)
  var previous = Array(0...b.count)
  var current = [Int](repeating: 0, count: b.count + 1)
  for i in 1...a.count {
    current[0] = i
    for j in 1...b.count {
      let cost = a[i - 1] == b[j - 1] ? 0 : 1
      current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
      if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
        current[j] = min(current[j], previousPrevious[j - 2] + 1)
      }
    }
    (previousPrevious, previous, current) = (previous, current, previousPrevious)
  }
  return previous[b.count]
}

/// Runs a library call (data, plot, nn), turning its error into a kms error at the call: every
/// library error is a `KMSError`, so this is the one place that translates them.
func libraryCall<T>(_ arguments: Arguments, _ body: () throws -> T) throws(RuntimeError) -> T {
  do {
    return try body()
  } catch let error as RuntimeError {
    throw error
  } catch let error as any KMSError {
    throw arguments.error(error.headline, help: error.hint)
  } catch {
    throw arguments.error("\(error)")
  }
}
