import Foundation
import KMSNN
import KMSPlot
import KMSTensor

// The paper's comparison (§III.C): per model its test accuracy, training time, trainable
// parameters and data protocol, as a table, Markdown or CSV; `confusion(c)` draws every model's
// confusion matrix side by side on one colour scale (Fig. 22).

/// The value of `compare([...])`.
public final class ComparisonObject: HostObject {
  /// One compared model.
  public struct Entry {
    /// The name shown (`CNN`, `SAE + MLP`).
    public var name: String
    /// Its evaluation on the test data.
    public var evaluation: EvaluationObject
    /// Training seconds, when given.
    public var seconds: Double?
    /// Trainable parameters, when known.
    public var parameters: Int?
    /// The data protocol (read from the test data's provenance unless given).
    public var dataProtocol: String
  }

  /// The models, in the order given.
  public let entries: [Entry]

  init(entries: [Entry]) { self.entries = entries }

  var table: TableObject {
    TableObject(
      columns: ["model", "test accuracy", "training s", "parameters", "data"],
      rows: entries.map { entry in
        [
          .string(entry.name), .number(entry.evaluation.confusion.accuracy),
          entry.seconds.map { .number(($0 * 10).rounded() / 10) } ?? Value.none,
          entry.parameters.map { .number(Double($0)) } ?? Value.none, .string(entry.dataProtocol),
        ]
      }, title: nil)
  }

  /// `3 models, best CNN (accuracy 0.9512)`.
  public var summary: String {
    let best = entries.max { $0.evaluation.confusion.accuracy < $1.evaluation.confusion.accuracy }
    return "\(entries.count) model\(entries.count == 1 ? "" : "s")"
      + (best.map { String(format: ", best %@ (accuracy %.4f)", $0.name, $0.evaluation.confusion.accuracy) } ?? "")
  }

  /// The paper's table.
  public var description: String { table.description }

  /// The table as GitHub Markdown, numbers right-aligned.
  public var markdown: String {
    var lines = [
      "| model | test accuracy | training time | trainable parameters | data |",
      "|---|---:|---:|---:|---|",
    ]
    for entry in entries {
      let seconds = entry.seconds.map { String(format: "%.1f s", $0) } ?? "–"
      let parameters = entry.parameters.map { grouped($0) } ?? "–"
      let cells = [
        entry.name, String(format: "%.2f %%", entry.evaluation.confusion.accuracy * 100), seconds,
        parameters, entry.dataProtocol,
      ].map { $0.replacingOccurrences(of: "|", with: "\\|") }
      lines.append("| " + cells.joined(separator: " | ") + " |")
    }
    return lines.joined(separator: "\n") + "\n"
  }

  /// The kms type `comparison`.
  public static let hostType = HostType(
    name: "comparison",
    summary: "models side by side: test accuracy, training time, parameters, data protocol",
    attributes: [
      .attribute("rows", of: ComparisonObject.self, summary: "one record per model") { comparison in
        let table = comparison.table
        return .list(
          table.rows.map { row in
            let record = Record()
            for (column, value) in zip(["name", "accuracy", "seconds", "parameters", "data"], row) {
              record[column] = value
            }
            return .record(record)
          })
      }
    ],
    methods: [
      .method(
        "markdown", of: ComparisonObject.self, summary: "the table as Markdown text",
        example: "print(c.markdown())"
      ) { comparison, _ in .string(comparison.markdown) },
      .method(
        "csv", of: ComparisonObject.self, parameters: [.required("path", .string)],
        summary: "writes the table as CSV (full precision), atomically; returns the path",
        example: "c.csv(\"results/comparison.csv\")"
      ) { comparison, arguments in
        .string(try writeText(comparison.table.csv, to: try arguments.string("path"), arguments))
      },
    ])

  /// The confusion matrices side by side, one colour scale for all (row fractions when
  /// `normalized`, else counts).
  func confusionPanels(normalized: Bool, labels: (([String]) throws -> [String])) throws -> Panels {
    var plots = try entries.map { entry in
      try ConfusionMatrixPlot(
        counts: entry.evaluation.confusion.counts, classNames: try labels(entry.evaluation.classNames),
        normalized: normalized, title: entry.name)
    }
    let all = plots.flatMap { $0.values.joined() }
    let limits = (all.min() ?? 0)...max(all.max() ?? 1, (all.min() ?? 0) + (normalized ? 0.01 : 1))
    for index in plots.indices { plots[index].colorLimits = limits }
    return try Panels(plots, columns: min(plots.count, 3))
  }
}

/// The data protocol a provenance names (`official`, `kmnist-10k`, `sample`, `fashion`), or the
/// provenance itself when it names none.
/// NOTE: a dataset part carries only its provenance text, so the protocol is read back from the
/// words the splitters and loaders write into it (KMSData's Split.swift and KMNIST.swift).
func protocolName(of provenance: String) -> String {
  if let by = provenance.range(of: "by the "),
    let end = provenance[by.upperBound...].range(of: " protocol")
  {
    let name = provenance[by.upperBound..<end.lowerBound]
    if !name.isEmpty && !name.contains(" ") { return String(name) }
  }
  if provenance.contains("KMNIST official") { return "official" }
  if provenance.contains("Fashion-MNIST") { return "fashion" }
  return provenance
}

/// `compare([{name:, model:, data:, seconds:}, …])`.
private func compareBuiltin(_ arguments: Arguments) throws -> Value {
  let list = try arguments.list("models")
  guard !list.elements.isEmpty else {
    throw arguments.error(
      "compare needs at least one model", help: "compare([{name: \"CNN\", model: cnn, data: data.test}])")
  }
  let evaluate = Value.function(.builtin(arguments.interpreter.registry.builtin(named: "evaluate")!))
  var entries: [ComparisonObject.Entry] = []
  for (position, element) in list.elements.enumerated() {
    guard case .record(let record) = element else {
      throw arguments.error(
        "compare takes records, but element \(position) is a \(element.typeName)",
        help: "{name: \"CNN\", model: cnn, data: data.test, seconds: h.seconds}")
    }
    let name: String
    if case .string(let given)? = record["name"] { name = given } else { name = "model \(position + 1)" }
    var evaluation: EvaluationObject?
    var parameters: Int?
    if case .host(let object as EvaluationObject)? = record["evaluation"] { evaluation = object }
    if case .host(let model as ModelObject)? = record["model"] {
      parameters = model.parameterCount
      if evaluation == nil {
        guard let data = record["data"] else {
          throw arguments.error("'\(name)' has a model but no data to test it on", help: "add data: data.test")
        }
        let result = try arguments.interpreter.call(evaluate, arguments: [.host(model), data], at: arguments.range)
        guard case .host(let object as EvaluationObject) = result else {
          throw arguments.error(
            "'\(name)' is not a classifier: compare shows test accuracy",
            help: "compare the classifier (e.g. the MLP on the codes), with its coded test data")
        }
        evaluation = object
      }
    }
    guard let evaluation else {
      throw arguments.error(
        "'\(name)' needs a model and data (or an evaluation)",
        help: "{name: \"\(name)\", model: mlp, data: codes.test}")
    }
    if case .number(let count)? = record["parameters"] { parameters = Int(count) }
    var seconds: Double?
    switch record["seconds"] {
    case .number(let value)?: seconds = value
    case .host(let history as HistoryObject)?: seconds = history.history.totalSeconds
    case .host(let trainer as TrainerObject)?: seconds = trainer.trainer.history.totalSeconds
    case .list(let parts)?:
      // Several stages (autoencoder, then MLP): their sum.
      seconds = parts.elements.reduce(0) { total, part in
        switch part {
        case .number(let value): total + value
        case .host(let history as HistoryObject): total + history.history.totalSeconds
        case .host(let trainer as TrainerObject): total + trainer.trainer.history.totalSeconds
        default: total
        }
      }
    default: seconds = nil
    }
    var dataProtocol = protocolName(of: evaluation.provenance)
    if case .string(let given)? = record["protocol"] { dataProtocol = given }
    entries.append(
      ComparisonObject.Entry(
        name: name, evaluation: evaluation, seconds: seconds, parameters: parameters,
        dataProtocol: dataProtocol))
  }
  return .host(ComparisonObject(entries: entries))
}

extension BuiltinRegistry {
  /// Registers `compare` and the `comparison` host type.
  public func registerCompare() {
    register(ComparisonObject.hostType)
    register(
      Builtin(
        "compare",
        parameters: [.required("models", .list)],
        summary:
          "the paper's comparison table: test accuracy, training time, parameters, data protocol per model",
        example:
          "c = compare([{name: \"CNN\", model: cnn, data: data.test, seconds: h.seconds}, {name: \"SAE+MLP\", model: mlp, data: codes.test, seconds: [h1, h2]}])",
        implementation: compareBuiltin))
  }
}
