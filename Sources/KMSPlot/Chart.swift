import Foundation

/// How a line series is drawn, after matplotlib's format strings: "-" solid, "--" dashed, ":"
/// dotted, "-." dash-dot, "o" markers only, "-o" a line with markers, "." small markers.
public struct LineStyle: Sendable, Equatable {
  /// On/off lengths in multiples of the line width (matplotlib's `lines.dashed_pattern` and
  /// friends), or empty for a solid line; nil draws no line.
  public var dashes: [Double]?
  /// Marker radius in pixels at 100 dpi, or 0 for none.
  public var markerRadius: Double

  /// The styles `init(_:)` understands.
  public static let names = ["-", "--", ":", "-.", "o", "-o", "."]

  /// Parses a matplotlib-style format string; nil for one it does not know.
  /// - Parameter format: e.g. "--" or "-o".
  public init?(_ format: String) {
    switch format {
    case "-": (dashes, markerRadius) = ([], 0)
    case "--": (dashes, markerRadius) = ([3.7, 1.6], 0)
    case ":": (dashes, markerRadius) = ([1, 1.65], 0)
    case "-.": (dashes, markerRadius) = ([6.4, 1.6, 1, 1.6], 0)
    case "o": (dashes, markerRadius) = (nil, 4)
    case "-o", "o-": (dashes, markerRadius) = ([], 4)
    case ".": (dashes, markerRadius) = (nil, 2)
    default: return nil
    }
  }
}

/// One series of a chart.
public enum ChartSeries: Sendable {
  /// A line (and/or markers) through points, gaps where a value is not finite.
  case line(xs: [Double], ys: [Double], label: String?, style: LineStyle)
  /// Bars from `bottom` up to each height, centred at `centers`, each `width` wide.
  case bars(centers: [Double], heights: [Double], width: Double, label: String?)
}

/// A general axes figure: lines, histograms and bar charts with matplotlib's look (tab10 colour
/// cycle, 5 % margins, bars sitting on zero), optional limits, log y axis, and a legend placed
/// where it hides nothing. Sized in inches at a dpi, as matplotlib's `figsize` and `dpi`.
public struct Chart: Figure {
  /// The series, drawn in order, coloured by the tab10 cycle.
  public let series: [ChartSeries]
  let title: String?
  let xLabel: String?
  let yLabel: String?
  let xLimits: ClosedRange<Double>?
  let yLimits: ClosedRange<Double>?
  /// True for a logarithmic y axis.
  public let isLogY: Bool
  /// Category names under the bars of a bar chart (x positions 0, 1, …).
  let categories: [String]?
  /// Width and height in inches.
  public let size: (width: Double, height: Double)
  /// Dots per inch.
  public let dpi: Double

  /// Creates a chart.
  /// - Parameters:
  ///   - series: at least one series; each line's xs and ys match in length.
  ///   - title: a title above the axes.
  ///   - xLabel: the x-axis label.
  ///   - yLabel: the y-axis label.
  ///   - xLimits: fixed x limits; nil fits the data with 5 % margins.
  ///   - yLimits: fixed y limits; nil fits the data (bars from zero).
  ///   - logScale: a logarithmic y axis (non-positive values are left out).
  ///   - categories: names for x = 0, 1, … (bar charts).
  ///   - size: width and height in inches, matplotlib's 6.4 × 4.8 by default.
  ///   - dpi: dots per inch, 100 by default (text and lines scale with it).
  /// - Throws: `PlotError` for no series, an empty or mismatched series, a series with nothing
  ///   drawable, bad limits, or a size or dpi out of range.
  public init(
    series: [ChartSeries], title: String? = nil, xLabel: String? = nil, yLabel: String? = nil,
    xLimits: ClosedRange<Double>? = nil, yLimits: ClosedRange<Double>? = nil,
    logScale: Bool = false, categories: [String]? = nil,
    size: (width: Double, height: Double) = (6.4, 4.8), dpi: Double = 100
  ) throws {
    guard !series.isEmpty else { throw PlotError.emptyInput(what: "chart series") }
    for (index, one) in series.enumerated() {
      let (xs, ys) = one.points
      guard !ys.isEmpty else { throw PlotError.emptyInput(what: "series \(index)") }
      guard xs.count == ys.count else {
        throw PlotError.mismatchedCounts(
          what: "series \(index) y count (one per x)", expected: xs.count, actual: ys.count)
      }
      let drawable = zip(xs, ys).contains { $0.isFinite && $1.isFinite && (!logScale || $1 > 0) }
      guard drawable else {
        if logScale && ys.contains(where: \.isFinite) {
          throw PlotError.invalidArgument(
            name: "series \(index) on a log axis", expected: "some positive values",
            actual: "none")
        }
        throw PlotError.nonFiniteValue(what: "series \(index)", index: 0)
      }
    }
    try checkLimits(xLimits)
    try checkLimits(yLimits)
    if logScale, let yLimits, yLimits.lowerBound <= 0 {
      throw PlotError.invalidArgument(
        name: "y limits on a log axis", expected: "positive limits", actual: "\(yLimits)")
    }
    guard size.width >= 1, size.height >= 1, size.width <= 40, size.height <= 40 else {
      throw PlotError.invalidArgument(
        name: "size", expected: "1...40 inches each way", actual: "\(size.width)×\(size.height)")
    }
    guard dpi >= 50, dpi <= 600, size.width * dpi <= 8000, size.height * dpi <= 8000 else {
      throw PlotError.invalidArgument(
        name: "dpi", expected: "50...600, at most 8000 pixels each way", actual: "\(dpi)")
    }
    self.series = series
    self.title = title
    self.xLabel = xLabel
    self.yLabel = yLabel
    self.xLimits = xLimits
    self.yLimits = yLimits
    self.isLogY = logScale
    self.categories = categories
    self.size = size
    self.dpi = dpi
  }

  /// Line series through points (matplotlib's `plot`).
  /// - Parameters:
  ///   - lines: (xs, ys, label, style) for each series.
  ///   - title, xLabel, yLabel, xLimits, yLimits, logScale, size, dpi: as `init(series:…)`.
  public static func lines(
    _ lines: [(xs: [Double], ys: [Double], label: String?, style: LineStyle)],
    title: String? = nil, xLabel: String? = nil, yLabel: String? = nil,
    xLimits: ClosedRange<Double>? = nil, yLimits: ClosedRange<Double>? = nil,
    logScale: Bool = false, size: (width: Double, height: Double) = (6.4, 4.8),
    dpi: Double = 100
  ) throws -> Chart {
    try Chart(
      series: lines.map { .line(xs: $0.xs, ys: $0.ys, label: $0.label, style: $0.style) },
      title: title, xLabel: xLabel, yLabel: yLabel, xLimits: xLimits, yLimits: yLimits,
      logScale: logScale, size: size, dpi: dpi)
  }

  /// A histogram of `values` in `bins` equal bins over their range (matplotlib's `hist`).
  /// - Parameters:
  ///   - values: the values; non-finite ones are left out.
  ///   - bins: the number of bins, 1...1000.
  ///   - range: the range the bins cover; nil takes the values' minimum and maximum.
  ///   - title, xLabel, yLabel, xLimits, yLimits, logScale, size, dpi: as `init(series:…)`.
  /// - Throws: `PlotError` for no finite value or a bin count out of range.
  public static func histogram(
    _ values: [Double], bins: Int = 10, range: ClosedRange<Double>? = nil,
    title: String? = nil, xLabel: String? = nil, yLabel: String? = nil,
    xLimits: ClosedRange<Double>? = nil, yLimits: ClosedRange<Double>? = nil,
    logScale: Bool = false, size: (width: Double, height: Double) = (6.4, 4.8),
    dpi: Double = 100
  ) throws -> Chart {
    let finite = values.filter(\.isFinite)
    guard !finite.isEmpty else { throw PlotError.emptyInput(what: "histogram values (finite)") }
    guard (1...1000).contains(bins) else {
      throw PlotError.invalidArgument(name: "bins", expected: "1...1000", actual: "\(bins)")
    }
    var low = range?.lowerBound ?? finite.min()!, high = range?.upperBound ?? finite.max()!
    // numpy's rule for a single value: the bins span it ± 0.5.
    if low == high { (low, high) = (low - 0.5, high + 0.5) }
    let width = (high - low) / Double(bins)
    var counts = [Double](repeating: 0, count: bins)
    for v in finite where v >= low && v <= high {
      // The last bin is closed on the right, as numpy's.
      counts[min(Int((v - low) / width), bins - 1)] += 1
    }
    let centers = (0..<bins).map { low + (Double($0) + 0.5) * width }
    return try Chart(
      series: [.bars(centers: centers, heights: counts, width: width, label: nil)],
      title: title, xLabel: xLabel, yLabel: yLabel ?? "count", xLimits: xLimits,
      yLimits: yLimits, logScale: logScale, size: size, dpi: dpi)
  }

  /// One bar per category (matplotlib's `bar` with string x).
  /// - Parameters:
  ///   - labels: the category names, under the bars.
  ///   - values: one height per category.
  ///   - title, xLabel, yLabel, yLimits, logScale, size, dpi: as `init(series:…)`.
  /// - Throws: `PlotError` for no categories or a count mismatch.
  public static func bars(
    _ labels: [String], _ values: [Double], title: String? = nil, xLabel: String? = nil,
    yLabel: String? = nil, yLimits: ClosedRange<Double>? = nil, logScale: Bool = false,
    size: (width: Double, height: Double) = (6.4, 4.8), dpi: Double = 100
  ) throws -> Chart {
    guard !labels.isEmpty else { throw PlotError.emptyInput(what: "bar labels") }
    guard labels.count == values.count else {
      throw PlotError.mismatchedCounts(
        what: "bar value count (one per label)", expected: labels.count, actual: values.count)
    }
    return try Chart(
      series: [
        .bars(centers: labels.indices.map(Double.init), heights: values, width: 0.8, label: nil)
      ],
      title: title, xLabel: xLabel, yLabel: yLabel, yLimits: yLimits, logScale: logScale,
      categories: labels, size: size, dpi: dpi)
  }

  /// Size × dpi.
  public var preferredSize: (width: Int, height: Int) {
    (Int((size.width * dpi).rounded()), Int((size.height * dpi).rounded()))
  }

  /// The x and y limits the data asks for: 5 % margins, bars sitting on zero (matplotlib's
  /// sticky edges), the given limits where there are some.
  func limits() -> (x: ClosedRange<Double>, y: ClosedRange<Double>) {
    var xs: [Double] = [], ys: [Double] = []
    var hasBars = false
    for one in series {
      switch one {
      case .line(let x, let y, _, _):
        for (a, b) in zip(x, y) where a.isFinite && b.isFinite && (!isLogY || b > 0) {
          xs.append(a)
          ys.append(b)
        }
      case .bars(let centers, let heights, let width, _):
        hasBars = true
        for (c, h) in zip(centers, heights) where c.isFinite && h.isFinite {
          xs += [c - width / 2, c + width / 2]
          if !isLogY || h > 0 { ys.append(h) }
        }
      }
    }
    let x = xLimits ?? Axes.limits(covering: xs)
    if let yLimits { return (x, yLimits) }
    var y = Axes.limits(covering: ys, isLog: isLogY)
    if hasBars && !isLogY {
      // Bars grow from zero: zero is an edge of the axes, with the margin on the far side only.
      let low = min(ys.min() ?? 0, 0), high = max(ys.max() ?? 1, 0)
      let pad = (high - low) * 0.05
      y = (low < 0 ? low - pad : 0)...(high > 0 ? high + pad : max(pad, 1))
      if y.lowerBound == y.upperBound { y = 0...1 }
    }
    return (x, y)
  }

  /// Draws the chart to fill `canvas`.
  /// - Parameters:
  ///   - canvas: the target.
  ///   - style: sizes for the scale; the chart's dpi is applied on top.
  public func draw(in canvas: Canvas, style: PlotStyle) {
    var style = style
    style.dpi = dpi
    let s = style.s
    let (xRange, yRange) = limits()
    let entries = series.enumerated().compactMap { index, one -> LegendEntry? in
      switch one {
      case .line(_, _, let label?, let lineStyle):
        return LegendEntry(
          label: label, color: Tab10.color(index),
          handle: lineStyle.dashes.map { $0.isEmpty ? .line : .dashedLine($0) } ?? .marker)
      case .bars(_, _, _, let label?):
        return LegendEntry(label: label, color: Tab10.color(index), handle: .patch)
      default: return nil
      }
    }
    let legend = entries.isEmpty ? nil : Legend(entries: entries)
    func makeAxes(_ frame: Rect) -> Axes {
      var axes = Axes(frame: frame, xLimits: xRange, yLimits: yRange, isLogY: isLogY)
      axes.title = title
      axes.xLabel = xLabel
      axes.yLabel = yLabel
      if let categories {
        axes.xTicks = categories.enumerated().map { (Double($0.offset), $0.element) }
        let widest = categories.map { style.labelFont.width(of: $0) }.max() ?? 0
        axes.rotatesXTickLabels = widest + 4 * s > axes.frame.width / Double(categories.count)
      }
      return axes
    }
    var axes = makeAxes(
      Axes.defaultFrame(
        width: canvas.width, height: canvas.height, style: style, hasTitle: title != nil))
    if let categories, axes.rotatesXTickLabels {
      // Turned category names need room below the axes: raise the bottom edge.
      let widest = categories.map { style.labelFont.width(of: $0) }.max() ?? 0
      var frame = axes.frame
      let need = widest + style.tickLength + style.tickPad + style.labelPad + 2 * style.smallLine
      let bottom = Double(canvas.height) - frame.maxY
      if need > bottom { frame.height = max(frame.height - (need - bottom), 40 * s) }
      axes = makeAxes(frame)
    }
    var legendRect: Rect?
    if let legend {
      let placed = legend.placement(
        in: axes.frame, canvasWidth: canvas.width, avoiding: obstacles(axes, spacing: 3 * s),
        style: style)
      legendRect = placed.legend
      if placed.isOutside { axes = makeAxes(placed.frame) }
    }

    axes.drawGrid(in: canvas, style: style)
    let area = axes.plotArea(of: canvas)
    for (index, one) in series.enumerated() {
      let color = Tab10.color(index)
      switch one {
      case .bars(let centers, let heights, let width, _):
        let base = isLogY ? yRange.lowerBound : 0
        for (c, h) in zip(centers, heights) where c.isFinite && h.isFinite {
          guard !isLogY || h > 0 else { continue }
          let left = axes.localPoint(x: c - width / 2, y: base)
          let right = axes.localPoint(x: c + width / 2, y: h)
          let top = min(left.y, right.y), bottom = max(left.y, right.y)
          area.fill(
            Rect(x: left.x, y: top, width: right.x - left.x, height: bottom - top), with: color)
        }
      case .line(let xs, let ys, _, let lineStyle):
        let runs = lineRuns(xs, ys, axes: axes)
        if let dashes = lineStyle.dashes {
          for run in runs {
            if dashes.isEmpty {
              area.drawPolyline(run, color: color, lineWidth: style.lineWidth)
            } else {
              // NOTE: matplotlib ends dashes square (`lines.dash_capstyle: butt`); the round
              // caps drawn here reach half a width past each end, so each dash is cut short by
              // a width and each gap widened by one.
              let w = style.lineWidth
              let pattern = dashes.enumerated().map { index, length in
                index % 2 == 0 ? max(length * w - w, 0.5) : length * w + w
              }
              for piece in dashed(run, pattern: pattern) {
                area.drawPolyline(piece, color: color, lineWidth: style.lineWidth)
              }
            }
          }
        }
        if lineStyle.markerRadius > 0 {
          for point in runs.joined() {
            area.fillCircle(center: point, radius: lineStyle.markerRadius * s, color: color)
          }
        }
      }
    }
    axes.drawDecorations(in: canvas, style: style)
    if let legend, let legendRect { legend.draw(in: canvas, at: legendRect, style: style) }
  }

  /// The drawable points of a line in plot-area pixels, split where a value must be skipped.
  func lineRuns(_ xs: [Double], _ ys: [Double], axes: Axes) -> [[Point]] {
    var runs: [[Point]] = [], current: [Point] = []
    for (x, y) in zip(xs, ys) {
      if x.isFinite && y.isFinite && (!isLogY || y > 0) {
        current.append(axes.localPoint(x: x, y: y))
      } else if !current.isEmpty {
        runs.append(current)
        current = []
      }
    }
    if !current.isEmpty { runs.append(current) }
    return runs
  }

  /// The points a legend must not hide, in canvas pixels: along every line and on every bar.
  func obstacles(_ axes: Axes, spacing: Double) -> [Point] {
    var points: [Point] = []
    let offset = Point(x: axes.frame.x, y: axes.frame.y)
    for one in series {
      switch one {
      case .line(let xs, let ys, _, _):
        for run in lineRuns(xs, ys, axes: axes) {
          let canvasRun = run.map { Point(x: $0.x + offset.x, y: $0.y + offset.y) }
          points += densified(canvasRun, spacing: spacing)
        }
      case .bars(let centers, let heights, _, _):
        for (c, h) in zip(centers, heights) where c.isFinite && h.isFinite {
          let base = isLogY ? (yLimits?.lowerBound ?? 1e-300) : 0
          let top = axes.point(x: c, y: h), bottom = axes.point(x: c, y: base)
          points += densified([top, bottom], spacing: spacing)
        }
      }
    }
    return points
  }
}

extension ChartSeries {
  /// The series' x and y values.
  var points: (xs: [Double], ys: [Double]) {
    switch self {
    case .line(let xs, let ys, _, _): return (xs, ys)
    case .bars(let centers, let heights, _, _): return (centers, heights)
    }
  }
}

/// Cuts a polyline into dashes: `pattern` alternates on and off lengths in pixels.
func dashed(_ points: [Point], pattern: [Double]) -> [[Point]] {
  guard points.count > 1, !pattern.isEmpty, pattern.allSatisfy({ $0 > 0 }) else { return [points] }
  var pieces: [[Point]] = [], current: [Point] = [points[0]]
  var index = 0, left = pattern[0]
  var isOn = true
  for k in 1..<points.count {
    var a = points[k - 1]
    let b = points[k]
    var length = ((b.x - a.x) * (b.x - a.x) + (b.y - a.y) * (b.y - a.y)).squareRoot()
    while length > 0 {
      let step = min(left, length)
      let t = step / length
      let p = Point(x: a.x + (b.x - a.x) * t, y: a.y + (b.y - a.y) * t)
      if isOn { current.append(p) }
      (a, length, left) = (p, length - step, left - step)
      if left <= 1e-9 {
        if isOn && current.count > 1 { pieces.append(current) }
        isOn.toggle()
        index = (index + 1) % pattern.count
        left = pattern[index]
        current = isOn ? [p] : []
      }
    }
  }
  if isOn && current.count > 1 { pieces.append(current) }
  return pieces
}
