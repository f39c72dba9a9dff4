/// The order in which one epoch visits the examples, cut into mini-batches.
///
/// With a seed the order is a fresh shuffle every epoch, reproducible bit for bit: epoch `e` of
/// seed `s` always visits the same indices in the same order. The data itself is never copied:
/// `gather` copies only the rows of the current batch into a reused buffer.
public struct BatchOrder: Sequence {
  /// The example indices of each batch, in visiting order.
  public let batches: [ArraySlice<Int>]

  /// Creates the visiting order of one epoch.
  /// - Parameters:
  ///   - count: the number of examples.
  ///   - batchSize: examples per batch; the last batch may be shorter.
  ///   - shuffleSeed: seed of this epoch's shuffle, or nil to keep the examples in order.
  public init(count: Int, batchSize: Int, shuffleSeed: UInt64?) {
    precondition(batchSize >= 1, "batch size must be at least 1, got \(batchSize)")
    var indices = Array(0..<count)
    if let shuffleSeed {
      var rng = RandomSource(seed: shuffleSeed)
      rng.shuffle(&indices)
    }
    batches = stride(from: 0, to: count, by: batchSize).map {
      indices[$0..<Swift.min($0 + batchSize, count)]
    }
  }

  /// The number of batches.
  public var count: Int { batches.count }

  /// Iterates over the batches' index slices.
  public func makeIterator() -> IndexingIterator<[ArraySlice<Int>]> { batches.makeIterator() }
}

extension Tensor {
  /// Copies the rows `indices` of this `[N, …]` tensor into `destination`, in order.
  /// - Parameters:
  ///   - indices: row indices, each in `0..<shape[0]`.
  ///   - destination: a tensor of `indices.count` rows of `shape.rowSize` elements.
  public func gatherRows<C: Collection<Int>>(_ indices: C, into destination: Tensor) {
    let width = shape.rowSize
    precondition(
      destination.count == indices.count * width,
      "gatherRows: \(indices.count) rows of \(width) into \(destination.shape)")
    var row = 0
    for index in indices {
      precondition(index >= 0 && index < shape[0], "row \(index) out of range for \(shape)")
      (destination.data + row * width).update(from: data + index * width, count: width)
      row += 1
    }
  }
}
