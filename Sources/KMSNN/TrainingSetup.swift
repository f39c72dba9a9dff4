import KMSTensor

/// Why an objective cannot be built for a model: a prior the code cannot follow, options that
/// do not go together, data the model cannot classify.
public struct TrainingSetupError: KMSError, Equatable {
  /// What does not fit.
  public let message: String
  /// What to try.
  public let hint: String?

  init(_ message: String, hint: String? = nil) {
    (self.message, self.hint) = (message, hint)
  }

  /// The message.
  public var headline: String { message }
}

/// The Part B options of a training run, each nil when not given (named as the `trainer`
/// builtin's keywords, which the messages use).
public struct PriorOptions: Sendable, Equatable, Codable {
  /// Which penalties push the code toward the prior.
  public enum Penalty: String, Sendable, CaseIterable, Codable {
    /// λ·divergence added to the MSE.
    case csd
    /// A discriminator against the encoder.
    case adversarial
    /// Both.
    case csdAndAdversarial = "csd+adversarial"
  }

  /// The prior the code is pushed toward; nil for plain training.
  public var prior: Prior.Kind?
  /// The penalty (CSD when a prior is named without one).
  public var penalty: Penalty?
  /// λ (1 by default).
  public var weight: Float?
  /// The kernel size s (5 by default).
  public var kernelSize: Float?
  /// The divergence (the paper's CSD by default).
  public var divergence: DivergenceKind?
  /// Whether the discriminator sees labels.
  public var conditioned: Bool?
  /// Gaussian noise added to the prior's samples (the paper's suggested noisy one-hot).
  public var noise: Float?
  /// The discriminator's learning rate (a fifth of the autoencoder's by default).
  public var discriminatorLearningRate: Float?
  /// Discriminator steps per adversarial piece (1).
  public var discriminatorSteps: Int?
  /// Encoder steps per adversarial piece (2).
  public var encoderSteps: Int?
  /// Examples per adversarial piece (128; see `PriorPenalty.AdversarialSchedule`).
  public var adversarialBatch: Int?

  /// Creates options; everything nil is plain training.
  public init(prior: Prior.Kind? = nil, penalty: Penalty? = nil, weight: Float? = nil,
              kernelSize: Float? = nil, divergence: DivergenceKind? = nil, conditioned: Bool? = nil) {
    (self.prior, self.penalty, self.weight, self.kernelSize, self.divergence, self.conditioned) =
      (prior, penalty, weight, kernelSize, divergence, conditioned)
  }

  /// The given options, by keyword, in the order the messages check them.
  private var given: [(name: String, isSet: Bool)] {
    [("penalty", penalty != nil), ("weight", weight != nil), ("kernel", kernelSize != nil),
     ("divergence", divergence != nil), ("conditioned", conditioned != nil), ("noise", noise != nil)]
      + scheduleGiven
  }

  /// The adversarial schedule's options, by keyword.
  private var scheduleGiven: [(name: String, isSet: Bool)] {
    [("disc_lr", discriminatorLearningRate != nil), ("disc_steps", discriminatorSteps != nil),
     ("enc_steps", encoderSteps != nil), ("adv_batch", adversarialBatch != nil)]
  }

  /// The penalty these options ask of `model`'s code, or nil when they name no prior.
  /// Defaults: the paper's CSD with λ 1 and kernel size 5; "adversarial" trains a discriminator
  /// instead, "csd+adversarial" both.
  /// - Parameters:
  ///   - model: the model to train.
  ///   - dataClassCount: the classes of the training data (a one-hot prior has one per class).
  public func penalty(for model: Model, dataClassCount: Int) throws(TrainingSetupError) -> PriorPenalty? {
    guard let kind = prior else {
      if let stray = given.first(where: \.isSet) {
        throw TrainingSetupError("\(stray.name) only applies with a prior",
                                 hint: "e.g. trainer(ae, data, prior: \"swiss_roll\", \(stray.name): …)")
      }
      return nil
    }
    guard let (encoder, _) = model.encoderDecoder else {
      throw TrainingSetupError("only an autoencoder's code can follow a prior, not a \(model.kindDescription)")
    }
    let latent = encoder.outputShape(for: model.inputShape).elementCount
    if kind == .gaussian && !(2...10_000).contains(latent) {
      throw TrainingSetupError("a Gaussian prior needs 2 to 10,000 dimensions, got \(latent)")
    }
    let prior = Prior(kind, classCount: max(dataClassCount, 2), noise: noise ?? 0, dimension: max(2, latent))
    guard latent == prior.dimension else {
      throw TrainingSetupError(
        "the \(kind.rawValue) prior is \(prior.dimension)-D but the code of \(model.kindDescription) is \(latent)-D",
        hint: "end the encoder sizes with \(prior.dimension), e.g. autoencoder([800, 400, \(prior.dimension)], code: \"linear\")")
    }
    if kind != .oneHot, case .dense(_, .relu)? = model.spec.layers.last {
      throw TrainingSetupError("a ReLU code cannot reach the \(kind.rawValue) prior's negative coordinates",
                               hint: "build the autoencoder with code: \"linear\"")
    }
    let penalty = self.penalty ?? .csd
    let adversarial = penalty != .csd
    var term: PriorPenalty.DivergenceTerm?
    if penalty != .adversarial {
      term = PriorPenalty.DivergenceTerm(weight: weight ?? 1, kernelSize: kernelSize ?? 5,
                                         kind: divergence ?? .cauchySchwarz)
    } else if let stray = given[1...3].first(where: \.isSet) {
      throw TrainingSetupError("\(stray.name) only applies to the \"csd\" penalty",
                               hint: "use penalty: \"csd+adversarial\" for both")
    }
    if conditioned == true && !adversarial {
      throw TrainingSetupError("only a discriminator can be conditioned on labels",
                               hint: "use penalty: \"adversarial\" or \"csd+adversarial\"")
    }
    if !adversarial, let stray = scheduleGiven.first(where: \.isSet) {
      throw TrainingSetupError("\(stray.name) only applies with a discriminator",
                               hint: "use penalty: \"adversarial\" or \"csd+adversarial\"")
    }
    var schedule = PriorPenalty.AdversarialSchedule()
    schedule.discriminatorLearningRate = discriminatorLearningRate
    if let steps = discriminatorSteps { schedule.discriminatorSteps = steps }
    if let steps = encoderSteps { schedule.encoderSteps = steps }
    if let size = adversarialBatch { schedule.batchSize = size }
    return PriorPenalty(prior: prior, divergence: term, adversarial: adversarial,
                        conditioned: conditioned ?? false, schedule: schedule)
  }
}

/// Chooses and builds the objective a model trains with: reconstruction for a model with a code,
/// classification for one with logits, the prior objective when options name a prior.
public enum TrainingSetup {
  /// The objective for `model` on data of `dataClassCount` classes.
  /// - Parameters:
  ///   - model: the model to train.
  ///   - learningRate: Adam's step size.
  ///   - seed: fixes the objective's own random choices (prior samples, a discriminator).
  ///   - dataClassCount: the classes of the training data.
  ///   - options: Part B's options; empty for plain training.
  ///   - adamEpsilon: where Adam adds ε; PyTorch's form only for plain training.
  public static func objective(for model: Model, learningRate: Float, seed: UInt64,
                               dataClassCount: Int, options: PriorOptions = PriorOptions(),
                               adamEpsilon: AdamEpsilon = .keras)
    throws(TrainingSetupError) -> Objective
  {
    if let penalty = try options.penalty(for: model, dataClassCount: dataClassCount) {
      guard let autoencoder = model as? Autoencoder else {
        throw TrainingSetupError("only an autoencoder's code can follow a prior, not a \(model.kindDescription)")
      }
      // NOTE: Part B's objectives run several Adams in the paper's (Keras's) form; the other form
      // exists for the comparison models (the CNN against PyTorch), which train without a prior.
      guard adamEpsilon == .keras else {
        throw TrainingSetupError(
          "adam: \"\(adamEpsilon.rawValue)\" is for training without a prior",
                                 hint: "drop adam: to train with a prior in Keras's form")
      }
      return PriorObjective(model: autoencoder, penalty: penalty, learningRate: learningRate, seed: seed)
    }
    if let classes = model.classCount {
      guard dataClassCount <= classes else {
        throw TrainingSetupError("the data has \(dataClassCount) classes but the classifier only \(classes)")
      }
      return ClassificationObjective(model: model, learningRate: learningRate,
                                     adamEpsilon: adamEpsilon)
    }
    return ReconstructionObjective(model: model, learningRate: learningRate,
                                   adamEpsilon: adamEpsilon)
  }
}
