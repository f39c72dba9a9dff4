import Foundation

/// How a legend entry shows its series.
public enum LegendHandle: Sendable {
  /// A short line sample, for line series.
  case line
  /// A short dashed line sample: on/off lengths in multiples of the line width.
  case dashedLine([Double])
  /// A filled circle, for scatter series.
  case marker
  /// A filled square, for areas.
  case patch
}

/// One legend row: a handle in the series colour and its label.
public struct LegendEntry: Sendable {
  /// The series name.
  public var label: String
  /// The series colour.
  public var color: Color
  /// The handle drawn before the label.
  public var handle: LegendHandle

  /// Creates an entry.
  /// - Parameters:
  ///   - label: the series name.
  ///   - color: the series colour.
  ///   - handle: the handle shape.
  public init(label: String, color: Color, handle: LegendHandle) {
    (self.label, self.color, self.handle) = (label, color, handle)
  }
}

/// A legend box after matplotlib's (white, 80 % opaque, light grey rounded frame, handles before
/// labels), placed where it hides the least data.
public struct Legend: Sendable {
  /// The rows, top to bottom.
  public var entries: [LegendEntry]

  /// Creates a legend.
  /// - Parameter entries: the rows.
  public init(entries: [LegendEntry]) { self.entries = entries }

  /// The box size at `style`'s scale (matplotlib: borderpad 0.4 em, labelspacing 0.5 em,
  /// handlelength 2 em, handletextpad 0.8 em).
  /// - Parameter style: sizes for the scale.
  public func size(style: PlotStyle) -> (width: Double, height: Double) {
    let s = style.s
    let font = style.labelFont
    let widest = entries.map { font.width(of: $0.label) }.max() ?? 0
    let rows = Double(entries.count)
    return (
      2 * 6 * s + 24 * s + 8 * s + widest,
      2 * 5 * s + rows * style.smallLine + max(rows - 1, 0) * 4 * s
    )
  }

  /// The legend's rectangle in the corner or edge of `frame` that covers the fewest of
  /// `obstacles` (matplotlib's `loc="best"`, trying its candidates in the same order: upper
  /// right, upper left, lower left, lower right, right, centre left, lower centre, upper centre);
  /// ties go to the earlier candidate. Also returns how many obstacles it covers.
  /// - Parameters:
  ///   - frame: the axes data area.
  ///   - obstacles: data points in canvas pixels.
  ///   - style: sizes for the scale.
  public func bestPlacement(in frame: Rect, avoiding obstacles: [Point], style: PlotStyle)
    -> (rect: Rect, covered: Int)
  {
    let (w, h) = size(style: style)
    let pad = 7 * style.s  // borderaxespad 0.5 em
    let left = frame.x + pad, right = frame.maxX - pad - w
    let top = frame.y + pad, bottom = frame.maxY - pad - h
    let midX = frame.center.x - w / 2, midY = frame.center.y - h / 2
    let candidates = [
      (right, top), (left, top), (left, bottom), (right, bottom), (right, midY), (left, midY),
      (midX, bottom), (midX, top),
    ].map { Rect(x: $0.0.rounded(), y: $0.1.rounded(), width: w.rounded(), height: h.rounded()) }
    var best = (rect: candidates[0], covered: Int.max)
    for candidate in candidates {
      // A margin of a few pixels so markers touching the box count as covered.
      let grown = candidate.insetBy(dx: -3 * style.s, dy: -3 * style.s)
      let covered = obstacles.reduce(0) { $0 + (grown.contains($1) ? 1 : 0) }
      if covered < best.covered { best = (candidate, covered) }
    }
    return best
  }

  /// Where the legend goes beside axes whose data area is `frame`: inside, in the corner or edge
  /// `bestPlacement` picks, when that hides no obstacle at all; otherwise outside the box on the
  /// right (matplotlib's `bbox_to_anchor=(1.02, 1), loc="upper left"`), the data area narrowed to
  /// make room. The caller redraws its data in the returned frame.
  /// - Parameters:
  ///   - frame: the axes data area.
  ///   - canvasWidth: the width of the canvas the axes are on.
  ///   - obstacles: data points in canvas pixels, in `frame`'s transform.
  ///   - style: sizes for the scale.
  public func placement(
    in frame: Rect, canvasWidth: Int, avoiding obstacles: [Point], style: PlotStyle
  ) -> (frame: Rect, legend: Rect, isOutside: Bool) {
    let s = style.s
    let best = bestPlacement(in: frame, avoiding: obstacles, style: style)
    if best.covered == 0 { return (frame, best.rect, false) }
    let size = self.size(style: style)
    let newMaxX = Double(canvasWidth) - 8 * s - size.width - 10 * s
    let narrowed = Rect(
      x: frame.x, y: frame.y, width: max(newMaxX - frame.x, 40 * s), height: frame.height)
    let legend = Rect(
      x: (narrowed.maxX + 10 * s).rounded(), y: frame.y, width: size.width.rounded(),
      height: size.height.rounded())
    return (narrowed, legend, true)
  }

  /// Draws the legend box in `rect`.
  /// - Parameters:
  ///   - canvas: the canvas.
  ///   - rect: where, from `bestPlacement` or chosen outside the axes.
  ///   - style: sizes for the scale.
  public func draw(in canvas: Canvas, at rect: Rect, style: PlotStyle) {
    let s = style.s
    let outline = roundedRectangle(rect, radius: 3 * s)
    canvas.fillPolygon(outline, color: Color.white.withOpacity(0.8))
    canvas.drawPolyline(outline + [outline[0]], color: .legendEdgeGray, lineWidth: s)
    var y = rect.y + 5 * s
    for entry in entries {
      let centerY = y + style.smallLine / 2
      let handleLeft = rect.x + 6 * s
      switch entry.handle {
      case .line:
        canvas.drawLine(
          from: Point(x: handleLeft, y: centerY), to: Point(x: handleLeft + 24 * s, y: centerY),
          color: entry.color, lineWidth: style.lineWidth)
      case .dashedLine(let dashes):
        let w = style.lineWidth
        // Cut as the chart cuts its lines (see `Chart.draw`), so the sample matches the series.
        let pattern = dashes.enumerated().map { index, length in
          index % 2 == 0 ? max(length * w - w, 0.5) : length * w + w
        }
        let sample = [Point(x: handleLeft, y: centerY), Point(x: handleLeft + 24 * s, y: centerY)]
        for piece in dashed(sample, pattern: pattern) {
          canvas.drawPolyline(piece, color: entry.color, lineWidth: w)
        }
      case .marker:
        canvas.fillCircle(
          center: Point(x: handleLeft + 12 * s, y: centerY), radius: 3.5 * s,
          color: entry.color)
      case .patch:
        canvas.fill(
          Rect(x: handleLeft + 5 * s, y: centerY - 5 * s, width: 14 * s, height: 10 * s),
          with: entry.color)
      }
      canvas.drawText(
        entry.label, at: Point(x: handleLeft + 32 * s, y: y), font: style.labelFont)
      y += style.smallLine + 4 * s
    }
  }
}

/// The outline of `rect` with quarter-circle corners of `radius`, as polygon vertices.
func roundedRectangle(_ rect: Rect, radius: Double) -> [Point] {
  let r = min(radius, rect.width / 2, rect.height / 2)
  let corners = [
    (rect.maxX - r, rect.y + r, -Double.pi / 2), (rect.maxX - r, rect.maxY - r, 0.0),
    (rect.x + r, rect.maxY - r, Double.pi / 2), (rect.x + r, rect.y + r, Double.pi),
  ]
  var points: [Point] = []
  for (cx, cy, start) in corners {
    for k in 0...4 {
      let angle = start + Double(k) / 4 * Double.pi / 2
      points.append(Point(x: cx + r * cos(angle), y: cy + r * sin(angle)))
    }
  }
  return points
}
