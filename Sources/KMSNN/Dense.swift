import KMSTensor

/// A fully connected layer: `output = input · weightᵀ + bias`.
public final class Dense: Layer {
  /// `[outputSize, inputSize]`, Glorot-uniform at creation (as Keras's default).
  public let weight: Parameter
  /// `[outputSize]`, zero at creation.
  public let bias: Parameter
  /// Whether `backward` computes ∂loss/∂input.
  public var needsInputGradient = true

  private var savedInput: Tensor?       // [batch, inputSize], kept for backward
  private var output = ReusableBuffer()  // [batch, outputSize]
  private var inputGradient = ReusableBuffer()  // [batch, inputSize]

  /// The number of input features.
  public var inputSize: Int { weight.shape[1] }
  /// The number of output features.
  public var outputSize: Int { weight.shape[0] }

  /// Creates a layer with Glorot-uniform weights and zero biases.
  ///
  /// Glorot & Bengio 2010: W ~ U(−a, a), a = √(6 / (inputSize + outputSize)).
  /// - Parameters:
  ///   - inputSize: features in.
  ///   - outputSize: features out.
  ///   - name: prefix of the parameter names.
  ///   - rng: the random source for the weights.
  public init(inputSize: Int, outputSize: Int, name: String = "dense", rng: inout RandomSource) {
    precondition(inputSize > 0 && outputSize > 0,
                 "Dense needs positive sizes, got \(inputSize) -> \(outputSize)")
    let limit = (6 / Float(inputSize + outputSize)).squareRoot()
    weight = Parameter(
      name: "\(name).weight",
      value: .uniform([outputSize, inputSize], in: -limit...limit, rng: &rng))
    bias = Parameter(name: "\(name).bias", value: Tensor(shape: [outputSize]))
  }

  /// The weight and the bias.
  public var parameters: [Parameter] { [weight, bias] }

  /// `[batch, inputSize]` → `[batch, outputSize]`. Any input whose examples hold `inputSize`
  /// elements is read as flat rows (`[batch, channels, height, width]` after a convolution), so
  /// a dense layer flattens by itself; ∂loss/∂input comes back in the input's own shape.
  public func forward(_ input: Tensor) -> Tensor {
    precondition(input.shape.rank >= 2 && input.shape.rowSize == inputSize,
                 "Dense(\(inputSize) -> \(outputSize)) got input \(input.shape)")
    savedInput = input
    let y = output.tensor([input.shape[0], outputSize])
    gemm(input, weight.value, into: y, transposeRight: true, rowBias: bias.value)  // x · Wᵀ + b
    return y
  }

  /// dW += dyᵀ · x (dW = dyᵀ · x after a zeroing), db += Σ_batch dy, and returns dx = dy · W.
  public func backward(_ outputGradient: Tensor) -> Tensor? {
    guard let x = savedInput else { preconditionFailure("Dense.backward called before forward") }
    let dy = outputGradient  // [batch, outputSize]
    precondition(dy.shape == [x.shape[0], outputSize],
                 "Dense(\(inputSize) -> \(outputSize)).backward got \(dy.shape)")
    // [outputSize, inputSize]: overwritten right after a zeroing, else added into.
    let (dW, beta) = weight.gradientForWriting()
    gemm(dy, x, into: dW, transposeLeft: true, beta: beta)
    dy.addColumnSums(into: bias.gradient)                               // [outputSize]
    guard needsInputGradient else { return nil }
    let dx = inputGradient.tensor(x.shape)                              // [batch, inputSize]
    gemm(dy, weight.value, into: dx)
    return dx
  }

  /// `[inputSize]` → `[outputSize]`.
  public func outputShape(for inputShape: Shape) -> Shape { [outputSize] }

  /// `Dense(784 → 800)`.
  public var summaryName: String { "Dense(\(inputSize) → \(outputSize))" }
}
