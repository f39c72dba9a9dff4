import KMSTensor

/// How an autoencoder's code is pushed toward a prior (paper Part B; PAPER-NOTES.md, "Penalty 1"
/// and "Penalty 2"): a kernel divergence added to the loss, an adversarial discriminator, or both.
public struct PriorPenalty: Sendable {
  /// The divergence term of loss = MSE + weight · divergence(codes, prior sample).
  public struct DivergenceTerm: Sendable {
    /// λ, the weight of the divergence (the paper: 32 swiss roll, 0.5 one-hot, 25 with a
    /// discriminator).
    public var weight: Float
    /// s in k(a, b) = exp(−‖a − b‖² / s) (the paper's "kernel size": 5, 7, 4).
    public var kernelSize: Float
    /// Which divergence (the paper's CSD by default).
    public var kind: DivergenceKind

    /// Creates a divergence term.
    /// - Parameters:
    ///   - weight: λ ≥ 0.
    ///   - kernelSize: s > 0.
    ///   - kind: the divergence.
    public init(weight: Float, kernelSize: Float, kind: DivergenceKind = .cauchySchwarz) {
      precondition(weight >= 0 && weight.isFinite, "divergence weight must be ≥ 0, got \(weight)")
      precondition(kernelSize > 0 && kernelSize.isFinite, "kernel size must be > 0, got \(kernelSize)")
      (self.weight, self.kernelSize, self.kind) = (weight, kernelSize, kind)
    }
  }

  /// The distribution the codes are pushed toward; a fresh sample is drawn for every batch.
  public var prior: Prior
  /// The divergence term, or nil for none.
  public var divergence: DivergenceTerm?
  /// Whether a discriminator is trained to tell prior samples from codes, and the encoder to
  /// fool it.
  public var adversarial: Bool
  /// Whether the discriminator also sees each example's one-hot label next to its code, and the
  /// real samples come from that label's region of the prior (the cited AAE code does this).
  public var conditioned: Bool

  /// Creates a penalty; at least one of `divergence` and `adversarial` must be given.
  /// - Parameters:
  ///   - prior: the target distribution.
  ///   - divergence: the divergence term, or nil.
  ///   - adversarial: whether to train a discriminator against the encoder.
  ///   - conditioned: whether the discriminator sees labels (only with `adversarial`).
  public init(prior: Prior, divergence: DivergenceTerm? = nil, adversarial: Bool = false,
              conditioned: Bool = false) {
    precondition(divergence != nil || adversarial, "a prior penalty needs a divergence or a discriminator")
    precondition(!conditioned || adversarial, "only a discriminator can be conditioned on labels")
    (self.prior, self.divergence, self.adversarial, self.conditioned) =
      (prior, divergence, adversarial, conditioned)
  }
}

/// Reconstruction with the code pushed toward a prior (paper Part B).
///
/// Per mini-batch, after PAPER-NOTES.md and the adversarial autoencoder (Makhzani et al. 2015):
///   1. the whole autoencoder takes one Adam step on MSE + λ·divergence(code, prior sample);
///      the divergence's gradient enters at the code, so it reaches only the encoder;
///   2. with a discriminator: it takes one step (its own Adam, at lr/5) on sigmoid cross-entropy,
///      prior samples labelled real (1) and codes fake (0);
///   3. then the encoder alone takes two steps (a third Adam) on BCE(D(code), 1), through the
///      discriminator, whose weights stay as they are.
/// The loss recorded is step 1's: MSE + λ·divergence.
public final class PriorObjective: Objective {
  /// The autoencoder trained.
  public let model: Autoencoder
  /// How the code is pushed toward the prior.
  public let penalty: PriorPenalty
  /// code (+ one-hot label) → 400 → 800 → 1 logit, ReLU: the decoder's shape with one output
  /// (PAPER-NOTES.md); nil without the adversarial penalty.
  public let discriminator: Sequential?
  /// The discriminator's parameters.
  public let discriminatorStore: ParameterStore?
  /// Step 1's optimizer, over every autoencoder parameter.
  public let optimizer: Adam
  /// Step 2's optimizer, over the discriminator, at a fifth of the learning rate.
  public let discriminatorOptimizer: Adam?
  /// Step 3's optimizer, over the encoder alone.
  public let encoderOptimizer: Adam?
  /// The last training batch's terms, for reports: divergence, discriminator loss, encoder's
  /// adversarial loss (NaN when the objective has no such term).
  public private(set) var lastTerms = (divergence: Float.nan, discriminator: Float.nan,
                                       adversary: Float.nan)

  var rng: RandomSource  // the prior samples' source (saved in checkpoints: PriorObjective+State.swift)
  private let seed: UInt64
  private let workspace = DivergenceWorkspace()
  private var reconstructionGradient = ReusableBuffer()  // [B, inputSize]
  private var priorSample = ReusableBuffer()             // [B, latent]
  private var divergenceGradient = ReusableBuffer()      // [B, latent]
  private var discriminatorInput = ReusableBuffer()      // [2B or B, latent (+ classes)]
  private var discriminatorTargets = ReusableBuffer()    // [2B or B, 1]
  private var logitGradient = ReusableBuffer()           // [2B or B, 1]
  private var codeGradient = ReusableBuffer()            // [B, latent], conditioned only

  /// Creates the objective and its optimizers.
  /// - Parameters:
  ///   - model: the autoencoder; its code width must be the prior's dimension, and its code
  ///     layer is normally linear (a ReLU code cannot reach the prior's negative values).
  ///   - penalty: the divergence and/or discriminator.
  ///   - learningRate: Adam's step size for the autoencoder and the encoder; the discriminator's
  ///     is a fifth of it.
  ///   - seed: fixes the discriminator's initial weights and the prior samples.
  public init(model: Autoencoder, penalty: PriorPenalty, learningRate: Float, seed: UInt64 = 0) {
    precondition(model.latentSize == penalty.prior.dimension,
                 "a \(model.latentSize)-D code cannot follow a \(penalty.prior.dimension)-D prior")
    self.model = model
    self.penalty = penalty
    self.seed = seed
    rng = RandomSource(seed: seed &+ 0x5052_494F)  // "PRIO": apart from the discriminator's
    optimizer = Adam(name: "autoencoder", parameters: model.store.parameters,
                     learningRate: learningRate)
    if penalty.adversarial {
      var initRng = RandomSource(seed: seed)
      let width = model.latentSize + (penalty.conditioned ? penalty.prior.classCount : 0)
      let network = Sequential(
        name: "discriminator",
        denseStack([width, 400, 800, 1], activations: [.relu, .relu, .linear], namePrefix: "disc",
                   rng: &initRng))
      discriminator = network
      discriminatorStore = ParameterStore(network.parameters)
      discriminatorOptimizer = Adam(name: "discriminator", parameters: network.parameters,
                                    learningRate: learningRate / 5)
      encoderOptimizer = Adam(name: "encoder", parameters: model.encoder.parameters,
                              learningRate: learningRate)
    } else {
      (discriminator, discriminatorStore, discriminatorOptimizer, encoderOptimizer) =
        (nil, nil, nil, nil)
    }
  }

  /// The autoencoder's store (early stopping restores the autoencoder; the discriminator goes on).
  public var store: ParameterStore { model.store }
  /// False: the loss is MSE plus the divergence.
  public var reportsAccuracy: Bool { false }
  /// True when the discriminator is conditioned on labels.
  public var needsLabels: Bool { penalty.conditioned }
  /// The autoencoder's input width.
  public var inputSize: Int { model.inputSize }

  /// Steps 1 to 3 on one batch.
  public func trainStep(inputs: Tensor, labels: ArraySlice<Int32>) -> BatchResult {
    let loss = reconstructionStep(inputs: inputs)
    if let discriminator {
      lastTerms.discriminator = discriminatorStep(discriminator, inputs: inputs, labels: labels)
      lastTerms.adversary = encoderStep(discriminator, inputs: inputs, labels: labels)
      lastTerms.adversary = encoderStep(discriminator, inputs: inputs, labels: labels)
    }
    return BatchResult(loss: loss, correct: 0)
  }

  /// MSE + λ·divergence without any update; the prior sample is drawn from a fixed seed, so
  /// evaluating twice gives the same number.
  public func evaluate(inputs: Tensor, labels: ArraySlice<Int32>) -> BatchResult {
    let code = model.encoder.forward(inputs)
    let reconstruction = model.decoder.forward(code)
    let dLoss = reconstructionGradient.tensor(reconstruction.shape)
    var loss = meanSquaredError(predicted: reconstruction, target: inputs, gradient: dLoss)
    if let term = penalty.divergence {
      var fixed = RandomSource(seed: seed &+ 0x4556_414C)  // "EVAL"
      loss += term.weight * divergenceOf(code, term, rng: &fixed)
    }
    return BatchResult(loss: loss, correct: 0)
  }

  // MARK: - The three steps

  /// Step 1: one update of the whole autoencoder on MSE + λ·divergence; returns that loss.
  private func reconstructionStep(inputs: Tensor) -> Float {
    model.store.zeroGradients()
    let code = model.encoder.forward(inputs)                       // [B, latent]
    let reconstruction = model.decoder.forward(code)               // [B, inputSize]
    let dReconstruction = reconstructionGradient.tensor(reconstruction.shape)
    var loss = meanSquaredError(predicted: reconstruction, target: inputs, gradient: dReconstruction)
    optimizer.beginStep()
    let update = { (layer: Layer) in layer.parameters.forEach(self.optimizer.update) }
    // The decoder's first layer computes ∂loss/∂code; the divergence adds its own there.
    guard let dCode = model.decoder.backward(dReconstruction, afterEachLayer: update) else {
      preconditionFailure("the decoder must return the gradient of its input")
    }
    if let term = penalty.divergence {
      let value = divergenceOf(code, term, rng: &rng, gradient: divergenceGradient.tensor(code.shape))
      lastTerms.divergence = value
      loss += term.weight * value
      if value.isFinite { dCode.add(divergenceGradient.tensor(code.shape), scaledBy: term.weight) }
    }
    _ = model.encoder.backward(dCode, afterEachLayer: update)
    return loss
  }

  /// Step 2: one update of the discriminator, prior samples → 1, codes → 0; returns its loss.
  private func discriminatorStep(_ discriminator: Sequential, inputs: Tensor,
                                 labels: ArraySlice<Int32>) -> Float {
    let batch = inputs.shape[0]
    let code = model.encoder.forward(inputs)
    let input = discriminatorInput.tensor([2 * batch, discriminatorWidth])
    // Rows 0..<B: the prior (real); rows B..<2B: the codes (fake).
    let real = priorSample.tensor([batch, model.latentSize])
    penalty.prior.fill(real, labels: penalty.conditioned ? labels : nil, rng: &rng)
    place(real, labels: labels, into: input, atRow: 0)
    place(code, labels: labels, into: input, atRow: batch)
    let targets = discriminatorTargets.tensor([2 * batch, 1])
    targets.rows(0..<batch).fill(with: 1)
    targets.rows(batch..<(2 * batch)).fill(with: 0)
    let logits = discriminator.forward(input)
    let dLogits = logitGradient.tensor(logits.shape)
    let loss = sigmoidCrossEntropy(logits: logits, targets: targets, gradient: dLogits)
    discriminatorStore!.zeroGradients()
    let optimizer = discriminatorOptimizer!
    optimizer.beginStep()
    _ = discriminator.backward(dLogits) { layer in layer.parameters.forEach(optimizer.update) }
    return loss
  }

  /// Step 3: one update of the encoder alone on BCE(D(code), 1); returns that loss.
  private func encoderStep(_ discriminator: Sequential, inputs: Tensor,
                           labels: ArraySlice<Int32>) -> Float {
    let batch = inputs.shape[0]
    model.store.zeroGradients()
    let code = model.encoder.forward(inputs)
    let input = discriminatorInput.tensor([batch, discriminatorWidth])
    place(code, labels: labels, into: input, atRow: 0)
    let targets = discriminatorTargets.tensor([batch, 1])
    targets.fill(with: 1)
    let logits = discriminator.forward(input)
    let dLogits = logitGradient.tensor(logits.shape)
    let loss = sigmoidCrossEntropy(logits: logits, targets: targets, gradient: dLogits)
    // Through the discriminator to its input, without touching its weights (their gradients
    // are cleared before its next step).
    guard let dInput = discriminator.backward(dLogits) else {
      preconditionFailure("the discriminator must return the gradient of its input")
    }
    let dCode: Tensor
    if penalty.conditioned {  // the label columns are constants: keep the code's columns only
      dCode = codeGradient.tensor(code.shape)
      let (latent, width) = (model.latentSize, discriminatorWidth)
      for row in 0..<batch {
        (dCode.data + row * latent).update(from: dInput.data + row * width, count: latent)
      }
    } else {
      dCode = dInput
    }
    let optimizer = encoderOptimizer!
    optimizer.beginStep()
    _ = model.encoder.backward(dCode) { layer in layer.parameters.forEach(optimizer.update) }
    return loss
  }

  // MARK: - Helpers

  private var discriminatorWidth: Int {
    model.latentSize + (penalty.conditioned ? penalty.prior.classCount : 0)
  }

  /// Copies `points` `[B, latent]` into rows `row..<row+B` of the discriminator's input, followed
  /// by each example's one-hot label when conditioned.
  private func place(_ points: Tensor, labels: ArraySlice<Int32>, into input: Tensor, atRow row: Int) {
    let (latent, width) = (model.latentSize, discriminatorWidth)
    for i in 0..<points.shape[0] {
      let target = input.data + (row + i) * width
      target.update(from: points.data + i * latent, count: latent)
      if penalty.conditioned {
        (target + latent).update(repeating: 0, count: width - latent)
        target[latent + Int(labels[labels.startIndex + i])] = 1
      }
    }
  }

  /// λ's divergence between `code` and a fresh prior sample; NaN when the codes are not finite
  /// (training diverged: the trainer records the NaN and the user sees it).
  private func divergenceOf(_ code: Tensor, _ term: PriorPenalty.DivergenceTerm,
                            rng: inout RandomSource, gradient: Tensor? = nil) -> Float {
    let sample = priorSample.tensor(code.shape)
    penalty.prior.fill(sample, labels: Optional<[Int32]>.none, rng: &rng)
    let target = gradient ?? divergenceGradient.tensor(code.shape)
    do {
      return try divergence(codes: code, prior: sample, kernelSize: term.kernelSize,
                            kind: term.kind, gradient: target, workspace: workspace)
    } catch {
      return .nan
    }
  }
}
