import Foundation
import KMSData
import KMSNN
import KMSTensor

/// The per-epoch metrics of a training run.
public final class HistoryObject: HostObject {
  /// The library history.
  public let history: History
  /// `loss` for autoencoders, `accuracy` for classifiers (what curves plot by default).
  public let metric: String

  init(_ history: History, metric: String) {
    self.history = history
    self.metric = metric
  }

  /// `12 epochs, best 9, 48.1 s`.
  public var summary: String {
    "\(history.records.count) epochs" + (history.bestEpoch.map { ", best \($0)" } ?? "")
      + String(format: ", %.1f s", history.totalSeconds)
  }

  /// A table: one row per epoch.
  public var description: String {
    guard !history.records.isEmpty else { return "history: no epochs yet" }
    let hasAccuracy = history.records.first?.trainAccuracy != nil
    let hasValidation = history.records.first?.validationLoss != nil
    var header = ["epoch", "loss"]
    if hasAccuracy { header.append("accuracy") }
    if hasValidation { header += ["val_loss"] + (hasAccuracy ? ["val_accuracy"] : []) }
    // Part B: the terms the first epoch recorded, training then validation.
    let terms = (history.records.first?.trainTerms?.named ?? []).map(\.name)
    let validationTerms = (history.records.first?.validationTerms?.named ?? []).map(\.name)
    header += terms + validationTerms.map { "val_" + $0 }
    header.append("seconds")
    var rows = [header]
    let shown = TableObject.shownRows(history.records)
    for case let record? in shown {
      var row = ["\(record.epoch)", String(format: "%.4f", record.trainLoss)]
      if let value = record.trainAccuracy { row.append(String(format: "%.4f", value)) }
      if hasValidation {
        row.append(record.validationLoss.map { String(format: "%.4f", $0) } ?? "-")
        if hasAccuracy { row.append(record.validationAccuracy.map { String(format: "%.4f", $0) } ?? "-") }
      }
      for (names, recorded) in [(terms, record.trainTerms), (validationTerms, record.validationTerms)] {
        let values = Dictionary((recorded?.named ?? []).map { ($0.name, $0.value) }) { a, _ in a }
        row += names.map { name in values[name].map { String(format: "%.4f", $0) } ?? "-" }
      }
      row.append(String(format: "%.1f", record.seconds))
      if record.epoch == history.bestEpoch { row[0] += " *" }
      rows.append(row)
      if shown.count < history.records.count, rows.count == TableObject.summaryEdge + 1 {
        rows.append(header.map { _ in "…" })
      }
    }
    let widths = header.indices.map { column in rows.map { $0[column].count }.max()! + 2 }
    var lines = rows.map { row in
      zip(row, widths).map { $0.padding(toLength: $1, withPad: " ", startingAt: 0) }.joined()
    }
    if shown.count < history.records.count {
      lines.append("[\(grouped(history.records.count)) epochs; table(h).rows has every one]")
    }
    if let best = history.bestEpoch { lines.append("* best epoch \(best)") }
    return lines.joined(separator: "\n")
  }

  /// The epochs as a table: one row per epoch, the columns of `recordValue` in first-seen order.
  var table: TableObject {
    var columns: [String] = []
    let records = history.records.map { record -> Record in
      guard case .record(let values) = recordValue(record) else { return Record() }
      for key in values.keys where !columns.contains(key) { columns.append(key) }
      return values
    }
    return TableObject(
      columns: columns.isEmpty ? ["epoch"] : columns,
      rows: records.map { record in columns.map { record[$0] ?? .none } }, title: nil)
  }

  private static func series(_ history: History, _ values: (EpochRecord) -> Double?) -> Value {
    .list(history.records.map { values($0).map(Value.number) ?? .none })
  }

  /// The kms type `history`.
  public static let hostType = HostType(
    name: "history", summary: "per-epoch training and validation metrics, printed as a table",
    attributes: [
      .attribute("epochs", of: HistoryObject.self, type: .integer, summary: "the number of completed epochs") {
        .number(Double($0.history.records.count))
      },
      .attribute("loss", of: HistoryObject.self, type: .listOf(.number), summary: "training loss per epoch") { series($0.history) { $0.trainLoss } },
      .attribute("val_loss", of: HistoryObject.self, summary: "validation loss per epoch") {
        series($0.history) { $0.validationLoss }
      },
      .attribute("accuracy", of: HistoryObject.self, summary: "training accuracy per epoch (classifiers)") {
        series($0.history) { $0.trainAccuracy }
      },
      .attribute("val_accuracy", of: HistoryObject.self, summary: "validation accuracy per epoch (classifiers)") {
        series($0.history) { $0.validationAccuracy }
      },
    ] + termMetrics.flatMap { term in
      [HostAttribute.attribute(term.name, of: HistoryObject.self, summary: "\(term.summary) per epoch (Part B)") {
         series($0.history) { $0.trainTerms.flatMap(term.value) }
       },
       HostAttribute.attribute("val_" + term.name, of: HistoryObject.self,
                               summary: "validation \(term.summary) per epoch (Part B)") {
         series($0.history) { $0.validationTerms.flatMap(term.value) }
       }]
    } + [
      .attribute("seconds", of: HistoryObject.self, type: .number, summary: "training seconds, all epochs") {
        .number($0.history.totalSeconds)
      },
      .attribute("best_epoch", of: HistoryObject.self, summary: "the epoch early stopping kept, or none") {
        $0.history.bestEpoch.map { .number(Double($0)) } ?? .none
      },
      .attribute("stopped_epoch", of: HistoryObject.self, summary: "the epoch early stopping ended on, or none") {
        $0.history.stoppedEpoch.map { .number(Double($0)) } ?? .none
      },
    ],
    methods: [
      .method(
        "csv", of: HistoryObject.self, returns: .string, parameters: [.required("path", .string)],
        summary: "writes one row per epoch (every metric, full precision) as CSV, atomically; "
          + "returns the path",
        example: "h.csv(\"history.csv\")"
      ) { object, arguments in
        try object.table.writeCSV(to: try arguments.string("path"), arguments)
      },
      .method(
        "table", of: HistoryObject.self, returns: .host("table"),
        summary: "the epochs as a table (the same as table(h))", example: "h.table().rows[0]"
      ) { object, _ in .host(object.table) },
    ])
}

/// `epoch 3/…  loss 0.0213  val_loss 0.0220  val_acc 0.8120  4.1 s`.
func epochLine(_ record: EpochRecord) -> String {
  var parts = ["epoch \(record.epoch)", "loss " + String(format: "%.4f", record.trainLoss)]
  if let accuracy = record.trainAccuracy { parts.append("acc " + String(format: "%.4f", accuracy)) }
  if let loss = record.validationLoss { parts.append("val_loss " + String(format: "%.4f", loss)) }
  if let accuracy = record.validationAccuracy { parts.append("val_acc " + String(format: "%.4f", accuracy)) }
  // Part B: the loss's parts, training then validation (`val_mse`, `val_div`, …).
  for (prefix, terms) in [("", record.trainTerms), ("val_", record.validationTerms)] {
    for (name, value) in terms?.named ?? [] { parts.append(prefix + name + " " + String(format: "%.4f", value)) }
  }
  parts.append(String(format: "%.1f s", record.seconds))
  return parts.joined(separator: "  ")
}

/// An epoch's record as a kms record.
func recordValue(_ record: EpochRecord) -> Value {
  let result = Record()
  result["epoch"] = .number(Double(record.epoch))
  result["loss"] = .number(record.trainLoss)
  if let value = record.trainAccuracy { result["accuracy"] = .number(value) }
  if let value = record.validationLoss { result["val_loss"] = .number(value) }
  if let value = record.validationAccuracy { result["val_accuracy"] = .number(value) }
  for (prefix, terms) in [("", record.trainTerms), ("val_", record.validationTerms)] {
    for (name, value) in terms?.named ?? [] { result[prefix + termNames[name, default: name]] = .number(value) }
  }
  result["seconds"] = .number(record.seconds)
  return .record(result)
}

/// The history's names for the epoch line's short term names.
let termNames = ["mse": "mse", "div": "divergence", "d_loss": "disc_loss", "d_acc": "disc_accuracy",
                 "g_loss": "adv_loss"]

