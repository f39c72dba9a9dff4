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

  /// Creates options; everything nil is plain training.
  public init(prior: Prior.Kind? = nil, penalty: Penalty? = nil, weight: Float? = nil,
              kernelSize: Float? = nil, divergence: DivergenceKind? = nil, conditioned: Bool? = nil) {
    (self.prior, self.penalty, self.weight, self.kernelSize, self.divergence, self.conditioned) =
      (prior, penalty, weight, kernelSize, divergence, conditioned)
  }

  /// The given options, by keyword, in the order the messages check them.
  private var given: [(name: String, isSet: Bool)] {
    [("penalty", penalty != nil), ("weight", weight != nil), ("kernel", kernelSize != nil),
     ("divergence", divergence != nil), ("conditioned", conditioned != nil)]
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
    let prior = Prior(kind, classCount: kind == .oneHot ? max(dataClassCount, 2) : 10)
    let latent = encoder.outputShape(for: model.inputShape).elementCount
    guard latent == prior.dimension else {
      throw TrainingSetupError(
        "the \(kind.rawValue) prior is \(prior.dimension)-D but the code of \(model.kindDescription) is \(latent)-D",
        hint: "end the encoder sizes with \(prior.dimension), e.g. autoencoder([800, 400, \(prior.dimension)], code: \"linear\")")
    }
    if kind == .swissRoll, case .dense(_, .relu)? = model.spec.layers.last {
      throw TrainingSetupError("a ReLU code cannot reach the swiss roll's negative coordinates",
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
    return PriorPenalty(prior: prior, divergence: term, adversarial: adversarial,
                        conditioned: conditioned ?? false)
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
  public static func objective(for model: Model, learningRate: Float, seed: UInt64,
                               dataClassCount: Int, options: PriorOptions = PriorOptions())
    throws(TrainingSetupError) -> Objective
  {
    if let penalty = try options.penalty(for: model, dataClassCount: dataClassCount) {
      guard let autoencoder = model as? Autoencoder else {
        throw TrainingSetupError("only an autoencoder's code can follow a prior, not a \(model.kindDescription)")
      }
      return PriorObjective(model: autoencoder, penalty: penalty, learningRate: learningRate, seed: seed)
    }
    if let classes = model.classCount {
      guard dataClassCount <= classes else {
        throw TrainingSetupError("the data has \(dataClassCount) classes but the classifier only \(classes)")
      }
      return ClassificationObjective(model: model, learningRate: learningRate)
    }
    return ReconstructionObjective(model: model, learningRate: learningRate)
  }
}
