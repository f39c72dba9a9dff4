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
    let (out, x, rows) = (result.data, data, shape[0])
    // Workers take disjoint column ranges, so each sum keeps the same order on every run.
    Parallel.forEachChunk(of: width, minimumPerWorker: max(1, 32_768 / max(rows, 1))) { columns in
      for r in 0..<rows {
        let row = x + r * width
        for c in columns { out[c] += row[c] }
      }
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
