import Foundation

/// When the process started, for `clock()`.
/// When the clock started: set when the registry is built (`registerCore`), before any script
/// can call `clock()`; monotonic, so wall-clock adjustments cannot make `clock()` negative.
private let processStart = ContinuousClock.now

extension BuiltinRegistry {
  /// Registers the core builtins: printing, conversion, lists, math, time and the script's
  /// environment.
  public func registerCore() {
    _ = processStart  // start the clock now (globals initialise on first use)
    registerPrinting()
    registerConversions()
    registerCollections()
    registerMath()
    registerEnvironment()
    registerText()
    registerSequences()
  }

  private func registerPrinting() {
    register(
      Builtin(
        "print",
        parameters: [
          .variadic("values", .any), .keyword("sep", .string, default: .string(" ")),
          .keyword("end", .string, default: .string("\n")),
        ],
        summary: "writes the values separated by spaces, then a newline",
        example: "print(\"loss\", 0.0008, sep: \": \")"
      ) { arguments in
        let interpreter = arguments.interpreter
        let text = arguments.variadic("values").map { interpreter.displayText($0) }.joined(
          separator: try arguments.string("sep"))
        arguments.write(text + (try arguments.string("end")))
        return .none
      })
    register(
      Builtin(
        "help", parameters: [.optional("topic", .any, default: .none)],
        summary: "explains a builtin, a type or a method; lists every builtin without an argument",
        example: "help(\"range\")"
      ) { arguments in
        arguments.write(
          try BuiltinRegistry.helpText(for: arguments["topic"], arguments: arguments) + "\n")
        return .none
      })
  }

  private static func helpText(for topic: Value, arguments: Arguments) throws(RuntimeError)
    -> String
  {
    let registry = arguments.interpreter.registry
    switch topic {
    case .none:
      return registry.overview
    case .string(let name):
      if let text = registry.helpText(for: name) { return text }
      throw arguments.error(
        "no help for '\(name)'",
        help: suggestion(for: name, among: registry.helpTopics).map { "did you mean '\($0)'?" }
          ?? "help() lists every builtin")
    case .function(.builtin(let builtin)), .function(.method(let builtin, _)):
      return builtin.helpText
    case .function(.user(let function)):
      return "fn \(function.declaration.signature)\n  defined at \(function.declaration.range)"
    case .host(let object):
      return object.hostType.helpText
    default:
      return "\(topic.repr) is a \(topic.typeName)"
    }
  }

  private func registerConversions() {
    register(
      Builtin(
        "str", returns: .string, parameters: [.required("value", .any)],
        summary: "converts a value to the string print would write", example: "\"epoch \" + str(3)"
      ) { arguments in
        guard let text = arguments["value"].text(limit: Limits.maximumStringBytes) else {
          try Limits.checkString(
            bytes: Limits.maximumStringBytes + 1, "str() of this value", at: arguments.range)
          return .none
        }
        return .string(text)
      })
    register(
      Builtin(
        "num", returns: .number, parameters: [.required("value", .oneOf([.number, .string, .boolean]))],
        summary: "converts a string (or boolean) to a number, as float() does",
        example: "num(\"0.0008\") * 2"
      ) { arguments in
        try BuiltinRegistry.number(arguments)
      })
    register(
      Builtin(
        "int", returns: .integer,
        parameters: [
          .required("value", .oneOf([.number, .string, .boolean])),
          .optional("base", .integer, default: .number(10)),
        ],
        summary:
          "a whole number from a number (truncated toward zero: int(-3.9) is -3), a string of "
          + "digits (\" 12 \", \"-7\", \"1_000\"; \"ff\" with base 16) or a boolean",
        example: "epochs = int(args()[0])",
        notes: [
          "kms has one number type: the result is a number with no fraction, exact up to ±2^53 "
            + "(9,007,199,254,740,992), where Python's int has no bound",
          "int(\"3.5\") fails as in Python; int(float(\"3.5\")) is 3",
          "int() needs an argument (Python's int() is 0); base is 2 to 36 (Python also takes 0)",
        ]
      ) { arguments in
        try BuiltinRegistry.integer(arguments)
      })
    register(
      Builtin(
        "float", returns: .number,
        parameters: [.required("value", .oneOf([.number, .string, .boolean]))],
        summary:
          "a number from a string (\"0.5\", \" 2 \", \"1e-3\", \"inf\", \"nan\"), a number or a "
          + "boolean, read as Python's float() reads it",
        example: "lr = float(args()[1])",
        notes: [
          "kms has one number type: float(3) is the 3 that int(3) gives and prints as 3 "
            + "(Python prints 3.0)",
          "float() needs an argument (Python's float() is 0.0)",
        ]
      ) { arguments in
        try BuiltinRegistry.number(arguments)
      })
    register(
      Builtin(
        "type", returns: .string, parameters: [.required("value", .any)],
        summary:
          "the name of a value's type: number, string, boolean, none, list, record, function or a host type",
        example: "type([1, 2])"
      ) { arguments in
        .string(arguments["value"].typeName)
      })
  }

  /// `float(value)` and `num(value)`: a number as it is, a boolean as 0 or 1, a string read as
  /// Python's float() reads it (`NumberText.number`).
  private static func number(_ arguments: Arguments) throws(RuntimeError) -> Value {
    switch arguments["value"] {
    case .number(let number): return .number(number)
    case .boolean(let flag): return .number(flag ? 1 : 0)
    case .string(let text):
      guard let number = NumberText.number(text) else {
        throw arguments.error(
          "cannot convert \(Value.quoted(text)) to a number",
          help: "float() reads numbers such as \"0.5\", \"-2\", \"1e-3\", \"inf\" or \"nan\"")
      }
      return .number(number)
    default: return .none  // the parameter's type admits nothing else
    }
  }

  /// `int(value, base:)`: truncates a number toward zero, reads a string in a base, maps a
  /// boolean to 0 or 1; fails, naming the value, when there is no exact integer to give.
  private static func integer(_ arguments: Arguments) throws(RuntimeError) -> Value {
    let value = arguments["value"]
    let base = try arguments.integer("base")
    if arguments.isGiven("base") {
      guard case .string = value else {
        throw arguments.error(
          "int() takes a base only with a string, got a \(value.typeName)",
          help: "int(x) truncates a number; a base says how to read the digits of a string")
      }
      try arguments.require("base", (2...36).contains(base), "between 2 and 36")
    }
    let exactRange =
      "integers in kms lie between -9,007,199,254,740,992 and 9,007,199,254,740,992 (±2^53), "
      + "where a number holds every whole value exactly"
    switch value {
    case .boolean(let flag):
      return .number(flag ? 1 : 0)
    case .number(let number):
      if number.isNaN {
        throw arguments.error(
          "cannot convert nan to an integer", help: "nan (not a number) has no integer value")
      }
      guard number.isFinite else {
        throw arguments.error("cannot convert \(Value.format(number)) to an integer")
      }
      let whole = number.rounded(.towardZero)
      guard Swift.abs(whole) <= Limits.largestExactInteger else {
        throw arguments.error(
          "\(Value.format(number)) is too large to be an integer", help: exactRange)
      }
      // NOTE: `+ 0` turns the -0 of int(-0.5) into 0, which is what Python gives.
      return .number(whole + 0)
    case .string(let text):
      switch NumberText.integer(text, base: base) {
      case .value(let number):
        return .number(number)
      case .tooLarge:
        throw arguments.error(
          "\(Value.quoted(text)) is too large to be an integer", help: exactRange)
      case .invalid:
        guard base == 10 else {
          let lastLetter = Character(Unicode.Scalar(UInt8(86 + base)))  // base 16: "f"
          let letters =
            base == 11
            ? " and the letter a" : base > 10 ? " and the letters a to \(lastLetter)" : ""
          throw arguments.error(
            "cannot convert \(Value.quoted(text)) to an integer in base \(base)",
            help:
              "base \(base) is written with the digits 0 to \(Swift.min(base, 10) - 1)\(letters)"
              + (base > 10 ? " (either case)" : ""))
        }
        var help = "int() reads whole numbers written in digits, such as \"12\" or \"-3\""
        if let number = NumberText.number(text), number.isFinite,
          Swift.abs(number) <= Limits.largestExactInteger
        {
          let whole = Value.format(number.rounded(.towardZero) + 0)
          help =
            "it is not written as a whole number; int(float(\(Value.quoted(text)))) gives \(whole)"
        }
        throw arguments.error("cannot convert \(Value.quoted(text)) to an integer", help: help)
      }
    default:
      return .none  // the parameter's type admits nothing else
    }
  }

  private func registerCollections() {
    register(
      Builtin(
        "len", returns: .integer, parameters: [.required("value", .iterable)],
        summary:
          "the number of elements of a list, characters of a string, entries of a record or "
          + "examples of a dataset",
        example: "len([800, 400, 225])"
      ) { arguments in
        switch arguments["value"] {
        case .list(let list): return .number(Double(list.elements.count))
        case .string(let text): return .number(Double(text.count))
        case .record(let record): return .number(Double(record.count))
        case .host(let sequence as HostSequence): return .number(Double(sequence.count))
        default: return .none
        }
      })
    register(
      Builtin(
        "range", returns: .listOf(.number),
        parameters: [
          .required("start", .number), .optional("stop", .optional(.number), default: .none),
          .optional("step", .number, default: .number(1)),
        ],
        summary:
          "the list start, start+step, … below stop; range(n) counts 0 to n-1; steps may be "
          + "fractions: range(0, 1, 0.25)",
        example: "for i in range(10) { print(i) }"
      ) { arguments in
        let whole = ["start", "stop", "step"].allSatisfy { name in
          guard case .number(let number) = arguments[name] else { return true }
          return number == number.rounded()
        }
        if !whole { return try BuiltinRegistry.fractionalRange(arguments) }
        var start = try arguments.integer("start")
        var stop: Int
        if case .none = arguments["stop"] {
          stop = start
          start = 0
        } else {
          stop = try arguments.integer("stop")
        }
        let step = try arguments.integer("step")
        try arguments.require("step", step != 0, "non-zero")
        let count =
          step > 0
          ? max(0, (stop - start + step - 1) / step) : max(0, (start - stop - step - 1) / -step)
        try Limits.checkList(count: count, "range()", at: arguments.range)
        stop = start + count * step
        return .list(List(stride(from: start, to: stop, by: step).map { .number(Double($0)) }))
      })
    let pushBody: (Arguments) throws -> Value = { arguments in
      let list = try arguments.list("list")
      // Checked when the list must grow its storage (it doubles), so a push costs nothing extra.
      if list.elements.count == list.elements.capacity {
        try Limits.checkList(
          count: list.elements.count + 1, "\(arguments.callee.name)()", at: arguments.range)
        try Limits.checkMemory(
          bytes: 2 * list.elements.count * MemoryLayout<Value>.stride,
          "growing a list of \(list.elements.count) elements", at: arguments.range)
      }
      list.elements.append(arguments["value"])
      return .none
    }
    register(
      Builtin(
        "push", parameters: [.required("list", .list), .required("value", .any)],
        summary: "adds a value at the end of a list (changing it)", example: "push(losses, 0.02)",
        implementation: pushBody))
    register(
      Builtin(
        "append", parameters: [.required("list", .list), .required("value", .any)],
        summary: "adds a value at the end of a list (the same as push)",
        example: "append(sizes, 225)",
        implementation: pushBody))
    register(
      Builtin(
        "keys", returns: .listOf(.string), parameters: [.required("record", .record)],
        summary: "the keys of a record, in insertion order", example: "keys({name: \"a\", n: 3})"
      ) { arguments in
        .list(List(try arguments.record("record").keys.map { .string($0) }))
      })
    register(
      Builtin(
        "sort", returns: .list, parameters: [.required("list", .list)],
        summary: "a sorted copy of a list of numbers or of strings", example: "sort([3, 1, 2])"
      ) { arguments in
        let elements = try arguments.list("list").elements
        if let numbers = elements.numbersIfAll {
          return .list(List(numbers.sorted().map { .number($0) }))
        }
        let strings = elements.compactMap {
          if case .string(let text) = $0 { return text } else { return nil }
        }
        guard strings.count == elements.count else {
          throw arguments.error("sort needs a list of numbers or a list of strings")
        }
        return .list(List(strings.sorted().map { .string($0) }))
      })
    register(
      Builtin(
        "join", returns: .string,
        parameters: [
          .required("list", .list), .optional("separator", .string, default: .string("")),
        ],
        summary: "the elements of a list as strings, joined with a separator",
        example: "join([\"a\", \"b\"], \", \")"
      ) { arguments in
        let separator = try arguments.string("separator")
        var pieces: [String] = []
        var bytes = 0
        for element in try arguments.list("list").elements {
          guard let piece = element.text(limit: Limits.maximumStringBytes - bytes) else {
            bytes = Limits.maximumStringBytes + 1
            break
          }
          bytes += piece.utf8.count + (pieces.isEmpty ? 0 : separator.utf8.count)
          if bytes > Limits.maximumStringBytes { break }
          pieces.append(piece)
        }
        try Limits.checkString(bytes: bytes, "join()", at: arguments.range)
        return .string(pieces.joined(separator: separator))
      })
  }

  /// `range` with a fractional start, stop or step: `start + i * step` (not a running sum, so
  /// errors do not accumulate), stopping before `stop` within a rounding error.
  private static func fractionalRange(_ arguments: Arguments) throws(RuntimeError) -> Value {
    var start = try arguments.number("start")
    var stop: Double
    if case .none = arguments["stop"] {
      (start, stop) = (0, start)
    } else {
      stop = try arguments.number("stop")
    }
    let step = try arguments.number("step")
    try arguments.require("step", step != 0 && step.isFinite, "non-zero")
    try arguments.require("start", start.isFinite, "finite")
    try arguments.require("stop", stop.isFinite, "finite")
    let steps = (stop - start) / step
    // 0.1 * 3 is 0.30000000000000004: a last element that only misses stop by rounding is out.
    let count = steps <= 0 ? 0 : (steps - 1e-9 * Swift.max(1, steps)).rounded(.up)
    try Limits.checkList(
      count: count > 1e15 ? Int.max / 2 : Int(count), "range()", at: arguments.range)
    return .list((0..<Int(count)).map { .number(start + Double($0) * step) })
  }

  private func registerMath() {
    func unary(
      _ name: String, summary: String, example: String, domain: ((Double) -> Bool, String)? = nil,
      _ f: @escaping (Double) -> Double
    ) {
      register(
        Builtin(name, parameters: [.required("x", .number)], summary: summary, example: example) {
          arguments in
          let x = try arguments.number("x")
          if let (isValid, requirement) = domain {
            try arguments.require("x", isValid(x), requirement)
          }
          return .number(f(x))
        })
    }
    unary("abs", summary: "the absolute value", example: "abs(-3)") { Swift.abs($0) }
    unary("sqrt", summary: "the square root", example: "sqrt(2)", domain: ({ $0 >= 0 }, ">= 0")) {
      $0.squareRoot()
    }
    unary("log", summary: "the natural logarithm", example: "log(10)", domain: ({ $0 > 0 }, "> 0"))
    { Foundation.log($0) }
    unary("exp", summary: "e raised to a power", example: "exp(1)") { Foundation.exp($0) }
    unary("floor", summary: "the largest whole number not above x", example: "floor(2.7)") {
      $0.rounded(.down)
    }
    register(
      Builtin(
        "round", returns: .number,
        parameters: [.required("x", .number), .optional("digits", .integer, default: .number(0))],
        summary: "rounds to a number of decimal digits (halves away from zero)",
        example: "round(0.123456, 3)"
      ) { arguments in
        let x = try arguments.number("x")
        let digits = try arguments.integer("digits")
        try arguments.require("digits", (0...15).contains(digits), "between 0 and 15")
        let scale = Foundation.pow(10, Double(digits))
        return .number((x * scale).rounded(.toNearestOrAwayFromZero) / scale)
      })
    for (name, pick) in [
      ("min", { (a: Double, b: Double) in Swift.min(a, b) }), ("max", { Swift.max($0, $1) }),
    ] {
      register(
        Builtin(
          name, returns: .number, parameters: [.variadic("values", .oneOf([.number, .list]))],
          summary:
            "the \(name == "min" ? "smallest" : "largest") of several numbers or of one list of numbers",
          example: "\(name)(3, 1, 2) or \(name)(losses)"
        ) { arguments in
          var values = arguments.variadic("values")
          if values.count == 1, case .list(let list) = values[0] { values = list.elements }
          guard let numbers = values.numbersIfAll else {
            throw arguments.error("\(name) needs numbers or one list of numbers")
          }
          guard let first = numbers.first else { throw arguments.error("\(name) of an empty list") }
          return .number(numbers.dropFirst().reduce(first, pick))
        })
    }
    register(
      Builtin(
        "sum", returns: .number, parameters: [.required("list", .list)],
        summary: "the sum of a list of numbers", example: "sum([1, 2, 3])"
      ) { arguments in
        guard let numbers = try arguments.list("list").elements.numbersIfAll else {
          throw arguments.error("sum needs a list of numbers")
        }
        return .number(numbers.reduce(0, +))
      })
  }

  private func registerEnvironment() {
    register(
      Builtin(
        "time", returns: .number, summary: "seconds since 1970-01-01 UTC (wall clock)", example: "start = time()"
      ) { _ in
        .number(Date().timeIntervalSince1970)
      })
    register(
      Builtin(
        "clock", returns: .number, summary: "seconds since kms started, for timing",
        example: "t0 = clock(); train(); print(clock() - t0)"
      ) { _ in
        // NOTE: `processStart` is a lazily initialised global; read in the same expression as
        // `now`, it was first set after `now` was taken, hence `-2.38e-07` on the first call.
        let elapsed = ContinuousClock.now - processStart
        return .number(
          max(0, Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18))
      })
    register(
      Builtin(
        "args", returns: .listOf(.string), summary: "the arguments given after the script's path, as strings",
        example: "epochs = int(args()[0])"
      ) { arguments in
        .list(List(arguments.interpreter.scriptArguments.map { .string($0) }))
      })
    register(
      Builtin(
        "exit", parameters: [.optional("code", .integer, default: .number(0))],
        summary: "ends the script (or the REPL) with an exit code", example: "exit(1)"
      ) { arguments in
        let code = try arguments.integer("code")
        try arguments.require("code", (0...255).contains(code), "between 0 and 255")
        throw RuntimeError("exit(\(code))", at: arguments.range, kind: .exit(Int32(code)))
      })
    register(
      Builtin(
        "assert",
        parameters: [
          .required("condition", .any), .optional("message", .string, default: .string("")),
        ],
        summary: "fails with a message unless the condition is true",
        example: "assert(len(sizes) == 3, \"three layers\")"
      ) { arguments in
        guard arguments["condition"].isTruthy else {
          let message = try arguments.string("message")
          throw arguments.error(
            message.isEmpty ? "assertion failed" : "assertion failed: \(message)")
        }
        return .none
      })
  }
}

extension Array where Element == Value {
  /// The elements as numbers, or nil when any is not a number.
  var numbersIfAll: [Double]? {
    var numbers: [Double] = []
    numbers.reserveCapacity(count)
    for element in self {
      guard case .number(let number) = element else { return nil }
      numbers.append(number)
    }
    return numbers
  }
}
