/// What kind of value a builtin parameter accepts; checked before the builtin runs.
public indirect enum ValueType: Sendable, Equatable, CustomStringConvertible {
  /// Any value.
  case any
  /// A number.
  case number
  /// A number with no fractional part.
  case integer
  /// A string.
  case string
  /// `true` or `false`.
  case boolean
  /// A list.
  case list
  /// A record.
  case record
  /// A user function, builtin or bound method.
  case function
  /// A host object whose type has this name, e.g. `.host("model")`.
  case host(String)
  /// A list whose elements all have this type (declared return types: `.listOf(.number)`).
  case listOf(ValueType)
  /// Any one of the listed types.
  case oneOf([ValueType])
  /// The type, or `none`.
  case optional(ValueType)

  /// True when `value` is of this type.
  /// - Parameter value: the value to check.
  public func accepts(_ value: Value) -> Bool {
    switch (self, value) {
    case (.any, _), (.number, .number), (.string, .string), (.boolean, .boolean), (.list, .list),
      (.record, .record), (.function, .function):
      return true
    case (.integer, .number(let number)): return number == number.rounded() && number.isFinite
    case (.listOf(let element), .list(let list)): return list.elements.allSatisfy(element.accepts)
    case (.host(let name), .host(let object)): return object.hostType.name == name
    case (.oneOf(let types), _): return types.contains { $0.accepts(value) }
    case (.optional(let type), _):
      if case .none = value { return true }
      return type.accepts(value)
    default: return false
    }
  }

  /// How the type reads in "(number expected, got string)".
  public var description: String {
    switch self {
    case .any: "value"
    case .number: "number"
    case .integer: "integer"
    case .string: "string"
    case .boolean: "boolean"
    case .list: "list"
    case .record: "record"
    case .function: "function"
    case .host(let name): name
    case .listOf(let element): "list of \(element)"
    case .oneOf(let types): types.map(\.description).joined(separator: " or ")
    case .optional(let type): "\(type) or none"
    }
  }
}

/// "bad argument 'lr' to 'trainer' (number expected, got string)"; a fractional number where a
/// whole one is expected reads "(integer expected, got 2.5)".
func badArgumentMessage(parameter: Parameter, callee: String, value: Value) -> String {
  var got = value.typeName
  if case .number(let number) = value, ValueType.integer.isAccepted(in: parameter.type) {
    got = Value.format(number)
  }
  return "bad argument '\(parameter.name)' to '\(callee)' (\(parameter.type) expected, got \(got))"
}

extension ValueType {
  /// True when `type` is or includes `self`.
  fileprivate func isAccepted(in type: ValueType) -> Bool {
    switch type {
    case self: true
    case .oneOf(let types): types.contains { isAccepted(in: $0) }
    case .optional(let wrapped): isAccepted(in: wrapped)
    default: false
    }
  }
}

/// One parameter of a builtin: its name, accepted type, default and how it may be passed.
public struct Parameter {
  /// The name, also its keyword label.
  public var name: String
  /// The accepted values.
  public var type: ValueType
  /// The value used when the argument is omitted; nil means the argument is required.
  public var defaultValue: Value?
  /// True when the argument can only be passed as `name: value`.
  public var isKeywordOnly: Bool
  /// True for a trailing parameter collecting every remaining positional argument into a list.
  public var isVariadic: Bool
  /// True for a parameter collecting every keyword argument no other parameter names into a
  /// record, in the order given (`narrow(trial, lr: [lo, hi], batch: [lo, hi])`).
  public var isKeywordRest = false
  /// The strings a string argument may be (`padding: "valid"` or `"same"`), or nil for any. The
  /// checker refuses a literal outside them before the script runs, and `help` lists them.
  public var choices: [String]?
  /// What a choice is called in messages (`prior` for `prior(kind)`); the name when nil.
  public var choiceNoun: String?

  /// A required parameter that may be passed by position or keyword.
  /// - Parameters:
  ///   - name: the parameter's name.
  ///   - type: the accepted values.
  public static func required(_ name: String, _ type: ValueType) -> Parameter {
    Parameter(name: name, type: type, defaultValue: nil, isKeywordOnly: false, isVariadic: false)
  }

  /// An optional parameter that may be passed by position or keyword.
  /// - Parameters:
  ///   - name: the parameter's name.
  ///   - type: the accepted values.
  ///   - defaultValue: the value used when it is omitted.
  public static func optional(_ name: String, _ type: ValueType, default defaultValue: Value)
    -> Parameter
  {
    Parameter(
      name: name, type: type, defaultValue: defaultValue, isKeywordOnly: false, isVariadic: false)
  }

  /// An optional parameter passed only as `name: value`, e.g. `lr: 0.001`.
  /// - Parameters:
  ///   - name: the parameter's name.
  ///   - type: the accepted values.
  ///   - defaultValue: the value used when it is omitted.
  public static func keyword(_ name: String, _ type: ValueType, default defaultValue: Value)
    -> Parameter
  {
    Parameter(
      name: name, type: type, defaultValue: defaultValue, isKeywordOnly: true, isVariadic: false)
  }

  /// A trailing parameter collecting the remaining positional arguments into a list.
  /// - Parameters:
  ///   - name: the parameter's name.
  ///   - type: the type each collected argument must have.
  public static func variadic(_ name: String, _ type: ValueType) -> Parameter {
    Parameter(name: name, type: type, defaultValue: nil, isKeywordOnly: false, isVariadic: true)
  }

  /// A parameter collecting the keyword arguments no other parameter names into a record; each
  /// of their values must have `type`. A builtin has at most one.
  /// - Parameters:
  ///   - name: what the collected arguments are (shown as `<name>: type` in the signature).
  ///   - type: the type each collected argument must have.
  public static func keywords(_ name: String, _ type: ValueType) -> Parameter {
    Parameter(
      name: name, type: type, defaultValue: .record(Record()), isKeywordOnly: true,
      isVariadic: false, isKeywordRest: true)
  }

  /// The parameter limited to these strings.
  /// - Parameters:
  ///   - names: the accepted strings.
  ///   - noun: what one is called in messages, when not the parameter's name.
  public func choosing(_ names: [String], named noun: String? = nil) -> Parameter {
    var limited = self
    (limited.choices, limited.choiceNoun) = (names, noun)
    return limited
  }

  /// The parameter limited to the raw values of a library enumeration (`ActivationKind`), so
  /// the checker's list is the library's.
  /// - Parameter type: the enumeration.
  public func choosing<T: RawRepresentable & CaseIterable>(
    _ type: T.Type, named noun: String? = nil
  ) -> Parameter where T.RawValue == String {
    choosing(type.allCases.map(\.rawValue), named: noun)
  }

  /// How the parameter reads in a signature: `x`, `lr: 0.001`, `values...`, `<range>: list`.
  public var signature: String {
    if isVariadic { return "\(name)..." }
    if isKeywordRest { return "<\(name)>: \(type)..." }
    guard let defaultValue else { return name }
    return "\(name): \(defaultValue.repr)"
  }
}

/// A function implemented in Swift and callable from kms, or a method of a host type.
///
/// The interpreter binds and type-checks the call's arguments against `parameters` before
/// `implementation` runs, so an implementation reads its arguments with `Arguments`' typed
/// accessors and only checks ranges (`try arguments.positive("lr")`).
public final class Builtin: @unchecked Sendable {
  /// The name: `print` for a function, `trainer.step` for a method.
  public let name: String
  /// The parameters in order.
  public let parameters: [Parameter]
  /// One line saying what it does, printed by `help`.
  public let summary: String
  /// One line of kms showing a typical call, printed by `help`.
  public let example: String
  /// Lines `help(name)` adds after the summary (not the overview): where a builtin named after a
  /// Python one behaves differently, for instance.
  public let notes: [String]
  /// What a call returns, for the type checker; `.any` when it varies or is not declared.
  public let returns: ValueType
  /// The Swift code; receives checked arguments (and, for methods, the receiver).
  public let implementation: (Arguments) throws -> Value

  /// Creates a builtin.
  /// - Parameters:
  ///   - name: the name it is called by.
  ///   - returns: what a call returns, for the type checker.
  ///   - parameters: the parameters in order.
  ///   - summary: one line saying what it does.
  ///   - example: one line of kms showing a call.
  ///   - notes: lines `help(name)` prints after the summary, each as `note: …`.
  ///   - implementation: the Swift code, receiving checked arguments.
  public init(
    _ name: String, returns: ValueType = .any, parameters: [Parameter] = [], summary: String,
    example: String, notes: [String] = [], implementation: @escaping (Arguments) throws -> Value
  ) {
    if let variadic = parameters.firstIndex(where: \.isVariadic) {
      precondition(
        parameters[(variadic + 1)...].allSatisfy(\.isKeywordOnly),
        "builtin '\(name)': only keyword-only parameters may follow a variadic one")
    }
    precondition(
      parameters.filter(\.isKeywordRest).count <= 1,
      "builtin '\(name)': at most one parameter may collect the other keyword arguments")
    self.name = name
    self.parameters = parameters
    self.summary = summary
    self.example = example
    self.notes = notes
    self.returns = returns
    self.implementation = implementation
  }

  /// A method of a host type: `body` receives the receiver, already cast to `Object`.
  /// - Parameters:
  ///   - name: the method's name, without the type (`step`).
  ///   - type: the Swift class of the receivers.
  ///   - returns: what a call returns, for the type checker.
  ///   - parameters: the parameters in order.
  ///   - summary: one line saying what it does.
  ///   - example: one line of kms showing a call.
  ///   - body: the Swift code, receiving the receiver and checked arguments.
  public static func method<Object: HostObject>(
    _ name: String, of type: Object.Type, returns: ValueType = .any, parameters: [Parameter] = [],
    summary: String, example: String, _ body: @escaping (Object, Arguments) throws -> Value
  ) -> Builtin {
    Builtin(
      name, returns: returns, parameters: parameters, summary: summary, example: example
    ) { arguments in
      try body(try arguments.receiver(as: Object.self), arguments)
    }
  }

  /// The same builtin under another name (used to qualify methods as `type.method`).
  func renamed(_ newName: String) -> Builtin {
    Builtin(
      newName, returns: returns, parameters: parameters, summary: summary, example: example,
      notes: notes, implementation: implementation)
  }

  /// `name(a, b: 2, rest...)`.
  public var signature: String {
    "\(name)(" + parameters.map(\.signature).joined(separator: ", ") + ")"
  }

  /// The text `help(name)` prints: signature, summary, choices, notes and example.
  public var helpText: String {
    let choices = parameters.compactMap { parameter in
      parameter.choices.map { "\n  \(parameter.name): " + quotedList($0, conjunction: "or") }
    }
    return "\(signature)\n  \(summary)" + choices.joined()
      + notes.map { "\n  note: \($0)" }.joined() + "\n  example: \(example)"
  }
}

/// A library object exposed to kms: a dataset, model, trainer, history, figure or table.
///
/// Conform a Swift class (usually a thin wrapper owning the library object) and describe its
/// members once in a static `HostType`; the interpreter then handles `x.name`, `x.name(…)`,
/// `type(x)`, printing, `:vars`, `help(x)` and completion uniformly.
public protocol HostObject: AnyObject {
  /// The type's name, attributes and methods, shared by all instances.
  static var hostType: HostType { get }
  /// One line for `:vars`, e.g. `autoencoder 784-800-400-225, 1.3M parameters`.
  var summary: String { get }
  /// The printed form (may span lines, e.g. a Keras-style model summary).
  var description: String { get }
}

extension HostObject {
  /// The instance's type (`Self.hostType`), reachable through `any HostObject`.
  public var hostType: HostType { Self.hostType }

  /// By default an object prints as `<type: summary>`.
  public var description: String { "<\(Self.hostType.name): \(summary)>" }
}

/// An attribute of a host type: `data.test`, `model.encoder`.
public struct HostAttribute {
  /// The attribute's name.
  public let name: String
  /// One line saying what it is, printed by `help`.
  public let summary: String
  /// What it holds, for the type checker; `.any` when it varies or is not declared.
  public let type: ValueType
  let get: (any HostObject) throws -> Value

  /// Reads the attribute from an object of the declaring type.
  /// - Parameter object: the receiver.
  public func value(of object: any HostObject) throws -> Value {
    try get(object)
  }

  /// An attribute computed from the receiver.
  /// - Parameters:
  ///   - name: the attribute's name.
  ///   - type: the Swift class of the receivers.
  ///   - valueType: what it holds, for the type checker.
  ///   - summary: one line saying what it is.
  ///   - get: computes the value from the receiver.
  public static func attribute<Object: HostObject>(
    _ name: String, of type: Object.Type, type valueType: ValueType = .any, summary: String,
    _ get: @escaping (Object) throws -> Value
  ) -> HostAttribute {
    HostAttribute(name: name, summary: summary, type: valueType) { object in
      // The interpreter only looks attributes up on objects of the type that declares them.
      guard let typed = object as? Object else {
        preconditionFailure("attribute '\(name)' looked up on a \(object.hostType.name)")
      }
      return try get(typed)
    }
  }
}

/// The kms-visible description of a host class: its name, summary, attributes and methods.
public final class HostType: @unchecked Sendable {
  /// The name `type(x)` returns and messages use, e.g. `model`.
  public let name: String
  /// One line saying what such objects are.
  public let summary: String
  /// The attributes in declaration order.
  public let attributes: [HostAttribute]
  /// The methods in declaration order, named `type.method`.
  public let methods: [Builtin]

  /// Creates a host type.
  /// - Parameters:
  ///   - name: the kms type name.
  ///   - summary: one line saying what such objects are.
  ///   - attributes: the attributes.
  ///   - methods: the methods, made with `Builtin.method(_:of:parameters:summary:example:_:)`.
  public init(
    name: String, summary: String, attributes: [HostAttribute] = [], methods: [Builtin] = []
  ) {
    self.name = name
    self.summary = summary
    self.attributes = attributes
    self.methods = methods.map { $0.renamed("\(name).\($0.name)") }
  }

  /// The attribute with this name, if any.
  /// - Parameter name: the attribute's name.
  public func attribute(named name: String) -> HostAttribute? {
    attributes.first { $0.name == name }
  }

  /// The method with this (unqualified) name, if any.
  /// - Parameter name: the method's name, e.g. `step`.
  public func method(named name: String) -> Builtin? {
    let qualified = "\(self.name).\(name)"
    return methods.first { $0.name == qualified }
  }

  /// Every attribute and method name, unqualified, for completion and suggestions.
  public var memberNames: [String] {
    attributes.map(\.name) + methods.map { String($0.name.dropFirst(name.count + 1)) }
  }

  /// The text `help(x)` prints for the type: summary, attributes and method signatures.
  public var helpText: String {
    var lines = ["\(name): \(summary)"]
    if !attributes.isEmpty {
      lines.append("attributes:")
      lines += attributes.map { "  .\($0.name)  \($0.summary)" }
    }
    if !methods.isEmpty {
      lines.append("methods:")
      lines += methods.map { "  .\($0.signature.dropFirst(name.count + 1))  \($0.summary)" }
    }
    return lines.joined(separator: "\n")
  }
}

/// `"a", "b" or "c"`: strings quoted as kms writes them, for help and messages.
/// - Parameters:
///   - names: the strings.
///   - conjunction: the word before the last one.
func quotedList(_ names: [String], conjunction: String) -> String {
  let quoted = names.map { Value.string($0).repr }
  guard quoted.count > 1 else { return quoted.first ?? "" }
  return quoted.dropLast().joined(separator: ", ") + " \(conjunction) " + quoted.last!
}
