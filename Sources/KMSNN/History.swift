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
  /// The training loss's parts, averaged over the epoch's batches like `trainLoss`, for
  /// objectives made of several terms (Part B's prior penalties); nil otherwise.
  public var trainTerms: LossTerms? = nil
  /// The same parts on the validation set after the epoch.
  public var validationTerms: LossTerms? = nil
}

/// The parts of a prior objective's loss on a batch or an epoch (paper Part B): total =
/// reconstruction + λ·divergence; the discriminator's numbers are reported beside it, since the
/// discriminator and the encoder's adversarial steps have losses of their own.
public struct LossTerms: Sendable, Equatable, Codable {
  /// Reconstruction MSE.
  public var reconstruction: Double
  /// The divergence between codes and a prior sample (unweighted), with a divergence penalty.
  public var divergence: Double?
  /// The discriminator's sigmoid cross-entropy on prior samples (real) and codes (fake).
  public var discriminatorLoss: Double?
  /// The share of prior samples and codes the discriminator tells apart correctly (logit > 0
  /// for real, ≤ 0 for fake); 0.5 is a discriminator the encoder fools half the time.
  public var discriminatorAccuracy: Double?
  /// The encoder's adversarial loss, BCE(D(code), 1).
  public var adversarialLoss: Double?

  /// Creates the terms of one batch.
  public init(reconstruction: Double, divergence: Double? = nil, discriminatorLoss: Double? = nil,
              discriminatorAccuracy: Double? = nil, adversarialLoss: Double? = nil) {
    (self.reconstruction, self.divergence, self.discriminatorLoss) =
      (reconstruction, divergence, discriminatorLoss)
    (self.discriminatorAccuracy, self.adversarialLoss) = (discriminatorAccuracy, adversarialLoss)
  }

  /// The terms by name, in the order the epoch line prints them: `mse`, `csd` (or the
  /// divergence's name), `d_loss`, `d_acc`, `g_loss`.
  public var named: [(name: String, value: Double)] {
    var terms = [("mse", reconstruction)]
    if let divergence { terms.append(("div", divergence)) }
    if let discriminatorLoss { terms.append(("d_loss", discriminatorLoss)) }
    if let discriminatorAccuracy { terms.append(("d_acc", discriminatorAccuracy)) }
    if let adversarialLoss { terms.append(("g_loss", adversarialLoss)) }
    return terms
  }
}

/// Sums batches' terms weighted by batch size, for an epoch's or a validation set's mean.
struct LossTermsSum {
  private var sums = [Double](repeating: 0, count: 5)
  private var present = [Bool](repeating: false, count: 5)
  private var weight = 0.0

  /// Adds one batch's terms (nothing when the batch had none).
  mutating func add(_ terms: LossTerms?, count: Int) {
    guard let terms else { return }
    let values = [terms.reconstruction, terms.divergence, terms.discriminatorLoss,
                  terms.discriminatorAccuracy, terms.adversarialLoss]
    for (i, value) in values.enumerated() {
      guard let value else { continue }
      sums[i] += value * Double(count)
      present[i] = true
    }
    weight += Double(count)
  }

  /// The weighted means, or nil when no batch had terms.
  var mean: LossTerms? {
    guard weight > 0 else { return nil }
    func term(_ i: Int) -> Double? { present[i] ? sums[i] / weight : nil }
    return LossTerms(reconstruction: sums[0] / weight, divergence: term(1),
                     discriminatorLoss: term(2), discriminatorAccuracy: term(3),
                     adversarialLoss: term(4))
  }
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
    /// Training loss; lower is better (needs no validation set).
    case trainingLoss = "loss"
    /// Training accuracy; higher is better (needs no validation set).
    case trainingAccuracy = "accuracy"

    /// True for the validation numbers, which need a validation set.
    public var needsValidation: Bool { self == .validationLoss || self == .validationAccuracy }
    /// True for accuracies, which only classifiers report.
    public var isAccuracy: Bool { self == .validationAccuracy || self == .trainingAccuracy }
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
    case .trainingLoss: record.trainLoss
    case .trainingAccuracy: record.trainAccuracy
    }
  }

  /// Whether `candidate` beats `best` by more than `minDelta`.
  /// - Parameters:
  ///   - candidate: the new value.
  ///   - best: the best value so far.
  public func isImprovement(_ candidate: Double, over best: Double) -> Bool {
    switch monitor {
    case .validationLoss, .trainingLoss: candidate < best - minDelta
    case .validationAccuracy, .trainingAccuracy: candidate > best + minDelta
    }
  }
}
