import Foundation

// Python's sequence helpers: enumerate, zip, sorted (by key), reversed, linspace. Each takes
// any iterable kms value: a list, a string (its characters), a record (its keys) or a dataset
// (its examples).

extension ValueType {
  /// What `for x in …` accepts.
  static let iterable = ValueType.oneOf([.list, .string, .record, .host("dataset")])
}

extension BuiltinRegistry {
  /// Registers enumerate, zip, sorted, reversed and linspace.
  func registerSequences() {
    register(
      Builtin(
        "enumerate", returns: .listOf(.list),
        parameters: [
          .required("values", .iterable), .keyword("start", .integer, default: .number(0)),
        ],
        summary: "[index, value] pairs of a list (or string, record, dataset), counting from start",
        example: "for i, loss in enumerate(h.loss, start: 1) { print(i, loss) }"
      ) { arguments in
        let start = try arguments.integer("start")
        let values = try arguments.elements("values")
        return .list(
          values.enumerated().map { .list([.number(Double(start + $0.offset)), $0.element]) })
      })
    register(
      Builtin(
        "zip", returns: .listOf(.list), parameters: [.variadic("lists", .iterable)],
        summary: "lists of the first elements, the second elements, …, as long as the shortest",
        example: "for size, loss in zip(sizes, losses) { print(size, loss) }"
      ) { arguments in
        var columns: [[Value]] = []
        for value in arguments.variadic("lists") {
          columns.append(try arguments.interpreter.elements(of: value, at: arguments.range))
        }
        let count = columns.map(\.count).min() ?? 0
        return .list((0..<count).map { row in .list(columns.map { $0[row] }) })
      })
    register(
      Builtin(
        "sorted", returns: .list,
        parameters: [
          .required("values", .iterable), .keyword("key", .optional(.function), default: .none),
          .keyword("reverse", .boolean, default: .boolean(false)),
        ],
        summary:
          "a sorted copy (numbers or strings), by key(x) when a key function is given; stable",
        example: "sorted(runs, key: fn (r) { return r.loss })"
      ) { arguments in
        let values = try arguments.elements("values")
        var keys = values
        if case .function = arguments["key"] {
          keys = []
          for value in values {
            keys.append(
              try arguments.interpreter.call(
                arguments["key"], arguments: [value], at: arguments.range))
          }
        }
        let order: [Int]
        if let numbers = keys.numbersIfAll {
          order = stableOrder(numbers)
        } else if case let strings = keys.compactMap({ (key: Value) -> String? in
          if case .string(let text) = key { text } else { nil }
        }), strings.count == keys.count {
          order = stableOrder(strings)
        } else {
          let kinds = Set(keys.map(\.typeName)).sorted().joined(separator: " and ")
          throw arguments.error(
            "sorted needs all numbers or all strings to compare, got \(kinds)",
            help: "give a key function that returns a number or a string: key: fn (x) { … }")
        }
        // Reversing keeps ties in their original order, as Python's reverse=True does.
        let final = try arguments.boolean("reverse") ? reverseStably(order, keys: keys) : order
        return .list(final.map { values[$0] })
      })
    register(
      Builtin(
        "reversed", returns: .any, parameters: [.required("values", .iterable)],
        summary: "a list in reverse order (a string reversed for a string)",
        example: "reversed(range(5))"
      ) { arguments in
        if case .string(let text) = arguments["values"] { return .string(String(text.reversed())) }
        return .list(Array(try arguments.elements("values").reversed()))
      })
    register(
      Builtin(
        "linspace", returns: .listOf(.number),
        parameters: [
          .required("start", .number), .required("stop", .number),
          .optional("count", .integer, default: .number(50)),
        ],
        summary: "count evenly spaced numbers from start to stop, both included (as numpy's)",
        example: "for lr in linspace(0.0001, 0.001, 4) { print(lr) }"
      ) { arguments in
        let start = try arguments.number("start")
        let stop = try arguments.number("stop")
        let count = try arguments.integer("count", atLeast: 1)
        try Limits.checkList(count: count, "linspace()", at: arguments.range)
        guard count > 1 else { return .list([.number(start)]) }
        let step = (stop - start) / Double(count - 1)
        return .list(
          (0..<count).map { .number($0 == count - 1 ? stop : start + Double($0) * step) })
      })
  }
}

/// The positions of `keys` in ascending order, equal keys in their original order.
private func stableOrder<Key: Comparable>(_ keys: [Key]) -> [Int] {
  keys.indices.sorted { keys[$0] < keys[$1] || (keys[$0] == keys[$1] && $0 < $1) }
}

/// `order` reversed, with runs of equal keys kept in their original order.
private func reverseStably(_ order: [Int], keys: [Value]) -> [Int] {
  var groups: [[Int]] = []
  for index in order {
    if let last = groups.last?.last, keys[last].isEqual(to: keys[index]) {
      groups[groups.count - 1].append(index)
    } else {
      groups.append([index])
    }
  }
  return groups.reversed().flatMap { $0 }
}

extension Arguments {
  /// The elements of an iterable argument, as `for` would visit them.
  /// - Parameter name: the parameter's name.
  func elements(_ name: String) throws(RuntimeError) -> [Value] {
    try interpreter.elements(of: self[name], at: range)
  }
}
