import Foundation

/// Every builtin function and host type the language knows, by name.
///
/// The resolver checks calls against it before anything runs; `help`, `:help`, `:vars` and tab
/// completion read it. Library bindings add themselves in `Builtins+NN.swift`,
/// `Builtins+Data.swift` and `Builtins+Plot.swift` with an extension method such as
/// `registerNN()`, called from `standard()`.
public final class BuiltinRegistry {
  /// The builtins in registration order.
  public private(set) var builtins: [Builtin] = []
  /// The host types in registration order.
  public private(set) var hostTypes: [HostType] = []
  private var builtinsByName: [String: Builtin] = [:]

  /// Creates an empty registry.
  public init() {}

  /// The registry with every builtin kms ships.
  public static func standard() -> BuiltinRegistry {
    let registry = BuiltinRegistry()
    registry.registerCore()
    registry.registerData()
    registry.registerNN()
    registry.registerPredict()
    registry.registerLayers()
    registry.registerPrior()
    registry.registerAugment()
    registry.registerPlot()
    registry.registerCharts()
    registry.registerTable()
    registry.registerSweep()
    registry.registerCompare()
    return registry
  }

  /// Adds a builtin function; registering a name twice is a programming error.
  /// - Parameter builtin: the builtin.
  public func register(_ builtin: Builtin) {
    precondition(builtinsByName[builtin.name] == nil, "builtin '\(builtin.name)' registered twice")
    builtins.append(builtin)
    builtinsByName[builtin.name] = builtin
  }

  /// Adds a host type so `help` and completion know its members before any object exists.
  /// - Parameter type: the host type.
  public func register(_ type: HostType) {
    precondition(
      !hostTypes.contains { $0.name == type.name }, "host type '\(type.name)' registered twice")
    hostTypes.append(type)
  }

  /// The builtin with this name, if any.
  /// - Parameter name: the name, e.g. `print`.
  public func builtin(named name: String) -> Builtin? {
    builtinsByName[name]
  }

  /// The host type with this name, if any.
  /// - Parameter name: the type name, e.g. `model`.
  public func hostType(named name: String) -> HostType? {
    hostTypes.first { $0.name == name }
  }

  /// The help text for a builtin (`print`), a host type (`trainer`) or a method (`trainer.step`).
  /// - Parameter name: what to explain.
  /// - Returns: the text, or nil when nothing has that name.
  public func helpText(for name: String) -> String? {
    if let builtin = builtin(named: name) { return builtin.helpText }
    if let type = hostType(named: name) { return type.helpText }
    let parts = name.split(separator: ".", maxSplits: 1).map(String.init)
    if parts.count == 2, let type = hostType(named: parts[0]) {
      if let method = type.method(named: parts[1]) { return method.helpText }
      if let attribute = type.attribute(named: parts[1]) {
        return "\(type.name).\(attribute.name)\n  \(attribute.summary)"
      }
    }
    return nil
  }

  /// Every name `helpText(for:)` knows, for suggestions and completion.
  public var helpTopics: [String] {
    builtins.map(\.name)
      + hostTypes.flatMap { type in [type.name] + type.memberNames.map { "\(type.name).\($0)" } }
  }

  /// The overview `help()` prints: every builtin with its summary, then the host types.
  public var overview: String {
    let width = builtins.map(\.name.count).max() ?? 0
    var lines = ["builtins:"]
    lines += builtins.map {
      "  " + $0.name.padding(toLength: width + 2, withPad: " ", startingAt: 0) + $0.summary
    }
    if !hostTypes.isEmpty {
      lines.append("types:")
      lines += hostTypes.map { "  " + $0.name + ": " + $0.summary }
    }
    lines.append("help(\"name\") or :help name shows a signature and an example")
    return lines.joined(separator: "\n")
  }
}
