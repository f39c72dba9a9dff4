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
}

/// Why `Trainer.fit` returned.
public enum StopReason: Sendable, Equatable {
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

  private var inputBatch = ReusableBuffer()  // [batch, features]
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
    for (index, indices) in order.batches.enumerated() {
      if shouldStop() { return .interrupted(batchesDone: index) }
      let x = inputBatch.tensor([indices.count, training.featureCount])
      training.inputs.gatherRows(indices, into: x)
      let labels = training.labels.isEmpty ? [] : ArraySlice(indices.map { training.labels[$0] })
      let result = objective.trainStep(inputs: x, labels: labels)
      lossSum += Double(result.loss) * Double(indices.count)
      correct += result.correct
      seen += indices.count
      onBatch?(BatchProgress(epoch: epoch, batch: index + 1, batchCount: order.count,
                             loss: lossSum / Double(seen), elapsed: Date().timeIntervalSince(start)))
    }
    let seconds = Date().timeIntervalSince(start)
    var record = EpochRecord(
      epoch: epoch, trainLoss: lossSum / Double(max(seen, 1)),
      trainAccuracy: objective.reportsAccuracy ? Double(correct) / Double(max(seen, 1)) : nil,
      validationLoss: nil, validationAccuracy: nil, seconds: seconds)
    if let validation {
      let measured = evaluate(validation)
      record.validationLoss = measured.loss
      record.validationAccuracy = measured.accuracy
    }
    // NOTE: the model now holds this epoch's weights, so an earlier fit's early-stopping marks
    // no longer describe it; a fit that stops early sets them again after its last step.
    history.bestEpoch = nil
    history.stoppedEpoch = nil
    history.records.append(record)
    return .completed(record)
  }

  /// Trains up to `epochs` more epochs, stopping early if the rule says so.
  /// - Parameters:
  ///   - epochs: the most epochs to run, ≥ 1.
  ///   - earlyStopping: the rule, or nil to run them all. It needs a validation set.
  /// - Returns: why training stopped.
  @discardableResult
  public func fit(epochs: Int, earlyStopping: EarlyStopping? = nil,
                  onEpoch: ((EpochRecord) -> Void)? = nil) -> StopReason {
    precondition(epochs >= 1, "fit needs at least 1 epoch, got \(epochs)")
    precondition(earlyStopping == nil || validation != nil,
                 "early stopping needs a validation set")
    var best: (value: Double, epoch: Int, weights: Tensor)?
    var waited = 0
    var reason = StopReason.epochsDone
    for _ in 0..<epochs {
      guard case .completed(let record) = step() else {
        reason = .interrupted
        break
      }
      onEpoch?(record)
      guard let rule = earlyStopping, let value = rule.value(of: record) else { continue }
      if best == nil || rule.isImprovement(value, over: best!.value) {
        best = (value, record.epoch, rule.restoresBest ? objective.store.snapshot() : Tensor(shape: [0]))
        waited = 0
      } else {
        waited += 1
        if waited >= rule.patience {
          reason = .earlyStopping(epoch: record.epoch)
          break
        }
      }
    }
    if let rule = earlyStopping, let best {
      history.bestEpoch = best.epoch
      if case .earlyStopping(let epoch) = reason { history.stoppedEpoch = epoch }
      if rule.restoresBest && reason != .interrupted { objective.store.restore(best.weights) }
    }
    return reason
  }

  /// The objective's mean loss (and accuracy, for classifiers) on a set of examples, in batches
  /// of 1,000, without changing the model.
  /// - Parameter examples: the examples to measure.
  public func evaluate(_ examples: Examples) -> (loss: Double, accuracy: Double?) {
    objective.setTraining(false)
    var lossSum = 0.0, correct = 0
    for start in stride(from: 0, to: examples.count, by: evaluationBatchSize) {
      let end = min(start + evaluationBatchSize, examples.count)
      let x = examples.inputs.rows(start..<end)
      let labels = examples.labels.isEmpty ? [] : examples.labels[start..<end]
      let result = objective.evaluate(inputs: x, labels: labels)
      lossSum += Double(result.loss) * Double(end - start)
      correct += result.correct
    }
    let n = Double(max(examples.count, 1))
    return (lossSum / n, objective.reportsAccuracy ? Double(correct) / n : nil)
  }
}
