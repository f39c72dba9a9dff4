import Foundation
import KMSData
import KMSNN
import KMSTensor

/// Training in kms: one epoch at a time with `step()`, or many with `fit()`.
public final class TrainerObject: HostObject {
  /// The library trainer.
  public let trainer: Trainer
  /// The model being trained.
  public let model: ModelObject
  /// Where the data came from (printed with results).
  public let dataProvenance: String
  /// How the trainer was built (what a checkpoint saves to build it again).
  public let settings: TrainerSettings
  /// A fit a checkpoint was taken in the middle of; the next `fit` with the same arguments
  /// continues it.
  var pendingFit: FitProgress?

  init(trainer: Trainer, model: ModelObject, dataProvenance: String, settings: TrainerSettings,
       pendingFit: FitProgress? = nil) {
    self.trainer = trainer
    self.model = model
    self.dataProvenance = dataProvenance
    self.settings = settings
    self.pendingFit = pendingFit
  }

  /// `trainer: autoencoder …, 3 epochs, batch 164`.
  public var summary: String {
    let epochs = trainer.epochsCompleted
    return "\(model.title), \(epochs) epoch\(epochs == 1 ? "" : "s") done, batch \(trainer.batchSize)"
  }

  /// The kms type `trainer`.
  public static let hostType = HostType(
    name: "trainer", summary: "trains a model on a dataset, an epoch at a time or many",
    attributes: [
      .attribute("history", of: TrainerObject.self, type: .host("history"), summary: "every completed epoch's metrics") {
        .host(HistoryObject($0.trainer.history, metric: $0.trainer.objective.reportsAccuracy ? "accuracy" : "loss"))
      },
      .attribute("epochs", of: TrainerObject.self, type: .integer, summary: "epochs completed") {
        .number(Double($0.trainer.epochsCompleted))
      },
      .attribute("model", of: TrainerObject.self, type: .host("model"), summary: "the model being trained") { .host($0.model) },
    ],
    methods: [
      .method("step", of: TrainerObject.self,
              parameters: [.keyword("verbose", .boolean, default: .boolean(true))],
              summary: "trains one epoch, prints its metrics and returns them as a record",
              example: "t.step()") { object, arguments in
        let record = try object.runEpochs(1, earlyStopping: nil, arguments: arguments).last
        return record.map(recordValue) ?? .none
      },
      .method(
        "fit", of: TrainerObject.self, returns: .host("history"),
        parameters: [
          .optional("epochs", .integer, default: .number(10)),
          .keyword("early_stop", .boolean, default: .boolean(false)),
          .keyword("monitor", .optional(.string), default: .none)
            .choosing(EarlyStopping.Monitor.self),
          .keyword("delta", .number, default: .number(0.001)),
          .keyword("patience", .integer, default: .number(5)),
          .keyword("restore", .boolean, default: .boolean(true)),
          .keyword("verbose", .boolean, default: .boolean(true)),
          .keyword("checkpoint", .optional(.string), default: .none),
          .keyword("every", .integer, default: .number(1)),
        ],
        summary: "trains up to epochs epochs, optionally with early stopping (monitor: "
          + "\"val_loss\" by default, \"val_accuracy\" for classifiers; or \"loss\", \"accuracy\") "
          + "and a checkpoint file written every few epochs (resume(path, data) continues "
          + "from it); returns the history",
        example: "h = t.fit(50, early_stop: true, patience: 5, checkpoint: \"run.kmsckpt\")"
      ) { object, arguments in
        let epochs = try arguments.integer("epochs", atLeast: 1)
        var rule: EarlyStopping?
        // The monitor is checked whether or not early stopping is on: a typo must not pass.
        let reportsAccuracy = object.trainer.objective.reportsAccuracy
        var monitor: EarlyStopping.Monitor = reportsAccuracy ? .validationAccuracy : .validationLoss
        if case .string(let name) = arguments["monitor"] {
          let names = EarlyStopping.Monitor.allCases.map(\.rawValue)
          guard let chosen = EarlyStopping.Monitor(rawValue: name) else {
            throw arguments.error(
              "unknown monitor '\(name)'",
              help: suggestion(for: name, among: names).map { "did you mean \"\($0)\"?" }
                ?? "monitors: " + names.map { "\"\($0)\"" }.joined(separator: ", "))
          }
          monitor = chosen
        }
        if monitor.isAccuracy && !reportsAccuracy {
          throw arguments.error(
            "an autoencoder has no accuracy to monitor",
            help: "use monitor: \"val_loss\" or \"loss\"")
        }
        if arguments.isGiven("monitor"), !(try arguments.boolean("early_stop")) {
          throw arguments.error(
            "monitor only applies with early stopping", help: "add early_stop: true")
        }
        if try arguments.boolean("early_stop") {
          guard object.trainer.validation != nil || !monitor.needsValidation else {
            throw arguments.error(
              "early stopping on \(monitor.rawValue) needs a validation set",
              help: "train on a data value, pass validation:, or use monitor: \"loss\"")
          }
          let delta = try arguments.number("delta")
          try arguments.require("delta", delta >= 0, "≥ 0")
          rule = EarlyStopping(monitor: monitor, minDelta: delta,
                               patience: try arguments.integer("patience", atLeast: 1),
                               restoresBest: try arguments.boolean("restore"))
        }
        var checkpoint: (path: String, every: Int)?
        if case .string(let path) = arguments["checkpoint"] {
          guard !path.isEmpty else { throw arguments.error("checkpoint must be a file path, got \"\"") }
          checkpoint = ((path as NSString).expandingTildeInPath, try arguments.integer("every", atLeast: 1))
        } else if arguments.isGiven("every") {
          throw arguments.error("every only applies with a checkpoint", help: "e.g. t.fit(30, checkpoint: \"run.kmsckpt\", every: 5)")
        }
        var resuming: FitProgress?
        if let pending = object.pendingFit {
          guard pending.epochs == epochs, pending.earlyStopping == rule else {
            throw arguments.error(
              "this trainer was resumed in the middle of a fit of \(pending.epochs) epochs"
                + (pending.earlyStopping == nil ? "" : " with early stopping") + "; call fit the same way to finish it",
              help: "or build a new trainer to start another fit")
          }
          resuming = pending
          object.pendingFit = nil
        }
        let history = { () -> Value in
          .host(HistoryObject(object.trainer.history,
                              metric: object.trainer.objective.reportsAccuracy ? "accuracy" : "loss"))
        }
        do {
          _ = try object.runEpochs(epochs, earlyStopping: rule, resuming: resuming, checkpoint: checkpoint,
                                   arguments: arguments)
        } catch var error as RuntimeError where error.kind == .interrupted {
          // `h = t.fit(…)` interrupted still binds h to the epochs completed so far.
          error.partialValue = history()
          throw error
        }
        return history()
      },
    ])

  /// Runs epochs with a progress bar on a terminal and one line per epoch; Ctrl-C stops at the
  /// next batch boundary and raises "interrupted" with the model kept as it is.
  func runEpochs(_ epochs: Int, earlyStopping: EarlyStopping?, resuming: FitProgress? = nil,
                 checkpoint: (path: String, every: Int)? = nil, arguments: Arguments) throws -> [EpochRecord] {
    let verbose = try arguments.boolean("verbose")
    let write: (String) -> Void = verbose ? arguments.write : { _ in }
    let display = arguments.display
    // The fit's position for the bar: `epoch 3/30` in the trainer's numbering, and the fit's
    // ETA from the pace of the epochs done in this call.
    let firstEpoch = trainer.epochsCompleted + 1 - (resuming?.epochsDone ?? 0)
    let lastEpoch = firstEpoch + (resuming?.epochs ?? epochs) - 1
    var finished: (count: Int, seconds: Double) = (0, 0)
    trainer.onBatch = verbose ? { progress in
      let epochSeconds = finished.count > 0
        ? finished.seconds / Double(finished.count) : progress.elapsed + progress.remaining
      let remaining = progress.remaining + Double(max(0, lastEpoch - progress.epoch)) * epochSeconds
      display.progress(progress, fit: FitPosition(lastEpoch: lastEpoch, remaining: remaining))
      if progress.batch == progress.batchCount {
        finished = (finished.count + 1, finished.seconds + progress.elapsed)
      }
    } : nil
    var checkpointError: (any Error)?
    let stop = arguments.shouldStop
    trainer.shouldStop = { checkpointError != nil || stop() }
    if trainer.epochsCompleted == 0 { write("training \(model.title) on \(dataProvenance)\n") }
    // Even an interrupted epoch changes the weights (to its last completed batch).
    model.isTrainedSinceSaved = true
    var records: [EpochRecord] = []
    var interruptedEpoch: Int?
    var divergence: Divergence?
    if let resuming {
      write("resuming epoch \(trainer.epochsCompleted + 1), epoch \(resuming.epochsDone + 1) of a fit of \(resuming.epochs)\n")
    }
    if epochs == 1 && earlyStopping == nil && checkpoint == nil && resuming == nil {
      switch trainer.step() {
      case .completed(let record): records.append(record)
      case .interrupted: interruptedEpoch = trainer.epochsCompleted + 1
      case .diverged(let found): divergence = found
      }
      display.endProgress()
      records.forEach { write(epochLine($0) + "\n") }
    } else {
      let (trainer, model, settings) = (trainer, model.model, settings)
      let reason = trainer.fit(
        epochs: epochs, earlyStopping: earlyStopping, resuming: resuming,
        onEpoch: { record in
          display.endProgress()
          records.append(record)
          write(epochLine(record) + "\n")
        },
        afterEpoch: {
          guard let checkpoint, let progress = trainer.fitInProgress,
            progress.epochsDone % checkpoint.every == 0 || progress.epochsDone == progress.epochs
          else { return }
          do {
            try Checkpoint.write(trainer, model: model, settings: settings, to: checkpoint.path)
          } catch {
            checkpointError = error
          }
        })
      display.endProgress()
      if let checkpointError { try libraryCall(arguments) { throw checkpointError } }
      switch reason {
      case .interrupted: interruptedEpoch = trainer.epochsCompleted + 1
      case .diverged(let found): divergence = found
      case .earlyStopping(let epoch):
        let best = trainer.history.bestEpoch.map { ", best epoch \($0)" } ?? ""
        let restored = earlyStopping?.restoresBest == true ? " (its weights restored)" : ""
        write("early stopping after epoch \(epoch)\(best)\(restored)\n")
      case .epochsDone:
        if let best = trainer.history.bestEpoch, earlyStopping?.restoresBest == true {
          write("best epoch \(best) (its weights restored)\n")
        }
      }
    }
    if let divergence {
      throw RuntimeError(
        "training stopped: " + divergence.description, at: arguments.range,
        help: "lower the learning rate (it is \(Value.format(Double(settings.learningRate)))), or check the data for NaN values")
    }
    if let epoch = interruptedEpoch {
      throw RuntimeError(
        "interrupted during epoch \(epoch): the model keeps the weights of its last completed batch",
        at: arguments.range, kind: .interrupted)
    }
    return records
  }
}

