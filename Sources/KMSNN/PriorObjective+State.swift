import KMSTensor

// The prior objective's mode and training state, apart from its three steps.
extension PriorObjective {
  /// Switches the autoencoder and the discriminator.
  public func setTraining(_ isTraining: Bool) {
    model.setTraining(isTraining)
    discriminator?.setTraining(isTraining)
  }

  /// Every optimizer (autoencoder, then discriminator and encoder when adversarial), the
  /// discriminator's weights, and the prior samples' random state.
  public var state: ObjectiveState {
    ObjectiveState(
      optimizers: optimizers.map(\.state), auxiliaryWeights: ObjectiveState.weights(of: discriminatorStore),
      random: rng)
  }

  /// Puts back a state saved from a prior objective built the same way.
  public func restore(_ state: ObjectiveState) throws(ObjectiveStateError) {
    try state.expect(optimizers: optimizers.count, auxiliaryWeights: discriminatorStore == nil ? 0 : 1,
                     random: true)
    if let store = discriminatorStore {
      guard state.auxiliaryWeights[0].shape == store.values.shape else {
        throw ObjectiveStateError(message: "the saved discriminator has \(state.auxiliaryWeights[0].count) "
                                    + "weights, this one \(store.values.count)")
      }
      store.restore(state.auxiliaryWeights[0])
    }
    for (optimizer, saved) in zip(optimizers, state.optimizers) { try optimizer.restore(saved) }
    rng = state.random!
  }

  /// The optimizers in a fixed order.
  private var optimizers: [Adam] { [optimizer] + [discriminatorOptimizer, encoderOptimizer].compactMap { $0 } }
}
