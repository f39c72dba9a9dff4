import Synchronization

/// A contiguous, row-major buffer of `Float` with an explicit shape.
///
/// `Tensor` is a reference type, like a buffer in llm.c: layers keep their activations and
/// gradients in tensors allocated once and overwritten every batch, so the training loop does not
/// allocate. A tensor can be a *view* of another one's memory (`reshaped(_:)`, `rows(_:)`): the view
/// shares the elements and keeps its base alive. `copy()` makes an independent tensor.
public final class Tensor: @unchecked Sendable {
  /// The extents of the axes, outermost first.
  public let shape: Shape
  /// The number of elements, `shape.elementCount`.
  public let count: Int
  /// The first element. Elements are contiguous, row-major, `count` of them.
  public let data: UnsafeMutablePointer<Float>
  /// The tensor whose memory this one views, or nil if this one owns its memory.
  private let base: Tensor?

  /// Creates a tensor filled with a value.
  /// - Parameters:
  ///   - shape: the tensor's shape.
  ///   - value: the value of every element (zero by default).
  public init(shape: Shape, repeating value: Float = 0) {
    count = shape.elementCount
    self.shape = shape
    // NOTE: 64-byte alignment lets the compiler's vector loops and OpenBLAS use aligned loads.
    let raw = UnsafeMutableRawPointer.allocate(
      byteCount: max(count, 1) * MemoryLayout<Float>.stride, alignment: 64)
    data = raw.bindMemory(to: Float.self, capacity: max(count, 1))
    data.initialize(repeating: value, count: count)
    base = nil
    TensorAllocations.counter?.buffers.add(1, ordering: .relaxed)
  }

  /// Creates a tensor holding the given scalars in row-major order.
  /// - Parameters:
  ///   - shape: the tensor's shape.
  ///   - scalars: exactly `shape.elementCount` values.
  public convenience init(shape: Shape, scalars: [Float]) {
    precondition(
      scalars.count == shape.elementCount,
      "Tensor(shape: \(shape)) needs \(shape.elementCount) scalars, got \(scalars.count)")
    self.init(shape: shape)
    scalars.withUnsafeBufferPointer { data.update(from: $0.baseAddress!, count: count) }
  }

  /// Creates a view of `count` elements of `base`, starting at `offset`.
  /// - Parameters:
  ///   - base: the tensor that owns the memory.
  ///   - offset: index of the view's first element in `base`.
  ///   - shape: the view's shape; it must fit inside `base`.
  public init(viewing base: Tensor, offset: Int = 0, shape: Shape) {
    precondition(
      offset >= 0 && offset + shape.elementCount <= base.count,
      "view of shape \(shape) at offset \(offset) does not fit in a tensor of \(base.count) elements")
    self.shape = shape
    count = shape.elementCount
    data = base.data + offset
    self.base = base.base ?? base
    TensorAllocations.counter?.views.add(1, ordering: .relaxed)
  }

  deinit {
    if base == nil { UnsafeMutableRawPointer(data).deallocate() }
  }

  /// The elements as an array, row-major.
  public var scalars: [Float] { Array(UnsafeBufferPointer(start: data, count: count)) }

  /// The element at a flat (row-major) index.
  public subscript(index: Int) -> Float {
    get {
      precondition(index >= 0 && index < count, "index \(index) out of range for shape \(shape)")
      return data[index]
    }
    set {
      precondition(index >= 0 && index < count, "index \(index) out of range for shape \(shape)")
      data[index] = newValue
    }
  }

  /// The element at `[row, column]` of a rank-2 tensor.
  public subscript(row: Int, column: Int) -> Float {
    get { data[flatIndex(row, column)] }
    set { data[flatIndex(row, column)] = newValue }
  }

  private func flatIndex(_ row: Int, _ column: Int) -> Int {
    precondition(
      shape.rank == 2 && row >= 0 && row < shape[0] && column >= 0 && column < shape[1],
      "index [\(row), \(column)] out of range for shape \(shape)")
    return row * shape[1] + column
  }

  /// A view of the same elements with another shape of the same element count.
  /// - Parameter newShape: the view's shape.
  public func reshaped(_ newShape: Shape) -> Tensor {
    precondition(
      newShape.elementCount == count, "cannot reshape \(shape) (\(count) elements) to \(newShape)")
    return Tensor(viewing: self, shape: newShape)
  }

  /// A view of entries `range` of the leading axis.
  /// - Parameter range: rows to keep, within `0..<shape[0]`.
  public func rows(_ range: Range<Int>) -> Tensor {
    precondition(
      shape.rank >= 1 && range.lowerBound >= 0 && range.upperBound <= shape[0],
      "rows \(range) out of range for shape \(shape)")
    return Tensor(viewing: self, offset: range.lowerBound * shape.rowSize,
                  shape: shape.withLeading(range.count))
  }

  /// An independent copy of the elements.
  public func copy() -> Tensor {
    let result = Tensor(shape: shape)
    result.data.update(from: data, count: count)
    return result
  }

  /// Overwrites every element with `value`.
  /// - Parameter value: the new value of each element.
  public func fill(with value: Float) {
    data.update(repeating: value, count: count)
  }

  /// Overwrites the elements with those of `source`, which must have as many.
  /// - Parameter source: the tensor to copy from.
  public func assign(_ source: Tensor) {
    precondition(source.count == count, "assign: \(source.shape) into \(shape)")
    data.update(from: source.data, count: count)
  }

  /// True when both tensors have the same shape and exactly equal elements.
  public func isIdentical(to other: Tensor) -> Bool {
    shape == other.shape && (0..<count).allSatisfy { data[$0] == other.data[$0] }
  }
}

extension Tensor: CustomStringConvertible {
  /// The shape and up to eight leading elements: `Tensor[2, 3](0.1, 0.2, …)`.
  public var description: String {
    let shown = (0..<min(count, 8)).map { String(data[$0]) }.joined(separator: ", ")
    return "Tensor\(shape)(\(shown)\(count > 8 ? ", …" : ""))"
  }
}

/// Counts the tensors made while a piece of code runs, on its thread and on the workers it hands
/// parallel loops to (`WorkerPool` carries the count across): the check behind "the training
/// loop does not allocate" (issue 10).
///
/// NOTE: a task-local, not a global count, so that other code running at the same time (the test
/// runner runs suites in parallel) does not add to it; reading it costs one task-local lookup per
/// tensor made, which the training loop, by this very check, never pays.
public enum TensorAllocations {
  /// The counts of one `counting(_:)` call.
  public final class Counter: Sendable {
    /// Tensors that allocated element memory (`init(shape:)` and everything built on it).
    public let buffers = Atomic<Int>(0)
    /// Views of another tensor's memory (no element memory, but one small object each).
    public let views = Atomic<Int>(0)
  }

  /// The counter of the innermost `counting(_:)` on this task or thread, if any.
  @TaskLocal public static var counter: Counter?

  /// Runs `body` and returns the tensors it made: buffers allocated, and views.
  /// - Parameter body: the code to watch.
  public static func counting(_ body: () throws -> Void) rethrows -> (buffers: Int, views: Int) {
    let counter = Counter()
    try $counter.withValue(counter) { try body() }
    return (counter.buffers.load(ordering: .relaxed), counter.views.load(ordering: .relaxed))
  }
}
