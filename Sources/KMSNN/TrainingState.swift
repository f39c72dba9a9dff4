import KMSTensor

/// One Adam's state: its step count t and its moment estimates, one pair per parameter, in the
/// optimizer's parameter order (`[Tensor]` shapes equal to the parameters').
public struct AdamState {
  /// The optimizer's name (`autoencoder`, `discriminator`, …), checked on restore.
  public var name: String
  /// Steps taken (t in the bias correction).
  public var step: Int
  /// m, one per parameter.
  public var firstMoments: [Tensor]
  /// v, one per parameter.
  public var secondMoments: [Tensor]
}

/// Everything an objective changes besides the model's own weights, so a checkpoint holding the
/// weights and this state continues training bit for bit.
public struct ObjectiveState {
  /// Each optimizer's state, in the objective's order.
  public var optimizers: [AdamState]
  /// Weights of networks that are not part of the model (Part B's discriminator), copied.
  public var auxiliaryWeights: [Tensor] = []
  /// The objective's random source (prior samples), if it draws any.
  public var random: RandomSource? = nil

  /// Creates a state.
  public init(optimizers: [AdamState], auxiliaryWeights: [Tensor] = [], random: RandomSource? = nil) {
    (self.optimizers, self.auxiliaryWeights, self.random) = (optimizers, auxiliaryWeights, random)
  }

  /// Checks the state has the parts an objective expects.
  func expect(optimizers count: Int, auxiliaryWeights weights: Int, random: Bool)
    throws(ObjectiveStateError)
  {
    guard optimizers.count == count, auxiliaryWeights.count == weights, (self.random != nil) == random
    else {
      throw ObjectiveStateError(
        message: "the saved training state has \(optimizers.count) optimizers and "
          + "\(auxiliaryWeights.count) extra weight sets, but this objective has \(count) and \(weights)")
    }
  }
}

/// A saved state that does not fit the objective it is restored into.
public struct ObjectiveStateError: KMSError {
  /// What does not fit.
  public let message: String
  /// The state must come from a trainer built the same way.
  public var hint: String? { "resume with the same model and trainer options the state was saved with" }
  /// The message.
  public var headline: String { message }
}

extension Adam {
  /// A copy of the optimizer's state.
  public var state: AdamState {
    AdamState(name: name, step: step, firstMoments: firstMoments.map { $0.copy() },
              secondMoments: secondMoments.map { $0.copy() })
  }

  /// Puts back a state taken from an optimizer over parameters of the same shapes.
  /// - Throws: `ObjectiveStateError` naming the first mismatch.
  public func restore(_ state: AdamState) throws(ObjectiveStateError) {
    guard state.name == name, state.step >= 0 else {
      throw ObjectiveStateError(message: "the saved optimizer '\(state.name)' is not '\(name)'")
    }
    let shapes = parameters.map(\.shape)
    guard state.firstMoments.map(\.shape) == shapes, state.secondMoments.map(\.shape) == shapes else {
      throw ObjectiveStateError(message: "the saved moments of '\(name)' have other shapes than its parameters")
    }
    for (kept, saved) in zip(firstMoments, state.firstMoments) { kept.assign(saved) }
    for (kept, saved) in zip(secondMoments, state.secondMoments) { kept.assign(saved) }
    setStep(state.step)
  }
}

extension ObjectiveState {
  /// Copies of a store's values, for `auxiliaryWeights`.
  static func weights(of store: ParameterStore?) -> [Tensor] { store.map { [$0.snapshot()] } ?? [] }
}
