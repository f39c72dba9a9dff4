import Foundation

/// A confusion matrix laid out as scikit-learn's `ConfusionMatrixDisplay`: rows are the true
/// label ("True label", row 0 at the top), columns the prediction ("Predicted label"); cells are
/// coloured with viridis, each value is centred in its cell, and its text takes the colormap's
/// opposite end once the cell passes (min + max) / 2 so it stays legible; a colour bar sits on the
/// right and the accuracy (trace / total) is in the title. Optionally each row is normalised to
/// fractions of its true class (the paper's Figs. 18 and 22).
public struct ConfusionMatrixPlot: Figure {
  /// The counts, [classCount][classCount], rows = true class.
  public let counts: [[Int]]
  /// One name per class.
  public let classNames: [String]
  /// True to show row fractions instead of counts.
  public let isNormalized: Bool
  /// The fraction of samples on the diagonal, 0...1.
  public let accuracy: Double
  let title: String?
  /// The values the colour scale spans; nil for this matrix's own smallest to largest. Matrices
  /// drawn side by side share one (the paper's Fig. 22).
  public var colorLimits: ClosedRange<Double>?

  /// Creates a confusion-matrix figure from counts.
  /// - Parameters:
  ///   - counts: a square matrix, `counts[t][p]` = samples of true class t predicted as p.
  ///   - classNames: one name per class; `nil` numbers them.
  ///   - normalized: show each row as fractions of its total.
  ///   - title: a title; the accuracy is added to it.
  /// - Throws: `PlotError` for zero classes, a non-square matrix, negative counts, no samples, or
  ///   a class-name count that does not match.
  public init(
    counts: [[Int]], classNames: [String]? = nil, normalized: Bool = false,
    title: String? = nil
  ) throws {
    guard !counts.isEmpty else { throw PlotError.noClasses }
    let k = counts.count
    for (i, row) in counts.enumerated() {
      guard row.count == k else {
        throw PlotError.mismatchedCounts(
          what: "confusion matrix row \(i) length (square matrix)",
          expected: k, actual: row.count)
      }
      if let j = row.firstIndex(where: { $0 < 0 }) {
        throw PlotError.invalidArgument(
          name: "count at row \(i), column \(j)",
          expected: "a count ≥ 0", actual: "\(row[j])")
      }
    }
    if let classNames {
      guard !classNames.isEmpty else { throw PlotError.noClasses }
      guard classNames.count == k else {
        throw PlotError.mismatchedCounts(
          what: "class name count (one per matrix row)", expected: k,
          actual: classNames.count)
      }
    }
    let total = counts.reduce(0) { $0 + $1.reduce(0, +) }
    guard total > 0 else { throw PlotError.emptyInput(what: "confusion matrix (all counts zero)") }
    self.counts = counts
    self.classNames = classNames ?? (0..<k).map { String($0) }
    self.isNormalized = normalized
    self.accuracy = Double((0..<k).reduce(0) { $0 + counts[$1][$1] }) / Double(total)
    self.title = title
  }

  /// Creates a confusion-matrix figure by counting label pairs.
  /// - Parameters:
  ///   - trueLabels: the true class of each sample.
  ///   - predictedLabels: the predicted class of each sample, same count.
  ///   - classNames: one name per class; labels must lie in `0..<classNames.count`.
  ///   - normalized: show each row as fractions of its total.
  ///   - title: a title; the accuracy is added to it.
  /// - Throws: `PlotError` for zero classes, mismatched or empty label lists, or a label out of
  ///   range.
  public init(
    trueLabels: [Int], predictedLabels: [Int], classNames: [String],
    normalized: Bool = false, title: String? = nil
  ) throws {
    guard !classNames.isEmpty else { throw PlotError.noClasses }
    guard !trueLabels.isEmpty else { throw PlotError.emptyInput(what: "true labels") }
    guard predictedLabels.count == trueLabels.count else {
      throw PlotError.mismatchedCounts(
        what: "predicted label count (one per true label)",
        expected: trueLabels.count, actual: predictedLabels.count)
    }
    try requireLabels(trueLabels, classCount: classNames.count, "true labels")
    try requireLabels(predictedLabels, classCount: classNames.count, "predicted labels")
    var counts = Array(
      repeating: Array(repeating: 0, count: classNames.count), count: classNames.count)
    for (t, p) in zip(trueLabels, predictedLabels) { counts[t][p] += 1 }
    try self.init(counts: counts, classNames: classNames, normalized: normalized, title: title)
  }

  /// The values shown: counts, or row fractions when normalised (an empty row shows zeros).
  public var values: [[Double]] {
    counts.map { row in
      let sum = Double(row.reduce(0, +))
      return row.map { isNormalized ? (sum > 0 ? Double($0) / sum : 0) : Double($0) }
    }
  }

  /// matplotlib's 640×480.
  public var preferredSize: (width: Int, height: Int) { (640, 480) }

  /// The matrix axes (square, in matplotlib's default axes area, leaving room on the right for
  /// the colour bar) and the colour bar's rectangle, for a canvas of the given size.
  func layout(width: Int, height: Int, style: PlotStyle) -> (axes: Axes, colorbar: Rect) {
    let s = style.s
    let k = counts.count
    let (w, h) = (Double(width), Double(height))
    let line = style.smallLine
    let font = style.labelFont
    let widestName = classNames.map { font.width(of: $0) }.max()!
    let area = Axes.defaultFrame(width: width, height: height, style: style)
    let barWidth = (0.065 * area.height).rounded()  // matplotlib: about 24 px at 640×480
    let barPad = (0.07 * area.height).rounded()
    let barLabels = 6 * s + font.width(of: "000000")
    // Room the decorations need around the matrix: y tick labels and "True label" on the left,
    // x tick labels (maybe turned) and "Predicted label" below, the colour bar on the right.
    let ticks = style.spineWidth + style.tickLength + style.tickPad
    let leftNeed = 8 * s + line + style.labelPad + widestName + ticks
    let rightNeed = barPad + barWidth + barLabels + 8 * s
    func bottomNeed(turned: Bool) -> Double {
      ticks + (turned ? widestName : line) + style.labelPad + line + 6 * s
    }
    func side(turned: Bool) -> Double {
      floor(
        min(
          area.height, h - area.y - bottomNeed(turned: turned),
          area.width - barPad - barWidth - barLabels, w - leftNeed - rightNeed))
    }
    var turned = false
    var matrixSide = side(turned: false)
    if widestName > matrixSide / Double(k) - 4 * s {
      turned = true
      matrixSide = side(turned: true)
    }
    matrixSide = max(matrixSide, Double(k))
    // Centre matrix and bar in matplotlib's axes area, but never closer to the edges than needed.
    let group = matrixSide + rightNeed - 8 * s
    var left = area.x + (area.width - group) / 2
    left = max(left, leftNeed)
    left = min(left, w - rightNeed - matrixSide)
    var axes = Axes(
      frame: Rect(x: left.rounded(), y: area.y, width: matrixSide, height: matrixSide),
      xLimits: -0.5...(Double(k) - 0.5), yLimits: -0.5...(Double(k) - 0.5))
    // Row 0 at the top: data y = k − 1 − row.
    // With many classes, label every n-th so tick labels stay one line apart.
    let every = max(1, Int((style.smallLine / (matrixSide / Double(k))).rounded(.up)))
    let shown = classNames.enumerated().filter { $0.offset % every == 0 }
    axes.xTicks = shown.map { (Double($0.offset), $0.element) }
    axes.yTicks = shown.map { (Double(k - 1 - $0.offset), $0.element) }
    axes.rotatesXTickLabels = turned
    axes.xLabel = "Predicted label"
    axes.yLabel = "True label"
    axes.title = titled(title, String(format: "accuracy %.1f%%", accuracy * 100))
    let bar = Rect(
      x: axes.frame.maxX + barPad, y: axes.frame.y, width: barWidth, height: matrixSide)
    return (axes, bar)
  }

  /// The text of one cell: a count, or a fraction with two decimals.
  func cellText(_ value: Double) -> String {
    isNormalized ? String(format: "%.2f", value) : String(Int(value.rounded()))
  }

  /// Draws the matrix, its labels and the colour bar to fill `canvas`.
  /// - Parameters:
  ///   - canvas: the target.
  ///   - style: sizes for the scale.
  public func draw(in canvas: Canvas, style: PlotStyle) {
    let k = counts.count
    let values = self.values
    let flat = values.flatMap { $0 }
    let low = colorLimits?.lowerBound ?? flat.min()!
    let high = colorLimits?.upperBound ?? flat.max()!
    let colormap = Viridis()
    let (axes, bar) = layout(width: canvas.width, height: canvas.height, style: style)
    let font = style.labelFont
    let cell = axes.frame.width / Double(k)

    // Cells, on whole-pixel edges so neighbours share no blended seam.
    let lowColor = colormap.color(at: 0), highColor = colormap.color(at: 1)
    let threshold = (low + high) / 2
    let span = high - low
    for row in 0..<k {
      let y0 = (axes.frame.y + Double(row) * cell).rounded()
      let y1 = (axes.frame.y + Double(row + 1) * cell).rounded()
      for column in 0..<k {
        let x0 = (axes.frame.x + Double(column) * cell).rounded()
        let x1 = (axes.frame.x + Double(column + 1) * cell).rounded()
        let value = values[row][column]
        let color = colormap.color(at: span > 0 ? min(max((value - low) / span, 0), 1) : 0)
        canvas.fill(Rect(x: x0, y: y0, width: x1 - x0, height: y1 - y0), with: color)
        let ink = value < threshold ? highColor : lowColor
        // Counts that cannot fit their cell (many classes) are left out rather than smeared.
        let text = cellText(value)
        guard font.width(of: text) <= x1 - x0 - 2, font.capHeight <= y1 - y0 - 2 else {
          continue
        }
        canvas.subcanvas(Rect(x: x0, y: y0, width: x1 - x0, height: y1 - y0))
          .drawText(
            text, at: Point(x: (x1 - x0) / 2, y: (y1 - y0) / 2),
            font: font, color: ink, horizontal: .center, vertical: .center)
      }
    }
    axes.drawDecorations(in: canvas, style: style)

    Colorbar(colormap: colormap, limits: low...max(high, low + (isNormalized ? 0.01 : 1)))
      .draw(in: canvas, at: bar, style: style)
  }
}

/// A vertical colour bar: the colormap from low (bottom) to high (top), a black outline, and
/// nice ticks with labels on its right (matplotlib's `Figure.colorbar`).
struct Colorbar: Sendable {
  var colormap: any Colormap
  var limits: ClosedRange<Double>

  func draw(in canvas: Canvas, at rect: Rect, style: PlotStyle) {
    let x0 = Int(rect.x.rounded()), width = Int(rect.width.rounded())
    let y0 = Int(rect.y.rounded()), height = Int(rect.height.rounded())
    for row in 0..<height {
      // Top row exactly the high end, bottom row exactly the low end.
      let color = colormap.color(at: 1 - Double(row) / Double(max(height - 1, 1)))
      canvas.fill(
        Rect(x: Double(x0), y: Double(y0 + row), width: Double(width), height: 1), with: color)
    }
    let w = style.spineWidth
    let box = Rect(x: Double(x0), y: Double(y0), width: Double(width), height: Double(height))
    canvas.fill(Rect(x: box.x - w, y: box.y - w, width: box.width + 2 * w, height: w), with: .black)
    canvas.fill(Rect(x: box.x - w, y: box.maxY, width: box.width + 2 * w, height: w), with: .black)
    canvas.fill(Rect(x: box.x - w, y: box.y, width: w, height: box.height), with: .black)
    canvas.fill(Rect(x: box.maxX, y: box.y, width: w, height: box.height), with: .black)
    let maxCount = min(max(Int(box.height / (3 * style.smallLine)), 2), 9)
    let ticks = Ticks.linear(in: limits, maxCount: maxCount)
    let labels = Ticks.labels(for: ticks, step: Ticks.niceStep(for: limits, maxCount: maxCount))
    let span = limits.upperBound - limits.lowerBound
    for (value, label) in zip(ticks, labels) {
      let y = floor(box.maxY - (value - limits.lowerBound) / span * box.height)
      canvas.fill(Rect(x: box.maxX + w, y: y, width: style.tickLength, height: w), with: .black)
      canvas.drawText(
        label, at: Point(x: box.maxX + w + style.tickLength + style.tickPad, y: y + w / 2),
        font: style.labelFont, horizontal: .left, vertical: .center)
    }
  }
}
