import KMSTensor

/// A differentiable step of a network, with its forward and backward passes side by side.
///
/// Contract (after llm.c): `forward` keeps exactly what `backward` needs; `backward` *adds into*
/// its parameters' gradients and *returns* the gradient with respect to its input. Returned
/// tensors live in buffers the layer reuses, valid until its next call.
public protocol Layer: AnyObject {
  /// The layer's trainable parameters (empty for activations).
  var parameters: [Parameter] { get }

  /// Runs the layer on a batch.
  /// - Parameter input: `[batch, …]`.
  /// - Returns: `[batch, …]`, in a buffer the layer reuses.
  func forward(_ input: Tensor) -> Tensor

  /// Propagates ∂loss/∂output back through the layer.
  /// - Parameter outputGradient: ∂loss/∂output for the last `forward`, same shape as its result.
  /// - Returns: ∂loss/∂input, or nil when `needsInputGradient` is false.
  func backward(_ outputGradient: Tensor) -> Tensor?

  /// Whether `backward` must compute ∂loss/∂input. The first layer of a model does not need it,
  /// which saves its largest product.
  var needsInputGradient: Bool { get set }

  /// The per-example output shape for a per-example input shape (`[784]` → `[800]`).
  /// - Parameter inputShape: the shape of one example, without the batch axis.
  func outputShape(for inputShape: Shape) -> Shape

  /// A short name for summaries, such as `Dense(784 → 800)`.
  var summaryName: String { get }

  /// Switches between training (dropout drops, statistics update) and evaluation (the layer is a
  /// fixed function of each example alone). The trainer switches before training batches and
  /// before validation; `predict` and every evaluation switch to evaluation.
  /// - Parameter isTraining: true for training batches.
  func setTraining(_ isTraining: Bool)
}

extension Layer {
  /// Layers that behave the same in training and evaluation (dense, activations) ignore the mode.
  public func setTraining(_ isTraining: Bool) {}
}
