/// Several figures side by side (the paper's three-in-a-row layouts), each drawn into its own
/// sub-canvas so nothing spills into a neighbour, with an optional overall title above.
public struct Panels: Figure {
  /// The figures, left to right, then top to bottom.
  public let figures: [any Figure]
  /// Panels per row.
  public let columns: Int
  let title: String?

  /// Creates a panel layout (plotters' `split_evenly`: every cell the same size).
  /// - Parameters:
  ///   - figures: the figures to show; each keeps its own title.
  ///   - columns: panels per row; `nil` puts all in one row.
  ///   - title: an overall title above the panels.
  /// - Throws: `PlotError.emptyInput` for no figures, `.invalidArgument` for columns < 1.
  public init(_ figures: [any Figure], columns: Int? = nil, title: String? = nil) throws {
    guard !figures.isEmpty else { throw PlotError.emptyInput(what: "panel figures") }
    if let columns, columns < 1 {
      throw PlotError.invalidArgument(name: "columns", expected: "at least 1", actual: "\(columns)")
    }
    self.figures = figures
    self.columns = min(columns ?? figures.count, figures.count)
    self.title = title
  }

  var rowCount: Int { (figures.count + columns - 1) / columns }
  var titleHeight: Int { title == nil ? 0 : BitmapFont.large.cellHeight + 14 }

  /// Each cell as large as the largest figure's preferred size.
  public var preferredSize: (width: Int, height: Int) {
    let cellWidth = figures.map(\.preferredSize.width).max()!
    let cellHeight = figures.map(\.preferredSize.height).max()!
    return (cellWidth * columns, cellHeight * rowCount + titleHeight)
  }

  /// Draws every figure into its cell of an even grid filling `canvas`.
  /// - Parameters:
  ///   - canvas: the target.
  ///   - style: sizes for the scale.
  public func draw(in canvas: Canvas, style: PlotStyle) {
    let top = Double(titleHeight * style.scale)
    if let title {
      canvas.drawText(
        title, at: Point(x: Double(canvas.width) / 2, y: 7 * style.s), font: .large,
        scale: style.scale, horizontal: .center, vertical: .top)
    }
    let cellWidth = Double(canvas.width) / Double(columns)
    let cellHeight = (Double(canvas.height) - top) / Double(rowCount)
    for (i, figure) in figures.enumerated() {
      let (row, column) = (i / columns, i % columns)
      let cell = canvas.subcanvas(
        Rect(
          x: Double(column) * cellWidth, y: top + Double(row) * cellHeight,
          width: cellWidth, height: cellHeight))
      figure.draw(in: cell, style: style)
    }
  }
}
