import KMSTensor

/// Inverted dropout (Srivastava et al. 2014, "Dropout: A Simple Way to Prevent Neural Networks
/// from Overfitting", JMLR 15): in training each value is kept with probability 1 − rate and
/// scaled by 1 / (1 − rate), so evaluation is the identity and needs no rescaling (as Keras).
/// Masks come from the layer's own seeded source, so a run repeats bit for bit.
public final class Dropout: Layer {
  /// The fraction of values dropped in training, in [0, 1).
  public let rate: Float
  /// Whether `backward` computes ∂loss/∂input.
  public var needsInputGradient = true

  private var isTraining = false
  private var rng: RandomSource
  private var mask = ReusableBuffer()           // [batch, features]: 0 or 1/(1 − rate)
  private var output = ReusableBuffer()         // [batch, features]
  private var inputGradient = ReusableBuffer()  // [batch, features]
  private var maskedLastForward = false         // whether the last forward applied `mask`

  /// Creates a dropout layer.
  /// - Parameters:
  ///   - rate: the fraction dropped, in [0, 1).
  ///   - seed: fixes the sequence of masks.
  public init(rate: Float, seed: UInt64) {
    precondition(rate >= 0 && rate < 1, "Dropout rate must be in [0, 1), got \(rate)")
    self.rate = rate
    rng = RandomSource(seed: seed)
  }

  /// None.
  public var parameters: [Parameter] { [] }

  /// Training drops; evaluation is the identity.
  public func setTraining(_ isTraining: Bool) { self.isTraining = isTraining }

  /// The input times a fresh mask in training; the input itself in evaluation.
  public func forward(_ input: Tensor) -> Tensor {
    maskedLastForward = isTraining && rate > 0
    guard maskedLastForward else { return input }
    let m = mask.tensor(input.shape), y = output.tensor(input.shape)
    let keep = 1 - rate, scale = 1 / (1 - rate)
    // NOTE: drawn serially, in order, so the masks do not depend on the worker count.
    for i in 0..<input.count { m.data[i] = rng.uniform() < keep ? scale : 0 }
    let (x, mp, yp) = (input.data, m.data, y.data)
    Parallel.forEachChunk(of: input.count) { range in
      for i in range { yp[i] = x[i] * mp[i] }
    }
    return y
  }

  /// dx = dy · mask (the same mask as the forward pass), or dy in evaluation.
  public func backward(_ outputGradient: Tensor) -> Tensor? {
    guard needsInputGradient else { return nil }
    guard maskedLastForward else { return outputGradient }
    let m = mask.tensor(outputGradient.shape)
    let dx = inputGradient.tensor(outputGradient.shape)
    let (dy, mp, dxp) = (outputGradient.data, m.data, dx.data)
    Parallel.forEachChunk(of: outputGradient.count) { range in
      for i in range { dxp[i] = dy[i] * mp[i] }
    }
    return dx
  }

  /// The same shape.
  public func outputShape(for inputShape: Shape) -> Shape { inputShape }

  /// `Dropout(0.4)`.
  public var summaryName: String { "Dropout(\(rate))" }
}
