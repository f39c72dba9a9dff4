import Foundation
import KMSNN
import KMSTensor

// Sweeps: a trial is a kms function with keyword parameters that trains and returns a history
// (or a trainer, or a record with a `history`). `sweep` runs a grid of them, `narrow` runs the
// paper's narrowing, `gather` reads what worker processes wrote.
//
// Beyond one process, trials run as `kms SCRIPT --trial N --results DIR`: the worker reruns the
// script, and when it reaches the sweep holding trial N it runs that trial alone, writes
// DIR/trial-N.json atomically and exits. `jobs: N` starts such workers itself; `--trials` lists
// their command lines for GNU parallel or a Slurm array; rerunning the script with `--results DIR`
// builds the sweep from the files. Trials are numbered across the script's sweeps in the order
// they are called, so a script may hold several.

/// How the command line asked this run of a script to treat its sweeps.
public final class ExperimentSettings {
  /// What `sweep` does when called.
  public enum Mode: Equatable {
    /// Run the trials (in this process, or `jobs:` workers); with a results folder, read it.
    case run
    /// `--trials`: print one command line per trial of the first sweep, then stop the script.
    case list
    /// `--trial N`: run trial N alone, write its result file, then stop the script.
    case worker(trial: Int)
  }

  /// What `sweep` does.
  public var mode: Mode = .run
  /// `--results DIR`: where trial files are read from and written to.
  public var resultsFolder: String?
  /// The script being run and its arguments, for workers' command lines (nil for `-e` code).
  public var script: String?
  /// The `kms` executable to start workers with.
  public var executable: String?
  /// `--slurm FILE`: with `--trials`, also write a Slurm job-array script here.
  public var slurmFile: String?
  /// Where `--trials` writes its command lines (standard output; the script's own output is
  /// silenced then, so the lines can be piped to GNU parallel); nil writes them to the display.
  public var listing: ((String) -> Void)?
  /// Trials numbered so far by earlier sweeps of this run.
  var trialOffset = 0

  /// Settings for an ordinary run.
  public init() {}
}

/// The kms grid `{lr: [0.001, 0.1], batch: [128]}` as named value lists, in order.
private func gridAxes(_ record: Record, _ arguments: Arguments) throws -> [(String, [Value])] {
  guard record.count > 0 else {
    throw arguments.error("the grid is empty", help: "e.g. {lr: [0.001, 0.01], batch: [128]}")
  }
  return try record.entries.map { entry in
    guard case .list(let list) = entry.value, !list.elements.isEmpty else {
      throw arguments.error(
        "grid entry '\(entry.key)' must be a non-empty list of values, got \(entry.value.typeName)",
        help: "e.g. \(entry.key): [\(entry.value.repr)]")
    }
    for value in list.elements {
      switch value {
      case .number, .string, .boolean: continue
      default:
        throw arguments.error(
          "grid entry '\(entry.key)' holds a \(value.typeName); grid values are numbers, strings or booleans"
        )
      }
    }
    return (entry.key, list.elements)
  }
}

/// The trial function, checked: a user function taking every grid argument (and `seed`, if
/// repeats need it).
private func trialFunction(_ arguments: Arguments, names: [String]) throws -> (
  Value, takesSeed: Bool
) {
  let value = arguments["trial"]
  guard case .function(.user(let function)) = value else {
    throw arguments.error(
      "the trial must be a kms function, got \(value.typeName)",
      help: "fn trial(lr: 0.001, batch: 128) { … return t.fit(20, early_stop: true) }")
  }
  let parameters = function.declaration.parameters.map(\.name)
  for name in names where !parameters.contains(name) {
    throw arguments.error(
      "trial '\(function.declaration.name)' has no parameter '\(name)'",
      help: "its parameters: \(parameters.joined(separator: ", "))")
  }
  return (value, parameters.contains("seed"))
}

/// Runs one trial in this process, turning a kms error into a failed outcome (Ctrl-C and
/// `exit()` still stop the sweep).
func runTrial(
  _ function: Value, _ outcome: TrialOutcome, takesSeed: Bool, _ arguments: Arguments
) throws -> TrialOutcome {
  var outcome = outcome
  var keywords = outcome.arguments.map { (label: $0.name, value: $0.value) }
  if takesSeed, let seed = outcome.seed {
    keywords.append((label: "seed", value: .number(Double(seed))))
  }
  let start = Date()
  // NOTE: a Result, not `catch … where`: the compiler (Swift 6.1) crashes on a filtered catch
  // of a typed throw here.
  let result = Result { () throws(RuntimeError) -> Value in
    try arguments.interpreter.call(function, arguments: [], keywords: keywords, at: arguments.range)
  }
  outcome.seconds = Date().timeIntervalSince(start)
  switch result {
  case .failure(let error):
    guard error.kind == .failure else { throw error }
    outcome.status = .failed
    outcome.error = error.message
  case .success(let value):
    guard let summary = summarize(trialResult: value) else {
      outcome.status = .failed
      outcome.error =
        "the trial returned \(value.typeName), not a history with epochs (return t.fit(…))"
      return outcome
    }
    outcome.status = .ok
    outcome.history = summary.history
    outcome.metric = summary.metric
    outcome.best = summary.best.isNaN ? nil : summary.best
    outcome.epoch = summary.epoch
    outcome.parameters = summary.parameters
  }
  return outcome
}

/// `trial 3/9  lr=0.001 batch=128  val_loss 0.0213 at epoch 7  4.1 s`; in a script's second
/// sweep `trial 1/4 (#9)`, the number `--trial` and the result file use.
private func trialLine(_ trial: TrialOutcome, of planned: [TrialOutcome]) -> String {
  let first = planned.first?.index ?? 0
  var line = "trial \(trial.index - first + 1)/\(planned.count)"
  if first > 0 { line += " (#\(trial.index))" }
  line += "  \(trial.label)"
  switch trial.status {
  case .ok:
    if let metric = trial.metric, let best = trial.best {
      line += "  \(metric) \(String(format: "%.4f", best)) at epoch \(trial.epoch ?? 0)"
    }
  case .failed: line += "  failed: \(trial.error ?? "")"
  case .missing: line += "  missing"
  }
  return line + String(format: "  %.1f s\n", trial.seconds)
}

// MARK: - Result files

/// The file a trial's result is written to.
func trialFile(_ folder: String, _ index: Int) -> String {
  (folder as NSString).appendingPathComponent("trial-\(index).json")
}

// NOTE: each argument is stored under a key naming its type, because JSONSerialization hands
// booleans and numbers back alike as NSNumber.
private func jsonArgument(_ name: String, _ value: Value) -> [String: Any] {
  switch value {
  case .number(let number): ["name": name, "number": number]
  case .string(let text): ["name": name, "string": text]
  case .boolean(let flag): ["name": name, "boolean": flag]
  default: ["name": name]
  }
}

private func kmsArgument(_ object: [String: Any]) -> (name: String, value: Value) {
  let name = object["name"] as? String ?? "?"
  if let number = object["number"] as? Double { return (name, .number(number)) }
  if let text = object["string"] as? String { return (name, .string(text)) }
  if let flag = object["boolean"] as? Bool { return (name, .boolean(flag)) }
  return (name, .none)
}

extension TrialOutcome {
  /// The JSON object a worker writes.
  var json: [String: Any] {
    var object: [String: Any] = [
      "trial": index, "repeat": repetition, "status": status.rawValue, "seconds": seconds,
      "arguments": arguments.map { jsonArgument($0.name, $0.value) },
    ]
    if let seed { object["seed"] = seed }
    if let error { object["error"] = error }
    if let metric { object["metric"] = metric }
    if let best { object["best"] = best }
    if let epoch { object["epoch"] = epoch }
    if let parameters { object["parameters"] = parameters }
    if let history {
      var historyObject: [String: Any] = [
        "records": history.records.map { record -> [String: Any] in
          var fields: [String: Any] = [
            "epoch": record.epoch, "loss": record.trainLoss, "seconds": record.seconds,
          ]
          if let value = record.trainAccuracy { fields["accuracy"] = value }
          if let value = record.validationLoss { fields["val_loss"] = value }
          if let value = record.validationAccuracy { fields["val_accuracy"] = value }
          return fields
        }
      ]
      if let best = history.bestEpoch { historyObject["best_epoch"] = best }
      if let stopped = history.stoppedEpoch { historyObject["stopped_epoch"] = stopped }
      object["history"] = historyObject
    }
    return object
  }

  /// Reads a worker's JSON object back; nil when it is not one.
  init?(json object: [String: Any]) {
    guard let index = object["trial"] as? Int, let statusText = object["status"] as? String,
      let status = Status(rawValue: statusText), let list = object["arguments"] as? [[String: Any]]
    else { return nil }
    self.index = index
    self.repetition = object["repeat"] as? Int ?? 0
    self.arguments = list.map(kmsArgument)
    self.seed = object["seed"] as? Int
    self.status = status
    self.error = object["error"] as? String
    self.metric = object["metric"] as? String
    self.best = object["best"] as? Double
    self.epoch = object["epoch"] as? Int
    self.seconds = object["seconds"] as? Double ?? 0
    self.parameters = object["parameters"] as? Int
    if let historyObject = object["history"] as? [String: Any],
      let records = historyObject["records"] as? [[String: Any]]
    {
      var history = History()
      history.records = records.map { fields in
        EpochRecord(
          epoch: fields["epoch"] as? Int ?? 0, loss: fields["loss"] as? Double ?? .nan,
          accuracy: fields["accuracy"] as? Double,
          validationLoss: fields["val_loss"] as? Double,
          validationAccuracy: fields["val_accuracy"] as? Double,
          seconds: fields["seconds"] as? Double ?? 0)
      }
      history.bestEpoch = historyObject["best_epoch"] as? Int
      history.stoppedEpoch = historyObject["stopped_epoch"] as? Int
      self.history = history
    }
  }
}

/// Writes `object` as JSON to `path` atomically (temporary file, then rename).
func writeJSON(_ object: Any, to path: String) throws {
  let data = try JSONSerialization.data(
    withJSONObject: object, options: [.prettyPrinted, .sortedKeys])
  try FileManager.default.createDirectory(
    atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
  try AtomicFile.write(data, to: path)
}

/// The manifest of a results folder: every planned trial (so missing ones can be listed).
private func writeManifest(_ trials: [TrialOutcome], names: [String], repeats: Int, to folder: String)
  throws
{
  try writeJSON(
    [
      "names": names, "repeats": repeats,
      "trials": trials.map { trial -> [String: Any] in
        var object = trial.json
        object["status"] = TrialOutcome.Status.missing.rawValue
        return object
      },
    ], to: (folder as NSString).appendingPathComponent("sweep.json"))
}

/// Reads the result files for `planned` trials from a folder: a trial without a readable file
/// is missing.
private func readResults(_ planned: [TrialOutcome], from folder: String) -> [TrialOutcome] {
  planned.map { trial in
    guard let data = FileManager.default.contents(atPath: trialFile(folder, trial.index)),
      let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
      let outcome = TrialOutcome(json: object), outcome.index == trial.index
    else { return trial }
    return outcome
  }
}

// MARK: - Workers

/// The command line that runs one trial: `kms SCRIPT ARGS… --trial N --results DIR`.
private func workerCommand(
  _ settings: ExperimentSettings, _ interpreter: Interpreter, trial: Int, folder: String
) -> [String] {
  ["kms", settings.script ?? "SCRIPT"] + interpreter.scriptArguments
    + ["--trial", String(trial), "--results", folder]
}

private func shellQuoted(_ word: String) -> String {
  let safe = word.allSatisfy { $0.isLetter || $0.isNumber || "-_./=:,+@".contains($0) }
  return safe && !word.isEmpty ? word : "'" + word.replacingOccurrences(of: "'", with: "'\\''") + "'"
}

/// Runs `planned` trials in `jobs` worker processes of kms, each with its share of the cores, and
/// reads their results; a worker that dies without writing leaves its trial missing.
private func runWorkers(
  _ planned: [TrialOutcome], jobs: Int, _ arguments: Arguments
) throws -> [TrialOutcome] {
  let settings = arguments.interpreter.experiment
  guard let executable = settings.executable, settings.script != nil else {
    throw arguments.error(
      "jobs: \(jobs) needs a script run by the kms command",
      help: "run it as `kms script.kms`, or use jobs: 1")
  }
  let folder = FileManager.default.temporaryDirectory
    .appendingPathComponent("kms-sweep-\(UUID().uuidString)").path
  try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
  defer { try? FileManager.default.removeItem(atPath: folder) }
  var environment = ProcessInfo.processInfo.environment
  environment["KMS_THREADS"] = String(max(1, Parallel.count / jobs))
  environment["OPENBLAS_NUM_THREADS"] = String(max(1, Parallel.count / jobs))
  var queue = planned.map(\.index)[...]
  var running: [Process] = []
  var finished: [Int: TrialOutcome] = [:]
  let byIndex = Dictionary(uniqueKeysWithValues: planned.map { ($0.index, $0) })
  func start(_ index: Int) throws {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = Array(
      workerCommand(settings, arguments.interpreter, trial: index, folder: folder).dropFirst())
    process.environment = environment
    process.standardOutput = FileHandle.nullDevice
    process.standardError = FileHandle.nullDevice
    try process.run()
    running.append(process)
  }
  while !queue.isEmpty || !running.isEmpty {
    while running.count < jobs, let next = queue.popFirst() { try start(next) }
    if Interrupt.isRequested {
      for process in running { process.terminate() }
      throw arguments.error("interrupted", help: nil)
    }
    Thread.sleep(forTimeInterval: 0.05)
    // NOTE: one test of isRunning per process: testing twice could drop a process that ended
    // in between, and with it a trial that did write its result.
    let done = running.filter { !$0.isRunning }
    running.removeAll { process in done.contains { $0 === process } }
    for process in done {
      guard let index = process.arguments?.firstIndex(of: "--trial").map({ process.arguments![$0 + 1] }),
        let trial = Int(index), let mine = byIndex[trial]
      else { continue }
      let outcome = readResults([mine], from: folder)[0]
      finished[trial] = outcome
      arguments.write(trialLine(outcome, of: planned))
    }
  }
  return planned.map { finished[$0.index] ?? $0 }
}

// MARK: - sweep

/// Plans, runs (or reads, or lists) the trials of one sweep, as the command line asked.
private func performSweep(
  _ planned: [TrialOutcome], names: [String], repeats: Int, jobs: Int, function: Value,
  takesSeed: Bool, _ arguments: Arguments
) throws -> [TrialOutcome] {
  let interpreter = arguments.interpreter
  let settings = interpreter.experiment
  let offset = settings.trialOffset
  settings.trialOffset += planned.count
  switch settings.mode {
  case .list:
    let folder = settings.resultsFolder ?? "results"
    try writeManifest(planned, names: names, repeats: repeats, to: folder)
    for trial in planned {
      let command = workerCommand(settings, interpreter, trial: trial.index, folder: folder)
      let line = command.map(shellQuoted).joined(separator: " ") + "\n"
      if let listing = settings.listing { listing(line) } else { arguments.write(line) }
    }
    if let slurm = settings.slurmFile {
      try writeSlurmScript(
        to: slurm, settings: settings, interpreter: interpreter, first: offset,
        last: offset + planned.count - 1, folder: folder)
    }
    throw RuntimeError("trials listed", at: arguments.range, kind: .exit(0))
  case .worker(let trial):
    let folder = settings.resultsFolder ?? "results"
    if let mine = planned.first(where: { $0.index == trial }) {
      try writeManifest(planned, names: names, repeats: repeats, to: folder)
      let outcome = try runTrial(function, mine, takesSeed: takesSeed, arguments)
      try writeJSON(outcome.json, to: trialFile(folder, trial))
      arguments.write(trialLine(outcome, of: planned))
      throw RuntimeError("trial written", at: arguments.range, kind: .exit(0))
    }
    return readResults(planned, from: folder)
  case .run:
    if let folder = settings.resultsFolder { return readResults(planned, from: folder) }
    if jobs > 1 { return try runWorkers(planned, jobs: jobs, arguments) }
    return try planned.map { trial in
      let outcome = try runTrial(function, trial, takesSeed: takesSeed, arguments)
      arguments.write(trialLine(outcome, of: planned))
      return outcome
    }
  }
}

/// `sweep(trial, grid, repeats:, seed:, jobs:)`.
private func sweepBuiltin(_ arguments: Arguments) throws -> Value {
  let axes = try gridAxes(try arguments.record("grid"), arguments)
  let names = axes.map(\.0)
  let repeats = try arguments.integer("repeats", atLeast: 1)
  let seed = try arguments.integer("seed")
  let jobs = try arguments.integer("jobs", atLeast: 1)
  let (function, takesSeed) = try trialFunction(arguments, names: names)
  if repeats > 1 && !takesSeed {
    throw arguments.error(
      "repeats: \(repeats) needs a trial with a seed parameter (each repeat gets its own seed)",
      help: "fn trial(lr: 0.001, seed: 0) { ae = autoencoder([…], seed: seed) … }")
  }
  // Grid points in row-major order (the first argument varies slowest), each repeated.
  var points: [[(name: String, value: Value)]] = [[]]
  for (name, values) in axes {
    points = points.flatMap { point in values.map { point + [(name, $0)] } }
  }
  let offset = arguments.interpreter.experiment.trialOffset
  var planned: [TrialOutcome] = []
  for point in points {
    for repetition in 0..<repeats {
      planned.append(
        TrialOutcome(
          index: offset + planned.count, arguments: point, repetition: repetition,
          seed: takesSeed ? seed + repetition : nil, status: .missing, seconds: 0))
    }
  }
  let trials = try performSweep(
    planned, names: names, repeats: repeats, jobs: jobs, function: function,
    takesSeed: takesSeed, arguments)
  return .host(SweepObject(trials: trials, names: names, repeats: repeats))
}

// MARK: - narrow

/// The ranges of a `narrow` call: keyword arguments (`lr: [0.00001, 0.1], batch: [128, 2048]`)
/// or, for trial arguments named like narrow's own keywords, one record.
private func narrowRanges(_ arguments: Arguments) throws -> Record {
  let keywords = try arguments.record("range")
  guard case .record(let record) = arguments["ranges"] else {
    guard keywords.count > 0 else {
      throw arguments.error(
        "no ranges to narrow",
        help: "give each argument its range: narrow(trial, lr: [0.00001, 0.1], batch: [128, 2048])")
    }
    return keywords
  }
  guard keywords.count == 0 else {
    throw arguments.error(
      "ranges given both as a record and as keywords (\(keywords.keys.joined(separator: ", ")))",
      help: "give them one way: narrow(trial, lr: [0.00001, 0.1], batch: [128, 2048])")
  }
  guard record.count > 0 else {
    throw arguments.error("no ranges to narrow", help: "e.g. narrow(trial, lr: [0.00001, 0.1])")
  }
  return record
}

/// `narrow(trial, lr: [lo, hi], batch: [lo, hi], scale:, resolution:, repeats:, seed:)`, or
/// `narrow(trial, {lr: [lo, hi]}, …)`.
private func narrowBuiltin(_ arguments: Arguments) throws -> Value {
  let ranges = try narrowRanges(arguments)
  let scales = try arguments.record("scale")
  let resolutions = try arguments.record("resolution")
  let repeats = try arguments.integer("repeats", atLeast: 1)
  let seed = try arguments.integer("seed")
  let names = ranges.keys
  // NOTE: a misspelt keyword of narrow's own (`resolutoin:`) arrives as a range; catch it before
  // the trial check says the trial lacks such a parameter.
  if case .function(.user(let function)) = arguments["trial"] {
    let parameters = function.declaration.parameters.map(\.name)
    let own = arguments.callee.parameters.filter { !$0.isKeywordRest }.map(\.name)
    for name in names where !parameters.contains(name) {
      if let near = suggestion(for: name, among: own) {
        throw arguments.error(
          "'\(name)' is neither a parameter of trial '\(function.declaration.name)' "
            + "nor a keyword of narrow",
          help: "did you mean '\(near)'?")
      }
    }
  }
  for key in scales.keys + resolutions.keys where !names.contains(key) {
    throw arguments.error(
      "'\(key)' has a scale or resolution but no range", help: "give it a range: {\(key): [lo, hi]}")
  }
  var axes: [NarrowingAxis] = []
  for name in names {
    guard case .list(let list) = ranges[name]!, list.elements.count == 2,
      case .number(let low) = list.elements[0], case .number(let high) = list.elements[1]
    else {
      throw arguments.error(
        "range '\(name)' must be [low, high], got \(ranges[name]!.repr)",
        help: "e.g. \(name): [128, 2048]")
    }
    var scale = NarrowingScale.linear
    if let given = scales[name] {
      guard case .string(let text) = given, let parsed = NarrowingScale(rawValue: text) else {
        throw arguments.error(
          "scale of '\(name)' must be \"linear\" or \"log\", got \(given.repr)")
      }
      scale = parsed
    }
    var resolution: Double?
    if let given = resolutions[name] {
      guard case .number(let number) = given else {
        throw arguments.error("resolution of '\(name)' must be a number, got \(given.repr)")
      }
      resolution = number
    }
    // Integer ends keep every value an integer (batch sizes, widths).
    let isInteger = low == low.rounded() && high == high.rounded()
    do {
      axes.append(
        try NarrowingAxis(
          name: name, low: low, high: high, scale: scale, resolution: resolution,
          isInteger: isInteger))
    } catch NarrowingError.invalidRange(let axis, let why) {
      throw arguments.error("cannot narrow '\(axis)': \(why)")
    }
  }
  let (function, takesSeed) = try trialFunction(arguments, names: names)
  if repeats > 1 && !takesSeed {
    throw arguments.error(
      "repeats: \(repeats) needs a trial with a seed parameter",
      help: "fn trial(lr: 0.001, seed: 0) { … }")
  }
  guard arguments.interpreter.experiment.mode == .run,
    arguments.interpreter.experiment.resultsFolder == nil
  else {
    throw arguments.error(
      "narrow runs its rounds one after another in this process",
      help: "each round depends on the last, so it cannot be listed for --trials; use sweep")
  }
  var trials: [TrialOutcome] = []
  var roundLines: [String] = []
  var metric: String?
  func value(_ number: Double, _ axis: NarrowingAxis) -> Value { .number(number) }
  let search = Narrowing(axes: axes, lowerIsBetter: true)
  let result: NarrowingResult
  do {
    result = try search.run(
      score: { point in
        let arguments_ = zip(axes, point).map { (name: $0.name, value: Value.number($1)) }
        var scores: [Double] = []
        for repetition in 0..<repeats {
          let planned = TrialOutcome(
            index: trials.count, arguments: arguments_, repetition: repetition,
            seed: takesSeed ? seed + repetition : nil, status: .missing, seconds: 0)
          let outcome = try runTrial(function, planned, takesSeed: takesSeed, arguments)
          trials.append(outcome)
          if metric == nil, let found = outcome.metric { metric = found }
          if let best = outcome.best { scores.append(outcome.isAccuracy ? -best : best) }
        }
        return scores.isEmpty ? nil : scores.reduce(0, +) / Double(scores.count)
      },
      onRound: { round in
        let intervals = zip(axes, round.intervals).map { axis, interval in
          "\(axis.name) [\(TableObject.text(.number(interval.lowerBound))), \(TableObject.text(.number(interval.upperBound)))]"
        }.joined(separator: " ")
        let best = zip(axes, round.best).map { "\($0.name)=\(TableObject.text(.number($1)))" }
          .joined(separator: " ")
        let score = round.points.first { $0.values == round.best }?.score
        let shown = score.map { metric?.hasSuffix("accuracy") == true ? -$0 : $0 }
        let line =
          "round \(roundLines.count + 1)\(round.isFinal ? " (final)" : ""): \(intervals): "
          + "\(round.points.count) points, best \(best)"
          + (shown.map { " (\(metric ?? "score") \(String(format: "%.4f", $0)))" } ?? "")
        roundLines.append(line)
        arguments.write(line + "\n")
      })
  } catch NarrowingError.noScore {
    throw arguments.error(
      "no trial of the narrowing gave a score",
      help: trials.first { $0.error != nil }?.error.map { "the first failure: \($0)" })
  }
  let sweep = SweepObject(trials: trials, names: names, repeats: repeats)
  sweep.narrowing = SweepObject.NarrowingSummary(
    rounds: roundLines, fullGridCount: result.fullGridCount)
  arguments.write(
    "narrowing used \(sweep.metric) (\(sweep.metric.hasSuffix("accuracy") ? "highest" : "lowest") is best): "
      + "\(trials.count) trials instead of \(result.fullGridCount * repeats) for the full grid\n")
  return .host(sweep)
}

// MARK: - gather and Slurm

/// `gather(DIR)`: the sweep a results folder holds, with missing and failed trials listed.
private func gatherBuiltin(_ arguments: Arguments) throws -> Value {
  let folder = (try arguments.string("folder") as NSString).expandingTildeInPath
  let manifestPath = (folder as NSString).appendingPathComponent("sweep.json")
  guard let data = FileManager.default.contents(atPath: manifestPath),
    let manifest = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
    let list = manifest["trials"] as? [[String: Any]],
    let names = manifest["names"] as? [String]
  else {
    throw arguments.error(
      "'\(try arguments.string("folder"))' holds no sweep (no readable sweep.json)",
      help: "kms script.kms --trials --results DIR writes it; workers write their trials there")
  }
  let planned = list.compactMap(TrialOutcome.init(json:))
  let repeats = manifest["repeats"] as? Int ?? 1
  return .host(
    SweepObject(trials: readResults(planned, from: folder), names: names, repeats: repeats))
}

/// Writes a Slurm job-array script running trials `first…last`, one array task each.
private func writeSlurmScript(
  to path: String, settings: ExperimentSettings, interpreter: Interpreter, first: Int, last: Int,
  folder: String
) throws {
  let command = workerCommand(settings, interpreter, trial: 0, folder: folder)
  var words = command.map(shellQuoted)
  words[words.count - 3] = "\"$SLURM_ARRAY_TASK_ID\""
  let script = """
    #!/bin/bash
    # Written by `kms \(settings.script ?? "SCRIPT") --trials --slurm \(path)`: one array task per
    # trial; each writes \(folder)/trial-N.json atomically. Submit with `sbatch \(path)`, then
    # rerun `kms \(settings.script ?? "SCRIPT") --results \(folder)` (or gather("\(folder)")) for the table.
    #SBATCH --job-name=kms-sweep
    #SBATCH --array=\(first)-\(last)
    #SBATCH --cpus-per-task=2
    #SBATCH --output=\(folder)/slurm-%A_%a.out
    export KMS_THREADS="${SLURM_CPUS_PER_TASK:-1}"
    export OPENBLAS_NUM_THREADS="${SLURM_CPUS_PER_TASK:-1}"
    mkdir -p \(shellQuoted(folder))
    exec \(words.joined(separator: " "))

    """
  try FileManager.default.createDirectory(
    atPath: (path as NSString).deletingLastPathComponent.isEmpty
      ? "." : (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
  try AtomicFile.write(Data(script.utf8), to: path)
  chmod(path, 0o755)
}

extension BuiltinRegistry {
  /// Registers `sweep`, `narrow`, `gather` and the `sweep` host type.
  public func registerSweep() {
    register(SweepObject.hostType)
    register(
      Builtin(
        "sweep",
        parameters: [
          .required("trial", .function), .required("grid", .record),
          .keyword("repeats", .integer, default: .number(1)),
          .keyword("seed", .integer, default: .number(0)),
          .keyword("jobs", .integer, default: .number(1)),
        ],
        summary:
          "runs a trial function at every grid point (repeats with seeds seed, seed+1, …; jobs: N worker processes); returns a sweep",
        example: "s = sweep(trial, {lr: [0.00001, 0.001, 0.1], batch: [128, 1024]}, jobs: 2)",
        implementation: sweepBuiltin))
    register(
      Builtin(
        "narrow",
        parameters: [
          .required("trial", .function), .optional("ranges", .optional(.record), default: .none),
          .keyword("scale", .record, default: .record([:])),
          .keyword("resolution", .record, default: .record([:])),
          .keyword("repeats", .integer, default: .number(1)),
          .keyword("seed", .integer, default: .number(0)),
          .keywords("range", .listOf(.number)),
        ],
        summary:
          "the paper's narrowing of trial arguments given as name: [lo, hi] (narrowed together on their joint grid): lo, mid, hi; keep the half around the best; repeat to the resolution; returns a sweep",
        example:
          "s = narrow(trial, lr: [0.00001, 0.1], batch: [128, 2048], scale: {lr: \"log\"}, resolution: {lr: 2, batch: 64})",
        implementation: narrowBuiltin))
    register(
      Builtin(
        "gather",
        parameters: [.required("folder", .string)],
        summary: "the sweep whose trial files worker processes wrote to a folder (missing ones listed)",
        example: "s = gather(\"results\")",
        implementation: gatherBuiltin))
  }
}
