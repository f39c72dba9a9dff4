import KMSTensor

/// Views `[batch, channels, height, width]` as `[batch, channels·height·width]`: no copy, no
/// arithmetic (inputs are contiguous and row-major). A dense layer flattens by itself, so this
/// layer only makes a list say so.
public final class Flatten: Layer {
  /// Whether `backward` computes ∂loss/∂input.
  public var needsInputGradient = true

  private var inputShape: Shape = []
  // NOTE: the last views made, handed out again while the same memory comes back (every
  // training batch), so the loop makes no new view objects.
  private var lastOutput: Tensor?
  private var lastGradient: Tensor?

  /// Creates a flatten layer.
  public init() {}

  /// None.
  public var parameters: [Parameter] { [] }

  /// The same elements, `[batch, features]`.
  public func forward(_ input: Tensor) -> Tensor {
    inputShape = input.shape
    let flat: Shape = [input.shape[0], input.shape.rowSize]
    if let lastOutput, lastOutput.data == input.data, lastOutput.shape == flat { return lastOutput }
    let view = input.reshaped(flat)
    lastOutput = view
    return view
  }

  /// The same elements, in the last input's shape.
  public func backward(_ outputGradient: Tensor) -> Tensor? {
    guard needsInputGradient else { return nil }
    precondition(outputGradient.count == inputShape.elementCount,
                 "Flatten.backward got \(outputGradient.shape) for input \(inputShape)")
    if let lastGradient, lastGradient.data == outputGradient.data,
      lastGradient.shape == inputShape
    {
      return lastGradient
    }
    let view = outputGradient.reshaped(inputShape)
    lastGradient = view
    return view
  }

  /// `[c, h, w]` → `[c·h·w]`.
  public func outputShape(for inputShape: Shape) -> Shape { [inputShape.elementCount] }

  /// `Flatten`.
  public var summaryName: String { "Flatten" }
}
