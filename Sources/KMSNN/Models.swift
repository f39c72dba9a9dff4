import KMSTensor

/// What every trainable kms model offers: one network over one flat parameter store.
public protocol Model: AnyObject {
  /// The whole network, input to output.
  var network: Sequential { get }
  /// All parameters, in one allocation (snapshots, zeroing, saving).
  var store: ParameterStore { get }
  /// Features of one input example (784 for a 28×28 image).
  var inputSize: Int { get }
  /// A short description such as `autoencoder 784-800-400-225-400-800-784`.
  var kindDescription: String { get }
}

extension Model {
  /// The number of trainable scalars.
  public var parameterCount: Int { store.parameterCount }

  /// Runs the whole network on a batch (no gradients kept for later use).
  /// - Parameter input: `[batch, inputSize]`.
  public func callAsFunction(_ input: Tensor) -> Tensor { network.forward(input) }
}

/// Builds `Dense(sizes[i] → sizes[i+1])` layers, each followed by its activation (none when linear).
func denseStack(_ sizes: [Int], activations: [ActivationKind], namePrefix: String,
                        rng: inout RandomSource) -> [Layer] {
  var layers: [Layer] = []
  for i in 0..<(sizes.count - 1) {
    layers.append(Dense(inputSize: sizes[i], outputSize: sizes[i + 1],
                        name: "\(namePrefix)\(i + 1)", rng: &rng))
    if activations[i] != .linear { layers.append(Activation(activations[i])) }
  }
  return layers
}

/// A stacked autoencoder with a mirrored decoder: for encoder sizes `[800, 400, 225]` on 784
/// inputs, 784-800-400-225-400-800-784, ReLU on hidden layers and a sigmoid output (paper §II.B).
/// The encoder and decoder are separately callable and own separate parameter ranges.
public final class Autoencoder: Model {
  /// Input → code.
  public let encoder: Sequential
  /// Code → reconstruction.
  public let decoder: Sequential
  /// Encoder then decoder.
  public let network: Sequential
  /// All parameters: the encoder's first, then the decoder's.
  public let store: ParameterStore
  /// Features of one input (784).
  public let inputSize: Int
  /// Widths of the encoder's layers, the last being the code (e.g. `[800, 400, 225]`).
  public let encoderSizes: [Int]
  /// The activation on the code layer: ReLU in Part A, linear where a prior needs signed codes.
  public let codeActivation: ActivationKind

  /// Creates an autoencoder with Glorot-uniform weights.
  /// - Parameters:
  ///   - inputSize: features of one input, e.g. 784.
  ///   - encoderSizes: hidden widths down to the code, e.g. `[800, 400, 225]`; mirrored for the
  ///     decoder.
  ///   - codeActivation: the code layer's activation (ReLU by default, as the paper's Part A).
  ///   - seed: fixes the initial weights.
  public init(inputSize: Int = 784, encoderSizes: [Int], codeActivation: ActivationKind = .relu,
              seed: UInt64 = 0) {
    precondition(inputSize > 0 && !encoderSizes.isEmpty && encoderSizes.allSatisfy { $0 > 0 },
                 "Autoencoder needs positive sizes, got \(inputSize) and \(encoderSizes)")
    var rng = RandomSource(seed: seed)
    let down = [inputSize] + encoderSizes
    let up = Array(down.reversed())
    let encoderActivations = Array(repeating: ActivationKind.relu, count: encoderSizes.count - 1)
      + [codeActivation]
    let decoderActivations = Array(repeating: ActivationKind.relu, count: encoderSizes.count - 1)
      + [.sigmoid]
    encoder = Sequential(
      name: "encoder", denseStack(down, activations: encoderActivations, namePrefix: "enc", rng: &rng))
    decoder = Sequential(
      name: "decoder", denseStack(up, activations: decoderActivations, namePrefix: "dec", rng: &rng))
    network = Sequential(name: "autoencoder", [encoder, decoder])
    network.needsInputGradient = false
    encoder.needsInputGradient = false
    store = ParameterStore(network.parameters)
    self.inputSize = inputSize
    self.encoderSizes = encoderSizes
    self.codeActivation = codeActivation
  }

  /// The width of the code.
  public var latentSize: Int { encoderSizes.last! }

  /// `autoencoder 784-800-400-225-400-800-784`.
  public var kindDescription: String {
    let sizes = [inputSize] + encoderSizes + encoderSizes.dropLast().reversed() + [inputSize]
    return "autoencoder " + sizes.map(String.init).joined(separator: "-")
  }
}

/// A multilayer perceptron classifier: Dense+ReLU hidden layers, then a Dense layer of logits.
/// Softmax is fused into the loss (`softmaxCrossEntropy`).
public final class Classifier: Model {
  /// Input → logits.
  public let network: Sequential
  /// All parameters.
  public let store: ParameterStore
  /// Features of one input.
  public let inputSize: Int
  /// Widths of the hidden layers.
  public let hiddenSizes: [Int]
  /// The number of classes (logits).
  public let classCount: Int

  /// Creates a classifier with Glorot-uniform weights.
  /// - Parameters:
  ///   - inputSize: features of one input (225 for SAE codes, 784 for pixels).
  ///   - hiddenSizes: hidden widths, e.g. `[200]`; may be empty (softmax regression).
  ///   - classCount: the number of classes, at least 2.
  ///   - seed: fixes the initial weights.
  public init(inputSize: Int, hiddenSizes: [Int], classCount: Int = 10, seed: UInt64 = 0) {
    precondition(inputSize > 0 && hiddenSizes.allSatisfy { $0 > 0 } && classCount >= 2,
                 "Classifier needs positive sizes and 2+ classes, got \(inputSize), \(hiddenSizes), \(classCount)")
    var rng = RandomSource(seed: seed)
    let sizes = [inputSize] + hiddenSizes + [classCount]
    let activations = Array(repeating: ActivationKind.relu, count: hiddenSizes.count) + [.linear]
    network = Sequential(
      name: "classifier", denseStack(sizes, activations: activations, namePrefix: "dense", rng: &rng))
    network.needsInputGradient = false
    store = ParameterStore(network.parameters)
    self.inputSize = inputSize
    self.hiddenSizes = hiddenSizes
    self.classCount = classCount
  }

  /// `classifier 225-200-10`.
  public var kindDescription: String {
    "classifier " + ([inputSize] + hiddenSizes + [classCount]).map(String.init).joined(separator: "-")
  }
}
