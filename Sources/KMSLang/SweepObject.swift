import Foundation
import KMSNN
import KMSTensor

// The result of `sweep` and `narrow`: every trial's arguments, score and history, printed as the
// paper's tables (arguments, best validation metric, its epoch, seconds, parameters; mean ± sd
// over repeats). Trials are also what a worker process writes to a results folder, so a trial
// converts to and from a JSON object here.

/// What became of one trial.
public struct TrialOutcome {
  /// Whether a trial ran.
  public enum Status: String {
    /// It returned a history.
    case ok
    /// It raised an error (kept in `error`).
    case failed
    /// No result exists (not run yet, or its process was killed before it wrote one).
    case missing
  }

  /// The trial's number in its sweep, from 0.
  public var index: Int
  /// The grid point: argument names and values, in the grid's order.
  public var arguments: [(name: String, value: Value)]
  /// Which repeat of the grid point, from 0.
  public var repetition: Int
  /// The seed passed as `seed:` (when the trial function takes one).
  public var seed: Int?
  /// What became of it.
  public var status: Status
  /// The error of a failed trial.
  public var error: String?
  /// `val_loss`, `val_accuracy` (or `loss`/`accuracy` without a validation set).
  public var metric: String?
  /// The best value of the metric over the epochs.
  public var best: Double?
  /// The epoch it was reached at.
  public var epoch: Int?
  /// Wall-clock seconds of the whole trial.
  public var seconds: Double
  /// Trainable parameters of its model, when the trial returned one.
  public var parameters: Int?
  /// Its training history.
  public var history: History?

  /// True when higher values of the metric are better.
  public var isAccuracy: Bool { metric?.hasSuffix("accuracy") ?? false }

  /// `lr=0.001 batch=128`.
  public var label: String {
    arguments.map { "\($0.name)=\(TableObject.text($0.value))" }.joined(separator: " ")
  }
}

/// Turns what a trial function returned into a history, a parameter count and the best value of
/// its validation metric. A trial returns a history, a trainer, or a record with `history` (or
/// `trainer`) and optionally `model` or `parameters`.
func summarize(trialResult value: Value) -> (
  history: History, metric: String, best: Double, epoch: Int, parameters: Int?
)? {
  var historyObject: HistoryObject?
  var parameters: Int?
  func take(_ value: Value) {
    guard case .host(let object) = value else { return }
    if let history = object as? HistoryObject { historyObject = history }
    if let trainer = object as? TrainerObject {
      historyObject = HistoryObject(
        trainer.trainer.history,
        metric: trainer.trainer.objective.reportsAccuracy ? "accuracy" : "loss")
      parameters = parameters ?? trainer.model.parameterCount
    }
  }
  switch value {
  case .host: take(value)
  case .record(let record):
    if let history = record["history"] { take(history) }
    if historyObject == nil, let trainer = record["trainer"] { take(trainer) }
    if case .host(let model as ModelObject)? = record["model"] { parameters = model.parameterCount }
    if case .number(let count)? = record["parameters"] { parameters = Int(count) }
  default: break
  }
  guard let historyObject, !historyObject.history.records.isEmpty else { return nil }
  let history = historyObject.history
  let accuracy = historyObject.metric == "accuracy"
  let hasValidation = history.records.allSatisfy {
    (accuracy ? $0.validationAccuracy : $0.validationLoss) != nil
  }
  let metric = (hasValidation ? "val_" : "") + (accuracy ? "accuracy" : "loss")
  var best: (value: Double, epoch: Int)?
  for record in history.records {
    let value =
      hasValidation
      ? (accuracy ? record.validationAccuracy! : record.validationLoss!)
      : (accuracy ? record.trainAccuracy ?? .nan : record.trainLoss)
    guard !value.isNaN else { continue }
    if best == nil || (accuracy ? value > best!.value : value < best!.value) {
      best = (value, record.epoch)
    }
  }
  return (history, metric, best?.value ?? .nan, best?.epoch ?? history.records.count, parameters)
}

/// The value of `sweep(…)` and `narrow(…)`.
public final class SweepObject: HostObject {
  /// Every trial, in index order.
  public let trials: [TrialOutcome]
  /// The grid's argument names, in order.
  public let names: [String]
  /// Repeats per grid point.
  public let repeats: Int
  /// What `narrow` adds: rounds, trial count and the full grid's size.
  public var narrowing: NarrowingSummary?

  /// What narrowing did, for the printed footer and `.rounds`.
  public struct NarrowingSummary {
    /// One line per round, as printed while it ran.
    public var rounds: [String]
    /// The size of the full joint grid.
    public var fullGridCount: Int
  }

  init(trials: [TrialOutcome], names: [String], repeats: Int) {
    self.trials = trials.sorted { $0.index < $1.index }
    self.names = names
    self.repeats = repeats
  }

  /// The metric the trials report (the first successful trial's).
  public var metric: String {
    trials.first { $0.status == .ok }?.metric ?? "val_loss"
  }

  /// One grid point with its repeats.
  struct Point {
    var trials: [TrialOutcome]
    var arguments: [(name: String, value: Value)] { trials[0].arguments }
    var finished: [TrialOutcome] { trials.filter { $0.status == .ok && $0.best != nil } }
    var mean: Double? {
      let values = finished.map { $0.best! }
      return values.isEmpty ? nil : values.reduce(0, +) / Double(values.count)
    }
    var standardDeviation: Double? {
      let values = finished.map { $0.best! }
      guard values.count > 1, let mean else { return nil }
      return (values.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(values.count - 1))
        .squareRoot()
    }
  }

  /// The grid points in trial order, repeats grouped.
  var points: [Point] {
    var order: [String] = []
    var groups: [String: [TrialOutcome]] = [:]
    for trial in trials {
      let key = trial.arguments.map { "\($0.name)=\($0.value.repr)" }.joined(separator: ",")
      if groups[key] == nil { order.append(key) }
      groups[key, default: []].append(trial)
    }
    return order.map { Point(trials: groups[$0]!) }
  }

  /// The best grid point by mean score (lowest loss or highest accuracy).
  var bestPoint: Point? {
    let accuracy = metric.hasSuffix("accuracy")
    return points.filter { $0.mean != nil && !$0.mean!.isNaN }.min { a, b in
      accuracy ? a.mean! > b.mean! : a.mean! < b.mean!
    }
  }

  /// The table of grid points: arguments, metric (mean ± sd), epoch, seconds, parameters.
  var table: TableObject {
    let metric = self.metric
    var columns = names + [metric]
    if repeats > 1 { columns.append("sd") }
    columns += ["epoch", "seconds", "parameters", "status"]
    let rows: [[Value]] = points.map { point in
      var row = point.arguments.map(\.value)
      row.append(point.mean.map(Value.number) ?? Value.none)
      if repeats > 1 { row.append(point.standardDeviation.map(Value.number) ?? Value.none) }
      let finished = point.finished
      let epochs = finished.compactMap(\.epoch).map(Double.init)
      row.append(epochs.isEmpty ? .none : .number(epochs.reduce(0, +) / Double(epochs.count)))
      let seconds = finished.map(\.seconds)
      row.append(
        seconds.isEmpty
          ? .none : .number((seconds.reduce(0, +) / Double(seconds.count) * 10).rounded() / 10))
      row.append(finished.first?.parameters.map { .number(Double($0)) } ?? Value.none)
      let statuses = point.trials.map(\.status)
      let status =
        statuses.allSatisfy { $0 == .ok }
        ? "ok"
        : point.trials.filter { $0.status != .ok }.map {
          repeats > 1 ? "#\($0.repetition) \($0.status.rawValue)" : $0.status.rawValue
        }.joined(separator: ", ")
      row.append(.string(status))
      return row
    }
    return TableObject(columns: columns, rows: rows, title: nil)
  }

  /// `9 trials, best lr=0.001 batch=128 (val_loss 0.0213)`.
  public var summary: String {
    var text = "\(trials.count) trial\(trials.count == 1 ? "" : "s")"
    if let best = bestPoint, let mean = best.mean {
      text += ", best \(best.trials[0].label) (\(metric) \(TableObject.text(.number(mean))))"
    }
    return text
  }

  /// The table, the best point, and what is missing or failed.
  public var description: String {
    var lines = [table.description]
    if let best = bestPoint, let mean = best.mean {
      let direction = metric.hasSuffix("accuracy") ? "highest" : "lowest"
      lines.append(
        "best: \(best.trials[0].label)  (\(direction) \(metric) \(TableObject.text(.number(mean))))"
      )
    }
    let missing = trials.filter { $0.status == .missing }
    if !missing.isEmpty {
      lines.append("missing: trial " + missing.map { String($0.index) }.joined(separator: ", "))
    }
    for trial in trials where trial.status == .failed {
      lines.append("failed: trial \(trial.index) (\(trial.label)): \(trial.error ?? "error")")
    }
    if let narrowing {
      lines.append(
        "narrowed by \(metric): \(trials.count) trials instead of the full grid's "
          + "\(narrowing.fullGridCount * repeats)")
    }
    return lines.joined(separator: "\n")
  }

  /// A grid point as a record: its arguments, score, sd, epoch, seconds, parameters, status.
  func record(_ point: Point) -> Value {
    let record = Record()
    let table = self.table
    let row = table.rows[points.firstIndex { $0.trials[0].index == point.trials[0].index }!]
    for (column, value) in zip(table.columns, row) { record[column] = value }
    if let history = point.finished.first?.history {
      record["history"] = .host(HistoryObject(history, metric: metric.hasSuffix("accuracy") ? "accuracy" : "loss"))
    }
    return .record(record)
  }

  /// A trial as a record (`.trials`): its number, arguments, repeat, seed, status and history.
  func record(_ trial: TrialOutcome) -> Value {
    let record = Record()
    record["trial"] = .number(Double(trial.index))
    for (name, value) in trial.arguments { record[name] = value }
    record["repeat"] = .number(Double(trial.repetition))
    record["seed"] = trial.seed.map { .number(Double($0)) } ?? Value.none
    record["status"] = .string(trial.status.rawValue)
    if let metric = trial.metric { record[metric] = trial.best.map(Value.number) ?? Value.none }
    record["epoch"] = trial.epoch.map { .number(Double($0)) } ?? Value.none
    record["seconds"] = .number(trial.seconds)
    record["parameters"] = trial.parameters.map { .number(Double($0)) } ?? Value.none
    if let error = trial.error { record["error"] = .string(error) }
    if let history = trial.history {
      record["history"] = .host(HistoryObject(history, metric: trial.isAccuracy ? "accuracy" : "loss"))
    }
    return .record(record)
  }

  /// The kms type `sweep`.
  public static let hostType = HostType(
    name: "sweep",
    summary: "the trials of sweep(…) or narrow(…): a table of arguments, scores, epochs, seconds",
    attributes: [
      .attribute("best", of: SweepObject.self, summary: "the best grid point as a record (or none)") {
        sweep in sweep.bestPoint.map(sweep.record) ?? Value.none
      },
      .attribute("rows", of: SweepObject.self, summary: "one record per grid point, as printed") {
        sweep in .list(sweep.points.map(sweep.record))
      },
      .attribute("trials", of: SweepObject.self, summary: "one record per trial, with its history") {
        sweep in .list(sweep.trials.map(sweep.record))
      },
      .attribute("metric", of: SweepObject.self, summary: "the metric compared: val_loss or val_accuracy") {
        .string($0.metric)
      },
      .attribute("missing", of: SweepObject.self, summary: "the numbers of trials with no result") {
        .list($0.trials.filter { $0.status == .missing }.map { .number(Double($0.index)) })
      },
      .attribute("failed", of: SweepObject.self, summary: "the numbers of trials that raised an error") {
        .list($0.trials.filter { $0.status == .failed }.map { .number(Double($0.index)) })
      },
      .attribute("rounds", of: SweepObject.self, summary: "narrow's rounds, one line each (empty for sweep)") {
        .list(($0.narrowing?.rounds ?? []).map { .string($0) })
      },
      .attribute("full_grid", of: SweepObject.self, summary: "trials the full grid would have taken") {
        .number(Double(($0.narrowing?.fullGridCount ?? $0.points.count) * $0.repeats))
      },
    ],
    methods: [
      .method(
        "csv", of: SweepObject.self, parameters: [.required("path", .string)],
        summary: "writes one row per trial as CSV (full precision), atomically; returns the path",
        example: "s.csv(\"results/sweep.csv\")"
      ) { sweep, arguments in
        let rows = sweep.trials.map { trial -> [Value] in
          trial.arguments.map(\.value) + [
            .number(Double(trial.index)), .number(Double(trial.repetition)),
            trial.seed.map { .number(Double($0)) } ?? Value.none, .string(trial.status.rawValue),
            trial.best.map(Value.number) ?? Value.none,
            trial.epoch.map { .number(Double($0)) } ?? Value.none, .number(trial.seconds),
            trial.parameters.map { .number(Double($0)) } ?? Value.none,
          ]
        }
        let columns =
          sweep.names + [
            "trial", "repeat", "seed", "status", sweep.metric, "epoch", "seconds", "parameters",
          ]
        let table = TableObject(columns: columns, rows: rows, title: nil)
        return .string(try writeText(table.csv, to: try arguments.string("path"), arguments))
      },
    ])
}

/// Writes text to a file atomically (a temporary file renamed into place), creating missing
/// folders; returns the path as given.
func writeText(_ text: String, to path: String, _ arguments: Arguments) throws -> String {
  try arguments.require("path", !path.isEmpty, "a file path")
  let expanded = (path as NSString).expandingTildeInPath
  do {
    let folder = (expanded as NSString).deletingLastPathComponent
    if !folder.isEmpty {
      try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    }
    try AtomicFile.write(Data(text.utf8), to: expanded)
  } catch {
    throw arguments.error(
      "cannot write '\(path)': \(writeFailure(error))",
      help: "check that the folder is writable")
  }
  return path
}
