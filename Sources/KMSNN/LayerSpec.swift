import KMSTensor

/// Why a layer list cannot become a network: a shape that cannot work, a size out of range.
/// Each message names the layer (1-based, as the user wrote the list) and the shapes.
public struct ModelSpecError: KMSError, Equatable {
  /// What cannot work, naming the layer and the shapes.
  public let message: String
  /// What to try.
  public let hint: String?

  /// Creates an error.
  public init(_ message: String, hint: String? = nil) {
    self.message = message
    self.hint = hint
  }

  /// The message.
  public var headline: String { message }
}

/// One layer of a network as data: what the user wrote (`dense(800)`), before shapes are known.
///
/// A list of specs builds a `Sequential` by shape inference from an input shape, so a layer never
/// needs its input size spelled out; the model file stores the list, so a saved model rebuilds
/// the same network. A new layer kind is its `Layer` class, a case here (and its arm in each
/// switch below), and one row in the language's layer table (`Builtins+Layers.swift`).
public enum LayerSpec: Codable, Equatable, Sendable {
  /// A fully connected layer of `units` outputs followed by its activation (none when linear).
  /// A dense layer after a spatial one flattens its input by itself.
  case dense(units: Int, activation: ActivationKind)
  /// An elementwise activation on its own.
  case activation(ActivationKind)
  /// Inverted dropout of `rate` in training, the identity in evaluation.
  case dropout(rate: Double)

  /// The per-example output shape for `inputShape`, or the reason it cannot work.
  /// - Parameters:
  ///   - inputShape: the shape of one example entering this layer.
  ///   - position: the layer's 1-based place in its list, for messages.
  public func outputShape(for inputShape: Shape, position: Int) throws(ModelSpecError) -> Shape {
    switch self {
    case .dense(let units, _):
      guard (1...1_000_000).contains(units) else {
        throw ModelSpecError("layer \(position), \(summaryName): units must be between 1 and "
                             + "1,000,000, got \(grouped(units))")
      }
      return [units]
    case .activation:
      return inputShape
    case .dropout(let rate):
      guard rate >= 0 && rate < 1 else {
        throw ModelSpecError("layer \(position), \(summaryName): the rate must be in [0, 1), got \(rate)",
                             hint: "dropout(0.4) drops 40% of the values in training")
      }
      return inputShape
    }
  }

  /// The trainable scalars this layer has on `inputShape` (without allocating anything).
  public func parameterCount(for inputShape: Shape) -> Int {
    switch self {
    case .dense(let units, _): (inputShape.elementCount + 1) * units
    case .activation, .dropout: 0
    }
  }

  /// Builds the layer(s) for one example shape, drawing initial weights from `rng`.
  /// - Parameters:
  ///   - inputShape: the shape of one example entering this layer.
  ///   - name: the prefix of its parameter names, such as `enc2` or `dense1`.
  ///   - rng: the source of initial weights (and of dropout's mask seed).
  public func makeLayers(inputShape: Shape, name: String, rng: inout RandomSource) -> [Layer] {
    switch self {
    case .dense(let units, let activation):
      let dense = Dense(inputSize: inputShape.elementCount, outputSize: units, name: name, rng: &rng)
      return activation == .linear ? [dense] : [dense, Activation(activation)]
    case .activation(let kind):
      return [Activation(kind)]
    case .dropout(let rate):
      return [Dropout(rate: Float(rate), seed: rng.next())]
    }
  }

  /// The kind's name in parameter names and summaries' counters: `dense`, `dropout`.
  var kindName: String {
    switch self {
    case .dense: "dense"
    case .activation: "activation"
    case .dropout: "dropout"
    }
  }

  /// Whether the layer has parameters, and so a numbered name.
  var hasParameters: Bool {
    if case .dense = self { return true }
    return false
  }

  /// As the user would write it: `dense(800)`, `dense(10, linear)`, `dropout(0.4)`.
  public var summaryName: String {
    switch self {
    case .dense(let units, let activation):
      activation == .relu ? "dense(\(units))" : "dense(\(units), \(activation.rawValue))"
    case .activation(let kind): kind.rawValue
    case .dropout(let rate): "dropout(\(rate))"
    }
  }
}

extension Array where Element == LayerSpec {
  /// The per-example output shape of the whole list, checking every layer in turn.
  /// - Parameter inputShape: the shape of one example entering the first layer.
  public func outputShape(for inputShape: Shape) throws(ModelSpecError) -> Shape {
    var shape = inputShape
    for (index, spec) in enumerated() { shape = try spec.outputShape(for: shape, position: index + 1) }
    return shape
  }

  /// The trainable scalars of the whole list on `inputShape` (call after `outputShape(for:)`).
  public func parameterCount(for inputShape: Shape) -> Int {
    var (shape, total) = (inputShape, 0)
    for (index, spec) in enumerated() {
      total += spec.parameterCount(for: shape)
      shape = (try? spec.outputShape(for: shape, position: index + 1)) ?? shape
    }
    return total
  }

  /// Builds the layers in order. Parameters are named `\(prefix)\(n)` with n counting the
  /// layers that have parameters (`enc1`, `enc2`…), or, without a prefix, by kind (`dense1`,
  /// `dense2`… as Keras numbers them).
  /// - Parameters:
  ///   - inputShape: the shape of one example entering the first layer; checked already.
  ///   - prefix: a common name prefix, or nil for names by kind.
  ///   - rng: the source of initial weights.
  public func makeLayers(inputShape: Shape, prefix: String?, rng: inout RandomSource) -> [Layer] {
    var layers: [Layer] = []
    var shape = inputShape
    var counts: [String: Int] = [:]
    for (index, spec) in enumerated() {
      let key = prefix ?? spec.kindName
      if spec.hasParameters { counts[key, default: 0] += 1 }
      layers += spec.makeLayers(inputShape: shape, name: "\(key)\(counts[key, default: 0])", rng: &rng)
      shape = (try? spec.outputShape(for: shape, position: index + 1)) ?? shape
    }
    return layers
  }
}
