import Foundation
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
  /// How the discriminator and the encoder take their adversarial steps.
  public var schedule: AdversarialSchedule

  /// The order, count, size and learning rates of the adversarial steps on each batch.
  public struct AdversarialSchedule: Sendable, Equatable {
    /// The discriminator's learning rate; nil for a fifth of the autoencoder's (the cited AAE
    /// code's choice).
    public var discriminatorLearningRate: Float?
    /// Discriminator steps per adversarial batch.
    public var discriminatorSteps: Int
    /// Encoder steps on BCE(D(code), 1) per adversarial batch (the cited code: two).
    public var encoderSteps: Int
    /// Examples per adversarial batch: each training batch is cut into pieces of this size and
    /// the discriminator and encoder steps run on each piece in turn; nil for the whole batch.
    /// The default, 128, is the cited AAE code's batch.
    /// NOTE: a divergence needs big batches (1,000) to be estimated well, a two-player game needs
    /// many steps. With whole batches of 1,000 on kmnist-10k's 7,000 images the discriminator
    /// takes 7 steps an epoch at lr/5; the encoder outruns it, finds where the ReLU
    /// discriminator's logit grows without bound and the codes leave the roll (measured: CSD
    /// 0.42 → 24.9 in 3 epochs, segment purity at chance). Pieces of 128 give the game 56 steps
    /// an epoch without shrinking the divergence's batch: purity 72% after 10 epochs.
    public var batchSize: Int?

    /// Creates a schedule.
    /// - Parameters:
    ///   - discriminatorLearningRate: > 0, or nil for lr/5.
    ///   - discriminatorSteps: ≥ 1.
    ///   - encoderSteps: ≥ 1.
    ///   - batchSize: ≥ 1, or nil.
    public init(discriminatorLearningRate: Float? = nil, discriminatorSteps: Int = 1,
                encoderSteps: Int = 2, batchSize: Int? = 128) {
      precondition(discriminatorLearningRate.map { $0 > 0 && $0.isFinite } ?? true,
                   "discriminator learning rate must be > 0, got \(discriminatorLearningRate!)")
      precondition(discriminatorSteps >= 1 && encoderSteps >= 1,
                   "adversarial steps must be ≥ 1, got \(discriminatorSteps) and \(encoderSteps)")
      precondition(batchSize.map { $0 >= 1 } ?? true, "adversarial batch must be ≥ 1")
      (self.discriminatorLearningRate, self.discriminatorSteps, self.encoderSteps, self.batchSize) =
        (discriminatorLearningRate, discriminatorSteps, encoderSteps, batchSize)
    }
  }

  /// Creates a penalty; at least one of `divergence` and `adversarial` must be given.
  /// - Parameters:
  ///   - prior: the target distribution.
  ///   - divergence: the divergence term, or nil.
  ///   - adversarial: whether to train a discriminator against the encoder.
  ///   - conditioned: whether the discriminator sees labels (only with `adversarial`).
  ///   - schedule: the adversarial steps (only with `adversarial`).
  public init(prior: Prior, divergence: DivergenceTerm? = nil, adversarial: Bool = false,
              conditioned: Bool = false, schedule: AdversarialSchedule = AdversarialSchedule()) {
    precondition(divergence != nil || adversarial, "a prior penalty needs a divergence or a discriminator")
    precondition(!conditioned || adversarial, "only a discriminator can be conditioned on labels")
    (self.prior, self.divergence, self.adversarial, self.conditioned, self.schedule) =
      (prior, divergence, adversarial, conditioned, schedule)
  }
}

/// Reconstruction with the code pushed toward a prior (paper Part B).
///
/// Per mini-batch, after PAPER-NOTES.md and the adversarial autoencoder (Makhzani et al. 2015):
///   1. the whole autoencoder takes one Adam step on MSE + λ·divergence(code, prior sample);
///      the divergence's gradient enters at the code, so it reaches only the encoder;
///   2. with a discriminator, on each piece of 128 examples of the batch in turn (the
///      `AdversarialSchedule`): the discriminator takes one step (its own Adam, at lr/5) on sigmoid
///      cross-entropy, prior samples labelled real (1) and codes fake (0), the prior samples
///      drawn for the piece's own labels when conditioned;
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
                                    learningRate: penalty.schedule.discriminatorLearningRate
                                      ?? learningRate / 5)
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
    let (loss, mse) = reconstructionStep(inputs: inputs)
    var terms = LossTerms(reconstruction: Double(mse),
                          divergence: penalty.divergence.map { _ in Double(lastTerms.divergence) })
    if let discriminator {
      let schedule = penalty.schedule
      let batch = inputs.shape[0], piece = min(schedule.batchSize ?? batch, batch)
      var sums = (loss: 0.0, correct: 0, seen: 0, adversary: 0.0)
      for start in stride(from: 0, to: batch, by: piece) {
        let end = min(start + piece, batch)
        let (x, y) = (inputs.rows(start..<end),
                      labels.isEmpty ? labels : labels[(labels.startIndex + start)..<(labels.startIndex + end)])
        for _ in 0..<schedule.discriminatorSteps {
          let step = discriminatorStep(discriminator, inputs: x, labels: y)
          lastTerms.discriminator = step.loss
          sums.loss += Double(step.loss) * Double(end - start)
          sums.correct += step.correct
          sums.seen += end - start
        }
        for _ in 0..<schedule.encoderSteps {
          lastTerms.adversary = encoderStep(discriminator, inputs: x, labels: y)
        }
        sums.adversary += Double(lastTerms.adversary) * Double(end - start)
      }
      terms.discriminatorLoss = sums.loss / Double(sums.seen)
      terms.discriminatorAccuracy = Double(sums.correct) / Double(2 * sums.seen)
      terms.adversarialLoss = sums.adversary / Double(batch)
    }
    return BatchResult(loss: loss, correct: 0, terms: terms)
  }

  /// MSE + λ·divergence without any update; the prior sample is drawn from a fixed seed, so
  /// evaluating twice gives the same number.
  /// With a discriminator, its loss and accuracy on these codes against a prior sample of the
  /// same fixed seed, and the encoder's adversarial loss, are reported too.
  public func evaluate(inputs: Tensor, labels: ArraySlice<Int32>) -> BatchResult {
    let code = model.encoder.forward(inputs)
    let reconstruction = model.decoder.forward(code)
    let dLoss = reconstructionGradient.tensor(reconstruction.shape)
    let mse = meanSquaredError(predicted: reconstruction, target: inputs, gradient: dLoss)
    var loss = mse
    var terms = LossTerms(reconstruction: Double(mse))
    var fixed = RandomSource(seed: seed &+ 0x4556_414C)  // "EVAL"
    if let term = penalty.divergence {
      let value = divergenceOf(code, term, rng: &fixed)
      loss += term.weight * value
      terms.divergence = Double(value)
    }
    if let discriminator {
      let measured = judge(discriminator, code: code, labels: labels, rng: &fixed)
      terms.discriminatorLoss = Double(measured.loss)
      terms.discriminatorAccuracy = Double(measured.correct) / Double(2 * inputs.shape[0])
      terms.adversarialLoss = Double(measured.adversary)
    }
    return BatchResult(loss: loss, correct: 0, terms: terms)
  }

  // MARK: - The three steps

  /// Step 1: one update of the whole autoencoder on MSE + λ·divergence; returns that loss and
  /// its MSE.
  private func reconstructionStep(inputs: Tensor) -> (loss: Float, mse: Float) {
    model.store.zeroGradients()
    let code = model.encoder.forward(inputs)                       // [B, latent]
    let reconstruction = model.decoder.forward(code)               // [B, inputSize]
    let dReconstruction = reconstructionGradient.tensor(reconstruction.shape)
    let mse = meanSquaredError(predicted: reconstruction, target: inputs, gradient: dReconstruction)
    var loss = mse
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
    return (loss, mse)
  }

  /// Step 2: one update of the discriminator, prior samples → 1, codes → 0; returns its loss and
  /// how many of the 2B rows it classified right before the update.
  func discriminatorStep(_ discriminator: Sequential, inputs: Tensor,
                                 labels: ArraySlice<Int32>) -> (loss: Float, correct: Int) {
    let code = model.encoder.forward(inputs)
    let (loss, correct, _, dLogits) = discriminate(discriminator, code: code, labels: labels,
                                                   rng: &rng)
    discriminatorStore!.zeroGradients()
    let optimizer = discriminatorOptimizer!
    optimizer.beginStep()
    _ = discriminator.backward(dLogits) { layer in layer.parameters.forEach(optimizer.update) }
    return (loss, correct)
  }

  /// The discriminator's forward pass on B prior samples (real, rows 0..<B; drawn for the
  /// batch's own labels when conditioned) and the B codes (fake, rows B..<2B), each row followed
  /// by its one-hot label when conditioned: loss, rows right, and ∂loss/∂logits.
  private func discriminate(_ discriminator: Sequential, code: Tensor, labels: ArraySlice<Int32>,
                            rng: inout RandomSource)
    -> (loss: Float, correct: Int, logits: Tensor, dLogits: Tensor)
  {
    let batch = code.shape[0]
    let input = discriminatorInput.tensor([2 * batch, discriminatorWidth])
    let real = priorSample.tensor([batch, model.latentSize])
    penalty.prior.fill(real, labels: penalty.conditioned ? labels : nil, rng: &rng)
    place(real, labels: labels, into: input, atRow: 0)
    place(code, labels: labels, into: input, atRow: batch)
    let targets = discriminatorTargets.tensor([2 * batch, 1])
    targets.rows(0..<batch).fill(with: 1)
    targets.rows(batch..<(2 * batch)).fill(with: 0)
    let logits = discriminator.forward(input)
    var correct = 0
    for i in 0..<(2 * batch) where (logits.data[i] > 0) == (i < batch) { correct += 1 }
    let dLogits = logitGradient.tensor(logits.shape)
    let loss = sigmoidCrossEntropy(logits: logits, targets: targets, gradient: dLogits)
    return (loss, correct, logits, dLogits)
  }

  /// Evaluation's discriminator numbers: its loss and rows right on codes against a prior
  /// sample, and the encoder's adversarial loss, with no update.
  private func judge(_ discriminator: Sequential, code: Tensor, labels: ArraySlice<Int32>,
                     rng: inout RandomSource) -> (loss: Float, correct: Int, adversary: Float) {
    let batch = code.shape[0]
    let (loss, correct, logits, _) = discriminate(discriminator, code: code, labels: labels,
                                                  rng: &rng)
    // BCE(D(code), 1) from the fake rows' logits.
    var adversary = 0.0
    for i in batch..<(2 * batch) {
      let z = logits.data[i]
      adversary += Double(max(z, 0) - z + log1pf(expf(-abs(z))))
    }
    return (loss, correct, Float(adversary / Double(batch)))
  }

  /// Step 3: one update of the encoder alone on BCE(D(code), 1); returns that loss.
  func encoderStep(_ discriminator: Sequential, inputs: Tensor,
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
