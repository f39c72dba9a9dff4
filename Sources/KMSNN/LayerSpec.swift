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
  /// A 2-D convolution of `filters` square `size × size` kernels on `[channels, height, width]`,
  /// then its activation (a ReLU is fused into the convolution).
  case conv(filters: Int, size: Int, stride: Int, padding: Padding, activation: ActivationKind)
  /// Max pooling over `size × size` windows `stride` apart, without padding.
  case maxpool(size: Int, stride: Int)
  /// Batch normalisation: per channel on images, per feature on flat inputs; ε 0.001 and the
  /// moving statistics' `momentum` as Keras (0.99 by default).
  case batchnorm(momentum: Double)
  /// `[c, h, w]` viewed as `[c·h·w]`.
  case flatten

  /// A convolution's padding, as Keras names it.
  public enum Padding: String, Codable, CaseIterable, Sendable {
    /// No padding: the output shrinks by size − 1 (then divides by the stride).
    case valid
    /// Zero padding so the output is ⌈input / stride⌉.
    case same
  }

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
    case .conv(let filters, let size, let stride, let padding, _):
      guard (1...100_000).contains(filters), (1...1_000).contains(size), (1...1_000).contains(stride)
      else {
        throw ModelSpecError("layer \(position), \(summaryName): filters must be 1 to 100,000, the "
                             + "size and stride 1 to 1,000")
      }
      let (c, h, w) = try image(inputShape, position: position)
      guard let g = ConvolutionGeometry(channels: c, height: h, width: w, kernel: size,
                                        stride: stride, same: padding == .same)
      else {
        throw ModelSpecError(
          "layer \(position), \(summaryName): a \(size)×\(size) kernel is larger than its input "
            + "\(inputShape)",
          hint: "use a smaller kernel, padding: \"same\", or fewer pooling layers before it")
      }
      return [filters, g.outHeight, g.outWidth]
    case .maxpool(let size, let stride):
      guard (1...1_000).contains(size), (1...1_000).contains(stride) else {
        throw ModelSpecError("layer \(position), \(summaryName): the size and stride must be 1 to 1,000")
      }
      let (c, h, w) = try image(inputShape, position: position)
      guard size <= h, size <= w else {
        throw ModelSpecError(
          "layer \(position), \(summaryName): a \(size)×\(size) pool on \(inputShape) leaves zero pixels",
          hint: "use a smaller pool, or fewer layers that shrink the image before it")
      }
      return [c, (h - size) / stride + 1, (w - size) / stride + 1]
    case .batchnorm(let momentum):
      guard momentum >= 0 && momentum < 1 else {
        throw ModelSpecError("layer \(position), \(summaryName): the momentum must be in [0, 1), got \(momentum)")
      }
      return inputShape
    case .flatten:
      return [inputShape.elementCount]
    }
  }

  /// `[channels, height, width]` of a spatial layer's input, or the error naming the layer.
  private func image(_ shape: Shape, position: Int) throws(ModelSpecError) -> (Int, Int, Int) {
    guard shape.rank == 3 else {
      let side = Int(Double(shape.elementCount).squareRoot().rounded())
      throw ModelSpecError(
        "layer \(position), \(summaryName): needs images [channels, height, width], got \(shape)",
        hint: shape.rank == 1 && side * side == shape[0]
          ? "build the classifier with inputs: [1, \(side), \(side)] and put spatial layers before "
            + "dense ones"
          : "put spatial layers (conv, maxpool) before dense ones")
    }
    return (shape[0], shape[1], shape[2])
  }

  /// The trainable scalars this layer has on `inputShape` (without allocating anything).
  public func parameterCount(for inputShape: Shape) -> Int {
    switch self {
    case .dense(let units, _): (inputShape.elementCount + 1) * units
    case .conv(let filters, let size, _, _, _):
      ((inputShape.rank == 3 ? inputShape[0] : 1) * size * size + 1) * filters
    case .batchnorm: 4 * (inputShape.rank == 3 ? inputShape[0] : inputShape.elementCount)
    case .activation, .dropout, .maxpool, .flatten: 0
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
    case .conv(let filters, let size, let stride, let padding, let activation):
      let d = inputShape.dimensions
      let geometry = ConvolutionGeometry(channels: d[0], height: d[1], width: d[2], kernel: size,
                                         stride: stride, same: padding == .same)!
      // NOTE: a ReLU is fused into the convolution (one pass over the output fewer each way).
      let fused: ActivationKind = activation == .relu ? .relu : .linear
      let conv = Conv2D(geometry: geometry, filters: filters, activation: fused, name: name, rng: &rng)
      return activation == fused ? [conv] : [conv, Activation(activation)]
    case .maxpool(let size, let stride):
      let d = inputShape.dimensions
      return [MaxPool2D(size: size, stride: stride, channels: d[0], height: d[1], width: d[2])]
    case .batchnorm(let momentum):
      return inputShape.rank == 3
        ? [BatchNorm(channels: inputShape[0], spatialSize: inputShape[1] * inputShape[2],
                     momentum: Float(momentum), name: name)]
        : [BatchNorm(channels: inputShape.elementCount, momentum: Float(momentum), name: name)]
    case .flatten:
      return [Flatten()]
    }
  }

  /// The kind's name in parameter names and summaries' counters: `dense`, `dropout`.
  var kindName: String {
    switch self {
    case .dense: "dense"
    case .activation: "activation"
    case .dropout: "dropout"
    case .conv: "conv2d"
    case .maxpool: "maxpool"
    case .batchnorm: "batchnorm"
    case .flatten: "flatten"
    }
  }

  /// Whether the layer has parameters, and so a numbered name.
  var hasParameters: Bool {
    switch self {
    case .dense, .conv, .batchnorm: true
    case .activation, .dropout, .maxpool, .flatten: false
    }
  }

  /// As the user would write it: `dense(800)`, `dense(10, linear)`, `dropout(0.4)`.
  public var summaryName: String {
    switch self {
    case .dense(let units, let activation):
      activation == .relu ? "dense(\(units))" : "dense(\(units), \(activation.rawValue))"
    case .activation(let kind): kind.rawValue
    case .dropout(let rate): "dropout(\(rate))"
    case .conv(let filters, let size, let stride, let padding, let activation):
      "conv(\(filters), \(size)" + (stride == 1 ? "" : ", stride: \(stride)")
        + (padding == .valid ? "" : ", padding: \"\(padding.rawValue)\"")
        + (activation == .relu ? "" : ", \(activation.rawValue)") + ")"
    case .maxpool(let size, let stride):
      "maxpool(\(size)" + (stride == size ? "" : ", stride: \(stride)") + ")"
    case .batchnorm(let momentum): momentum == 0.99 ? "batchnorm()" : "batchnorm(momentum: \(momentum))"
    case .flatten: "flatten()"
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
