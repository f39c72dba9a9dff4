extension Tensor {
  /// The sum of all elements, accumulated in Double.
  public func sum() -> Double {
    var total = 0.0
    for i in 0..<count { total += Double(data[i]) }
    return total
  }

  /// The mean of all elements, accumulated in Double.
  public func mean() -> Double { count == 0 ? 0 : sum() / Double(count) }

  /// Column sums of a `[rows, columns]` tensor, added into `result` (`[columns]`).
  ///
  /// This is a bias gradient: `dbias[c] += Σ_r dy[r, c]`.
  /// - Parameter result: the accumulator, `shape.rowSize` elements.
  public func addColumnSums(into result: Tensor) {
    let width = shape.rowSize
    precondition(result.count == width, "addColumnSums: \(shape) into \(result.shape)")
    let out = result.data
    for r in 0..<shape[0] {
      let x = data + r * width
      for c in 0..<width { out[c] += x[c] }
    }
  }

  /// The column index of the largest element of row `row` (first one on ties).
  /// - Parameter row: a row of a rank-2 tensor.
  public func argmax(row: Int) -> Int {
    let width = shape.rowSize
    let x = data + row * width
    var best = 0
    for c in 1..<max(width, 1) where x[c] > x[best] { best = c }
    return best
  }

  /// The largest absolute element (0 for an empty tensor).
  public func maxAbsolute() -> Float {
    var best: Float = 0
    for i in 0..<count { best = Swift.max(best, Swift.abs(data[i])) }
    return best
  }

  /// True when every element is finite (no NaN or infinity).
  public var isFinite: Bool { (0..<count).allSatisfy { data[$0].isFinite } }
}
