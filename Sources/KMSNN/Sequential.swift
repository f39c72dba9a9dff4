import KMSTensor

/// Layers applied one after another; itself a layer, so models nest (an autoencoder is a
/// `Sequential` of its encoder and decoder).
public final class Sequential: Layer {
  /// The layers, in forward order.
  public let layers: [Layer]
  /// A readable name such as `encoder`.
  public let name: String

  /// Creates a chain of layers.
  /// - Parameters:
  ///   - name: a readable name for summaries.
  ///   - layers: the layers in forward order.
  public init(name: String = "sequential", _ layers: [Layer]) {
    self.name = name
    self.layers = layers
  }

  /// Every parameter of every layer, in forward order (micrograd's recursive `parameters()`).
  public var parameters: [Parameter] { layers.flatMap(\.parameters) }

  /// The total number of trainable scalars.
  public var parameterCount: Int { parameters.reduce(0) { $0 + $1.value.count } }

  /// Whether the first layer computes ∂loss/∂input (false saves the first layer's largest product).
  public var needsInputGradient: Bool {
    get { layers.first?.needsInputGradient ?? true }
    set { layers.first?.needsInputGradient = newValue }
  }

  /// Sets the mode of every layer.
  public func setTraining(_ isTraining: Bool) {
    for layer in layers { layer.setTraining(isTraining) }
  }

  /// Runs every layer in order.
  public func forward(_ input: Tensor) -> Tensor {
    layers.reduce(input) { $1.forward($0) }
  }

  /// Walks the layers in reverse, as the forward pass ran.
  public func backward(_ outputGradient: Tensor) -> Tensor? {
    backward(outputGradient, afterEachLayer: { _ in })
  }

  /// Walks the layers in reverse, calling `afterEachLayer` on every leaf layer as soon as its
  /// backward has run, when its parameter gradients are final for this batch. The optimizer
  /// updates that layer's weights there, while they are still in cache.
  /// - Parameters:
  ///   - outputGradient: ∂loss/∂output of the last `forward`.
  ///   - afterEachLayer: called with each leaf layer, last layer first.
  public func backward(_ outputGradient: Tensor, afterEachLayer: (Layer) -> Void) -> Tensor? {
    var gradient: Tensor? = outputGradient
    for layer in layers.reversed() {
      guard let dy = gradient else { break }
      if let chain = layer as? Sequential {
        gradient = chain.backward(dy, afterEachLayer: afterEachLayer)
      } else {
        gradient = layer.backward(dy)
        afterEachLayer(layer)
      }
    }
    return gradient
  }

  /// The shape after every layer.
  public func outputShape(for inputShape: Shape) -> Shape {
    layers.reduce(inputShape) { $1.outputShape(for: $0) }
  }

  /// The name.
  public var summaryName: String { name }

  /// One row per leaf layer, like Keras's `summary()`: name, output shape, parameter count.
  /// - Parameter inputShape: the shape of one example.
  public func summaryRows(inputShape: Shape) -> [(layer: String, outputShape: Shape, parameters: Int)] {
    var rows: [(String, Shape, Int)] = []
    var shape = inputShape
    for layer in layers {
      if let chain = layer as? Sequential {
        rows += chain.summaryRows(inputShape: shape).map { ("\(chain.name)/\($0.0)", $0.1, $0.2) }
      } else {
        rows.append((layer.summaryName, layer.outputShape(for: shape),
                     layer.parameters.reduce(0) { $0 + $1.value.count }))
      }
      shape = layer.outputShape(for: shape)
    }
    return rows
  }
}
