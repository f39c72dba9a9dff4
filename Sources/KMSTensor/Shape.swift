// Shape legend, used by every layer of kms (after llm.c's B, T, C, V legend):
//
//   batch     rows of a mini-batch, the leading axis of every activation
//   features  columns of a dense activation: [batch, features]
//   channels, height, width   image axes, NCHW layout: [batch, channels, height, width]
//   latent    width of an autoencoder's code: [batch, latent]
//
// Tensors are contiguous and row-major, so the last axis varies fastest.

/// The extents of a tensor's axes, outermost first.
public struct Shape: Equatable, Hashable, Sendable, ExpressibleByArrayLiteral,
  CustomStringConvertible
{
  /// The extent of each axis, outermost first.
  public var dimensions: [Int]

  /// Creates a shape from its axis extents.
  /// - Parameter dimensions: extents, each zero or more.
  public init(_ dimensions: [Int]) {
    precondition(dimensions.allSatisfy { $0 >= 0 }, "negative extent in shape \(dimensions)")
    self.dimensions = dimensions
  }

  /// Creates a shape from an array literal such as `[164, 784]`.
  public init(arrayLiteral elements: Int...) { self.init(elements) }

  /// The number of axes.
  public var rank: Int { dimensions.count }

  /// The number of elements a tensor of this shape holds (1 for a scalar).
  public var elementCount: Int { dimensions.reduce(1, *) }

  /// The extent of axis `axis`.
  public subscript(axis: Int) -> Int { dimensions[axis] }

  /// The extent of the last axis, or nil for a scalar.
  public var last: Int? { dimensions.last }

  /// Elements per entry of the leading axis: 784 for `[batch, 784]`, 784 for `[batch, 1, 28, 28]`.
  public var rowSize: Int { dimensions.dropFirst().reduce(1, *) }

  /// The shape with its leading axis replaced, as when a batch is shorter than the rest.
  /// - Parameter leading: the new extent of axis 0.
  public func withLeading(_ leading: Int) -> Shape {
    var copy = dimensions
    copy[0] = leading
    return Shape(copy)
  }

  /// `[164, 784]`.
  public var description: String { "[" + dimensions.map(String.init).joined(separator: ", ") + "]" }
}
