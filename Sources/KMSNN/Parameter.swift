import KMSTensor

/// A trainable tensor and the gradient that backward passes add into.
///
/// After a model is built, `ParameterStore` moves every parameter of the model into one flat
/// allocation (after llm.c's `malloc_and_point_parameters`): `value` and `gradient` then view that
/// memory, so zeroing all gradients is one fill and a snapshot of the weights is one copy.
public final class Parameter {
  /// A readable name such as `dense2.weight`.
  public let name: String
  /// The current value.
  public private(set) var value: Tensor
  /// ∂loss/∂value, accumulated by backward passes until `ParameterStore.zeroGradients()`.
  public private(set) var gradient: Tensor

  /// Creates a parameter owning its own memory (until a `ParameterStore` adopts it).
  /// - Parameters:
  ///   - name: a readable name.
  ///   - value: the initial value; the gradient starts at zero with the same shape.
  public init(name: String, value: Tensor) {
    self.name = name
    self.value = value
    self.gradient = Tensor(shape: value.shape)
  }

  /// The shape of the value (and of the gradient).
  public var shape: Shape { value.shape }

  /// Rebinds value and gradient to views of a store's flat memory, keeping the current values.
  fileprivate func move(valueTo newValue: Tensor, gradientTo newGradient: Tensor) {
    newValue.assign(value)
    newGradient.assign(gradient)
    value = newValue
    gradient = newGradient
  }
}

/// One flat allocation holding the values (and, beside them, the gradients) of many parameters.
public final class ParameterStore {
  /// The parameters, in the order their memory is laid out.
  public let parameters: [Parameter]
  /// All values, concatenated: `[parameterCount]`.
  public let values: Tensor
  /// All gradients, concatenated in the same order: `[parameterCount]`.
  public let gradients: Tensor

  /// Moves `parameters` into one flat allocation (their current values are kept).
  /// - Parameter parameters: parameters owned by no other store.
  public init(_ parameters: [Parameter]) {
    self.parameters = parameters
    let total = parameters.reduce(0) { $0 + $1.value.count }
    values = Tensor(shape: [total])
    gradients = Tensor(shape: [total])
    var offset = 0
    for parameter in parameters {
      let shape = parameter.shape
      parameter.move(
        valueTo: Tensor(viewing: values, offset: offset, shape: shape),
        gradientTo: Tensor(viewing: gradients, offset: offset, shape: shape))
      offset += shape.elementCount
    }
  }

  /// The total number of scalars in all parameters.
  public var parameterCount: Int { values.count }

  /// Sets every gradient to zero (one fill over the flat gradient memory, split across workers:
  /// for the paper's SAE that is 8 MB every batch).
  public func zeroGradients() {
    let g = gradients.data
    Parallel.forEachChunk(of: gradients.count) { range in
      (g + range.lowerBound).update(repeating: 0, count: range.count)
    }
  }

  /// A copy of all current values, for `restore(_:)` (early stopping keeps the best weights).
  public func snapshot() -> Tensor { values.copy() }

  /// Overwrites all values with a snapshot taken from this store.
  /// - Parameter snapshot: the result of an earlier `snapshot()`.
  public func restore(_ snapshot: Tensor) { values.assign(snapshot) }
}
