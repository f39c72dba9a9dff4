import Foundation
import KMSTensor

/// Adam (Kingma & Ba 2015, "Adam: A Method for Stochastic Optimization", arXiv:1412.6980) over a
/// named group of parameters, so separate optimizers can own separate parts of one model (Part B
/// updates the encoder alone with its own Adam).
///
/// The update, with ε where `epsilonForm` puts it:
///   m ← β₁m + (1 − β₁)g,  v ← β₂v + (1 − β₂)g²,
///   α_t = lr · √(1 − β₂ᵗ) / (1 − β₁ᵗ),  w ← w − α_t · m / (√v + ε_t),
/// with ε_t = ε (Keras's form) or ε · √(1 − β₂ᵗ) (PyTorch's: lr · m̂ / (√v̂ + ε) rewritten).
public final class Adam {
  /// A name for messages and summaries, such as `encoder`.
  public let name: String
  /// The parameters this optimizer updates.
  public let parameters: [Parameter]
  /// The step size; may be changed between steps.
  public var learningRate: Float {
    didSet { Adam.check(learningRate: learningRate) }
  }
  /// Decay of the first-moment average (0.9).
  public let beta1: Float
  /// Decay of the second-moment average (0.999).
  public let beta2: Float
  /// Added to √v (or √v̂) to avoid division by zero (1e-7, Keras's default).
  public let epsilon: Float
  /// Where ε is added: Keras's form or PyTorch's.
  public let epsilonForm: AdamEpsilon
  /// Steps taken so far (t in the formulas).
  public private(set) var step = 0

  let firstMoments: [Tensor]   // m, one per parameter, same shapes
  let secondMoments: [Tensor]  // v
  private let indexOf: [ObjectIdentifier: Int]  // a parameter's place in `parameters`
  private var stepSize: Float = 0      // α_t of the current step
  private var stepEpsilon: Float = 0   // ε_t of the current step

  /// Creates an optimizer for a group of parameters.
  /// - Parameters:
  ///   - name: the group's name.
  ///   - parameters: the parameters to update.
  ///   - learningRate: the step size, > 0.
  ///   - beta1: first-moment decay, in [0, 1).
  ///   - beta2: second-moment decay, in [0, 1).
  ///   - epsilon: stabiliser, > 0.
  ///   - epsilonForm: where ε is added (Keras's form by default).
  public init(name: String = "adam", parameters: [Parameter], learningRate: Float = 0.001,
              beta1: Float = 0.9, beta2: Float = 0.999, epsilon: Float = 1e-7,
              epsilonForm: AdamEpsilon = .keras) {
    Adam.check(learningRate: learningRate)
    precondition((0..<1).contains(beta1), "Adam beta1 must be in [0, 1), got \(beta1)")
    precondition((0..<1).contains(beta2), "Adam beta2 must be in [0, 1), got \(beta2)")
    precondition(epsilon > 0, "Adam epsilon must be > 0, got \(epsilon)")
    self.name = name
    self.parameters = parameters
    self.learningRate = learningRate
    (self.beta1, self.beta2, self.epsilon, self.epsilonForm) = (beta1, beta2, epsilon, epsilonForm)
    firstMoments = parameters.map { Tensor(shape: $0.shape) }
    indexOf = Dictionary(uniqueKeysWithValues: parameters.enumerated().map { (ObjectIdentifier($1), $0) })
    secondMoments = parameters.map { Tensor(shape: $0.shape) }
  }

  private static func check(learningRate: Float) {
    precondition(learningRate > 0 && learningRate.isFinite,
                 "Adam learning rate must be a positive number, got \(learningRate)")
  }

  /// Sets t, for restoring a saved state; the next `beginStep()` starts step t + 1.
  func setStep(_ t: Int) { step = t }

  /// Applies one update from the parameters' current gradients.
  public func update() {
    beginStep()
    for parameter in parameters { update(parameter) }
  }

  /// Starts step t + 1: call once per batch, then `update(_:)` for each parameter as soon as its
  /// gradient is final (the trainer does this layer by layer during backward, while the weights
  /// and gradients are still in cache).
  public func beginStep() {
    step += 1
    let t = Float(step)
    let correction2 = (1 - powf(beta2, t)).squareRoot()
    stepSize = learningRate * correction2 / (1 - powf(beta1, t))
    stepEpsilon = epsilonForm == .pytorch ? epsilon * correction2 : epsilon
  }

  /// Updates one parameter of this group with the step begun by `beginStep()`.
  /// - Parameter parameter: a parameter of this optimizer's group; others are ignored.
  public func update(_ parameter: Parameter) {
    guard let index = indexOf[ObjectIdentifier(parameter)] else { return }
    precondition(step > 0, "Adam.update(_:) called before beginStep()")
    let (alpha, b1, b2, eps) = (stepSize, beta1, beta2, stepEpsilon)
    let (w, g) = (parameter.value.data, parameter.gradient.data)
    let (m, v) = (firstMoments[index].data, secondMoments[index].data)
    let count = parameter.value.count
    // Large tensors are split across workers; the pieces are disjoint.
    let parts = count >= 65_536 ? Parallel.pieceCount(of: count, minimumPerPiece: 16_384) : 1
    Parallel.run(parts: parts) { part in
      let range = Parallel.range(of: count, parts: parts, part: part)
      // NOTE: in C (Sources/CKernels), for the CPU's widest vectors: the Swift loop with SIMD8
      // vectors ran at 4 lanes with spills, 16% of an MLP epoch (`kms bench epoch mlp`, perf);
      // it moment-flushes as before (subnormal moments would slow every later step).
      let start = range.lowerBound
      Kernels.adamUpdate(weights: w + start, gradients: g + start, firstMoments: m + start,
                         secondMoments: v + start, count: range.count, stepSize: alpha,
                         beta1: b1, beta2: b2, epsilon: eps)
    }
  }
}

/// Where Adam adds ε. Kingma & Ba 2015 give both forms, and the frameworks differ. They are the
/// same update but for ε's size in the first steps: Keras's ε on √v is ε / √(1 − β₂ᵗ) on √v̂, 32
/// times PyTorch's ε at the first step, 1.07 times it after 2,000 steps (β₂ 0.999).
/// NOTE: that is not negligible for the paper's CNN, whose dense layer holds 99% of the weights
/// and whose first gradients are often below 1e-5 (16% of that layer's at the first step): a
/// weight whose first |g| is 1e-6 moves 0.24·lr in Keras's form, 0.91·lr in PyTorch's. On
/// kmnist-10k (the README's "Convolutional networks"), the same runs in PyTorch's form reached
/// 0.4 points more test accuracy on average, in kms and in PyTorch alike (three seeds each).
public enum AdamEpsilon: String, Codable, CaseIterable, Sendable {
  /// ε added to √v before the bias correction (Kingma & Ba's §2 "ε̂"): Keras's and TensorFlow's
  /// form, and kms's default.
  case keras
  /// ε added to the bias-corrected √v̂ (their Algorithm 1): PyTorch's and optax's form.
  case pytorch
}
