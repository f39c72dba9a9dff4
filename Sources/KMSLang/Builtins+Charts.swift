import Foundation
import KMSPlot

// General plots: `plot`, `hist` and `bar` draw anything a script computes (a sweep's results, a
// history's fields), with matplotlib's options; `svg` writes any figure as SVG. The figure kinds
// with names of their own (curves, scatter, …) live in Builtins+Plot.swift.

extension Arguments {
  /// A list of numbers (none for non-numbers is an error naming the element).
  fileprivate func values(_ name: String, _ value: Value) throws(RuntimeError) -> [Double] {
    guard case .list(let list) = value else {
      throw error(
        "\(name) must be a list of numbers, got a \(value.typeName)", help: "e.g. [0.1, 0.2, 0.3]")
    }
    var result: [Double] = []
    for (index, element) in list.elements.enumerated() {
      guard case .number(let number) = element else {
        throw error(
          "\(name) must be a list of numbers, element \(index) is a \(element.typeName)",
          help: "e.g. [0.1, 0.2, 0.3]")
      }
      result.append(number)
    }
    return result
  }

  /// `xlim:` / `ylim:` as [low, high], or nil when not given.
  fileprivate func limits(_ name: String) throws(RuntimeError) -> ClosedRange<Double>? {
    if case .none = self[name] { return nil }
    let bounds = try numbers(name)
    guard bounds.count == 2, bounds.allSatisfy(\.isFinite), bounds[0] < bounds[1] else {
      throw error(
        "\(name) must be [low, high] with low < high, got \(self[name].repr)",
        help: "e.g. \(name): [0, 1]")
    }
    return bounds[0]...bounds[1]
  }

  /// The options every chart takes: title, axis labels, limits, log y, size in inches and dpi.
  fileprivate func chartOptions() throws(RuntimeError) -> ChartOptions {
    func optionalString(_ name: String) throws(RuntimeError) -> String? {
      if case .none = self[name] { return nil }
      return try string(name)
    }
    var size = (width: 6.4, height: 4.8)
    if case .list = self["size"] {
      let given = try numbers("size")
      guard given.count == 2, given.allSatisfy({ $0 >= 1 && $0 <= 40 }) else {
        throw error(
          "size must be [width, height] in inches, each 1 to 40, got \(self["size"].repr)",
          help: "matplotlib's default is size: [6.4, 4.8] (640×480 at 100 dpi)")
      }
      size = (given[0], given[1])
    }
    let dpi = try number("dpi")
    try require("dpi", dpi >= 50 && dpi <= 600, "50 to 600")
    try require(
      "dpi", size.width * dpi <= 8000 && size.height * dpi <= 8000,
      "small enough for at most 8000 pixels each way")
    return ChartOptions(
      title: try optionalString("title"), xLabel: try optionalString("xlabel"),
      yLabel: try optionalString("ylabel"), xLimits: try limits("xlim"),
      yLimits: try limits("ylim"), logScale: try boolean("log"), size: size, dpi: dpi)
  }

  /// A string or a list of strings (one per series), as a list of `count` optional strings.
  fileprivate func perSeries(_ name: String, count: Int) throws(RuntimeError) -> [String?] {
    switch self[name] {
    case .none: return Array(repeating: nil, count: count)
    case .string(let text): return count == 1 ? [text] : (0..<count).map { _ in text }
    case .list(let list):
      guard list.elements.count == count else {
        throw error(
          "\(name) has \(list.elements.count) entries for \(count) series",
          help: "give one \(name) per series")
      }
      var result: [String?] = []
      for element in list.elements {
        guard case .string(let text) = element else {
          throw badArgument(name, expected: "string or list of strings", got: element)
        }
        result.append(text)
      }
      return result
    default: throw badArgument(name, expected: "string or list of strings", got: self[name])
    }
  }

  /// The named column of a list of records or a table, as numbers.
  fileprivate func column(_ field: String, of source: Value) throws(RuntimeError) -> [Double] {
    var cells: [Value] = []
    if case .host(let object) = source, let table = object as? TableObject {
      guard let index = table.columns.firstIndex(of: field) else {
        throw error(
          "the table has no column '\(field)'",
          help: "its columns: " + table.columns.joined(separator: ", "))
      }
      cells = table.rows.map { $0[index] }
    } else if case .list(let list) = source {
      for (index, element) in list.elements.enumerated() {
        guard case .record(let record) = element else {
          throw error(
            "x: and y: name fields of records, but element \(index) is a \(element.typeName)",
            help: "plot(results, x: \"width\", y: \"accuracy\") with results a list of records")
        }
        guard let value = record[field] else {
          throw error(
            "record \(index) has no field '\(field)'",
            help: "its fields: " + record.keys.joined(separator: ", "))
        }
        cells.append(value)
      }
    }
    var result: [Double] = []
    for (index, cell) in cells.enumerated() {
      switch cell {
      case .number(let number): result.append(number)
      case .none: result.append(.nan)  // a missing value leaves a gap
      default:
        throw error("'\(field)' must hold numbers, row \(index) holds a \(cell.typeName)")
      }
    }
    return result
  }
}

/// Options shared by `plot`, `hist` and `bar`.
private struct ChartOptions {
  var title: String?
  var xLabel: String?
  var yLabel: String?
  var xLimits: ClosedRange<Double>?
  var yLimits: ClosedRange<Double>?
  var logScale: Bool
  var size: (width: Double, height: Double)
  var dpi: Double
}

/// `plot(ys)`, `plot(xs, ys)`, `plot(xs, [ys1, ys2])` or `plot(rows, x: "field", y: "field")`.
private func plotFigure(_ arguments: Arguments) throws -> Value {
  let first = arguments["xs"], second = arguments["ys"]
  var xs: [[Double]] = [], ys: [[Double]] = []
  var defaultLabels: [String?] = []
  var axisNames: (String?, String?) = (nil, nil)
  let isRows: Bool = {
    if case .host(let object) = first, object is TableObject { return true }
    if case .list(let list) = first, case .record = list.elements.first { return true }
    return false
  }()
  if isRows {
    guard case .string(let xField) = arguments["x"] else {
      throw arguments.error(
        "plotting records needs x: and y: naming their fields",
        help: "e.g. plot(results, x: \"width\", y: \"accuracy\")")
    }
    var yFields: [String] = []
    switch arguments["y"] {
    case .string(let field): yFields = [field]
    case .list(let list):
      for element in list.elements {
        guard case .string(let field) = element else {
          throw arguments.badArgument("y", expected: "field name or list of names", got: element)
        }
        yFields.append(field)
      }
    default:
      throw arguments.error(
        "plotting records needs y: naming the field(s) to plot",
        help: "e.g. plot(results, x: \"width\", y: \"accuracy\")")
    }
    guard !yFields.isEmpty else { throw arguments.error("y: names no field") }
    if case .list = second {
      throw arguments.error("give records with x: and y:, or lists xs and ys, not both")
    }
    let x = try arguments.column(xField, of: first)
    xs = yFields.map { _ in x }
    ys = try yFields.map { field throws(RuntimeError) in try arguments.column(field, of: first) }
    defaultLabels = yFields.count > 1 ? yFields : [nil]
    axisNames = (xField, yFields.count == 1 ? yFields[0] : nil)
  } else {
    if arguments.isGiven("x") || arguments.isGiven("y") {
      throw arguments.error(
        "x: and y: name fields, for a list of records or a table",
        help: "for lists of numbers use plot(xs, ys)")
    }
    // plot(ys) or plot(xs, ys); ys may be several series.
    let (xValue, yValue): (Value?, Value) = {
      if case .none = second { return (nil, first) }
      return (first, second)
    }()
    guard case .list(let yList) = yValue, !yList.elements.isEmpty else {
      throw arguments.error(
        "plot needs a non-empty list of numbers to draw",
        help: "e.g. plot([1, 2, 3], [0.5, 0.3, 0.2]) or plot(h.loss)")
    }
    if case .list = yList.elements[0] {
      ys = try yList.elements.enumerated().map { index, element throws(RuntimeError) in
        try arguments.values("ys[\(index)]", element)
      }
    } else {
      ys = [try arguments.values("ys", yValue)]
    }
    if let xValue {
      if case .list(let xList) = xValue, case .list = xList.elements.first {
        xs = try xList.elements.enumerated().map { index, element throws(RuntimeError) in
          try arguments.values("xs[\(index)]", element)
        }
        guard xs.count == ys.count else {
          throw arguments.error("\(xs.count) lists of xs for \(ys.count) lists of ys")
        }
      } else {
        let x = try arguments.values("xs", xValue)
        xs = ys.map { _ in x }
      }
    } else {
      // NOTE: x counts from 1, not matplotlib's 0, so plot(h.loss) puts each value at its epoch.
      xs = ys.map { series in series.indices.map { Double($0 + 1) } }
    }
    for (index, (x, y)) in zip(xs, ys).enumerated() where x.count != y.count {
      throw arguments.error(
        "series \(index) has \(x.count) xs but \(y.count) ys", help: "give one y per x")
    }
    defaultLabels = Array(repeating: nil, count: ys.count)
  }
  let labels = try arguments.perSeries("label", count: ys.count)
  let styles = try arguments.perSeries("style", count: ys.count)
  var lines: [(xs: [Double], ys: [Double], label: String?, style: LineStyle)] = []
  for index in ys.indices {
    let format = styles[index] ?? "-"
    guard let style = LineStyle(format) else {
      throw arguments.error(
        "unknown style '\(format)'",
        help: "use one of " + LineStyle.names.map { "\"\($0)\"" }.joined(separator: ", "))
    }
    lines.append((xs[index], ys[index], labels[index] ?? defaultLabels[index], style))
  }
  var options = try arguments.chartOptions()
  options.xLabel = options.xLabel ?? axisNames.0
  options.yLabel = options.yLabel ?? axisNames.1
  let figure = try plotCall(arguments) {
    try Chart.lines(
      lines, title: options.title, xLabel: options.xLabel, yLabel: options.yLabel,
      xLimits: options.xLimits, yLimits: options.yLimits, logScale: options.logScale,
      size: options.size, dpi: options.dpi)
  }
  return .host(FigureObject(figure, kind: "line plot"))
}

/// `hist(values, bins:, …)`.
private func histFigure(_ arguments: Arguments) throws -> Value {
  let values = try arguments.values("values", arguments["values"])
  guard values.contains(where: \.isFinite) else {
    throw arguments.error("hist needs at least one finite value", help: "e.g. hist([1, 2, 2, 3])")
  }
  let bins = try arguments.integer("bins", atLeast: 1)
  try arguments.require("bins", bins <= 1000, "at most 1000")
  let options = try arguments.chartOptions()
  let figure = try plotCall(arguments) {
    try Chart.histogram(
      values, bins: bins, title: options.title, xLabel: options.xLabel,
      yLabel: options.yLabel, xLimits: options.xLimits, yLimits: options.yLimits,
      logScale: options.logScale, size: options.size, dpi: options.dpi)
  }
  return .host(FigureObject(figure, kind: "histogram"))
}

/// `bar(labels, values, …)`.
private func barFigure(_ arguments: Arguments) throws -> Value {
  let given = try arguments.list("labels").elements
  let labels = given.map { value -> String in
    if case .string(let text) = value { return text }
    return value.repr
  }
  let values = try arguments.values("values", arguments["values"])
  guard !labels.isEmpty else {
    throw arguments.error("bar needs at least one bar", help: "e.g. bar([\"a\", \"b\"], [3, 5])")
  }
  guard labels.count == values.count else {
    throw arguments.error(
      "bar has \(labels.count) labels but \(values.count) values", help: "give one value per label")
  }
  if arguments.isGiven("xlim") {
    throw arguments.error("a bar chart's x axis is its labels", help: "leave out xlim")
  }
  let options = try arguments.chartOptions()
  let figure = try plotCall(arguments) {
    try Chart.bars(
      labels, values, title: options.title, xLabel: options.xLabel, yLabel: options.yLabel,
      yLimits: options.yLimits, logScale: options.logScale, size: options.size,
      dpi: options.dpi)
  }
  return .host(FigureObject(figure, kind: "bar chart"))
}

extension BuiltinRegistry {
  /// Registers `plot`, `hist`, `bar` and `svg`.
  public func registerCharts() {
    let common: [KMSLang.Parameter] = [
      .keyword("title", .optional(.string), default: .none),
      .keyword("xlabel", .optional(.string), default: .none),
      .keyword("ylabel", .optional(.string), default: .none),
      .keyword("xlim", .optional(.list), default: .none),
      .keyword("ylim", .optional(.list), default: .none),
      .keyword("log", .boolean, default: .boolean(false)),
      .keyword("size", .optional(.list), default: .none),
      .keyword("dpi", .number, default: .number(100)),
    ]
    register(
      Builtin(
        "plot", returns: .host("figure"),
        parameters: [
          .required("xs", .oneOf([.list, .host("table")])),
          .optional("ys", .optional(.list), default: .none),
          .keyword("x", .optional(.string), default: .none),
          .keyword("y", .optional(.oneOf([.string, .list])), default: .none),
          .keyword("label", .optional(.oneOf([.string, .list])), default: .none),
          .keyword("style", .optional(.oneOf([.string, .list])), default: .none),
        ] + common,
        summary:
          "line plot of ys (at 1, 2, …), of xs against ys (a list of lists for several series), or of records' fields",
        example: "fig = plot(widths, [train_acc, test_acc], label: [\"train\", \"test\"], style: [\"-o\", \"--\"])",
        implementation: plotFigure))
    register(
      Builtin(
        "hist", returns: .host("figure"),
        parameters: [
          .required("values", .list), .keyword("bins", .integer, default: .number(10)),
        ] + common,
        summary: "a histogram of values in equal bins over their range",
        example: "fig = hist(errors, bins: 30, log: true)",
        implementation: histFigure))
    register(
      Builtin(
        "bar", returns: .host("figure"),
        parameters: [.required("labels", .list), .required("values", .list)] + common,
        summary: "a bar chart, one bar per label",
        example: "fig = bar([\"SAE + MLP\", \"CNN\"], [0.85, 0.95], ylabel: \"accuracy\")",
        implementation: barFigure))
    register(
      Builtin(
        "svg",
        parameters: [
          .required("figure", .host("figure")), .required("path", .string),
          .keyword("scale", .integer, default: .number(1)),
        ],
        summary:
          "writes a figure as SVG (text stays text, images embedded), atomically; returns the path",
        example: "svg(fig, \"figures/curves.svg\")"
      ) { arguments in
        try writePNG(try arguments.host("figure", as: FigureObject.self), arguments, asSVG: true)
      })
  }
}
