import KMSTensor

/// A trainable tensor and the gradient that backward passes add into.
///
/// After a model is built, `ParameterStore` moves every parameter of the model into one flat
/// allocation (after llm.c's `malloc_and_point_parameters`): `value` and `gradient` then view that
/// memory, so a snapshot of the weights is one copy.
public final class Parameter {
  /// A readable name such as `dense2.weight`.
  public let name: String
  /// The current value.
  public private(set) var value: Tensor
  /// ∂loss/∂value, accumulated by backward passes until `ParameterStore.zeroGradients()`.
  /// Reading it after a zeroing that no backward pass has written over yet gives zeros.
  public var gradient: Tensor {
    if gradientIsStale {
      gradientStorage.fill(with: 0)
      gradientIsStale = false
    }
    return gradientStorage
  }

  private var gradientStorage: Tensor
  // NOTE: zeroing is deferred (issue 10): `zeroGradients()` only marks the gradient stale, and
  // the first backward pass after it writes its product with β = 0 (`gradientForWriting`)
  // instead of adding into zeros, which saves a memset of every gradient (8 MB a batch for
  // the SAE, 1.7% of an epoch) and sgemm's read of the old values. Any other reader or writer
  // goes through `gradient`, which zeroes first, so nothing else changes.
  private var gradientIsStale = false

  /// Creates a parameter owning its own memory (until a `ParameterStore` adopts it).
  /// - Parameters:
  ///   - name: a readable name.
  ///   - value: the initial value; the gradient starts at zero with the same shape.
  public init(name: String, value: Tensor) {
    self.name = name
    self.value = value
    self.gradientStorage = Tensor(shape: value.shape)
  }

  /// The gradient for a backward pass about to write the whole of it, with the factor on its
  /// old contents: 0 right after `ParameterStore.zeroGradients()` (the old contents are stale;
  /// overwrite them), else 1 (accumulate).
  public func gradientForWriting() -> (tensor: Tensor, beta: Float) {
    guard gradientIsStale else { return (gradientStorage, 1) }
    gradientIsStale = false
    return (gradientStorage, 0)
  }

  /// Marks the gradient as zero without touching its memory (see `gradientIsStale`).
  fileprivate func markGradientZero() { gradientIsStale = true }

  /// The shape of the value (and of the gradient).
  public var shape: Shape { value.shape }

  /// Rebinds value and gradient to views of a store's flat memory, keeping the current values.
  fileprivate func move(valueTo newValue: Tensor, gradientTo newGradient: Tensor) {
    newValue.assign(value)
    newGradient.assign(gradient)
    value = newValue
    gradientStorage = newGradient
  }
}

/// One flat allocation holding the values (and, beside them, the gradients) of many parameters.
public final class ParameterStore {
  /// The parameters, in the order their memory is laid out.
  public let parameters: [Parameter]
  /// All values, concatenated: `[parameterCount]`.
  public let values: Tensor
  /// All gradients, concatenated in the same order: `[parameterCount]`.
  public var gradients: Tensor {
    for parameter in parameters { _ = parameter.gradient }  // zeroes any still marked zero
    return gradientMemory
  }

  private let gradientMemory: Tensor

  /// Moves `parameters` into one flat allocation (their current values are kept).
  /// - Parameter parameters: parameters owned by no other store.
  public init(_ parameters: [Parameter]) {
    self.parameters = parameters
    let total = parameters.reduce(0) { $0 + $1.value.count }
    values = Tensor(shape: [total])
    gradientMemory = Tensor(shape: [total])
    var offset = 0
    for parameter in parameters {
      let shape = parameter.shape
      parameter.move(
        valueTo: Tensor(viewing: values, offset: offset, shape: shape),
        gradientTo: Tensor(viewing: gradientMemory, offset: offset, shape: shape))
      offset += shape.elementCount
    }
  }

  /// The total number of scalars in all parameters.
  public var parameterCount: Int { values.count }

  /// Sets every gradient to zero. Nothing is written now: each parameter is marked, and the
  /// first backward pass overwrites it (β = 0) or its first reader sees zeros (see
  /// `Parameter.gradientForWriting`).
  public func zeroGradients() {
    for parameter in parameters { parameter.markGradientZero() }
  }

  /// A copy of all current values, for `restore(_:)` (early stopping keeps the best weights).
  public func snapshot() -> Tensor { values.copy() }

  /// Overwrites all values with a snapshot taken from this store.
  /// - Parameter snapshot: the result of an earlier `snapshot()`.
  public func restore(_ snapshot: Tensor) { values.assign(snapshot) }
}
