import KMSTensor

/// A whole model as data: its kind, the shape of one input example and its layer lists. Models
/// are built from specs (`makeModel(seed:)`) and model files store them, so a new layer kind
/// needs no change here, in the trainer, or in the model file.
public struct ModelSpec: Codable, Equatable, Sendable {
  /// What the network's output means, which decides its objective.
  public enum Kind: String, Codable, Sendable {
    /// The output reconstructs the input; `layers` is the encoder, `decoder` the decoder.
    case autoencoder
    /// The output is `classCount` logits for softmax cross-entropy.
    case classifier
  }

  /// The kind.
  public var kind: Kind
  /// The shape of one input example, without the batch axis: `[784]`, or `[1, 28, 28]`.
  public var inputShape: [Int]
  /// A classifier's layers, input to logits; an autoencoder's encoder, input to code.
  public var layers: [LayerSpec]
  /// An autoencoder's decoder, code to reconstruction; nil for a classifier.
  public var decoder: [LayerSpec]?

  /// Creates a spec; `check()` says whether it can be built.
  public init(kind: Kind, inputShape: [Int], layers: [LayerSpec], decoder: [LayerSpec]? = nil) {
    (self.kind, self.inputShape, self.layers, self.decoder) = (kind, inputShape, layers, decoder)
  }

  /// The paper's stacked autoencoder form: Dense+ReLU down to the code (its activation given),
  /// mirrored back up to a sigmoid output of `inputSize` (paper §II.B).
  /// - Parameters:
  ///   - inputSize: features of one input, e.g. 784.
  ///   - encoderSizes: widths down to the code, e.g. `[800, 400, 225]`.
  ///   - codeActivation: ReLU in Part A, linear where a prior needs signed codes.
  public static func autoencoder(inputSize: Int, encoderSizes: [Int],
                                 codeActivation: ActivationKind = .relu) -> ModelSpec {
    let encoder = encoderSizes.enumerated().map { index, units in
      LayerSpec.dense(units: units, activation: index == encoderSizes.count - 1 ? codeActivation : .relu)
    }
    let decoderSizes = Array(encoderSizes.dropLast().reversed()) + [inputSize]
    let decoder = decoderSizes.enumerated().map { index, units in
      LayerSpec.dense(units: units, activation: index == decoderSizes.count - 1 ? .sigmoid : .relu)
    }
    return ModelSpec(kind: .autoencoder, inputShape: [inputSize], layers: encoder, decoder: decoder)
  }

  /// A multilayer perceptron: Dense+ReLU hidden layers, then `classCount` linear logits.
  /// - Parameters:
  ///   - inputSize: features of one input (225 for SAE codes, 784 for pixels).
  ///   - hiddenSizes: hidden widths, e.g. `[200]`; may be empty (softmax regression).
  ///   - classCount: the number of classes.
  public static func mlp(inputSize: Int, hiddenSizes: [Int], classCount: Int) -> ModelSpec {
    ModelSpec(kind: .classifier, inputShape: [inputSize],
              layers: hiddenSizes.map { .dense(units: $0, activation: .relu) }
                + [.dense(units: classCount, activation: .linear)])
  }

  /// The number of classes a classifier's logits give, or nil for an autoencoder.
  public var classCount: Int? {
    guard kind == .classifier, case .dense(let units, _)? = layers.last else { return nil }
    return units
  }

  /// Checks every layer's shapes and the model's own rules, without allocating anything.
  /// - Parameter maximumParameters: the most trainable scalars allowed (each needs four floats:
  ///   value, gradient and Adam's two moments).
  /// - Returns: the parameter count.
  @discardableResult
  public func check(maximumParameters: Int = 250_000_000) throws(ModelSpecError) -> Int {
    guard !inputShape.isEmpty, inputShape.allSatisfy({ (1...1_000_000).contains($0) }),
      inputShape.reduce(1, { $0.multipliedReportingOverflow(by: $1).partialValue }) <= 100_000_000
    else {
      throw ModelSpecError("the input shape must be positive sizes, got \(inputShape)")
    }
    guard !layers.isEmpty else { throw ModelSpecError("a model needs at least one layer") }
    let input = Shape(inputShape)
    let output = try layers.outputShape(for: input)
    var total = layers.parameterCount(for: input)
    switch kind {
    case .classifier:
      guard case .dense(let units, let activation)? = layers.last, units >= 2, activation == .linear,
        output == [units]
      else {
        throw ModelSpecError(
          "a classifier must end with a linear dense layer of 2 or more class logits",
          hint: "end the list with dense(10, activation: \"linear\")")
      }
    case .autoencoder:
      guard let decoder else { throw ModelSpecError("an autoencoder needs a decoder") }
      let reconstruction = try decoder.outputShape(for: output)
      guard reconstruction.elementCount == input.elementCount else {
        throw ModelSpecError(
          "the decoder gives \(reconstruction) but the input is \(input)",
          hint: "end the decoder with \(input.elementCount) outputs")
      }
      total += decoder.parameterCount(for: output)
    }
    guard total <= maximumParameters else {
      throw ModelSpecError(
        "\(description) would have \(grouped(total)) parameters; kms allows at most "
          + grouped(maximumParameters),
        hint: "use fewer or narrower layers")
    }
    return total
  }

  /// Builds the model with fresh weights (Glorot-uniform, zero biases, as Keras).
  /// - Parameter seed: fixes the initial weights.
  public func makeModel(seed: UInt64 = 0) throws(ModelSpecError) -> Model {
    try check()
    switch kind {
    case .autoencoder: return Autoencoder(checkedSpec: self, seed: seed)
    case .classifier: return Classifier(checkedSpec: self, seed: seed)
    }
  }

  /// The dense widths end to end (`784-800-400-225-400-800-784`) when every layer is dense, else
  /// the input shape and the layer list as written.
  public var description: String {
    let all = layers + (decoder ?? [])
    if all.allSatisfy({ if case .dense = $0 { true } else { false } }), inputShape.count == 1 {
      let widths = all.compactMap { spec -> Int? in
        if case .dense(let units, _) = spec { return units }
        return nil
      }
      return "\(kind.rawValue) " + ([inputShape[0]] + widths).map(String.init).joined(separator: "-")
    }
    return "\(kind.rawValue) \(Shape(inputShape)) → " + all.map(\.summaryName).joined(separator: ", ")
  }
}
