import Foundation
import KMSTensor

/// How a trainer was built, so a checkpoint can build the same one again.
public struct TrainerSettings: Codable, Equatable, Sendable {
  /// Adam's step size.
  public var learningRate: Float
  /// Examples per batch.
  public var batchSize: Int
  /// The shuffles' and the objective's seed.
  public var seed: UInt64
  /// Part B's options (empty for plain training).
  public var options: PriorOptions
  /// Classes of the training data.
  public var dataClassCount: Int
  /// Training examples (a resumed run must get the same data).
  public var trainingCount: Int
  /// Which data it trained on, for messages.
  public var dataProvenance: String
  /// Where Adam adds ε; nil is Keras's form (checkpoints from before the choice existed).
  public var adamEpsilon: AdamEpsilon?

  /// Creates settings.
  public init(learningRate: Float, batchSize: Int, seed: UInt64, options: PriorOptions,
              dataClassCount: Int, trainingCount: Int, dataProvenance: String,
              adamEpsilon: AdamEpsilon? = nil) {
    (self.learningRate, self.batchSize, self.seed, self.options) = (learningRate, batchSize, seed, options)
    (self.dataClassCount, self.trainingCount, self.dataProvenance) = (dataClassCount, trainingCount, dataProvenance)
    self.adamEpsilon = adamEpsilon
  }
}

/// A training checkpoint (`.kmsckpt`): the model's spec and weights, every optimizer's moments
/// and step, weights outside the model (a discriminator), the random state, the trainer's
/// settings and history, and the fit in progress with its early-stopping state, in the
/// checksummed `TensorFile` container (magic `KMSCKPNT`). Resuming from it continues training
/// bit for bit as if it had never stopped.
public enum Checkpoint {
  static let magic = Array("KMSCKPNT".utf8)

  struct Header: Codable {
    struct OptimizerEntry: Codable {
      var name: String
      var step: Int
    }
    var spec: ModelSpec
    var settings: TrainerSettings
    var history: History
    var fit: FitProgress?
    var hasBestWeights: Bool
    var optimizers: [OptimizerEntry]
    var auxiliaryCount: Int
    var random: RandomSource?
    var tensors: [TensorFile.Entry]
  }

  /// What a checkpoint holds.
  public struct Contents {
    /// The model with its saved weights.
    public let model: Model
    /// How its trainer was built.
    public let settings: TrainerSettings
    /// Every completed epoch.
    public let history: History
    /// The fit that was running, as of its last completed epoch.
    public let fit: FitProgress?
    /// The objective's state.
    public let state: ObjectiveState
  }

  /// Writes the trainer's whole state to `path`, atomically.
  /// - Parameters:
  ///   - trainer: the trainer (its objective, history and fit in progress).
  ///   - model: the model it trains.
  ///   - settings: how the trainer was built.
  ///   - path: the destination, conventionally `….kmsckpt`.
  public static func write(_ trainer: Trainer, model: Model, settings: TrainerSettings, to path: String)
    throws(ModelFileError)
  {
    let state = trainer.objective.state
    let fit = trainer.fitInProgress
    var tensors = model.store.parameters.map { ($0.name, $0.value) }
    for (index, optimizer) in state.optimizers.enumerated() {
      for (k, moment) in optimizer.firstMoments.enumerated() { tensors.append(("opt\(index).m\(k)", moment)) }
      for (k, moment) in optimizer.secondMoments.enumerated() { tensors.append(("opt\(index).v\(k)", moment)) }
    }
    for (index, weights) in state.auxiliaryWeights.enumerated() { tensors.append(("aux\(index)", weights)) }
    if let best = fit?.bestWeights { tensors.append(("fit.best", best)) }
    try TensorFile.write(
      magic: magic,
      header: { entries in
        Header(spec: model.spec, settings: settings, history: trainer.history, fit: fit,
               hasBestWeights: fit?.bestWeights != nil,
               optimizers: state.optimizers.map { .init(name: $0.name, step: $0.step) },
               auxiliaryCount: state.auxiliaryWeights.count, random: state.random, tensors: entries)
      },
      tensors: tensors, to: path)
  }

  /// Reads a checkpoint, verifying every checksum, shape and name.
  /// - Parameter path: the file.
  public static func read(from path: String) throws(ModelFileError) -> Contents {
    let bytes = try ModelFile.contents(of: path, kind: "checkpoint",
                                       hint: "checkpoints are written by t.fit(…, checkpoint: \"\(path)\")")
    func fail(_ message: String) -> ModelFileError {
      ModelFileError(path: path, message: message, hint: "the file may be damaged, or not a kms checkpoint")
    }
    guard bytes.count >= 8, Array(bytes.prefix(8)) == magic else {
      if bytes.count >= 8, Array(bytes.prefix(8)) == ModelFile.magic {
        throw ModelFileError(path: path, message: "this is a model file, not a training checkpoint",
                             hint: "load(\"\(path)\") reads it; checkpoints come from t.fit(…, checkpoint: …)")
      }
      throw fail("not a kms checkpoint (it does not start with KMSCKPNT)")
    }
    let (headerBytes, tensors) = try TensorFile.read(from: path, magic: magic, bytes: bytes)
    guard let header = try? JSONDecoder().decode(Header.self, from: headerBytes) else {
      throw fail("the checkpoint's header is not readable (model, settings, history)")
    }
    let model = try ModelFile.build(header.spec, path: path)
    let parameterCount = model.store.parameters.count
    var rest = tensors.dropFirst(parameterCount).map { ($0.entry.name, $0.value) }
    try ModelFile.load(tensors.prefix(parameterCount).map { ($0.entry.name, $0.value) }, into: model, path: path)
    func take(_ name: String) throws(ModelFileError) -> Tensor {
      guard let first = rest.first, first.0 == name else {
        throw fail("expected tensor '\(name)', found \(rest.first.map { "'\($0.0)'" } ?? "the end of the file")")
      }
      rest.removeFirst()
      return first.1
    }
    // Every optimizer covers the parameters its objective gives it; their shapes are checked
    // when the state is restored into the rebuilt objective.
    var optimizers: [AdamState] = []
    for (index, entry) in header.optimizers.enumerated() {
      let count = rest.prefix(while: { $0.0.hasPrefix("opt\(index).m") }).count
      var first: [Tensor] = [], second: [Tensor] = []
      for k in 0..<count { first.append(try take("opt\(index).m\(k)")) }
      for k in 0..<count { second.append(try take("opt\(index).v\(k)")) }
      optimizers.append(AdamState(name: entry.name, step: entry.step, firstMoments: first, secondMoments: second))
    }
    var auxiliary: [Tensor] = []
    for index in 0..<header.auxiliaryCount { auxiliary.append(try take("aux\(index)")) }
    var fit = header.fit
    if header.hasBestWeights {
      let best = try take("fit.best")
      guard best.count == model.store.values.count else {
        throw fail("the saved best weights have \(best.count) values, the model \(model.store.values.count)")
      }
      fit?.bestWeights = best
    }
    guard rest.isEmpty else { throw fail("unexpected tensor '\(rest[0].0)' at the end") }
    return Contents(model: model, settings: header.settings, history: header.history, fit: fit,
                    state: ObjectiveState(optimizers: optimizers, auxiliaryWeights: auxiliary, random: header.random))
  }

  /// Builds the trainer a checkpoint was taken from, on the same data, with its state restored.
  /// - Parameters:
  ///   - contents: what `read(from:)` returned.
  ///   - training: the training examples (the same the checkpoint trained on).
  ///   - validation: the validation examples, if any.
  public static func makeTrainer(_ contents: Contents, training: Examples, validation: Examples?)
    throws(TrainingSetupError) -> Trainer
  {
    let settings = contents.settings
    guard training.count == settings.trainingCount, training.featureCount == contents.model.inputSize else {
      throw TrainingSetupError(
        "the checkpoint trained on \(grouped(settings.trainingCount)) examples of \(contents.model.inputSize) "
          + "features (\(settings.dataProvenance)); this data has \(grouped(training.count)) of \(training.featureCount)",
        hint: "resume with the data the run was started on")
    }
    let objective = try TrainingSetup.objective(
      for: contents.model, learningRate: settings.learningRate, seed: settings.seed,
      dataClassCount: settings.dataClassCount, options: settings.options,
      adamEpsilon: settings.adamEpsilon ?? .keras)
    do { try objective.restore(contents.state) } catch {
      throw TrainingSetupError(error.message, hint: error.hint)
    }
    let trainer = Trainer(objective: objective, training: training, validation: validation,
                          batchSize: settings.batchSize, seed: settings.seed)
    trainer.restore(history: contents.history)
    return trainer
  }
}
