import KMSLang
import Testing

/// A host type made the way the library bindings are: a Swift class, a static `HostType` listing
/// attributes and methods, and a constructor builtin registered next to it.
final class Counter: HostObject {
  var count: Int
  let step: Int

  init(count: Int, step: Int) {
    self.count = count
    self.step = step
  }

  static let hostType = HostType(
    name: "counter", summary: "counts up in steps",
    attributes: [
      .attribute("count", of: Counter.self, summary: "the current count") {
        .number(Double($0.count))
      },
      .attribute("twin", of: Counter.self, summary: "a new counter at the same count") {
        .host(Counter(count: $0.count, step: $0.step))
      },
    ],
    methods: [
      .method(
        "advance", of: Counter.self,
        parameters: [.optional("times", .integer, default: .number(1))],
        summary: "adds step × times to the count", example: "c.advance(3)"
      ) { counter, arguments in
        let times = try arguments.integer("times", atLeast: 0)
        counter.count += counter.step * times
        return .number(Double(counter.count))
      },
      .method(
        "run", of: Counter.self,
        parameters: [.keyword("limit", .integer, default: .number(1_000_000_000))],
        summary: "advances until interrupted or at the limit", example: "c.run(limit: 10)"
      ) { counter, arguments in
        let limit = try arguments.integer("limit")
        while counter.count < limit && !arguments.shouldStop() { counter.count += counter.step }
        return .none
      },
    ])

  var summary: String { "at \(count), step \(step)" }
}

extension BuiltinRegistry {
  /// What `Builtins+NN.swift` and friends do: register the types and their constructors.
  func registerCounter() {
    register(Counter.hostType)
    register(
      Builtin(
        "counter",
        parameters: [
          .optional("start", .integer, default: .number(0)),
          .keyword("step", .integer, default: .number(1)),
        ],
        summary: "makes a counter", example: "c = counter(5, step: 2)"
      ) { arguments in
        let step = try arguments.integer("step")
        try arguments.require("step", step > 0, "> 0")
        return .host(Counter(count: try arguments.integer("start"), step: step))
      })
  }
}

@Suite("Host objects and the builtin registry")
struct HostObjectTests {
  /// Runs code with the counter registered; returns printed lines or the first error.
  func run(_ code: String) -> (output: [String], error: String?) {
    let registry = BuiltinRegistry.standard()
    registry.registerCounter()
    var output = ""
    let interpreter = Interpreter(registry: registry) { output += $0 }
    var error: String?
    switch interpreter.run(SourceFile(name: "t.kms", text: code)) {
    case .success: break
    case .failure(.compile(let diagnostics)):
      error = diagnostics.first.map { $0.shortDescription + ($0.help.map { " | " + $0 } ?? "") }
    case .failure(.runtime(let runtime)):
      error = Diagnostic(runtime).shortDescription + (runtime.help.map { " | " + $0 } ?? "")
    }
    return (
      output.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map(String.init),
      error
    )
  }

  @Test("attributes, methods and bound methods work through the dot")
  func members() {
    let result = run(
      """
      c = counter(5, step: 2)
      print(c.count)
      print(c.advance(), c.advance(3))
      a = c.advance
      a()
      print(c.count, type(c), type(a))
      print(c)
      t = c.twin
      t.advance()
      print(c.count, t.count)
      """)
    #expect(result.error == nil)
    #expect(
      result.output == [
        "5", "7 13", "15 counter function", "<counter: at 15, step 2>", "15 17",
      ])
  }

  @Test("argument types and ranges are checked at the call")
  func argumentErrors() {
    #expect(
      run("c = counter(1)\nc.advance(\"x\")").error
        == "2:1: bad argument 'times' to 'counter.advance' (integer expected, got string)")
    #expect(run("c = counter(1)\nc.advance(-1)").error == "2:1: times must be >= 0, got -1")
    #expect(run("c = counter(1, step: 0)").error == "1:5: step must be > 0, got 0")
    #expect(
      run("c = counter(1)\nc.advance(1, 2)").error
        == "2:1: too many arguments to 'counter.advance' (expected at most 1, got 2) | signature: counter.advance(times: 1)"
    )
    #expect(
      run("c = counter(1)\nc.advance(tims: 1)").error
        == "2:11: unknown keyword argument 'tims' to 'counter.advance' | did you mean 'times'?")
    #expect(
      run("c = counter(1)\nc.run(5)").error
        == "2:1: 'counter.run' takes no positional arguments (got 1) | signature: counter.run(limit: 1000000000)"
    )
  }

  @Test("an unknown attribute suggests the closest member")
  func unknownAttribute() {
    #expect(
      run("c = counter()\nc.cont").error
        == "2:3: counter has no attribute 'cont' | did you mean 'count'?")
    #expect(
      run("c = counter()\nc.count = 3").error
        == "2:3: cannot set attribute 'count' of a counter | host objects are changed through their methods"
    )
  }

  @Test("the resolver checks constructor calls before anything runs")
  func resolverChecksConstructors() {
    let result = run("print(\"ran\")\nc = counter(1, stp: 2)")
    #expect(result.output.isEmpty)
    #expect(
      result.error == "2:16: unknown keyword argument 'stp' to 'counter' | did you mean 'step'?")
  }

  @Test("help covers builtins, types and methods")
  func help() {
    let registry = BuiltinRegistry.standard()
    registry.registerCounter()
    #expect(
      registry.helpText(for: "counter.advance")
        == "counter.advance(times: 1)\n  adds step × times to the count\n  example: c.advance(3)")
    #expect(
      registry.helpText(for: "counter")
        == "counter(start: 0, step: 1)\n  makes a counter\n  example: c = counter(5, step: 2)")
    #expect(
      Counter.hostType.helpText == """
        counter: counts up in steps
        attributes:
          .count  the current count
          .twin  a new counter at the same count
        methods:
          .advance(times: 1)  adds step × times to the count
          .run(limit: 1000000000)  advances until interrupted or at the limit
        """)
    #expect(run("c = counter()\nhelp(c.advance)").output.first == "counter.advance(times: 1)")
    #expect(registry.helpTopics.contains("counter.run"))
  }

  @Test("every core builtin has a summary, an example and a signature")
  func coreBuiltinsAreDocumented() {
    let registry = BuiltinRegistry.standard()
    let names = Set(registry.builtins.map(\.name))
    for expected in [
      "print", "len", "range", "str", "num", "type", "help", "abs", "min", "max", "sum", "round",
      "sqrt", "log", "exp", "append", "push", "keys", "time", "clock", "args", "exit", "assert",
    ] {
      #expect(names.contains(expected), "missing builtin \(expected)")
    }
    for builtin in registry.builtins {
      #expect(!builtin.summary.isEmpty && !builtin.example.isEmpty, "\(builtin.name)")
      #expect(registry.helpText(for: builtin.name)?.hasPrefix(builtin.name + "(") == true)
    }
  }

  @Test("floats from the library print the way they read")
  func floatPrinting() {
    #expect(Value.float(0.0008).description == "0.0008")
    #expect(Value.number(Double(Float(0.0008))).description != "0.0008")
    #expect(Value.float(3).description == "3")
  }
}
