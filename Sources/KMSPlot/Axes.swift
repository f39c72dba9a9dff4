import Foundation

/// Sizes in pixels for one rendering scale, after matplotlib's rc defaults at 100 dpi
/// (1 pt = 100/72 px): `lines.linewidth` 1.5 pt, `axes.linewidth` 0.8 pt, `xtick.major.size`
/// 3.5 pt, `xtick.major.pad` 3.5 pt, `axes.labelpad` 4 pt, `axes.titlepad` 6 pt; text in
/// `font.size` 10 pt, titles in `axes.titlesize` "large" (12 pt).
public struct PlotStyle: Sendable {
  /// The integer magnification: 1 for 640×480 figures, 2 for crisp 1280×960 ones.
  public var scale: Int
  /// The fonts text is set in.
  public var fonts: FontLibrary
  /// Dots per inch at scale 1: matplotlib's `figure.dpi` 100; sizes in points follow it.
  public var dpi: Double = 100

  /// Creates a style.
  /// - Parameters:
  ///   - scale: the magnification, clamped to 1...8.
  ///   - fonts: the fonts; the ones found on this machine by default.
  public init(scale: Int = 1, fonts: FontLibrary = .shared) {
    self.scale = min(max(scale, 1), 8)
    self.fonts = fonts
  }

  /// Tick labels, axis labels, legends and annotations: 10 pt.
  public var labelFont: TextFont { TextFont(points: 10, scale: s, library: fonts) }
  /// Titles: 12 pt.
  public var titleFont: TextFont { TextFont(points: 12, scale: s, library: fonts) }

  /// Pixels per pixel-at-100-dpi: the scale times dpi / 100.
  var s: Double { Double(scale) * dpi / 100 }
  /// Data line width (1.5 pt ≈ 2 px).
  var lineWidth: Double { 2 * s }
  /// Spine width (0.8 pt ≈ 1 px).
  var spineWidth: Double { s }
  /// Outward tick length (3.5 pt ≈ 5 px).
  var tickLength: Double { 5 * s }
  /// Gap between tick and tick label (3.5 pt ≈ 5 px).
  var tickPad: Double { 5 * s }
  /// Gap between tick labels and axis label (4 pt ≈ 6 px).
  var labelPad: Double { 6 * s }
  /// Gap between axes box and title (6 pt ≈ 8 px).
  var titlePad: Double { 8 * s }
  /// Height of one line of label text.
  var smallLine: Double { labelFont.lineHeight }
}

/// One axes box: where the data area sits in the canvas, the data limits on each axis, the
/// transforms between them, and its decorations (spines, outward ticks with labels, axis labels,
/// title, optional grid). Build it, then draw the series into `plotArea(of:)`, then call
/// `drawDecorations(in:style:)` (plotters' "build the chart, configure the axes, draw the series").
public struct Axes: Sendable {
  /// The data area in canvas pixels, on whole-pixel edges.
  public var frame: Rect
  /// Data limits along x (left to right).
  public var xLimits: ClosedRange<Double>
  /// Data limits along y (bottom to top).
  public var yLimits: ClosedRange<Double>
  /// True for a base-10 logarithmic y axis; `yLimits` must then be positive.
  public var isLogY = false
  /// True to draw light grid lines at the major ticks.
  public var showsGrid = false
  /// The title above the box.
  public var title: String?
  /// The label under the x axis.
  public var xLabel: String?
  /// The label left of the y axis, reading upward.
  public var yLabel: String?
  /// Fixed x ticks (value, label), e.g. class names; `nil` chooses nice ticks.
  public var xTicks: [(value: Double, label: String)]?
  /// Fixed y ticks (value, label); `nil` chooses nice ticks.
  public var yTicks: [(value: Double, label: String)]?
  /// Turn the x tick labels to read upward (for long class names).
  public var rotatesXTickLabels = false

  /// Creates an axes box.
  /// - Parameters:
  ///   - frame: the data area in canvas pixels (rounded to whole pixels).
  ///   - xLimits: data limits along x.
  ///   - yLimits: data limits along y.
  ///   - isLogY: use a logarithmic y axis.
  public init(
    frame: Rect, xLimits: ClosedRange<Double>, yLimits: ClosedRange<Double>,
    isLogY: Bool = false
  ) {
    let x0 = frame.x.rounded(), y0 = frame.y.rounded()
    self.frame = Rect(
      x: x0, y: y0, width: (frame.maxX - x0).rounded(),
      height: (frame.maxY - y0).rounded())
    self.xLimits = xLimits
    self.yLimits = yLimits
    self.isLogY = isLogY
  }

  /// matplotlib's default axes box in a canvas of `size`: 12.5 %–90 % of the width, 11 %–88 %
  /// of the height measured from the bottom (`figure.subplot.left/right/bottom/top`). On small
  /// canvases (panels) the margins grow to fixed minimums so tick labels, axis labels and the
  /// title are never cut off. Without a title the band above the axes shrinks to a small margin.
  /// - Parameters:
  ///   - width: canvas width.
  ///   - height: canvas height.
  ///   - style: sizes for the scale.
  ///   - hasTitle: leave room for a title above the box.
  public static func defaultFrame(
    width: Int, height: Int, style: PlotStyle = PlotStyle(), hasTitle: Bool = true
  ) -> Rect {
    let (w, h, s) = (Double(width), Double(height), style.s)
    // Minimums: y tick labels of six characters and the y label; title; x tick labels and label.
    let left = max(0.125 * w, 78 * s), right = max(0.10 * w, 10 * s)
    let bottom = max(0.11 * h, 48 * s)
    // NOTE: matplotlib keeps 12 % above the axes whether or not there is a title; without one
    // that band is empty, so kms takes it back, keeping room for the top tick label's half.
    let top = hasTitle ? max(0.12 * h, 32 * s) : max(0.04 * h, 12 * s)
    return Rect(x: left, y: top, width: max(w - left - right, 1), height: max(h - top - bottom, 1))
  }

  /// The canvas x coordinate of data value `x`.
  /// - Parameter x: a data value.
  public func pixelX(_ x: Double) -> Double {
    let span = xLimits.upperBound - xLimits.lowerBound
    return frame.x + (x - xLimits.lowerBound) / (span == 0 ? 1 : span) * frame.width
  }

  /// The canvas y coordinate of data value `y` (log-transformed on a log axis; non-positive
  /// values then map to +∞, off the box).
  /// - Parameter y: a data value.
  public func pixelY(_ y: Double) -> Double {
    let (low, high, value) =
      isLogY
      ? (log10(yLimits.lowerBound), log10(yLimits.upperBound), y > 0 ? log10(y) : -.infinity)
      : (yLimits.lowerBound, yLimits.upperBound, y)
    let span = high - low
    return frame.maxY - (value - low) / (span == 0 ? 1 : span) * frame.height
  }

  /// The canvas point of data point (`x`, `y`).
  /// - Parameters:
  ///   - x: data x.
  ///   - y: data y.
  public func point(x: Double, y: Double) -> Point { Point(x: pixelX(x), y: pixelY(y)) }

  /// A sub-canvas covering the data area, so series drawn into it are clipped to the box.
  /// Its coordinates are offset by the frame's origin: use `localPoint(x:y:)`.
  /// - Parameter canvas: the figure canvas.
  public func plotArea(of canvas: Canvas) -> Canvas { canvas.subcanvas(frame) }

  /// The point of data (`x`, `y`) in `plotArea` coordinates.
  /// - Parameters:
  ///   - x: data x.
  ///   - y: data y.
  public func localPoint(x: Double, y: Double) -> Point {
    Point(x: pixelX(x) - frame.x, y: pixelY(y) - frame.y)
  }

  /// Limits covering `values` with matplotlib's 5 % margin on each side (`axes.xmargin`);
  /// on a log axis the margin is taken in log space. Non-finite values are ignored.
  /// - Parameters:
  ///   - values: the data.
  ///   - margin: the fraction of the span added on each side.
  ///   - isLog: compute for a log axis (non-positive values ignored).
  public static func limits(
    covering values: [Double], margin: Double = 0.05,
    isLog: Bool = false
  ) -> ClosedRange<Double> {
    let usable = values.filter { $0.isFinite && (!isLog || $0 > 0) }
    guard var low = usable.min(), var high = usable.max() else { return isLog ? 1...10 : 0...1 }
    if isLog {
      var (a, b) = (log10(low), log10(high))
      if a == b { (a, b) = (a - 0.5, b + 0.5) }
      let pad = (b - a) * margin
      return pow(10, a - pad)...pow(10, b + pad)
    }
    if low == high {
      let pad = max(abs(low) * 0.1, 0.5)
      (low, high) = (low - pad, high + pad)
      return low...high
    }
    let pad = (high - low) * margin
    return (low - pad)...(high + pad)
  }

  // MARK: Ticks

  /// Major x ticks with labels: the fixed ones, or nice ticks sparse enough that labels don't
  /// collide.
  func resolvedXTicks(style: PlotStyle) -> [(value: Double, label: String)] {
    if let xTicks { return xTicks }
    let font = style.labelFont
    for maxCount in stride(from: 9, through: 2, by: -1) {
      let values = Ticks.linear(in: xLimits, maxCount: maxCount)
      let labels = Ticks.labels(for: values, step: Ticks.niceStep(for: xLimits, maxCount: maxCount))
      let widest = labels.map { font.width(of: $0) }.max() ?? 0
      // Each label needs its width plus two digits of air, at the pixel spacing of the ticks.
      let spacing = values.count > 1 ? abs(pixelX(values[1]) - pixelX(values[0])) : .infinity
      if spacing >= widest + 2 * font.width(of: "0") || maxCount == 2 {
        return Array(zip(values, labels))
      }
    }
    return []
  }

  /// Major y ticks with labels (decades on a log axis).
  func resolvedYTicks(style: PlotStyle) -> [(value: Double, label: String)] {
    if let yTicks { return yTicks }
    if isLogY {
      let (major, minor) = Ticks.logarithmic(in: yLimits)
      if major.count >= 2 {
        return thinned(major.map { ($0, "10^" + String(Int(log10($0).rounded()))) }, style: style)
      }
      // Less than two decades visible: also label 2× and 5× (and, within a factor of a few,
      // every) multiple of the decade, as plain numbers.
      let candidates = (major + minor).sorted()
      var labelled = candidates.filter {
        [1, 2, 5].contains(Int(($0 / pow(10, floor(log10($0) + 1e-9))).rounded()))
      }
      if labelled.count < 3 { labelled = candidates }
      return thinned(labelled.map { ($0, Ticks.format($0)) }, style: style)
    }
    let fit = Int(frame.height / (3 * style.smallLine))
    let maxCount = min(max(fit, 2), 9)
    let values = Ticks.linear(in: yLimits, maxCount: maxCount)
    let labels = Ticks.labels(for: values, step: Ticks.niceStep(for: yLimits, maxCount: maxCount))
    return Array(zip(values, labels))
  }

  /// The ticks with the labels of those closer than a line of text to the last kept one blanked
  /// (bottom up), so log-axis labels never overlap; the blanked ticks are still drawn.
  func thinned(_ ticks: [(value: Double, label: String)], style: PlotStyle)
    -> [(value: Double, label: String)]
  {
    let gap = style.labelFont.lineHeight + 2 * style.s
    var last = -Double.infinity
    return ticks.sorted { $0.value < $1.value }.map { tick in
      let y = -pixelY(tick.value)  // upward
      guard y - last >= gap else { return (tick.value, "") }
      last = y
      return tick
    }
  }

  // MARK: Drawing

  /// Draws grid lines at the major ticks (matplotlib's `grid.color` #b0b0b0, 0.8 pt), beneath
  /// the data; does nothing unless `showsGrid`.
  /// - Parameters:
  ///   - canvas: the figure canvas.
  ///   - style: sizes for the scale.
  public func drawGrid(in canvas: Canvas, style: PlotStyle) {
    guard showsGrid else { return }
    let area = plotArea(of: canvas)
    let color = Color.gridGray
    for tick in resolvedXTicks(style: style) {
      let x = floor(pixelX(tick.value)) - frame.x
      area.fill(Rect(x: x, y: 0, width: style.spineWidth, height: frame.height), with: color)
    }
    for tick in resolvedYTicks(style: style) {
      let y = floor(pixelY(tick.value)) - frame.y
      area.fill(Rect(x: 0, y: y, width: frame.width, height: style.spineWidth), with: color)
    }
  }

  /// Draws the spines, outward ticks, tick labels, axis labels and title around the box.
  /// - Parameters:
  ///   - canvas: the figure canvas.
  ///   - style: sizes for the scale.
  public func drawDecorations(in canvas: Canvas, style: PlotStyle) {
    let font = style.labelFont
    let w = style.spineWidth, tick = style.tickLength
    let ink = Color.black
    // Spines: a ring just outside the data area, so data pixels are not covered.
    canvas.fill(
      Rect(x: frame.x - w, y: frame.y - w, width: frame.width + 2 * w, height: w), with: ink)
    canvas.fill(
      Rect(x: frame.x - w, y: frame.maxY, width: frame.width + 2 * w, height: w), with: ink)
    canvas.fill(Rect(x: frame.x - w, y: frame.y, width: w, height: frame.height), with: ink)
    canvas.fill(Rect(x: frame.maxX, y: frame.y, width: w, height: frame.height), with: ink)

    // X ticks and labels, below the bottom spine.
    let xTickTop = frame.maxY + w
    let xLabelTop = xTickTop + tick + style.tickPad
    var xLabelsBottom = xLabelTop
    for (value, label) in resolvedXTicks(style: style) {
      let x = floor(pixelX(value))
      guard x >= frame.x - w - 0.5, x <= frame.maxX + 0.5 else { continue }
      canvas.fill(Rect(x: x, y: xTickTop, width: w, height: tick), with: ink)
      if rotatesXTickLabels {
        canvas.drawText(
          label, at: Point(x: x + w / 2, y: xLabelTop), font: font,
          horizontal: .center, vertical: .top, isVertical: true)
        xLabelsBottom = max(xLabelsBottom, xLabelTop + font.width(of: label))
      } else {
        drawTickLabel(
          label, in: canvas, at: Point(x: x + w / 2, y: xLabelTop), font: font,
          horizontal: .center, vertical: .top)
        xLabelsBottom = max(xLabelsBottom, xLabelTop + style.smallLine)
      }
    }

    // Y ticks and labels, left of the left spine; minor ticks on a log axis.
    let yTickRight = frame.x - w
    let yLabelRight = yTickRight - tick - style.tickPad
    var widestYLabel = 0.0
    for (value, label) in resolvedYTicks(style: style) {
      let y = floor(pixelY(value))
      guard y >= frame.y - w - 0.5, y <= frame.maxY + 0.5 else { continue }
      canvas.fill(Rect(x: yTickRight - tick, y: y, width: tick, height: w), with: ink)
      let width = drawTickLabel(
        label, in: canvas, at: Point(x: yLabelRight, y: y + w / 2), font: font,
        horizontal: .right, vertical: .center)
      widestYLabel = max(widestYLabel, width)
    }
    if isLogY && yTicks == nil {
      for value in Ticks.logarithmic(in: yLimits).minor {
        let y = floor(pixelY(value))
        canvas.fill(Rect(x: yTickRight - tick * 0.6, y: y, width: tick * 0.6, height: w), with: ink)
      }
    }

    if let xLabel {
      canvas.drawText(
        xLabel, at: Point(x: frame.center.x, y: xLabelsBottom + style.labelPad - style.s * 2),
        font: font, horizontal: .center, vertical: .top)
    }
    if let yLabel {
      canvas.drawText(
        yLabel, at: Point(x: yLabelRight - widestYLabel - style.labelPad, y: frame.center.y),
        font: font, horizontal: .right, vertical: .center, isVertical: true)
    }
    if let title {
      canvas.drawText(
        title, at: Point(x: frame.center.x, y: frame.y - w - style.titlePad),
        font: style.titleFont, horizontal: .center, vertical: .baseline)
    }
  }

  /// Draws a tick label; "10^k" is set as 10 with a raised exponent in 7 pt, as matplotlib's
  /// `LogFormatterSciNotation` does. Returns the width drawn.
  @discardableResult
  func drawTickLabel(
    _ label: String, in canvas: Canvas, at point: Point, font: TextFont,
    horizontal: HorizontalAlignment, vertical: VerticalAlignment
  ) -> Double {
    // matplotlib sets negative numbers with a true minus sign (`axes.unicode_minus`); the bitmap
    // font has only the hyphen.
    let label = font.isBitmap ? label : label.replacingOccurrences(of: "-", with: "\u{2212}")
    guard let caret = label.firstIndex(of: "^") else {
      canvas.drawText(label, at: point, font: font, horizontal: horizontal, vertical: vertical)
      return font.width(of: label)
    }
    let base = String(label[..<caret]), exponent = String(label[label.index(after: caret)...])
    // The bitmap font has one size, so its exponent stays full size.
    let small = font.isBitmap ? font : font.resized(to: 7)
    let baseWidth = font.width(of: base)
    let total = baseWidth + small.width(of: exponent)
    var left = point.x
    switch horizontal {
    case .left: break
    case .center: left -= total / 2
    case .right: left -= total
    }
    canvas.drawText(base, at: Point(x: left, y: point.y), font: font, vertical: vertical)
    let raise = font.capHeight * 0.55
    canvas.drawText(
      exponent, at: Point(x: left + baseWidth, y: point.y - raise), font: small,
      vertical: vertical)
    return total
  }
}
