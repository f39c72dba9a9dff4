@testable import KMSPlot

/// The smallest box holding every non-white pixel of `canvas`, or nil for a blank canvas
/// (text and canvas tests measure where ink landed with it).
func inkedBounds(_ canvas: Canvas) -> (minX: Int, minY: Int, maxX: Int, maxY: Int)? {
  var result: (Int, Int, Int, Int)?
  for y in 0..<canvas.height {
    for x in 0..<canvas.width where canvas.pixel(x: x, y: y) != .white {
      result =
        result.map { (min($0.0, x), min($0.1, y), max($0.2, x), max($0.3, y)) } ?? (x, y, x, y)
    }
  }
  return result
}
