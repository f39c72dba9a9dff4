/// What one epoch of training measured.
public struct EpochRecord: Sendable, Equatable, Codable {
  /// 1-based epoch number.
  public var epoch: Int
  /// Mean training loss over the epoch's batches (weighted by batch size).
  public var trainLoss: Double
  /// Training accuracy over the epoch's batches, for classifiers.
  public var trainAccuracy: Double?
  /// Loss on the validation set after the epoch.
  public var validationLoss: Double?
  /// Accuracy on the validation set after the epoch, for classifiers.
  public var validationAccuracy: Double?
  /// Wall-clock seconds of the epoch's training (evaluation excluded).
  public var seconds: Double
}

/// The records of every completed epoch, plus what early stopping decided.
public struct History: Sendable, Equatable, Codable {
  /// Completed epochs, in order.
  public var records: [EpochRecord] = []
  /// The epoch whose weights early stopping kept, if it ran.
  public var bestEpoch: Int?
  /// The epoch after which early stopping ended training, if it did.
  public var stoppedEpoch: Int?

  /// Creates an empty history.
  public init() {}

  /// Total training seconds over all epochs.
  public var totalSeconds: Double { records.reduce(0) { $0 + $1.seconds } }
}

/// Keras-style early stopping: stop when the monitored value has not improved by more than
/// `minDelta` for `patience` epochs in a row, optionally restoring the best weights.
/// The paper uses min delta 0.001 and patience 5 (validation MSE for the SAE, validation
/// accuracy for the MLP).
public struct EarlyStopping: Sendable, Equatable, Codable {
  /// Which number to watch.
  public enum Monitor: String, Sendable, CaseIterable, Codable {
    /// Validation loss; lower is better.
    case validationLoss = "val_loss"
    /// Validation accuracy; higher is better.
    case validationAccuracy = "val_accuracy"
  }

  /// The watched number.
  public var monitor: Monitor
  /// The smallest change that counts as an improvement.
  public var minDelta: Double
  /// Epochs without improvement before stopping.
  public var patience: Int
  /// Whether to put back the weights of the best epoch when training ends.
  public var restoresBest: Bool

  /// Creates an early-stopping rule.
  /// - Parameters:
  ///   - monitor: the watched number.
  ///   - minDelta: improvement threshold, ≥ 0.
  ///   - patience: epochs to wait, ≥ 1.
  ///   - restoresBest: restore the best weights at the end.
  public init(monitor: Monitor = .validationLoss, minDelta: Double = 0.001, patience: Int = 5,
              restoresBest: Bool = true) {
    precondition(minDelta >= 0, "early stopping min delta must be ≥ 0, got \(minDelta)")
    precondition(patience >= 1, "early stopping patience must be ≥ 1, got \(patience)")
    (self.monitor, self.minDelta, self.patience, self.restoresBest) =
      (monitor, minDelta, patience, restoresBest)
  }

  /// The monitored value of a record (nil when the record lacks it).
  /// - Parameter record: an epoch's record.
  public func value(of record: EpochRecord) -> Double? {
    switch monitor {
    case .validationLoss: record.validationLoss
    case .validationAccuracy: record.validationAccuracy
    }
  }

  /// Whether `candidate` beats `best` by more than `minDelta`.
  /// - Parameters:
  ///   - candidate: the new value.
  ///   - best: the best value so far.
  public func isImprovement(_ candidate: Double, over best: Double) -> Bool {
    switch monitor {
    case .validationLoss: candidate < best - minDelta
    case .validationAccuracy: candidate > best + minDelta
    }
  }
}
