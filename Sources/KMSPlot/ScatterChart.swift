import Foundation
import KMSTensor

/// The shared drawing of 2-D point sets: optional grey points beneath (a prior sample), points
/// coloured by class with tab10 and a legend of class names, placed where it hides no data or
/// else outside the box on the right.
struct ScatterChart: Sendable {
  var points: [(x: Double, y: Double)]
  var labels: [Int]?  // one per point, in 0..<classNames.count
  var classNames: [String]
  var background: [(x: Double, y: Double)]
  var backgroundLabel: String?
  var limits: ClosedRange<Double>?
  var title: String
  var xLabel: String
  var yLabel: String

  /// Marker radius at scale 1: matplotlib's default `s=36` (≈ 4 px radius) for a few points,
  /// smaller as the cloud gets denser so structure stays visible.
  var markerRadius: Double {
    switch points.count {
    case ..<300: return 3.5
    case ..<2000: return 2.5
    default: return 1.6
    }
  }

  func draw(in canvas: Canvas, style: PlotStyle) {
    let xs = points.map(\.x) + background.map(\.x), ys = points.map(\.y) + background.map(\.y)
    let xLimits = limits ?? Axes.limits(covering: xs)
    let yLimits = limits ?? Axes.limits(covering: ys)
    var axes = Axes(
      frame: Axes.defaultFrame(width: canvas.width, height: canvas.height, style: style),
      xLimits: xLimits, yLimits: yLimits)
    axes.title = title
    axes.xLabel = xLabel
    axes.yLabel = yLabel

    var entries: [LegendEntry] = []
    if let labels {
      let present = Set(labels)
      entries = classNames.indices.filter { present.contains($0) }.map {
        LegendEntry(label: classNames[$0], color: Tab10.color($0), handle: .marker)
      }
    }
    if let backgroundLabel, !background.isEmpty {
      entries.append(LegendEntry(label: backgroundLabel, color: .priorGray, handle: .marker))
    }
    // More than 20 entries would not fit beside the axes; colours alone must do then.
    let legend = entries.isEmpty || entries.count > 20 ? nil : Legend(entries: entries)
    var legendRect: Rect?
    if let legend {
      let obstacles = (points + background).map { axes.point(x: $0.x, y: $0.y) }
      let placed = legend.placement(
        in: axes.frame, canvasWidth: canvas.width, avoiding: obstacles, style: style)
      legendRect = placed.legend
      if placed.isOutside {
        axes = Axes(frame: placed.frame, xLimits: xLimits, yLimits: yLimits)
        axes.title = title
        axes.xLabel = xLabel
        axes.yLabel = yLabel
      }
    }

    axes.drawGrid(in: canvas, style: style)
    let area = axes.plotArea(of: canvas)
    let radius = markerRadius * style.s
    for p in background {
      area.fillCircle(
        center: axes.localPoint(x: p.x, y: p.y), radius: radius * 0.8, color: .priorGray)
    }
    for (i, p) in points.enumerated() {
      let color = labels.map { Tab10.color($0[i]) } ?? Tab10.color(0)
      area.fillCircle(center: axes.localPoint(x: p.x, y: p.y), radius: radius, color: color)
    }
    axes.drawDecorations(in: canvas, style: style)
    if let legend, let legendRect { legend.draw(in: canvas, at: legendRect, style: style) }
  }
}

/// Checks a list of n-dimensional points and returns their dimension.
func pointDimension(_ points: [[Float]], what: String) throws -> Int {
  guard let first = points.first else { throw PlotError.emptyInput(what: what) }
  let d = first.count
  for (i, p) in points.enumerated() {
    guard p.count == d else {
      throw PlotError.mismatchedCounts(
        what: "\(what)[\(i)] dimension", expected: d, actual: p.count)
    }
    if p.contains(where: { !$0.isFinite }) { throw PlotError.nonFiniteValue(what: what, index: i) }
  }
  return d
}

/// Checks labels against points and names, returning the class names to use.
func resolveClasses(labels: [Int]?, classNames: [String]?, pointCount: Int, what: String) throws
  -> [String]
{
  if let classNames, classNames.isEmpty { throw PlotError.noClasses }
  guard let labels else { return classNames ?? [] }
  guard labels.count == pointCount else {
    throw PlotError.mismatchedCounts(
      what: "label count (one per \(what))", expected: pointCount,
      actual: labels.count)
  }
  if let classNames {
    try requireLabels(labels, classCount: classNames.count, "labels")
    return classNames
  }
  if let index = labels.firstIndex(where: { $0 < 0 }) {
    throw PlotError.labelOutOfRange(
      what: "labels", label: labels[index], index: index,
      classCount: (labels.max() ?? 0) + 1)
  }
  return (0...(labels.max() ?? 0)).map { String($0) }
}

/// Checks optional fixed limits.
func checkLimits(_ limits: ClosedRange<Double>?) throws {
  guard let limits else { return }
  guard limits.lowerBound.isFinite, limits.upperBound.isFinite,
    limits.lowerBound < limits.upperBound
  else {
    throw PlotError.invalidArgument(
      name: "axis limits", expected: "finite lower < upper",
      actual: "\(limits)")
  }
}

/// Latent codes as a 2-D scatter coloured by class (paper Figs. 16–20): 2-D codes are drawn as
/// they are, codes of more dimensions are projected on their first two principal components (and
/// the title says so). An optional prior sample is drawn in light grey beneath, projected the same
/// way; optional fixed limits apply to both axes (the paper uses −4.5...4.5).
public struct LatentScatter: Figure {
  let chart: ScatterChart

  /// Creates a latent scatter.
  /// - Parameters:
  ///   - codes: n codes of dimension d ≥ 2.
  ///   - labels: one class per code, or `nil` for a single colour.
  ///   - classNames: names for the legend, one per class; `nil` names classes by number.
  ///   - prior: an optional sample from the prior, dimension d, drawn in grey beneath.
  ///   - limits: fixed limits for both axes, e.g. `-4.5...4.5`; `nil` fits the data.
  ///   - title: the title; "PCA of d-D codes" is added when codes are projected.
  /// - Throws: `PlotError` for no codes, 1-D codes, ragged or non-finite codes, a label count or
  ///   prior dimension that does not match, zero classes, or bad limits.
  public init(
    codes: [[Float]], labels: [Int]? = nil, classNames: [String]? = nil,
    prior: [[Float]]? = nil, limits: ClosedRange<Double>? = nil,
    title: String? = nil
  ) throws {
    let d = try pointDimension(codes, what: "latent codes")
    guard d >= 2 else { throw PlotError.codeDimensionTooSmall(dimension: d) }
    let names = try resolveClasses(
      labels: labels, classNames: classNames, pointCount: codes.count,
      what: "code")
    var priorPoints: [[Float]] = []
    if let prior, !prior.isEmpty {
      let priorDimension = try pointDimension(prior, what: "prior sample")
      guard priorDimension == d else {
        throw PlotError.mismatchedCounts(
          what: "prior sample dimension (same as the codes)",
          expected: d, actual: priorDimension)
      }
      priorPoints = prior
    }
    try checkLimits(limits)
    let projected: [[Double]], background: [[Double]]
    let heading: String, xLabel: String, yLabel: String
    if d == 2 {
      projected = codes.map { [Double($0[0]), Double($0[1])] }
      background = priorPoints.map { [Double($0[0]), Double($0[1])] }
      (heading, xLabel, yLabel) = (title ?? "latent codes", "z1", "z2")
    } else {
      let pca = PCA(points: codes)
      projected = pca.project(codes)
      background = pca.project(priorPoints)
      (heading, xLabel, yLabel) = (titled(title, "PCA of \(d)-D codes"), "PC 1", "PC 2")
    }
    chart = ScatterChart(
      points: projected.map { ($0[0], $0[1]) }, labels: labels, classNames: names,
      background: background.map { ($0[0], $0[1]) }, backgroundLabel: "prior",
      limits: limits, title: heading, xLabel: xLabel, yLabel: yLabel)
  }

  /// Creates a latent scatter from codes stored flat, n × `dimension` values row-major (a
  /// tensor's storage).
  /// - Parameters:
  ///   - codes: n·dimension values.
  ///   - dimension: the code size d ≥ 2.
  ///   - labels: one class per code, or `nil`.
  ///   - classNames: names for the legend.
  ///   - prior: an optional prior sample, flat, m × dimension.
  ///   - limits: fixed limits for both axes.
  ///   - title: the title.
  /// - Throws: `PlotError` as the other initialiser, or when the count is not a multiple of
  ///   `dimension`.
  public init(
    flatCodes codes: [Float], dimension: Int, labels: [Int]? = nil,
    classNames: [String]? = nil, prior: [Float]? = nil,
    limits: ClosedRange<Double>? = nil, title: String? = nil
  ) throws {
    guard dimension >= 2 else { throw PlotError.codeDimensionTooSmall(dimension: dimension) }
    try self.init(
      codes: try unflatten(codes, dimension: dimension, what: "latent codes"),
      labels: labels, classNames: classNames,
      prior: try prior.map { try unflatten($0, dimension: dimension, what: "prior sample") },
      limits: limits, title: title)
  }

  /// matplotlib's 640×480.
  public var preferredSize: (width: Int, height: Int) { (640, 480) }

  /// Draws the scatter to fill `canvas`.
  /// - Parameters:
  ///   - canvas: the target.
  ///   - style: sizes for the scale.
  public func draw(in canvas: Canvas, style: PlotStyle) { chart.draw(in: canvas, style: style) }
}

/// A sample from a prior alone (a 2-D swiss roll, or one-hot samples projected by PCA), coloured
/// by the class each point was drawn for. The sampler lives in KMSNN; this only draws points.
public struct PriorScatter: Figure {
  let chart: ScatterChart

  /// Creates a prior scatter.
  /// - Parameters:
  ///   - points: n samples of dimension d ≥ 2 (PCA to 2-D when d > 2).
  ///   - labels: the class each sample belongs to, or `nil` for one colour.
  ///   - classNames: names for the legend; `nil` names classes by number.
  ///   - limits: fixed limits for both axes, e.g. `-4.5...4.5`.
  ///   - title: the title; defaults to "prior sample".
  /// - Throws: `PlotError` as `LatentScatter`.
  public init(
    points: [[Float]], labels: [Int]? = nil, classNames: [String]? = nil,
    limits: ClosedRange<Double>? = nil, title: String? = nil
  ) throws {
    let d = try pointDimension(points, what: "prior sample")
    guard d >= 2 else { throw PlotError.codeDimensionTooSmall(dimension: d) }
    let names = try resolveClasses(
      labels: labels, classNames: classNames, pointCount: points.count,
      what: "sample")
    try checkLimits(limits)
    let projected: [[Double]]
    let heading: String, axisNames: (String, String)
    if d == 2 {
      projected = points.map { [Double($0[0]), Double($0[1])] }
      (heading, axisNames) = (title ?? "prior sample", ("z1", "z2"))
    } else {
      projected = PCA(points: points).project(points)
      (heading, axisNames) = (
        titled(title ?? "prior sample", "PCA of \(d)-D samples"), ("PC 1", "PC 2")
      )
    }
    chart = ScatterChart(
      points: projected.map { ($0[0], $0[1]) }, labels: labels, classNames: names,
      background: [], backgroundLabel: nil, limits: limits, title: heading,
      xLabel: axisNames.0, yLabel: axisNames.1)
  }

  /// matplotlib's 640×480.
  public var preferredSize: (width: Int, height: Int) { (640, 480) }

  /// Draws the scatter to fill `canvas`.
  /// - Parameters:
  ///   - canvas: the target.
  ///   - style: sizes for the scale.
  public func draw(in canvas: Canvas, style: PlotStyle) { chart.draw(in: canvas, style: style) }
}

/// Splits flat row-major values into rows of `dimension`.
func unflatten(_ values: [Float], dimension: Int, what: String) throws -> [[Float]] {
  guard dimension > 0, values.count % dimension == 0 else {
    throw PlotError.mismatchedCounts(
      what: "\(what) value count (a multiple of the dimension \(dimension))",
      expected: (values.count / max(dimension, 1) + 1) * max(dimension, 1),
      actual: values.count)
  }
  return stride(from: 0, to: values.count, by: dimension).map {
    Array(values[$0..<($0 + dimension)])
  }
}
