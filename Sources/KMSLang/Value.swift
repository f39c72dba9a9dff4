import Foundation
import KMSTensor

/// A kms value.
///
/// Numbers are `Double`; lists and records are shared references (as in Lua and Python), so
/// `push(xs, 1)` is seen through every name bound to `xs`. Host objects wrap library objects
/// (datasets, models, trainers, figures) behind the `HostObject` protocol.
public enum Value {
  /// A number; integral values print without a fraction.
  case number(Double)
  /// A string.
  case string(String)
  /// `true` or `false`.
  case boolean(Bool)
  /// The absence of a value.
  case none
  /// A mutable list shared by reference.
  case list(List)
  /// A mutable record (string keys in insertion order) shared by reference.
  case record(Record)
  /// A user function, a builtin or a host method bound to its object.
  case function(Callable)
  /// A library object.
  case host(any HostObject)

  /// A number made from a `Float` the way it prints, so a Float32 loss of 0.0008 reads `0.0008`
  /// and not `0.000800000037997961`.
  /// - Parameter value: the library's `Float`.
  public static func float(_ value: Float) -> Value {
    .number(value.isFinite ? (Double(value.description) ?? Double(value)) : Double(value))
  }

  /// A list value holding `elements`.
  /// - Parameter elements: the elements.
  public static func list(_ elements: [Value]) -> Value { .list(List(elements)) }

  /// A record value with `entries` in order.
  /// - Parameter entries: key-value pairs; a repeated key keeps its last value.
  public static func record(_ entries: KeyValuePairs<String, Value>) -> Value {
    let record = Record()
    for (key, value) in entries { record[key] = value }
    return .record(record)
  }

  /// The kind of the value, as `type(x)` reports it and argument errors name it.
  public var typeName: String {
    switch self {
    case .number: "number"
    case .string: "string"
    case .boolean: "boolean"
    case .none: "none"
    case .list: "list"
    case .record: "record"
    case .function: "function"
    case .host(let object): object.hostType.name
    }
  }

  /// `false` and `none` are false; every other value is true (Lua's rule).
  public var isTruthy: Bool {
    switch self {
    case .boolean(let value): value
    case .none: false
    default: true
    }
  }
}

/// A mutable list, shared by reference.
public final class List {
  /// The elements in order.
  public var elements: [Value]

  /// Creates a list.
  /// - Parameter elements: the elements.
  public init(_ elements: [Value] = []) {
    self.elements = elements
  }

  // NOTE: freeing a list frees its elements, and a list nested 8 million deep would free itself
  // 8 million frames deep. The elements are taken out here and dismantled with a loop instead.
  deinit {
    guard !elements.isEmpty else { return }
    var pending: [Value] = []
    swap(&pending, &elements)
    Value.dismantle(&pending)
  }
}

/// A mutable record: string keys in insertion order, shared by reference.
public final class Record {
  /// The keys in insertion order.
  public private(set) var keys: [String] = []
  private var storage: [String: Value] = [:]

  /// Creates an empty record.
  public init() {}

  /// The value for a key, or nil; assigning nil removes the key.
  public subscript(key: String) -> Value? {
    get { storage[key] }
    set {
      if let newValue {
        if storage.updateValue(newValue, forKey: key) == nil { keys.append(key) }
      } else if storage.removeValue(forKey: key) != nil {
        keys.removeAll { $0 == key }
      }
    }
  }

  /// The entries in insertion order.
  public var entries: [(key: String, value: Value)] { keys.map { ($0, storage[$0]!) } }

  /// The number of entries.
  public var count: Int { keys.count }

  /// Empties the record, handing back its values (for `Value.dismantle`).
  fileprivate func takeValues() -> [Value] {
    let values = Array(storage.values)
    storage.removeAll()
    keys.removeAll()
    return values
  }

  deinit {
    guard !storage.isEmpty else { return }
    var pending = takeValues()
    Value.dismantle(&pending)
  }
}

extension Value {
  /// Releases values without recursion: a list or record that only `pending` holds is emptied
  /// into `pending` before it is freed, so its own deinit has nothing left to free.
  fileprivate static func dismantle(_ pending: inout [Value]) {
    while !pending.isEmpty {
      // NOTE: the container is moved out of the value by a function call, so no copy of the
      // enum (a pattern's temporary) still holds it while its uniqueness is checked.
      var (list, record) = containers(of: pending.removeLast())
      if isKnownUniquelyReferenced(&list) {
        pending.append(contentsOf: list!.elements)
        list!.elements.removeAll()
      } else if isKnownUniquelyReferenced(&record) {
        pending.append(contentsOf: record!.takeValues())
      }
    }
  }

  private static func containers(of value: consuming Value) -> (List?, Record?) {
    switch consume value {
    case .list(let list): (list, nil)
    case .record(let record): (nil, record)
    default: (nil, nil)
    }
  }
}

/// Something callable: a user `fn`, a builtin, or a host method bound to its receiver.
public enum Callable {
  /// A user function with the environment it closes over.
  case user(UserFunction)
  /// A builtin function.
  case builtin(Builtin)
  /// A host method together with the object it was looked up on: `t.step`.
  case method(Builtin, receiver: any HostObject)

  /// The name used in messages and tracebacks: `f`, `print`, `trainer.step`.
  public var name: String {
    switch self {
    case .user(let function): function.declaration.name
    case .builtin(let builtin), .method(let builtin, _): builtin.name
    }
  }
}

/// A user function value: its declaration and the scope it was created in.
public final class UserFunction {
  /// The syntax of the function.
  public let declaration: FunctionDeclaration
  let closure: Environment

  init(declaration: FunctionDeclaration, closure: Environment) {
    self.declaration = declaration
    self.closure = closure
  }
}

// MARK: - Printing

extension Value: CustomStringConvertible {
  /// The form `print` writes: strings bare, everything else as `repr`.
  public var description: String {
    if case .string(let text) = self { return text }
    return repr
  }

  /// The form the REPL echoes and containers show: strings quoted, `[1, "a"]`, `{n: 3}`. A
  /// list or record inside itself shows as `[…]` or `{…}`; a list longer than
  /// `summaryThreshold` shows its ends, as NumPy prints arrays:
  /// `[0, 1, 2, …, 99997, 99998, 99999] (100,000 items)`; past `Limits.maximumStringBytes` the
  /// text is cut and ends with `…`. (`str()` and interpolation write every element.)
  public var repr: String {
    let (text, isComplete) = formatted(limit: Limits.maximumStringBytes, summarizing: true)
    return isComplete ? text : text + "…"
  }

  /// Lists longer than this print summarised (NumPy's threshold).
  public static let summaryThreshold = 1000
  /// How many elements a summarised list shows at each end.
  static let summaryEdge = 3

  /// The text `str()` and `print` make, or nil when it would be longer than `limit` bytes.
  /// - Parameter limit: the most UTF-8 bytes allowed.
  public func text(limit: Int) -> String? {
    if case .string(let text) = self { return text.utf8.count <= limit ? text : nil }
    let (text, isComplete) = formatted(limit: limit)
    return isComplete ? text : nil
  }

  /// Formats a number: integral values without a fraction, others in the shortest form that
  /// reads back exactly (`0.0008`, `1e-05`), and `inf`, `-inf`, `nan`.
  /// - Parameter number: the number.
  public static func format(_ number: Double) -> String {
    if number.isNaN { return "nan" }
    if number.isInfinite { return number < 0 ? "-inf" : "inf" }
    if number == number.rounded(), abs(number) < 1e16 { return String(Int64(number)) }
    return "\(number)"
  }

  /// Quotes a string with kms escapes, as a string literal would be written.
  /// - Parameter text: the string.
  public static func quoted(_ text: String) -> String {
    var result = "\""
    for character in text {
      switch character {
      case "\"": result += "\\\""
      case "\\": result += "\\\\"
      case "\n": result += "\\n"
      case "\t": result += "\\t"
      case "\r": result += "\\r"
      default: result.append(character)
      }
    }
    return result + "\""
  }

  /// One step of `formatted`: a value to write, literal text, or leaving a container.
  private enum FormatStep {
    case value(Value)
    case text(String)
    case leave(ObjectIdentifier)
  }

  /// Writes the repr with an explicit stack rather than recursion, so a list nested a million
  /// deep takes linear time and no native stack; stops once the text passes `limit` bytes.
  private func formatted(limit: Int, summarizing: Bool = false) -> (text: String, isComplete: Bool)
  {
    var output = ""
    var visited: Set<ObjectIdentifier> = []
    var steps: [FormatStep] = [.value(self)]
    while let step = steps.popLast() {
      if output.utf8.count > limit { return (Value.cut(output, to: limit), false) }
      switch step {
      case .text(let text): output += text
      case .leave(let id): visited.remove(id)
      case .value(let value):
        switch value {
        case .list(let list):
          let id = ObjectIdentifier(list)
          guard visited.insert(id).inserted else {
            output += "[…]"
            continue
          }
          output += "["
          steps.append(.leave(id))
          let count = list.elements.count
          if summarizing, count > Value.summaryThreshold {
            steps.append(.text("] (\(grouped(count)) items)"))
            let edge = Value.summaryEdge
            let shown = Array(0..<edge) + Array((count - edge)..<count)
            for (order, position) in shown.enumerated().reversed() {
              steps.append(.value(list.elements[position]))
              if order == edge { steps.append(.text(", …, ")) } else if order > 0 {
                steps.append(.text(", "))
              }
            }
            continue
          }
          steps.append(.text("]"))
          for (position, element) in list.elements.enumerated().reversed() {
            steps.append(.value(element))
            if position > 0 { steps.append(.text(", ")) }
          }
        case .record(let record):
          let id = ObjectIdentifier(record)
          guard visited.insert(id).inserted else {
            output += "{…}"
            continue
          }
          output += "{"
          steps.append(.leave(id))
          steps.append(.text("}"))
          for (position, entry) in record.entries.enumerated().reversed() {
            steps.append(.value(entry.value))
            let key = Value.isIdentifier(entry.key) ? entry.key : Value.quoted(entry.key)
            steps.append(.text((position > 0 ? ", " : "") + key + ": "))
          }
        default:
          output += value.scalarRepr
        }
      }
    }
    if output.utf8.count > limit { return (Value.cut(output, to: limit), false) }
    return (output, true)
  }

  /// The first `limit` UTF-8 bytes of `text` (a character cut in two becomes U+FFFD).
  private static func cut(_ text: String, to limit: Int) -> String {
    String(decoding: text.utf8.prefix(limit), as: UTF8.self)
  }

  /// The repr of a value that holds no other values.
  private var scalarRepr: String {
    switch self {
    case .number(let number): return Value.format(number)
    case .string(let text): return Value.quoted(text)
    case .boolean(let value): return value ? "true" : "false"
    case .none: return "none"
    case .list: return "[…]"
    case .record: return "{…}"
    case .function(let callable):
      switch callable {
      case .user(let function):
        let name = function.declaration.name
        return name == "<fn>" ? name : "<fn \(name)>"
      case .builtin(let builtin): return "<builtin \(builtin.name)>"
      case .method(let builtin, _): return "<method \(builtin.name)>"
      }
    case .host(let object): return object.description
    }
  }

  /// True when `text` could be written as a bare record key or name.
  static func isIdentifier(_ text: String) -> Bool {
    guard let first = text.first, first == "_" || first.isLetter else { return false }
    return text.allSatisfy { $0 == "_" || $0.isLetter || $0.isNumber }
      && Keyword(rawValue: text) == nil
  }
}

// MARK: - Equality

extension Value {
  /// kms `==`: numbers, strings, booleans and `none` by value, lists and records element by
  /// element, functions and host objects by identity.
  ///
  /// Containers are compared with a loop, not recursion, so values nested a million deep compare
  /// in linear time; two lists that contain themselves are equal when no element tells them apart
  /// (a pair of containers met again is taken as equal, as a bisimulation would).
  /// - Parameter other: the value to compare with.
  public func isEqual(to other: Value) -> Bool {
    var pending: [(Value, Value)] = [(self, other)]
    var assumed: Set<[ObjectIdentifier]> = []
    while let (a, b) = pending.popLast() {
      switch (a, b) {
      case (.list(let x), .list(let y)):
        if x === y { continue }
        guard x.elements.count == y.elements.count else { return false }
        guard assumed.insert([ObjectIdentifier(x), ObjectIdentifier(y)]).inserted else { continue }
        pending.append(contentsOf: zip(x.elements, y.elements))
      case (.record(let x), .record(let y)):
        if x === y { continue }
        guard x.count == y.count else { return false }
        guard assumed.insert([ObjectIdentifier(x), ObjectIdentifier(y)]).inserted else { continue }
        for entry in x.entries {
          guard let value = y[entry.key] else { return false }
          pending.append((entry.value, value))
        }
      default:
        if !a.isScalarEqual(to: b) { return false }
      }
    }
    return true
  }

  /// `==` for values that are not both lists or both records.
  private func isScalarEqual(to other: Value) -> Bool {
    switch (self, other) {
    case (.number(let a), .number(let b)): return a == b
    case (.string(let a), .string(let b)): return a == b
    case (.boolean(let a), .boolean(let b)): return a == b
    case (.none, .none): return true
    case (.function(let a), .function(let b)):
      switch (a, b) {
      case (.user(let f), .user(let g)): return f === g
      case (.builtin(let f), .builtin(let g)): return f === g
      case (.method(let f, let r), .method(let g, let s)): return f.name == g.name && r === s
      default: return false
      }
    case (.host(let a), .host(let b)): return a === b
    default: return false
    }
  }
}

/// A host object that is also a sequence (a dataset): `len(x)`, `x[i]`, `x[a:b]` and
/// `for e in x` work on it as on a list.
public protocol HostSequence: HostObject {
  /// The number of elements.
  var count: Int { get }
  /// About how many kms values one element holds (784 pixels and a label for an image), so
  /// making all of them at once can be checked against the memory left.
  var valuesPerElement: Int { get }
  /// The element at a position in `0..<count`.
  /// - Parameter position: the position, already checked.
  func element(at position: Int) throws -> Value
  /// The elements at these positions (each in `0..<count`), as the sequence's own kind of value
  /// (a dataset's slice is a dataset).
  /// - Parameter positions: the positions, in order.
  func elements(at positions: [Int]) throws -> Value
}
