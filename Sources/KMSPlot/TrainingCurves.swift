import Foundation

/// Training and validation curves per epoch (loss or accuracy) with a legend, axis labels,
/// optional log-y, and the early-stopping epoch marked by an arrow and a label (paper Figs. 5–9,
/// 11–15, 21).
///
/// NaN and infinite values (a diverged run), and non-positive values on a log axis, are skipped
/// and leave a gap in the line rather than throwing: the epochs before divergence are exactly what
/// one wants to see. A series with no drawable value at all is an error.
public struct TrainingCurves: Figure {
  /// Training values, one per epoch (epoch 1 first).
  public let train: [Float]
  /// Validation values, one per epoch, or `nil`.
  public let validation: [Float]?
  /// What the values measure, the y-axis label ("loss", "accuracy").
  public let metric: String
  /// The epoch (1-based) where early stopping chose the model, or `nil`.
  public let stoppingEpoch: Int?
  /// True when training ended before its last epoch; false when early stopping watched every
  /// epoch and only chose the best one (the mark then reads "best epoch N").
  public let stoppedEarly: Bool
  /// True for a logarithmic y axis.
  public let isLogY: Bool
  /// True to draw grid lines at the major ticks.
  public let showsGrid: Bool
  let title: String?

  /// Creates a training-curves figure.
  /// - Parameters:
  ///   - train: the training values per epoch.
  ///   - validation: the validation values per epoch, same count, or `nil`.
  ///   - metric: the y-axis label, e.g. "loss" or "accuracy".
  ///   - stoppingEpoch: the early-stopping epoch to mark, 1...count, or `nil`.
  ///   - stoppedEarly: whether training stopped early (the mark's wording).
  ///   - logScale: use a logarithmic y axis.
  ///   - grid: draw light grid lines at the major ticks (off by default, as in matplotlib).
  ///   - title: a title above the axes.
  /// - Throws: `PlotError` for an empty history, mismatched lengths, a stopping epoch out of
  ///   range, or a series with no finite (and, on a log axis, positive) value.
  public init(
    train: [Float], validation: [Float]? = nil, metric: String = "loss",
    stoppingEpoch: Int? = nil, stoppedEarly: Bool = true, logScale: Bool = false,
    grid: Bool = false, title: String? = nil
  ) throws {
    guard !train.isEmpty else { throw PlotError.emptyInput(what: "training history") }
    if let validation, validation.count != train.count {
      throw PlotError.mismatchedCounts(
        what: "validation history length (one value per epoch)",
        expected: train.count, actual: validation.count)
    }
    if let stoppingEpoch, !(1...train.count).contains(stoppingEpoch) {
      throw PlotError.invalidArgument(
        name: "stopping epoch", expected: "1...\(train.count)",
        actual: "\(stoppingEpoch)")
    }
    func drawable(_ v: Float) -> Bool { v.isFinite && (!logScale || v > 0) }
    for (name, series) in [("training history", train), ("validation history", validation ?? [1])]
    where !series.contains(where: drawable) {
      if logScale && series.contains(where: \.isFinite) {
        throw PlotError.invalidArgument(
          name: "\(name) on a log axis",
          expected: "some positive values", actual: "none")
      }
      throw PlotError.nonFiniteValue(what: name, index: 0)
    }
    self.train = train
    self.validation = validation
    self.metric = metric
    self.stoppingEpoch = stoppingEpoch
    self.stoppedEarly = stoppedEarly
    self.isLogY = logScale
    self.showsGrid = grid
    self.title = title
  }

  /// matplotlib's 640×480.
  public var preferredSize: (width: Int, height: Int) { (640, 480) }

  /// Draws the curves to fill `canvas`.
  /// - Parameters:
  ///   - canvas: the target.
  ///   - style: sizes for the scale.
  public func draw(in canvas: Canvas, style: PlotStyle) {
    let s = style.s
    let legend = Legend(
      entries: [LegendEntry(label: "train", color: Tab10.color(0), handle: .line)]
        + (validation == nil
          ? [] : [LegendEntry(label: "validation", color: Tab10.color(1), handle: .line)]))
    var frame = Axes.defaultFrame(
      width: canvas.width, height: canvas.height, style: style, hasTitle: title != nil)
    var (axes, series, annotation, obstacles) = layOut(in: frame, style: style)
    let placed = legend.placement(
      in: frame, canvasWidth: canvas.width, avoiding: obstacles, style: style)
    if placed.isOutside {
      frame = placed.frame
      (axes, series, annotation, obstacles) = layOut(in: frame, style: style)
    }

    axes.drawGrid(in: canvas, style: style)
    let area = axes.plotArea(of: canvas)
    let offset = Point(x: axes.frame.x, y: axes.frame.y)
    for line in series {
      for run in line.runs {
        let local = run.map { Point(x: $0.x - offset.x, y: $0.y - offset.y) }
        if local.count == 1 {
          area.fillCircle(center: local[0], radius: style.lineWidth * 1.2, color: line.color)
        } else {
          area.drawPolyline(local, color: line.color, lineWidth: style.lineWidth)
        }
      }
    }
    if let annotation {
      // Stop a few pixels short of the point so the arrow tip does not hide it.
      let dx = annotation.head.x - annotation.tail.x, dy = annotation.head.y - annotation.tail.y
      let length = max((dx * dx + dy * dy).squareRoot(), 1)
      let tip = Point(
        x: annotation.head.x - dx / length * 3 * s, y: annotation.head.y - dy / length * 3 * s)
      canvas.drawArrow(
        from: annotation.tail, to: tip, color: .black, lineWidth: s, headLength: 9 * s)
      canvas.drawText(
        annotation.text, at: Point(x: annotation.box.x, y: annotation.box.y),
        font: style.labelFont)
    }
    axes.drawDecorations(in: canvas, style: style)
    legend.draw(in: canvas, at: placed.legend, style: style)
  }

  /// The axes in `frame`, each series as runs of drawable points (gaps at NaN) in canvas pixels,
  /// the early-stopping annotation placed where it crosses no curve, and the points a legend must
  /// not hide.
  func layOut(in frame: Rect, style: PlotStyle) -> (
    axes: Axes, series: [(name: String, color: Color, runs: [[Point]])],
    annotation: (tail: Point, head: Point, text: String, box: Rect)?, obstacles: [Point]
  ) {
    let s = style.s
    let n = train.count
    let all = (train + (validation ?? [])).map(Double.init)
    var axes = Axes(
      frame: frame, xLimits: Axes.limits(covering: [1, Double(n)]),
      yLimits: Axes.limits(covering: all, isLog: isLogY), isLogY: isLogY)
    axes.xTicks = epochTicks(axes: axes, style: style)
    axes.xLabel = "epoch"
    axes.yLabel = metric
    axes.title = title
    axes.showsGrid = showsGrid
    var series: [(name: String, color: Color, runs: [[Point]])] = [
      ("train", Tab10.color(0), runs(of: train, axes: axes))
    ]
    if let validation {
      series.append(("validation", Tab10.color(1), runs(of: validation, axes: axes)))
    }
    var obstacles = series.flatMap { $0.runs.flatMap { densified($0, spacing: 3 * s) } }
    var annotation: (tail: Point, head: Point, text: String, box: Rect)?
    if let stoppingEpoch {
      let values = validation ?? train
      var value = Double(values[stoppingEpoch - 1])
      if !(value.isFinite && (!isLogY || value > 0)) { value = Double(train[stoppingEpoch - 1]) }
      if value.isFinite && (!isLogY || value > 0) {
        let head = axes.point(x: Double(stoppingEpoch), y: value)
        let text =
          stoppedEarly ? "early stop (epoch \(stoppingEpoch))" : "best epoch \(stoppingEpoch)"
        annotation = placeAnnotation(
          text, pointingAt: head, axes: axes, avoiding: obstacles, style: style)
        if let box = annotation?.box {
          obstacles += [
            Point(x: box.x, y: box.y), Point(x: box.maxX, y: box.y), box.center,
            Point(x: box.x, y: box.maxY), Point(x: box.maxX, y: box.maxY),
          ]
        }
      }
    }
    return (axes, series, annotation, obstacles)
  }

  /// Integer epoch ticks on a 1-2-5 step that keeps labels apart.
  func epochTicks(axes: Axes, style: PlotStyle) -> [(value: Double, label: String)] {
    let limits = axes.xLimits
    for maxCount in stride(from: 9, through: 2, by: -1) {
      var step = max(Ticks.niceStep(for: limits, maxCount: maxCount), 1)
      if step != step.rounded() { step = (step / 5).rounded(.up) * 5 }
      let values = stride(
        from: (limits.lowerBound / step).rounded(.up) * step,
        through: limits.upperBound, by: step
      ).filter { $0 >= 1 || limits.lowerBound < 0.999 && $0 >= 0 }
      let labels = values.map { String(Int($0)) }
      let widest = labels.map { style.labelFont.width(of: $0) }.max() ?? 0
      let spacing = values.count > 1 ? axes.pixelX(values[1]) - axes.pixelX(values[0]) : .infinity
      if spacing >= widest + 12 || maxCount == 2 { return Array(zip(values, labels)) }
    }
    return []
  }

  /// The drawable points of `values` as canvas pixels, split where a value must be skipped.
  func runs(of values: [Float], axes: Axes) -> [[Point]] {
    var result: [[Point]] = [], current: [Point] = []
    for (i, v) in values.enumerated() {
      if v.isFinite && (!isLogY || v > 0) {
        current.append(axes.point(x: Double(i + 1), y: Double(v)))
      } else if !current.isEmpty {
        result.append(current)
        current = []
      }
    }
    if !current.isEmpty { result.append(current) }
    return result
  }

  /// Chooses where the early-stopping label goes: candidates above/below and left/right of the
  /// point, the first fully inside the box that covers the fewest curve samples.
  func placeAnnotation(
    _ text: String, pointingAt head: Point, axes: Axes, avoiding obstacles: [Point],
    style: PlotStyle
  ) -> (tail: Point, head: Point, text: String, box: Rect) {
    let s = style.s
    let font = style.labelFont
    let (w, h) = (font.width(of: text).rounded(.up), font.lineHeight)
    let inner = axes.frame.insetBy(dx: 4 * s, dy: 4 * s)
    var best: (tail: Point, box: Rect, score: Int)?
    for (dx, dy) in [
      (40.0, -55.0), (-40, -55), (40, 55), (-40, 55), (70, -30), (-70, -30), (70, 30),
      (-70, 30), (20, -90), (20, 90),
    ] {
      let tail = Point(x: head.x + dx * s, y: head.y + dy * s)
      // The label sits beyond the tail: above it when going up, below when going down.
      var box = Rect(
        x: tail.x - w / 2, y: dy < 0 ? tail.y - h - 2 * s : tail.y + 2 * s, width: w, height: h)
      if dx > 0 && abs(dy) < 50 { box.x = tail.x + 3 * s; box.y = tail.y - h / 2 }
      if dx < 0 && abs(dy) < 50 { box.x = tail.x - w - 3 * s; box.y = tail.y - h / 2 }
      box = Rect(x: box.x.rounded(), y: box.y.rounded(), width: w, height: h)
      let inside =
        box.x >= inner.x && box.maxX <= inner.maxX && box.y >= inner.y && box.maxY <= inner.maxY
      let grown = box.insetBy(dx: -4 * s, dy: -4 * s)
      let covered =
        obstacles.reduce(0) { $0 + (grown.contains($1) ? 1 : 0) } + (inside ? 0 : 100_000)
      if best == nil || covered < best!.score { best = (tail, box, covered) }
    }
    return (best!.tail, head, text, best!.box)
  }
}

/// Points along a polyline no farther apart than `spacing`, for legend and label avoidance.
func densified(_ points: [Point], spacing: Double) -> [Point] {
  guard points.count > 1 else { return points }
  var result: [Point] = [points[0]]
  for k in 1..<points.count {
    let a = points[k - 1], b = points[k]
    let length = ((b.x - a.x) * (b.x - a.x) + (b.y - a.y) * (b.y - a.y)).squareRoot()
    let steps = max(Int((length / spacing).rounded(.up)), 1)
    for j in 1...steps {
      let t = Double(j) / Double(steps)
      result.append(Point(x: a.x + t * (b.x - a.x), y: a.y + t * (b.y - a.y)))
    }
  }
  return result
}
