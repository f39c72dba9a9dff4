import Foundation

// Anti-aliased primitives. Each computes, per pixel centre, the fraction of the pixel the shape
// covers (exactly for rectangles, by distance for lines and circles, by 4 sub-scanlines with exact
// horizontal spans for polygons) and composites the colour with that coverage. All clip to the view.

extension Canvas {
  /// Fills `rect` with `color`; partly covered edge pixels get partial coverage, so a rectangle on
  /// whole-pixel edges is crisp.
  /// - Parameters:
  ///   - rect: the rectangle, in pixels.
  ///   - color: the fill colour.
  public func fill(_ rect: Rect, with color: Color) {
    guard rect.width > 0, rect.height > 0 else { return }
    storage.recorder?.addRect(rect, color: color, canvas: self)
    let x0 = max(Int(floor(rect.x)), 0), x1 = min(Int(ceil(rect.maxX)), width)
    let y0 = max(Int(floor(rect.y)), 0), y1 = min(Int(ceil(rect.maxY)), height)
    guard x0 < x1, y0 < y1 else { return }
    for y in y0..<y1 {
      let coverY = min(Double(y + 1), rect.maxY) - max(Double(y), rect.y)
      for x in x0..<x1 {
        let coverX = min(Double(x + 1), rect.maxX) - max(Double(x), rect.x)
        blendPixel(x: x, y: y, with: color, coverage: coverX * coverY)
      }
    }
  }

  /// Strokes the outline of `rect`, the line centred on the rectangle's edges.
  /// - Parameters:
  ///   - rect: the rectangle.
  ///   - color: the line colour.
  ///   - lineWidth: the line width in pixels.
  public func stroke(_ rect: Rect, with color: Color, lineWidth: Double = 1) {
    let h = lineWidth / 2
    fill(
      Rect(x: rect.x - h, y: rect.y - h, width: rect.width + lineWidth, height: lineWidth),
      with: color)
    fill(
      Rect(x: rect.x - h, y: rect.maxY - h, width: rect.width + lineWidth, height: lineWidth),
      with: color)
    fill(
      Rect(x: rect.x - h, y: rect.y + h, width: lineWidth, height: rect.height - lineWidth),
      with: color)
    fill(
      Rect(x: rect.maxX - h, y: rect.y + h, width: lineWidth, height: rect.height - lineWidth),
      with: color)
  }

  /// Draws an anti-aliased straight line with round caps.
  /// - Parameters:
  ///   - start: one end.
  ///   - end: the other end.
  ///   - color: the line colour.
  ///   - lineWidth: the width in pixels; below 1 the line is drawn 1 px wide and fainter.
  public func drawLine(from start: Point, to end: Point, color: Color, lineWidth: Double = 1) {
    drawPolyline([start, end], color: color, lineWidth: lineWidth)
  }

  /// Draws connected line segments through `points`, anti-aliased, with round joins and caps.
  /// Coverage is accumulated as the maximum over segments before compositing, so joins are not
  /// darkened by overlapping segments.
  /// - Parameters:
  ///   - points: the vertices in order; fewer than two draws nothing.
  ///   - color: the line colour.
  ///   - lineWidth: the width in pixels.
  public func drawPolyline(_ points: [Point], color: Color, lineWidth: Double = 1) {
    guard points.count >= 2, lineWidth > 0 else { return }
    storage.recorder?.addPolyline(points, color: color, lineWidth: lineWidth, canvas: self)
    let drawnWidth = max(lineWidth, 1)
    let faint = min(lineWidth, 1)
    let reach = drawnWidth / 2 + 0.5
    // Bounding box of the whole polyline, clipped to the view: the coverage mask lives there.
    var minX = Double.infinity, minY = Double.infinity
    var maxX = -Double.infinity, maxY = -Double.infinity
    for p in points where p.x.isFinite && p.y.isFinite {
      minX = min(minX, p.x); maxX = max(maxX, p.x)
      minY = min(minY, p.y); maxY = max(maxY, p.y)
    }
    guard minX.isFinite else { return }
    let x0 = max(Int(floor(minX - reach)), 0), x1 = min(Int(ceil(maxX + reach)), width)
    let y0 = max(Int(floor(minY - reach)), 0), y1 = min(Int(ceil(maxY + reach)), height)
    guard x0 < x1, y0 < y1 else { return }
    let maskWidth = x1 - x0
    var mask = [Float](repeating: 0, count: maskWidth * (y1 - y0))  // [rows, maskWidth]
    for k in 0..<(points.count - 1) {
      let a = points[k], b = points[k + 1]
      guard a.x.isFinite, a.y.isFinite, b.x.isFinite, b.y.isFinite else { continue }
      let sx0 = max(Int(floor(min(a.x, b.x) - reach)), x0)
      let sx1 = min(Int(ceil(max(a.x, b.x) + reach)), x1)
      let sy0 = max(Int(floor(min(a.y, b.y) - reach)), y0)
      let sy1 = min(Int(ceil(max(a.y, b.y) + reach)), y1)
      guard sx0 < sx1, sy0 < sy1 else { continue }
      let dx = b.x - a.x, dy = b.y - a.y
      let lengthSquared = dx * dx + dy * dy
      for y in sy0..<sy1 {
        let py = Double(y) + 0.5
        for x in sx0..<sx1 {
          let px = Double(x) + 0.5
          // Distance from the pixel centre to the segment: project, clamp to [0, 1].
          var t = lengthSquared > 0 ? ((px - a.x) * dx + (py - a.y) * dy) / lengthSquared : 0
          t = min(max(t, 0), 1)
          let ex = px - (a.x + t * dx), ey = py - (a.y + t * dy)
          let distance = (ex * ex + ey * ey).squareRoot()
          let coverage = Float(min(max(reach - distance, 0), 1))
          let m = (y - y0) * maskWidth + (x - x0)
          if coverage > mask[m] { mask[m] = coverage }
        }
      }
    }
    for y in y0..<y1 {
      for x in x0..<x1 {
        let c = mask[(y - y0) * maskWidth + (x - x0)]
        if c > 0 { blendPixel(x: x, y: y, with: color, coverage: Double(c) * faint) }
      }
    }
  }

  /// Fills a disc, anti-aliased at its rim.
  /// - Parameters:
  ///   - center: the centre.
  ///   - radius: the radius in pixels.
  ///   - color: the fill colour.
  public func fillCircle(center: Point, radius: Double, color: Color) {
    guard radius > 0, center.x.isFinite, center.y.isFinite,
      let (x0, x1, y0, y1) = pixelBounds(around: center, reach: radius)
    else { return }
    storage.recorder?.addCircle(
      center: center, radius: radius, fill: color, stroke: nil, lineWidth: 0, canvas: self)
    for y in y0..<y1 {
      let dy = Double(y) + 0.5 - center.y
      for x in x0..<x1 {
        let dx = Double(x) + 0.5 - center.x
        let coverage = radius + 0.5 - (dx * dx + dy * dy).squareRoot()
        if coverage > 0 { blendPixel(x: x, y: y, with: color, coverage: min(coverage, 1)) }
      }
    }
  }

  /// Strokes a circle's outline, anti-aliased.
  /// - Parameters:
  ///   - center: the centre.
  ///   - radius: the radius of the line's centre.
  ///   - color: the line colour.
  ///   - lineWidth: the width in pixels.
  public func strokeCircle(center: Point, radius: Double, color: Color, lineWidth: Double = 1) {
    guard radius > 0, lineWidth > 0 else { return }
    guard let (x0, x1, y0, y1) = pixelBounds(around: center, reach: radius + lineWidth / 2)
    else { return }
    storage.recorder?.addCircle(
      center: center, radius: radius, fill: nil, stroke: color, lineWidth: lineWidth, canvas: self)
    for y in y0..<y1 {
      let dy = Double(y) + 0.5 - center.y
      for x in x0..<x1 {
        let dx = Double(x) + 0.5 - center.x
        let distance = abs((dx * dx + dy * dy).squareRoot() - radius)
        let coverage = lineWidth / 2 + 0.5 - distance
        if coverage > 0 { blendPixel(x: x, y: y, with: color, coverage: min(coverage, 1)) }
      }
    }
  }

  /// Fills a simple or self-intersecting polygon (even–odd rule), anti-aliased: each pixel row is
  /// sampled on 4 sub-scanlines, and each span adds its exact horizontal overlap with a pixel.
  /// - Parameters:
  ///   - vertices: the corners in order (closed implicitly); fewer than three draws nothing.
  ///   - color: the fill colour.
  public func fillPolygon(_ vertices: [Point], color: Color) {
    guard vertices.count >= 3, vertices.allSatisfy({ $0.x.isFinite && $0.y.isFinite }) else {
      return
    }
    storage.recorder?.addPolygon(vertices, color: color, canvas: self)
    let minY = vertices.map(\.y).min()!, maxY = vertices.map(\.y).max()!
    let minX = vertices.map(\.x).min()!, maxX = vertices.map(\.x).max()!
    let x0 = max(Int(floor(minX)), 0), x1 = min(Int(ceil(maxX)), width)
    let y0 = max(Int(floor(minY)), 0), y1 = min(Int(ceil(maxY)), height)
    guard x0 < x1, y0 < y1 else { return }
    let subScanlines = 4
    var row = [Double](repeating: 0, count: x1 - x0)
    var crossings: [Double] = []
    for y in y0..<y1 {
      for i in row.indices { row[i] = 0 }
      for s in 0..<subScanlines {
        let sy = Double(y) + (Double(s) + 0.5) / Double(subScanlines)
        crossings.removeAll(keepingCapacity: true)
        for k in vertices.indices {
          let a = vertices[k], b = vertices[(k + 1) % vertices.count]
          // Half-open rule so a vertex on the scanline is counted once.
          if (a.y <= sy && b.y > sy) || (b.y <= sy && a.y > sy) {
            crossings.append(a.x + (sy - a.y) / (b.y - a.y) * (b.x - a.x))
          }
        }
        crossings.sort()
        var k = 0
        while k + 1 < crossings.count {
          let left = max(crossings[k], Double(x0)), right = min(crossings[k + 1], Double(x1))
          if left < right {
            for x in Int(floor(left))..<Int(ceil(right)) {
              let overlap = min(Double(x + 1), right) - max(Double(x), left)
              row[x - x0] += overlap / Double(subScanlines)
            }
          }
          k += 2
        }
      }
      for x in x0..<x1 where row[x - x0] > 0 {
        blendPixel(x: x, y: y, with: color, coverage: min(row[x - x0], 1))
      }
    }
  }

  /// Draws an arrow from `tail` to `head`: a shaft and a filled triangular head (the shape of
  /// matplotlib's `annotate(arrowprops=dict(arrowstyle="-|>"))`).
  /// - Parameters:
  ///   - tail: where the arrow starts.
  ///   - head: the point it indicates.
  ///   - color: the colour.
  ///   - lineWidth: the shaft width.
  ///   - headLength: the length of the head along the shaft.
  public func drawArrow(
    from tail: Point, to head: Point, color: Color, lineWidth: Double = 1,
    headLength: Double = 9
  ) {
    let dx = head.x - tail.x, dy = head.y - tail.y
    let length = (dx * dx + dy * dy).squareRoot()
    guard length > 0 else { return }
    let (ux, uy) = (dx / length, dy / length)
    let headLength = min(headLength, length)
    let halfWidth = headLength * 0.4
    let base = Point(x: head.x - ux * headLength, y: head.y - uy * headLength)
    drawLine(from: tail, to: base, color: color, lineWidth: lineWidth)
    fillPolygon(
      [
        head,
        Point(x: base.x - uy * halfWidth, y: base.y + ux * halfWidth),
        Point(x: base.x + uy * halfWidth, y: base.y - ux * halfWidth),
      ], color: color)
  }

  /// The pixels within `reach` of `center` plus half a pixel of anti-aliasing, clipped to the
  /// canvas: x in `x0..<x1`, y in `y0..<y1`, or nil when none is on the canvas.
  private func pixelBounds(around center: Point, reach: Double) -> (Int, Int, Int, Int)? {
    let x0 = max(Int(floor(center.x - reach - 0.5)), 0)
    let x1 = min(Int(ceil(center.x + reach + 0.5)), width)
    let y0 = max(Int(floor(center.y - reach - 0.5)), 0)
    let y1 = min(Int(ceil(center.y + reach + 0.5)), height)
    return x0 < x1 && y0 < y1 ? (x0, x1, y0, y1) : nil
  }
}
