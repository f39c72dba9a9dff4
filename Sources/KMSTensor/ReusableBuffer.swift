/// Memory that is allocated once and handed out again as tensors of varying leading extent.
///
/// Layers keep their activations in one of these: a mini-batch of 164 rows and the short last
/// batch of an epoch (or a 1,000-row evaluation batch) all view the same storage, which grows
/// only when a larger batch than ever before arrives. This keeps allocation out of the training
/// loop.
public struct ReusableBuffer {
  private var storage: Tensor?

  /// Creates an empty buffer; the first request allocates.
  public init() {}

  /// A tensor of `shape` viewing this buffer's memory. Its contents are whatever the last user
  /// left there; callers overwrite it.
  /// - Parameter shape: the shape wanted now.
  public mutating func tensor(_ shape: Shape) -> Tensor {
    let needed = shape.elementCount
    if let storage, storage.count >= needed {
      return storage.shape == shape ? storage : Tensor(viewing: storage, shape: shape)
    }
    let fresh = Tensor(shape: shape)
    storage = fresh
    return fresh
  }
}
