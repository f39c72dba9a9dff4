import Foundation
import KMSTensor

/// Where training is within an epoch, reported after every batch (the REPL's progress bar).
public struct BatchProgress: Sendable {
  /// 1-based epoch number.
  public var epoch: Int
  /// Batches done in this epoch.
  public var batch: Int
  /// Batches in this epoch.
  public var batchCount: Int
  /// Mean loss of the epoch's batches so far.
  public var loss: Double
  /// Seconds since the epoch began.
  public var elapsed: Double

  /// Estimated seconds left in this epoch, from the pace so far.
  public var remaining: Double {
    batch == 0 ? 0 : elapsed / Double(batch) * Double(batchCount - batch)
  }
}

/// How a call to `Trainer.step()` ended.
public enum EpochOutcome: Sendable {
  /// The epoch ran to the end; here is its record.
  case completed(EpochRecord)
  /// `shouldStop` returned true after `batchesDone` batches. The model keeps the weights of the
  /// last completed batch; the partial epoch is not recorded.
  case interrupted(batchesDone: Int)
  /// A batch's loss was NaN or infinite; training stopped there and the model was rolled back
  /// (see `Divergence`). The partial epoch is not recorded.
  case diverged(Divergence)
}

/// Where training diverged and what the model was rolled back to.
public struct Divergence: Sendable, Equatable {
  /// 1-based epoch and batch of the non-finite loss.
  public var epoch: Int, batch: Int
  /// The loss found (NaN or ±infinity).
  public var loss: Float
  /// The first layer whose output was not finite on that batch, e.g. `layer 3, Dense(400 → 225)`.
  public var layer: String?
  /// True when the weights were already not finite (an earlier batch's gradient overflowed), so
  /// the model went back to the epoch's start and its optimizers started afresh; false when
  /// nothing of the bad batch was applied and the model keeps the weights from before it.
  public var rolledBackToEpochStart: Bool

  /// One line for the user.
  public var description: String {
    let value = loss.isNaN ? "NaN" : (loss > 0 ? "infinite" : "−infinite")
    let where_ = layer.map { " (the first non-finite values: the output of \($0))" }
      ?? (rolledBackToEpochStart ? "" : " (every layer's output is finite: the loss itself overflowed)")
    let kept = rolledBackToEpochStart
      ? "the weights were no longer finite, so the model is back at the start of epoch \(epoch) with its optimizer restarted"
      : "the model keeps the weights from before that batch"
    return "the loss became \(value) at epoch \(epoch), batch \(batch)\(where_); \(kept)"
  }
}

/// Why `Trainer.fit` returned.
public enum StopReason: Sendable, Equatable {
  /// A batch's loss was not finite; the model was rolled back.
  case diverged(Divergence)
  /// All requested epochs ran.
  case epochsDone
  /// Early stopping ended training after this epoch.
  case earlyStopping(epoch: Int)
  /// `shouldStop` returned true.
  case interrupted
}

/// Runs an objective over mini-batches, one epoch at a time (`step`) or many (`fit`).
///
/// Every epoch visits the training set in a fresh order fixed by the seed and the epoch number, so
/// a run repeats bit for bit on the same machine and worker count.
public final class Trainer {
  /// What is optimised.
  public let objective: Objective
  /// The training examples.
  public let training: Examples
  /// Examples for validation after each epoch, if any.
  public let validation: Examples?
  /// Examples per batch.
  public let batchSize: Int
  /// Fixes every epoch's shuffle.
  public let seed: UInt64
  /// Every completed epoch.
  public private(set) var history = History()
  /// Called after every batch.
  public var onBatch: ((BatchProgress) -> Void)?
  /// Polled before every batch; returning true stops at that batch boundary.
  public var shouldStop: () -> Bool = { false }
  /// The fit running now, as of its last completed epoch (what a checkpoint saves), else nil.
  public private(set) var fitInProgress: FitProgress?

  private var inputBatch = ReusableBuffer()  // [batch, features]
  private var epochStartWeights = ReusableBuffer()  // [parameters]: the weights as the epoch began
  private let evaluationBatchSize = 1000

  /// Creates a trainer.
  /// - Parameters:
  ///   - objective: what to optimise.
  ///   - training: the training examples.
  ///   - validation: validation examples, evaluated after each epoch.
  ///   - batchSize: examples per batch, ≥ 1.
  ///   - seed: fixes the shuffles.
  public init(objective: Objective, training: Examples, validation: Examples? = nil,
              batchSize: Int, seed: UInt64 = 0) {
    precondition(batchSize >= 1, "batch size must be at least 1, got \(batchSize)")
    for (name, set) in [("training", training), ("validation", validation)] {
      guard let set else { continue }
      precondition(set.featureCount == objective.inputSize,
                   "\(name) examples have \(set.featureCount) features, the model takes \(objective.inputSize)")
      precondition(!objective.needsLabels || set.labels.count == set.count,
                   "\(name) examples need labels for this objective")
    }
    self.objective = objective
    self.training = training
    self.validation = validation
    self.batchSize = batchSize
    self.seed = seed
  }

  /// Puts back the history of a run being resumed; the next epoch is numbered after its last,
  /// so its shuffle is the one an uninterrupted run would have drawn.
  /// - Parameter history: the history saved with the checkpoint.
  public func restore(history: History) { self.history = history }

  /// The number of epochs completed so far.
  public var epochsCompleted: Int { history.records.count }

  /// Trains one epoch, then evaluates on the validation set.
  public func step() -> EpochOutcome {
    let epoch = epochsCompleted + 1
    let order = BatchOrder(count: training.count, batchSize: batchSize,
                           shuffleSeed: seed &+ UInt64(epoch) &* 0x9E37_79B9_7F4A_7C15)
    let start = Date()
    var lossSum = 0.0, correct = 0, seen = 0
    objective.setTraining(true)
    defer { objective.setTraining(false) }
    // One copy an epoch (no allocation after the first), for the rare rollback below.
    let startWeights = epochStartWeights.tensor(objective.store.values.shape)
    startWeights.assign(objective.store.values)
    var terms = LossTermsSum()
    for (index, indices) in order.batches.enumerated() {
      if shouldStop() { return .interrupted(batchesDone: index) }
      let x = inputBatch.tensor([indices.count, training.featureCount])
      training.inputs.gatherRows(indices, into: x)
      let labels = training.labels.isEmpty ? [] : ArraySlice(indices.map { training.labels[$0] })
      let result = objective.trainStep(inputs: x, labels: labels)
      guard result.loss.isFinite else {
        return .diverged(rollBack(epoch: epoch, batch: index + 1, loss: result.loss, inputs: x,
                                  startWeights: startWeights))
      }
      lossSum += Double(result.loss) * Double(indices.count)
      correct += result.correct
      terms.add(result.terms, count: indices.count)
      seen += indices.count
      onBatch?(BatchProgress(epoch: epoch, batch: index + 1, batchCount: order.count,
                             loss: lossSum / Double(seen), elapsed: Date().timeIntervalSince(start)))
    }
    let seconds = Date().timeIntervalSince(start)
    var record = EpochRecord(
      epoch: epoch, trainLoss: lossSum / Double(max(seen, 1)),
      trainAccuracy: objective.reportsAccuracy ? Double(correct) / Double(max(seen, 1)) : nil,
      validationLoss: nil, validationAccuracy: nil, seconds: seconds, trainTerms: terms.mean)
    if let validation {
      let measured = evaluate(validation)
      record.validationLoss = measured.loss
      record.validationAccuracy = measured.accuracy
      record.validationTerms = measured.terms
    }
    // NOTE: the model now holds this epoch's weights, so an earlier fit's early-stopping marks
    // no longer describe it; a fit that stops early sets them again after its last step.
    history.bestEpoch = nil
    history.stoppedEpoch = nil
    history.records.append(record)
    return .completed(record)
  }

  /// After a non-finite loss: objectives apply no update on such a batch, so finite weights are
  /// the weights from before it; weights that are already not finite (an earlier gradient
  /// overflowed) go back to the epoch's start, and the optimizers restart.
  private func rollBack(epoch: Int, batch: Int, loss: Float, inputs: Tensor, startWeights: Tensor)
    -> Divergence
  {
    let values = objective.store.values
    let weightsFinite = (0..<values.count).allSatisfy { values.data[$0].isFinite }
    if !weightsFinite {
      objective.store.restore(startWeights)
      var state = objective.state
      for i in state.optimizers.indices {
        state.optimizers[i].step = 0
        for moment in state.optimizers[i].firstMoments + state.optimizers[i].secondMoments {
          moment.fill(with: 0)
        }
      }
      try? objective.restore(state)
    }
    objective.setTraining(false)
    return Divergence(epoch: epoch, batch: batch, loss: loss,
                      layer: objective.firstNonFiniteLayer(inputs: inputs),
                      rolledBackToEpochStart: !weightsFinite)
  }

  /// Trains up to `epochs` more epochs, stopping early if the rule says so.
  /// - Parameters:
  ///   - epochs: the most epochs to run, ≥ 1.
  ///   - earlyStopping: the rule, or nil to run them all. It needs a validation set.
  ///   - resuming: a fit saved in a checkpoint (`fitInProgress`) to continue: its epochs,
  ///     rule and early-stopping state replace the arguments', so the run goes on as if it had
  ///     never stopped.
  ///   - onEpoch: called after each epoch with its record.
  ///   - afterEpoch: called after each epoch once `fitInProgress` is up to date (checkpoints
  ///     are written there).
  /// - Returns: why training stopped.
  @discardableResult
  public func fit(epochs: Int, earlyStopping: EarlyStopping? = nil, resuming: FitProgress? = nil,
                  onEpoch: ((EpochRecord) -> Void)? = nil, afterEpoch: (() -> Void)? = nil)
    -> StopReason
  {
    precondition(epochs >= 1, "fit needs at least 1 epoch, got \(epochs)")
    var progress = resuming ?? FitProgress(epochs: epochs, earlyStopping: earlyStopping)
    precondition(progress.earlyStopping?.monitor.needsValidation != true || validation != nil,
                 "early stopping on a validation number needs a validation set")
    if resuming == nil {
      // A new fit's markers replace an earlier fit's: the model no longer holds that best epoch.
      history.bestEpoch = nil
      history.stoppedEpoch = nil
    }
    fitInProgress = progress
    defer { fitInProgress = nil }
    var reason = StopReason.epochsDone
    while progress.epochsDone < progress.epochs {
      let outcome = step()
      if case .diverged(let divergence) = outcome {
        reason = .diverged(divergence)
        break
      }
      guard case .completed(let record) = outcome else {
        reason = .interrupted
        break
      }
      progress.epochsDone += 1
      onEpoch?(record)
      var stops = false
      if let rule = progress.earlyStopping, let value = rule.value(of: record) {
        if progress.bestValue == nil || rule.isImprovement(value, over: progress.bestValue!) {
          progress.bestValue = value
          progress.bestEpoch = record.epoch
          if rule.restoresBest { progress.bestWeights = objective.store.snapshot() }
          progress.waited = 0
        } else {
          progress.waited += 1
          stops = progress.waited >= rule.patience
        }
      }
      fitInProgress = progress
      afterEpoch?()
      if stops {
        reason = .earlyStopping(epoch: record.epoch)
        break
      }
    }
    if let rule = progress.earlyStopping, let best = progress.bestEpoch {
      history.bestEpoch = best
      if case .earlyStopping(let epoch) = reason { history.stoppedEpoch = epoch }
      // An interrupted or diverged fit keeps the weights it stopped with (or rolled back to).
      let finished = switch reason {
      case .epochsDone, .earlyStopping: true
      case .interrupted, .diverged: false
      }
      if rule.restoresBest && finished, let weights = progress.bestWeights {
        objective.store.restore(weights)
      }
    }
    return reason
  }

  /// The objective's mean loss (and accuracy, for classifiers) on a set of examples, in batches
  /// of 1,000, without changing the model.
  /// - Parameter examples: the examples to measure.
  public func evaluate(_ examples: Examples) -> (loss: Double, accuracy: Double?, terms: LossTerms?) {
    objective.setTraining(false)
    var lossSum = 0.0, correct = 0
    var terms = LossTermsSum()
    for start in stride(from: 0, to: examples.count, by: evaluationBatchSize) {
      let end = min(start + evaluationBatchSize, examples.count)
      let x = examples.inputs.rows(start..<end)
      let labels = examples.labels.isEmpty ? [] : examples.labels[start..<end]
      let result = objective.evaluate(inputs: x, labels: labels)
      lossSum += Double(result.loss) * Double(end - start)
      correct += result.correct
      terms.add(result.terms, count: end - start)
    }
    let n = Double(max(examples.count, 1))
    return (lossSum / n, objective.reportsAccuracy ? Double(correct) / n : nil, terms.mean)
  }
}

/// Where a `fit` stands after its last completed epoch: enough, with the weights, the objective's
/// state and the history, to continue it exactly.
public struct FitProgress: Codable {
  /// The epochs the fit was asked for.
  public var epochs: Int
  /// Epochs it has completed.
  public var epochsDone = 0
  /// Its early-stopping rule, if any.
  public var earlyStopping: EarlyStopping?
  /// The best monitored value so far, and its epoch.
  public var bestValue: Double?
  /// The epoch of `bestValue`.
  public var bestEpoch: Int?
  /// Epochs since the last improvement.
  public var waited = 0
  /// The weights of the best epoch, when the rule restores them (saved as a tensor, not JSON).
  public var bestWeights: Tensor?

  /// A fit about to start.
  public init(epochs: Int, earlyStopping: EarlyStopping?) {
    self.epochs = epochs
    self.earlyStopping = earlyStopping
  }

  private enum CodingKeys: String, CodingKey {
    case epochs, epochsDone, earlyStopping, bestValue, bestEpoch, waited
  }
}
