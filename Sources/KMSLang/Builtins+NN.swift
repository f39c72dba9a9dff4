import Foundation
import KMSData
import KMSNN
import KMSTensor

// Model and training bindings: autoencoder, classifier, trainer (step / fit with early stopping),
// history, evaluate (accuracy, confusion matrix), encode, save and load.

/// A model in kms: a whole autoencoder or classifier, or an autoencoder's encoder or decoder.
public final class ModelObject: HostObject {
  /// The trainable whole this object is or belongs to.
  public let model: Model
  /// What this object runs: the whole network, or the encoder or decoder.
  public let network: Sequential
  /// Features of one input to `network`.
  public let inputSize: Int
  /// `autoencoder 784-…`, `encoder of autoencoder 784-…`.
  public let title: String

  /// Wraps a whole model.
  /// - Parameter model: an autoencoder or classifier.
  public init(_ model: Model) {
    self.model = model
    network = model.network
    inputSize = model.inputSize
    title = model.kindDescription
  }

  private init(part network: Sequential, of model: Model, inputSize: Int) {
    self.model = model
    self.network = network
    self.inputSize = inputSize
    title = "\(network.name) of \(model.kindDescription)"
  }

  /// True when this is a whole model (trainable and savable), not an encoder or decoder view.
  public var isWhole: Bool { network === model.network }

  /// The parameters of what this object runs.
  public var parameterCount: Int { network.parameterCount }

  /// `autoencoder 784-800-400-225-400-800-784, 2,077,809 parameters`.
  public var summary: String { "\(title), \(grouped(parameterCount)) parameters" }

  /// A Keras-style table: layer, output shape, parameters, and the total.
  public var description: String {
    let rows = network.summaryRows(inputShape: [inputSize])
    let nameWidth = max(24, (rows.map(\.layer.count).max() ?? 0) + 2)
    var lines = [title, "layer".padding(toLength: nameWidth, withPad: " ", startingAt: 0)
                   + "output shape".padding(toLength: 15, withPad: " ", startingAt: 0) + "parameters"]
    for row in rows {
      lines.append(row.layer.padding(toLength: nameWidth, withPad: " ", startingAt: 0)
                   + row.outputShape.description.padding(toLength: 15, withPad: " ", startingAt: 0)
                   + grouped(row.parameters))
    }
    lines.append("total parameters: \(grouped(parameterCount))")
    return lines.joined(separator: "\n")
  }

  /// The kms type `model`.
  public static let hostType = HostType(
    name: "model", summary: "an autoencoder or classifier (or an autoencoder's encoder or decoder)",
    attributes: [
      .attribute("encoder", of: ModelObject.self, summary: "an autoencoder's encoder: input → code") {
        try $0.part(\.encoder, "encoder")
      },
      .attribute("decoder", of: ModelObject.self, summary: "an autoencoder's decoder: code → image") {
        try $0.part(\.decoder, "decoder")
      },
      .attribute("parameters", of: ModelObject.self, summary: "the number of trainable parameters") {
        .number(Double($0.parameterCount))
      },
      .attribute("kind", of: ModelObject.self, summary: "autoencoder, classifier, encoder or decoder") {
        .string($0.isWhole ? ($0.model is Autoencoder ? "autoencoder" : "classifier") : $0.network.name)
      },
      .attribute("inputs", of: ModelObject.self, summary: "features of one input") { .number(Double($0.inputSize)) },
      .attribute("outputs", of: ModelObject.self, summary: "features of one output") {
        .number(Double($0.network.outputShape(for: [$0.inputSize]).elementCount))
      },
    ],
    methods: [
      .method("summary", of: ModelObject.self, summary: "prints the layers, output shapes and parameter counts",
              example: "model.summary()") { object, arguments in
        arguments.write(object.description + "\n")
        return .none
      }
    ])

  private func part(_ keyPath: KeyPath<Autoencoder, Sequential>, _ name: String) throws -> Value {
    guard let autoencoder = model as? Autoencoder, isWhole else {
      throw AttributeError(message: "only a whole autoencoder has an \(name)")
    }
    let inputSize = name == "encoder" ? autoencoder.inputSize : autoencoder.latentSize
    return .host(ModelObject(part: autoencoder[keyPath: keyPath], of: autoencoder, inputSize: inputSize))
  }
}

/// An attribute that does not apply to this object; the interpreter reports it at the access.
struct AttributeError: Error, CustomStringConvertible {
  let message: String
  var description: String { message }
}

/// Training in kms: one epoch at a time with `step()`, or many with `fit()`.
public final class TrainerObject: HostObject {
  /// The library trainer.
  public let trainer: Trainer
  /// The model being trained.
  public let model: ModelObject
  /// Where the data came from (printed with results).
  public let dataProvenance: String

  init(trainer: Trainer, model: ModelObject, dataProvenance: String) {
    self.trainer = trainer
    self.model = model
    self.dataProvenance = dataProvenance
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
      .attribute("history", of: TrainerObject.self, summary: "every completed epoch's metrics") {
        .host(HistoryObject($0.trainer.history, metric: $0.trainer.objective.reportsAccuracy ? "accuracy" : "loss"))
      },
      .attribute("epochs", of: TrainerObject.self, summary: "epochs completed") {
        .number(Double($0.trainer.epochsCompleted))
      },
      .attribute("model", of: TrainerObject.self, summary: "the model being trained") { .host($0.model) },
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
        "fit", of: TrainerObject.self,
        parameters: [
          .optional("epochs", .integer, default: .number(10)),
          .keyword("early_stop", .boolean, default: .boolean(false)),
          .keyword("monitor", .optional(.string), default: .none),
          .keyword("delta", .number, default: .number(0.001)),
          .keyword("patience", .integer, default: .number(5)),
          .keyword("restore", .boolean, default: .boolean(true)),
          .keyword("verbose", .boolean, default: .boolean(true)),
        ],
        summary: "trains up to epochs epochs, optionally with early stopping; returns the history",
        example: "h = t.fit(50, early_stop: true, patience: 5)"
      ) { object, arguments in
        let epochs = try arguments.integer("epochs", atLeast: 1)
        var rule: EarlyStopping?
        if try arguments.boolean("early_stop") {
          let monitor: EarlyStopping.Monitor
          switch arguments["monitor"] {
          case .string(let name):
            guard let chosen = EarlyStopping.Monitor(rawValue: name) else {
              throw arguments.error("unknown monitor '\(name)'", help: "use \"val_loss\" or \"val_accuracy\"")
            }
            monitor = chosen
          default:
            monitor = object.trainer.objective.reportsAccuracy ? .validationAccuracy : .validationLoss
          }
          if monitor == .validationAccuracy && !object.trainer.objective.reportsAccuracy {
            throw arguments.error("an autoencoder has no accuracy to monitor", help: "use monitor: \"val_loss\"")
          }
          guard object.trainer.validation != nil else {
            throw arguments.error("early stopping needs a validation set", help: "train on a data value, or pass validation:")
          }
          let delta = try arguments.number("delta")
          try arguments.require("delta", delta >= 0, "≥ 0")
          rule = EarlyStopping(monitor: monitor, minDelta: delta,
                               patience: try arguments.integer("patience", atLeast: 1),
                               restoresBest: try arguments.boolean("restore"))
        }
        _ = try object.runEpochs(epochs, earlyStopping: rule, arguments: arguments)
        return .host(HistoryObject(object.trainer.history,
                                   metric: object.trainer.objective.reportsAccuracy ? "accuracy" : "loss"))
      },
    ])

  /// Runs epochs with a progress bar on a terminal and one line per epoch; Ctrl-C stops at the
  /// next batch boundary and raises "interrupted" with the model kept as it is.
  func runEpochs(_ epochs: Int, earlyStopping: EarlyStopping?, arguments: Arguments) throws -> [EpochRecord] {
    let verbose = try arguments.boolean("verbose")
    let write: (String) -> Void = verbose ? arguments.write : { _ in }
    let progress = ProgressBar(isEnabled: verbose)
    trainer.onBatch = progress.isEnabled ? { progress.draw($0) } : nil
    trainer.shouldStop = arguments.shouldStop
    if trainer.epochsCompleted == 0 { write("training \(model.title) on \(dataProvenance)\n") }
    var records: [EpochRecord] = []
    var interruptedEpoch: Int?
    if epochs == 1 && earlyStopping == nil {
      switch trainer.step() {
      case .completed(let record): records.append(record)
      case .interrupted: interruptedEpoch = trainer.epochsCompleted + 1
      }
      progress.clear()
      records.forEach { write(epochLine($0) + "\n") }
    } else {
      let reason = trainer.fit(epochs: epochs, earlyStopping: earlyStopping) { record in
        progress.clear()
        records.append(record)
        write(epochLine(record) + "\n")
      }
      progress.clear()
      switch reason {
      case .interrupted: interruptedEpoch = trainer.epochsCompleted + 1
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
    if let epoch = interruptedEpoch {
      throw RuntimeError(
        "interrupted during epoch \(epoch): the model keeps the weights of its last completed batch",
        at: arguments.range, kind: .interrupted)
    }
    return records
  }
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

/// A progress bar on standard error, drawn only when it is a terminal.
final class ProgressBar {
  let isEnabled: Bool
  private var isShown = false
  private var lastDraw = Date.distantPast

  init(isEnabled: Bool) { self.isEnabled = isEnabled && isatty(STDERR_FILENO) == 1 }

  func draw(_ progress: BatchProgress) {
    // At most ten redraws a second: small batches would otherwise flood the terminal.
    let now = Date()
    guard progress.batch == progress.batchCount || now.timeIntervalSince(lastDraw) >= 0.1 else { return }
    lastDraw = now
    let width = 24
    let filled = progress.batchCount == 0 ? 0 : width * progress.batch / progress.batchCount
    let bar = String(repeating: "█", count: filled) + String(repeating: "·", count: width - filled)
    let line = String(format: "\repoch %d %@ %d/%d  loss %.4f  ETA %.0f s\u{1B}[K", progress.epoch, bar,
                      progress.batch, progress.batchCount, progress.loss, progress.remaining)
    FileHandle.standardError.write(Data(line.utf8))
    isShown = true
  }

  func clear() {
    guard isShown else { return }
    FileHandle.standardError.write(Data("\r\u{1B}[K".utf8))
    isShown = false
  }
}

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
    for record in history.records {
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
    }
    let widths = header.indices.map { column in rows.map { $0[column].count }.max()! + 2 }
    var lines = rows.map { row in
      zip(row, widths).map { $0.padding(toLength: $1, withPad: " ", startingAt: 0) }.joined()
    }
    if let best = history.bestEpoch { lines.append("* best epoch \(best)") }
    return lines.joined(separator: "\n")
  }

  private static func series(_ history: History, _ values: (EpochRecord) -> Double?) -> Value {
    .list(history.records.map { values($0).map(Value.number) ?? .none })
  }

  /// The kms type `history`.
  public static let hostType = HostType(
    name: "history", summary: "per-epoch training and validation metrics, printed as a table",
    attributes: [
      .attribute("epochs", of: HistoryObject.self, summary: "the number of completed epochs") {
        .number(Double($0.history.records.count))
      },
      .attribute("loss", of: HistoryObject.self, summary: "training loss per epoch") { series($0.history) { $0.trainLoss } },
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
      .attribute("seconds", of: HistoryObject.self, summary: "training seconds, all epochs") {
        .number($0.history.totalSeconds)
      },
      .attribute("best_epoch", of: HistoryObject.self, summary: "the epoch early stopping kept, or none") {
        $0.history.bestEpoch.map { .number(Double($0)) } ?? .none
      },
      .attribute("stopped_epoch", of: HistoryObject.self, summary: "the epoch early stopping ended on, or none") {
        $0.history.stoppedEpoch.map { .number(Double($0)) } ?? .none
      },
    ])
}

/// A classifier's results on a dataset: accuracy, confusion matrix, per-class accuracy.
public final class EvaluationObject: HostObject {
  /// The confusion matrix (rows true, columns predicted).
  public let confusion: ConfusionMatrix
  /// The class names, by label.
  public let classNames: [String]
  /// The mean loss on the dataset.
  public let loss: Double
  /// Which data the numbers came from.
  public let provenance: String

  init(confusion: ConfusionMatrix, classNames: [String], loss: Double, provenance: String) {
    self.confusion = confusion
    self.classNames = classNames
    self.loss = loss
    self.provenance = provenance
  }

  /// `accuracy 0.8750 on 2,000 examples`.
  public var summary: String {
    String(format: "accuracy %.4f on ", confusion.accuracy) + grouped(confusion.total) + " examples"
  }

  /// The confusion matrix as a table with per-class accuracy, then the overall accuracy.
  public var description: String {
    let names = classNames.count == confusion.classCount ? classNames : (0..<confusion.classCount).map(String.init)
    let width = max(6, (names.map(\.count).max() ?? 0) + 1, String(confusion.counts.joined().max() ?? 0).count + 1)
    func cell(_ text: String) -> String { String(repeating: " ", count: max(0, width - text.count)) + text }
    var lines = ["confusion matrix (rows: true label, columns: predicted label)",
                 cell("") + names.map(cell).joined() + "   per-class"]
    for (index, row) in confusion.counts.enumerated() {
      lines.append(cell(names[index]) + row.map { cell(String($0)) }.joined()
                   + String(format: "   %.3f", confusion.perClassAccuracy[index]))
    }
    lines.append(String(format: "accuracy %.4f (%d of %d), loss %.4f", confusion.accuracy,
                        (0..<confusion.classCount).reduce(0) { $0 + confusion.counts[$1][$1] },
                        confusion.total, loss))
    lines.append("data: \(provenance)")
    return lines.joined(separator: "\n")
  }

  /// The kms type `evaluation`.
  public static let hostType = HostType(
    name: "evaluation", summary: "a classifier's accuracy, confusion matrix and per-class accuracy",
    attributes: [
      .attribute("accuracy", of: EvaluationObject.self, summary: "the fraction classified correctly") {
        .number($0.confusion.accuracy)
      },
      .attribute("loss", of: EvaluationObject.self, summary: "the mean cross-entropy") { .number($0.loss) },
      .attribute("confusion", of: EvaluationObject.self, summary: "counts[true][predicted], a list of lists") {
        .list($0.confusion.counts.map { .list($0.map { .number(Double($0)) }) })
      },
      .attribute("per_class", of: EvaluationObject.self, summary: "accuracy of each true class") {
        .list($0.confusion.perClassAccuracy.map(Value.number))
      },
      .attribute("classes", of: EvaluationObject.self, summary: "the class names") {
        .list($0.classNames.map { .string($0) })
      },
      .attribute("provenance", of: EvaluationObject.self, summary: "which data the numbers came from") {
        .string($0.provenance)
      },
    ])
}

/// Refuses models too large to train here: each parameter needs four floats (value, gradient and
/// Adam's two moments), so 250 million parameters already take 4 GB.
private func checkModelSize(_ widths: [Int], _ arguments: Arguments) throws(RuntimeError) {
  var total = 0.0
  for (a, b) in zip(widths, widths.dropFirst()) { total += Double(a) * Double(b) + Double(b) }
  guard total <= 250_000_000 else {
    throw arguments.error("a model of \(widths.map(String.init).joined(separator: "-")) would have "
                          + "\(Int(total)) parameters; kms allows at most 250,000,000")
  }
}

extension Arguments {
  /// A dataset argument whose feature count must match a model's input.
  func dataset(_ name: String, for model: ModelObject) throws(RuntimeError) -> Dataset {
    let dataset = try host(name, as: DatasetObject.self).dataset
    guard dataset.featureCount == model.inputSize else {
      throw error("\(model.title) takes \(model.inputSize) features, but '\(dataset.name)' has \(dataset.featureCount)",
                  help: model.inputSize == 784 ? nil : "encode the data first: encode(ae.encoder, data.train)")
    }
    return dataset
  }
}

extension BuiltinRegistry {
  /// Registers the model, training and evaluation builtins and their host types.
  public func registerNN() {
    for type in [ModelObject.hostType, TrainerObject.hostType, HistoryObject.hostType, EvaluationObject.hostType] {
      register(type)
    }
    register(
      Builtin(
        "autoencoder",
        parameters: [.required("sizes", .list),
                     .keyword("inputs", .integer, default: .number(784)),
                     .keyword("code", .string, default: .string("relu")),
                     .keyword("seed", .integer, default: .number(0))],
        summary: "a stacked autoencoder: encoder sizes down to the code, mirrored decoder, sigmoid output",
        example: "ae = autoencoder([800, 400, 225])"
      ) { arguments in
        let sizes = try arguments.integers("sizes")
        guard !sizes.isEmpty, sizes.allSatisfy({ (1...100_000).contains($0) }) else {
          throw arguments.error("sizes must be a non-empty list of positive integers, got \(arguments["sizes"].repr)")
        }
        let inputs = try arguments.integer("inputs", atLeast: 1)
        try checkModelSize([inputs] + sizes + sizes.dropLast().reversed() + [inputs], arguments)
        guard let code = ActivationKind(rawValue: try arguments.string("code")) else {
          throw arguments.error("unknown code activation \(arguments["code"].repr)",
                                help: "use \"relu\" (Part A), \"linear\" (for a prior), \"tanh\" or \"sigmoid\"")
        }
        let seed = try arguments.integer("seed", atLeast: 0)
        return .host(ModelObject(Autoencoder(inputSize: inputs, encoderSizes: sizes, codeActivation: code,
                                             seed: UInt64(seed))))
      })
    register(
      Builtin(
        "classifier",
        parameters: [.required("inputs", .oneOf([.integer, .host("dataset")])),
                     .keyword("hidden", .list, default: .list([.number(200)])),
                     .keyword("classes", .integer, default: .number(10)),
                     .keyword("seed", .integer, default: .number(0))],
        summary: "an MLP classifier: ReLU hidden layers, softmax output (inputs: a width or a dataset)",
        example: "mlp = classifier(225, hidden: [200])"
      ) { arguments in
        let inputs: Int
        if case .host(let object) = arguments["inputs"], let data = object as? DatasetObject {
          inputs = data.dataset.featureCount
        } else {
          inputs = try arguments.integer("inputs", atLeast: 1)
        }
        let hidden = try arguments.integers("hidden")
        guard hidden.allSatisfy({ (1...100_000).contains($0) }) else {
          throw arguments.error("hidden must be a list of positive integers, got \(arguments["hidden"].repr)")
        }
        let classes = try arguments.integer("classes", atLeast: 2)
        try checkModelSize([inputs] + hidden + [classes], arguments)
        let seed = try arguments.integer("seed", atLeast: 0)
        return .host(ModelObject(Classifier(inputSize: inputs, hiddenSizes: hidden, classCount: classes,
                                            seed: UInt64(seed))))
      })
    register(
      Builtin(
        "trainer",
        parameters: [.required("model", .host("model")),
                     .required("data", .oneOf([.host("data"), .host("dataset")])),
                     .keyword("lr", .number, default: .number(0.001)),
                     .keyword("batch", .integer, default: .number(128)),
                     .keyword("validation", .optional(.host("dataset")), default: .none),
                     .keyword("seed", .integer, default: .number(0)),
                     .keyword("prior", .optional(.string), default: .none),
                     .keyword("penalty", .optional(.string), default: .none),
                     .keyword("weight", .optional(.number), default: .none),
                     .keyword("kernel", .optional(.number), default: .none),
                     .keyword("divergence", .optional(.string), default: .none),
                     .keyword("conditioned", .optional(.boolean), default: .none),
                     .keyword("noise", .optional(.number), default: .none),
                     .keyword("disc_lr", .optional(.number), default: .none),
                     .keyword("disc_steps", .optional(.integer), default: .none),
                     .keyword("enc_steps", .optional(.integer), default: .none),
                     .keyword("adv_batch", .optional(.integer), default: .none)],
        summary: "a trainer for a model on data (a data value's train/validation, or one dataset); "
          + "prior: pushes an autoencoder's code toward a prior such as \"swiss_roll\" or \"one_hot\"",
        example: "t = trainer(ae, data, lr: 0.0008, batch: 164)"
      ) { arguments in
        let model = try arguments.host("model", as: ModelObject.self)
        guard model.isWhole else {
          throw arguments.error("cannot train the \(model.network.name) alone",
                                help: "train the whole autoencoder, then use its \(model.network.name)")
        }
        let lr = try arguments.positive("lr")
        try arguments.require("lr", lr <= 10, "at most 10")
        let batch = try arguments.integer("batch", atLeast: 1)
        let seed = try arguments.integer("seed", atLeast: 0)
        var training: Dataset
        var validation: Dataset?
        var provenance: String
        if case .host(let object) = arguments["data"], let splits = object as? SplitsObject {
          training = splits.splits.train
          validation = splits.splits.validation
          provenance = "\(splits.splits.protocolName) protocol (\(training.provenance))"
        } else {
          training = try arguments.host("data", as: DatasetObject.self).dataset
          provenance = training.provenance
        }
        if case .host = arguments["validation"] {
          validation = try arguments.host("validation", as: DatasetObject.self).dataset
        }
        for set in [training] + (validation.map { [$0] } ?? []) where set.featureCount != model.inputSize {
          throw arguments.error(
            "\(model.title) takes \(model.inputSize) features, but '\(set.name)' has \(set.featureCount)",
            help: model.model is Classifier && set.featureCount > model.inputSize
              ? "encode the data first: codes = encode(ae.encoder, data)"
              : "build the model for \(set.featureCount) inputs")
        }
        let objective: Objective
        if let penalty = try priorPenalty(arguments, model: model, classCount: training.classCount,
                                            learningRate: lr) {
          objective = PriorObjective(model: model.model as! Autoencoder, penalty: penalty,
                                     learningRate: Float(lr), seed: UInt64(seed))
        } else if let autoencoder = model.model as? Autoencoder {
          objective = ReconstructionObjective(model: autoencoder, learningRate: Float(lr))
        } else if let classifier = model.model as? Classifier {
          guard training.classCount <= classifier.classCount else {
            throw arguments.error("the data has \(training.classCount) classes but the classifier only \(classifier.classCount)")
          }
          objective = ClassificationObjective(model: classifier, learningRate: Float(lr))
        } else {
          throw arguments.error("cannot train a \(model.title)")
        }
        let trainer = Trainer(
          objective: objective, training: Examples(inputs: training.features, labels: training.labels),
          validation: validation.map { Examples(inputs: $0.features, labels: $0.labels) },
          batchSize: batch, seed: UInt64(seed))
        return .host(TrainerObject(trainer: trainer, model: model, dataProvenance: provenance))
      })
    register(
      Builtin(
        "evaluate",
        parameters: [.required("model", .host("model")), .required("dataset", .oneOf([.host("dataset"), .host("data")]))],
        summary: "a classifier's accuracy and confusion matrix, or an autoencoder's reconstruction MSE",
        example: "evaluate(mlp, codes.test)"
      ) { arguments in
        let model = try arguments.host("model", as: ModelObject.self)
        if case .host(let object) = arguments["dataset"], object is SplitsObject {
          throw arguments.error("evaluate needs one dataset, not a whole data value",
                                help: "pick one: evaluate(model, data.test)")
        }
        let dataset = try arguments.dataset("dataset", for: model)
        let outputs = predict(model.network, inputs: dataset.features)
        if let classifier = model.model as? Classifier, model.isWhole {
          let predicted = argmaxRows(outputs)
          guard dataset.classCount <= classifier.classCount else {
            throw arguments.error("the data has \(dataset.classCount) classes but the classifier only \(classifier.classCount)")
          }
          let loss = softmaxCrossEntropy(logits: outputs, labels: dataset.labels, gradient: Tensor(shape: outputs.shape))
          return .host(EvaluationObject(
            confusion: ConfusionMatrix(predicted: predicted, labels: dataset.labels, classCount: classifier.classCount),
            classNames: dataset.classNames, loss: Double(loss), provenance: dataset.provenance))
        }
        guard outputs.shape == dataset.features.shape else {
          throw arguments.error("evaluate needs a whole autoencoder or classifier, got the \(model.title)")
        }
        let mse = meanSquaredError(predicted: outputs, target: dataset.features, gradient: Tensor(shape: outputs.shape))
        return .record(["mse": .number(Double(mse)), "count": .number(Double(dataset.count)),
                        "provenance": .string(dataset.provenance)])
      })
    register(
      Builtin(
        "encode",
        parameters: [.required("encoder", .host("model")), .required("data", .oneOf([.host("dataset"), .host("data")]))],
        summary: "runs a network over a dataset (or each split); the codes keep the labels and provenance",
        example: "codes = encode(ae.encoder, data)"
      ) { arguments in
        let model = try arguments.host("encoder", as: ModelObject.self)
        func encoded(_ dataset: Dataset) throws(RuntimeError) -> Dataset {
          guard dataset.featureCount == model.inputSize else {
            throw arguments.error("\(model.title) takes \(model.inputSize) features, but '\(dataset.name)' has \(dataset.featureCount)")
          }
          let codes = predict(model.network, inputs: dataset.features)
          return dataset.replacingFeatures(with: codes, name: "\(dataset.name)-codes",
                                           provenance: "\(model.title) codes of \(dataset.provenance)")
        }
        if case .host(let object) = arguments["data"], let splits = object as? SplitsObject {
          let s = splits.splits
          return .host(SplitsObject(DataSplits(train: try encoded(s.train), validation: try encoded(s.validation),
                                               test: try encoded(s.test), protocolName: s.protocolName,
                                               notice: s.notice)))
        }
        return .host(DatasetObject(try encoded(try arguments.host("data", as: DatasetObject.self).dataset)))
      })
    register(
      Builtin(
        "save",
        parameters: [.required("model", .host("model")), .required("path", .string)],
        summary: "writes a whole model to one file, atomically; load(path) reads it back identically",
        example: "save(ae, \"sae.kmsmodel\")"
      ) { arguments in
        let model = try arguments.host("model", as: ModelObject.self)
        guard model.isWhole else {
          throw arguments.error("save the whole autoencoder, not its \(model.network.name)")
        }
        let path = try arguments.string("path")
        do {
          try ModelFile.write(model.model, to: path)
        } catch let error as ModelFileError {
          throw arguments.error("\(error.path): \(error.message)", help: error.hint)
        }
        arguments.write("saved \(model.summary) to \(path)\n")
        return .none
      })
    register(
      Builtin(
        "load",
        parameters: [.required("path", .string)],
        summary: "reads a model saved with save()",
        example: "ae = load(\"sae.kmsmodel\")"
      ) { arguments in
        let path = try arguments.string("path")
        do {
          return .host(ModelObject(try ModelFile.read(from: path)))
        } catch let error as ModelFileError {
          throw arguments.error("\(error.path): \(error.message)", help: error.hint)
        }
      })
  }
}

private func isNone(_ value: Value) -> Bool {
  if case .none = value { return true }
  return false
}

/// The prior penalty a `trainer` call asks for (paper Part B), or nil when it names no prior.
/// Defaults: the paper's CSD with λ 1 and kernel size 5; "adversarial" trains a discriminator
/// instead, "csd+adversarial" both.
private func priorPenalty(_ arguments: Arguments, model: ModelObject, classCount: Int,
                          learningRate: Double) throws(RuntimeError) -> PriorPenalty?
{
  let options = ["penalty", "weight", "kernel", "divergence", "conditioned", "noise", "disc_lr",
                 "disc_steps", "enc_steps", "adv_batch"]
  guard case .string(let name) = arguments["prior"] else {
    if let given = options.first(where: { !isNone(arguments[$0]) }) {
      throw arguments.error("\(given) only applies with a prior",
                            help: "e.g. trainer(ae, data, prior: \"swiss_roll\", \(given): …)")
    }
    return nil
  }
  guard let autoencoder = model.model as? Autoencoder else {
    throw arguments.error("only an autoencoder's code can follow a prior, not a \(model.title)")
  }
  var noise = 0.0
  if case .number = arguments["noise"] { noise = try arguments.number("noise", in: 0...100) }
  let prior = try namedPrior(name, classCount: classCount, noise: noise,
                             dimension: max(2, autoencoder.latentSize), arguments, argument: "prior")
  guard autoencoder.latentSize == prior.dimension else {
    throw arguments.error(
      "the \(name) prior is \(prior.dimension)-D but the code of \(model.title) is \(autoencoder.latentSize)-D",
      help: "end the encoder sizes with \(prior.dimension), e.g. autoencoder([800, 400, \(prior.dimension)], code: \"linear\")")
  }
  if prior.kind != .oneHot && autoencoder.codeActivation == .relu {
    throw arguments.error(
      "a ReLU code cannot reach the \(name) prior's negative coordinates",
      help: "build the autoencoder with code: \"linear\"")
  }
  var penaltyName = "csd"
  if case .string(let text) = arguments["penalty"] { penaltyName = text }
  let penalties = ["csd", "adversarial", "csd+adversarial"]
  guard penalties.contains(penaltyName) else {
    throw arguments.error("unknown penalty \(arguments["penalty"].repr)",
                          help: "use " + penalties.map { "\"\($0)\"" }.joined(separator: ", "))
  }
  let usesDivergence = penaltyName != "adversarial", adversarial = penaltyName != "csd"
  var term: PriorPenalty.DivergenceTerm?
  if usesDivergence {
    var weight = 1.0, kernelSize = 5.0, divergence = DivergenceKind.cauchySchwarz
    if case .number = arguments["weight"] {
      weight = try arguments.number("weight", in: 0...1_000_000)
    }
    if case .number = arguments["kernel"] {
      kernelSize = try arguments.positive("kernel")
      try arguments.require("kernel", kernelSize <= 1_000_000, "at most 1,000,000")
    }
    if case .string(let text) = arguments["divergence"] {
      guard let chosen = DivergenceKind(rawValue: text) else {
        throw arguments.error(
          "unknown divergence \(arguments["divergence"].repr)",
          help: "use " + DivergenceKind.allCases.map { "\"\($0.rawValue)\"" }.joined(separator: ", "))
      }
      divergence = chosen
    }
    term = PriorPenalty.DivergenceTerm(weight: Float(weight), kernelSize: Float(kernelSize),
                                       kind: divergence)
  } else if let given = ["weight", "kernel", "divergence"].first(where: { !isNone(arguments[$0]) }) {
    throw arguments.error("\(given) only applies to the \"csd\" penalty",
                          help: "use penalty: \"csd+adversarial\" for both")
  }
  var conditioned = false
  if case .boolean(let flag) = arguments["conditioned"] { conditioned = flag }
  if conditioned && !adversarial {
    throw arguments.error("only a discriminator can be conditioned on labels",
                          help: "use penalty: \"adversarial\" or \"csd+adversarial\"")
  }
  var schedule = PriorPenalty.AdversarialSchedule()
  let scheduleOptions = ["disc_lr", "disc_steps", "enc_steps", "adv_batch"]
  if !adversarial, let given = scheduleOptions.first(where: { !isNone(arguments[$0]) }) {
    throw arguments.error("\(given) only applies with a discriminator",
                          help: "use penalty: \"adversarial\" or \"csd+adversarial\"")
  }
  if case .number = arguments["disc_lr"] {
    let rate = try arguments.positive("disc_lr")
    try arguments.require("disc_lr", rate <= 10, "at most 10")
    schedule.discriminatorLearningRate = Float(rate)
  }
  if case .number = arguments["disc_steps"] {
    schedule.discriminatorSteps = try arguments.integer("disc_steps", atLeast: 1)
    try arguments.require("disc_steps", schedule.discriminatorSteps <= 100, "at most 100")
  }
  if case .number = arguments["enc_steps"] {
    schedule.encoderSteps = try arguments.integer("enc_steps", atLeast: 1)
    try arguments.require("enc_steps", schedule.encoderSteps <= 100, "at most 100")
  }
  if case .number = arguments["adv_batch"] {
    schedule.batchSize = try arguments.integer("adv_batch", atLeast: 1)
  }
  return PriorPenalty(prior: prior, divergence: term, adversarial: adversarial,
                      conditioned: conditioned, schedule: schedule)
}
