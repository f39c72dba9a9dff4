import Foundation
import KMSTensor

// Tables: rows of named values printed with aligned columns, and written as CSV. The paper's
// comparison (accuracy, training time, parameters per model) is one `table([...])` call.

/// A table in kms: named columns and rows of values.
public final class TableObject: HostObject {
  /// The column names, in order.
  public let columns: [String]
  /// The rows; each has one value per column (`none` where a record lacked the key).
  public let rows: [[Value]]
  /// A title printed above the table, if any.
  public let title: String?

  init(columns: [String], rows: [[Value]], title: String?) {
    self.columns = columns
    self.rows = rows
    self.title = title
  }

  /// `3 rows × 4 columns (model, accuracy, seconds, parameters)`.
  public var summary: String {
    "\(rows.count) row\(rows.count == 1 ? "" : "s") × \(columns.count) columns ("
      + columns.joined(separator: ", ") + ")"
  }

  /// Tables with more rows than this print their first and last `summaryEdge` rows (pandas's
  /// rule); `.rows` and `.csv()` keep them all.
  static let summaryThreshold = 60
  static let summaryEdge = 5

  /// The rows `description` shows: all, or the ends with nil for the `…` between them.
  static func shownRows<Row>(_ rows: [Row]) -> [Row?] {
    guard rows.count > summaryThreshold else { return rows }
    return rows.prefix(summaryEdge).map { $0 } + [nil] + rows.suffix(summaryEdge).map { $0 }
  }

  /// The table with aligned columns: text left, numbers right; a long table shows its ends.
  public var description: String {
    let shown = TableObject.shownRows(rows)
    let cells = shown.map { $0?.map(TableObject.text) ?? columns.map { _ in "…" } }
    let widths = columns.indices.map { column in
      ([columns[column]] + cells.map { $0[column] }).map(\.count).max() ?? 0
    }
    let isNumeric = columns.indices.map { column in
      rows.allSatisfy { if case .number = $0[column] { true } else if case .none = $0[column] { true } else { false } }
    }
    func line(_ texts: [String]) -> String {
      texts.enumerated().map { column, text in
        let padding = String(repeating: " ", count: widths[column] - text.count)
        return isNumeric[column] ? padding + text : text + padding
      }.joined(separator: "  ").replacingOccurrences(of: " +$", with: "", options: .regularExpression)
    }
    var lines = title.map { [$0] } ?? []
    lines.append(line(columns))
    lines.append(widths.map { String(repeating: "-", count: $0) }.joined(separator: "  "))
    lines += cells.map(line)
    if shown.count < rows.count {
      lines.append("[\(grouped(rows.count)) rows × \(columns.count) columns]")
    }
    return lines.joined(separator: "\n")
  }

  /// A cell as printed: numbers in kms's shortest form, strings bare, `none` as `-`.
  static func text(_ value: Value) -> String {
    switch value {
    case .none: "-"
    case .number(let number):
      // Long fractions are rounded for reading; CSV keeps them whole.
      number == number.rounded() || abs(number) >= 1e4 ? Value.format(number)
        : Value.format((number * 1e4).rounded() / 1e4)
    default: value.description
    }
  }

  /// The table as CSV (RFC 4180 quoting), full precision.
  public var csv: String {
    func field(_ value: Value) -> String {
      let text: String
      switch value {
      case .none: text = ""
      case .number(let number): text = Value.format(number)
      default: text = value.description
      }
      guard text.contains(where: { ",\"\n\r".contains($0) }) else { return text }
      return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
    return ([columns.map { field(.string($0)) }] + rows.map { $0.map(field) })
      .map { $0.joined(separator: ",") }.joined(separator: "\n") + "\n"
  }

  /// The kms type `table`.
  public static let hostType = HostType(
    name: "table", summary: "rows of named values, printed aligned and written as CSV",
    attributes: [
      .attribute("columns", of: TableObject.self, type: .listOf(.string), summary: "the column names") {
        .list($0.columns.map { .string($0) })
      },
      .attribute("rows", of: TableObject.self, type: .listOf(.record), summary: "the rows, as records") { table in
        .list(table.rows.map { row in
          let record = Record()
          for (column, value) in zip(table.columns, row) { record[column] = value }
          return .record(record)
        })
      },
    ],
    methods: [
      .method("csv", of: TableObject.self, parameters: [.required("path", .string)],
              summary: "writes the table as CSV, atomically; returns the path",
              example: "results.csv(\"results.csv\")") { table, arguments in
        try table.writeCSV(to: try arguments.string("path"), arguments)
      }
    ])

  /// Writes the table as CSV to `path` atomically (a reader never sees half a file).
  /// - Returns: the path, as kms `csv` methods return it.
  func writeCSV(to path: String, _ arguments: Arguments) throws(RuntimeError) -> Value {
    if let (message, help) = writeProblem(at: path) {
      throw arguments.error("cannot write '\(path)': \(message)", help: help)
    }
    let expanded = (path as NSString).expandingTildeInPath
    do {
      try AtomicFile.write(Data(csv.utf8), to: expanded)
    } catch {
      throw arguments.error("cannot write '\(path)': \(writeFailure(error))",
                            help: "check that the folder exists and is writable")
    }
    return .string(path)
  }
}

extension BuiltinRegistry {
  /// Registers `table` and its host type.
  public func registerTable() {
    register(TableObject.hostType)
    register(
      Builtin(
        "table", returns: .host("table"),
        parameters: [.required("rows", .oneOf([.list, .host("history")])),
                     .keyword("columns", .optional(.list), default: .none),
                     .keyword("title", .optional(.string), default: .none)],
        summary: "a table from a list of records (columns in first-seen key order) or of lists, "
          + "or a history's epochs",
        example: "table([{model: \"SAE + MLP\", accuracy: 0.85}, {model: \"CNN\", accuracy: 0.95}])"
      ) { arguments in
        if case .host(let history as HistoryObject) = arguments["rows"] {
          return .host(history.table)
        }
        let rows = try arguments.list("rows").elements
        var columns: [String] = []
        if case .list(let names) = arguments["columns"] {
          for name in names.elements {
            guard case .string(let text) = name else {
              throw arguments.badArgument("columns", expected: "list of strings", got: name)
            }
            columns.append(text)
          }
        }
        var table: [[Value]] = []
        if rows.allSatisfy({ if case .record = $0 { true } else { false } }) {
          if columns.isEmpty {
            for case .record(let record) in rows {
              for key in record.keys where !columns.contains(key) { columns.append(key) }
            }
          }
          for case .record(let record) in rows { table.append(columns.map { record[$0] ?? .none }) }
        } else if rows.allSatisfy({ if case .list = $0 { true } else { false } }) {
          let width = rows.map { if case .list(let list) = $0 { list.elements.count } else { 0 } }.max() ?? 0
          if columns.isEmpty { columns = (1...max(width, 1)).map { "column \($0)" } }
          for case .list(let list) in rows {
            guard list.elements.count == columns.count else {
              throw arguments.error("every row needs \(columns.count) values, one has \(list.elements.count)")
            }
            table.append(list.elements)
          }
        } else {
          throw arguments.error("rows must all be records or all be lists",
                                help: "e.g. table([{model: \"MLP\", accuracy: 0.88}])")
        }
        guard !columns.isEmpty else { throw arguments.error("the table has no columns") }
        let title: String? = if case .string(let text) = arguments["title"] { text } else { nil }
        return .host(TableObject(columns: columns, rows: table, title: title))
      })
  }
}
