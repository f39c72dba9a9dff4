/// A point in pixel space: x grows rightward, y grows downward; pixel (i, j) covers
/// [i, i+1) × [j, j+1), so its centre is (i + 0.5, j + 0.5).
public struct Point: Equatable, Sendable {
  /// Horizontal position in pixels.
  public var x: Double
  /// Vertical position in pixels, downward.
  public var y: Double

  /// Creates a point.
  /// - Parameters:
  ///   - x: horizontal position.
  ///   - y: vertical position (downward).
  public init(x: Double, y: Double) { (self.x, self.y) = (x, y) }
}

/// An axis-aligned rectangle in pixel space.
public struct Rect: Equatable, Sendable {
  /// Left edge.
  public var x: Double
  /// Top edge.
  public var y: Double
  /// Width, ≥ 0.
  public var width: Double
  /// Height, ≥ 0.
  public var height: Double

  /// Creates a rectangle from its top-left corner and size.
  /// - Parameters:
  ///   - x: left edge.
  ///   - y: top edge.
  ///   - width: width.
  ///   - height: height.
  public init(x: Double, y: Double, width: Double, height: Double) {
    (self.x, self.y, self.width, self.height) = (x, y, width, height)
  }

  /// Right edge, `x + width`.
  public var maxX: Double { x + width }
  /// Bottom edge, `y + height`.
  public var maxY: Double { y + height }
  /// Centre point.
  public var center: Point { Point(x: x + width / 2, y: y + height / 2) }

  /// The rectangle grown by `dx` on the left and right and `dy` on the top and bottom.
  /// - Parameters:
  ///   - dx: horizontal growth per side (negative shrinks).
  ///   - dy: vertical growth per side.
  public func insetBy(dx: Double, dy: Double) -> Rect {
    Rect(x: x + dx, y: y + dy, width: max(0, width - 2 * dx), height: max(0, height - 2 * dy))
  }

  /// True when `other` overlaps this rectangle by a positive area.
  /// - Parameter other: the rectangle to test.
  public func intersects(_ other: Rect) -> Bool {
    x < other.maxX && other.x < maxX && y < other.maxY && other.y < maxY
  }

  /// True when `point` lies inside (edges included).
  /// - Parameter point: the point to test.
  public func contains(_ point: Point) -> Bool {
    point.x >= x && point.x <= maxX && point.y >= y && point.y <= maxY
  }
}
