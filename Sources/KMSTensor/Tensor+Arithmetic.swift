// Elementwise arithmetic. Plain loops over raw pointers: in release builds the compiler
// vectorises them (see `kms bench`, which times them against memory bandwidth).

extension Tensor {
  /// Adds `other` elementwise in place: `self += other`.
  /// - Parameter other: a tensor with as many elements.
  public func add(_ other: Tensor) {
    precondition(other.count == count, "add: \(other.shape) into \(shape)")
    let x = other.data, y = data
    for i in 0..<count { y[i] += x[i] }
  }

  /// Adds `scale · other` in place: `self += scale · other` (BLAS's axpy).
  /// - Parameters:
  ///   - other: a tensor with as many elements.
  ///   - scale: the factor applied to `other`.
  public func add(_ other: Tensor, scaledBy scale: Float) {
    precondition(other.count == count, "add(scaledBy:): \(other.shape) into \(shape)")
    let x = other.data, y = data
    for i in 0..<count { y[i] += scale * x[i] }
  }

  /// Multiplies every element by `factor` in place.
  /// - Parameter factor: the scale.
  public func scale(by factor: Float) {
    let y = data
    for i in 0..<count { y[i] *= factor }
  }

  /// Adds a row vector to every row in place: `self[r, c] += row[c]`.
  /// - Parameter row: a tensor of `shape.rowSize` elements, e.g. a bias `[features]`.
  public func addToEachRow(_ row: Tensor) {
    let width = row.count
    precondition(shape.rank >= 1 && shape.rowSize == width,
                 "addToEachRow: row of \(row.shape) onto \(shape)")
    let b = row.data
    for r in 0..<shape[0] {
      let y = data + r * width
      for c in 0..<width { y[c] += b[c] }
    }
  }

  /// A new tensor `self + other`, elementwise.
  public static func + (lhs: Tensor, rhs: Tensor) -> Tensor {
    let result = lhs.copy()
    result.add(rhs)
    return result
  }

  /// A new tensor `self - other`, elementwise.
  public static func - (lhs: Tensor, rhs: Tensor) -> Tensor {
    let result = lhs.copy()
    result.add(rhs, scaledBy: -1)
    return result
  }

  /// A new tensor `scalar · tensor`.
  public static func * (lhs: Float, rhs: Tensor) -> Tensor {
    let result = rhs.copy()
    result.scale(by: lhs)
    return result
  }
}
