import KMSTensor

/// What every trainable kms model offers: one network over one flat parameter store, built from
/// a `ModelSpec`. Code above asks a model what it can do (`encoderDecoder`, `classCount`) rather
/// than which class it is.
public protocol Model: AnyObject {
  /// The architecture this model was built from (what a model file stores).
  var spec: ModelSpec { get }
  /// The whole network, input to output.
  var network: Sequential { get }
  /// All parameters, in one allocation (snapshots, zeroing, saving).
  var store: ParameterStore { get }
  /// The encoder and decoder of a model with a code (an autoencoder), else nil.
  var encoderDecoder: (encoder: Sequential, decoder: Sequential)? { get }
}

extension Model {
  /// The shape of one input example, without the batch axis.
  public var inputShape: Shape { Shape(spec.inputShape) }
  /// Features of one input example (784 for a 28×28 image); inputs travel flat, `[batch, 784]`.
  public var inputSize: Int { inputShape.elementCount }
  /// The number of classes when the network gives logits (a classifier), else nil.
  public var classCount: Int? { spec.classCount }
  /// The number of trainable scalars.
  public var parameterCount: Int { store.parameterCount }
  /// A short description such as `autoencoder 784-800-400-225-400-800-784`.
  public var kindDescription: String { spec.description }

  /// Switches every layer between training and evaluation.
  public func setTraining(_ isTraining: Bool) { network.setTraining(isTraining) }

  /// Runs the whole network on a batch (no gradients kept for later use).
  /// - Parameter input: `[batch, inputSize]`.
  public func callAsFunction(_ input: Tensor) -> Tensor { network.forward(input) }
}

/// Builds `Dense(sizes[i] → sizes[i+1])` layers, each followed by its activation (none when linear).
func denseStack(_ sizes: [Int], activations: [ActivationKind], namePrefix: String,
                rng: inout RandomSource) -> [Layer] {
  zip(sizes.dropFirst(), activations).map { LayerSpec.dense(units: $0, activation: $1) }
    .makeLayers(inputShape: [sizes[0]], prefix: namePrefix, rng: &rng)
}

/// An autoencoder: an encoder down to a code, a decoder back to the input, separately callable
/// and owning separate parameter ranges. The paper's stacked form (784-800-400-225-400-800-784,
/// ReLU hidden layers, sigmoid output, §II.B) is `init(inputSize:encoderSizes:)`.
public final class Autoencoder: Model {
  /// The architecture.
  public let spec: ModelSpec
  /// Input → code.
  public let encoder: Sequential
  /// Code → reconstruction.
  public let decoder: Sequential
  /// Encoder then decoder.
  public let network: Sequential
  /// All parameters: the encoder's first, then the decoder's.
  public let store: ParameterStore

  /// Builds an autoencoder from a spec already checked (`ModelSpec.makeModel`).
  init(checkedSpec spec: ModelSpec, seed: UInt64) {
    precondition(spec.kind == .autoencoder && spec.decoder != nil, "not an autoencoder spec")
    var rng = RandomSource(seed: seed)
    let input = Shape(spec.inputShape)
    let codeShape = (try? spec.layers.outputShape(for: input)) ?? input
    self.spec = spec
    encoder = Sequential(name: "encoder", spec.layers.makeLayers(inputShape: input, prefix: "enc", rng: &rng))
    decoder = Sequential(
      name: "decoder", spec.decoder!.makeLayers(inputShape: codeShape, prefix: "dec", rng: &rng))
    network = Sequential(name: "autoencoder", [encoder, decoder])
    network.needsInputGradient = false
    encoder.needsInputGradient = false
    store = ParameterStore(network.parameters)
  }

  /// Creates the paper's stacked autoencoder with Glorot-uniform weights.
  /// - Parameters:
  ///   - inputSize: features of one input, e.g. 784.
  ///   - encoderSizes: hidden widths down to the code, e.g. `[800, 400, 225]`; mirrored for the
  ///     decoder.
  ///   - codeActivation: the code layer's activation (ReLU by default, as the paper's Part A).
  ///   - seed: fixes the initial weights.
  public convenience init(inputSize: Int = 784, encoderSizes: [Int],
                          codeActivation: ActivationKind = .relu, seed: UInt64 = 0) {
    let spec = ModelSpec.autoencoder(inputSize: inputSize, encoderSizes: encoderSizes,
                                     codeActivation: codeActivation)
    do { try spec.check() } catch { preconditionFailure("Autoencoder: \(error.message)") }
    self.init(checkedSpec: spec, seed: seed)
  }

  /// The encoder and the decoder.
  public var encoderDecoder: (encoder: Sequential, decoder: Sequential)? { (encoder, decoder) }

  /// The width of the code.
  public var latentSize: Int { encoder.outputShape(for: inputShape).elementCount }

  /// The activation on the code layer: ReLU in Part A, linear where a prior needs signed codes
  /// (linear when the encoder does not end in a dense layer).
  public var codeActivation: ActivationKind {
    guard case .dense(_, let activation)? = spec.layers.last else { return .linear }
    return activation
  }
}

/// A classifier: a network from inputs to class logits, softmax fused into the loss
/// (`softmaxCrossEntropy`). The paper's MLP (225-200-10) is `init(inputSize:hiddenSizes:)`.
public final class Classifier: Model {
  /// The architecture.
  public let spec: ModelSpec
  /// Input → logits.
  public let network: Sequential
  /// All parameters.
  public let store: ParameterStore

  /// Builds a classifier from a spec already checked (`ModelSpec.makeModel`).
  init(checkedSpec spec: ModelSpec, seed: UInt64) {
    precondition(spec.kind == .classifier, "not a classifier spec")
    var rng = RandomSource(seed: seed)
    self.spec = spec
    network = Sequential(
      name: "classifier",
      spec.layers.makeLayers(inputShape: Shape(spec.inputShape), prefix: nil, rng: &rng))
    network.needsInputGradient = false
    store = ParameterStore(network.parameters)
  }

  /// Creates an MLP classifier with Glorot-uniform weights.
  /// - Parameters:
  ///   - inputSize: features of one input (225 for SAE codes, 784 for pixels).
  ///   - hiddenSizes: hidden widths, e.g. `[200]`; may be empty (softmax regression).
  ///   - classCount: the number of classes, at least 2.
  ///   - seed: fixes the initial weights.
  public convenience init(inputSize: Int, hiddenSizes: [Int], classCount: Int = 10, seed: UInt64 = 0) {
    let spec = ModelSpec.mlp(inputSize: inputSize, hiddenSizes: hiddenSizes, classCount: classCount)
    do { try spec.check() } catch { preconditionFailure("Classifier: \(error.message)") }
    self.init(checkedSpec: spec, seed: seed)
  }

  /// None: a classifier has no code.
  public var encoderDecoder: (encoder: Sequential, decoder: Sequential)? { nil }
}
