/// Several figures on a grid (the paper's three-in-a-row layouts): every cell the same size, as
/// large as the largest figure's preferred size, each figure drawn into its own sub-canvas so
/// nothing spills into a neighbour, with an optional overall title above in a figure title's size
/// (matplotlib's `suptitle`, 12 pt).
public struct Panels: Figure {
  /// The figures, left to right, then top to bottom.
  public let figures: [any Figure]
  /// Panels per row.
  public let columns: Int
  let title: String?

  /// The widest a row may grow before it wraps when no column count is given, in pixels at
  /// scale 1 (three 640-pixel figures).
  public static let maximumRowWidth = 1920

  /// Creates a panel layout (plotters' `split_evenly`: every cell the same size).
  /// - Parameters:
  ///   - figures: the figures to show; each keeps its own title.
  ///   - columns: panels per row; `nil` puts as many in a row as fit `maximumRowWidth`.
  ///   - title: an overall title above the panels.
  /// - Throws: `PlotError.emptyInput` for no figures, `.invalidArgument` for columns < 1.
  public init(_ figures: [any Figure], columns: Int? = nil, title: String? = nil) throws {
    guard !figures.isEmpty else { throw PlotError.emptyInput(what: "panel figures") }
    if let columns, columns < 1 {
      throw PlotError.invalidArgument(name: "columns", expected: "at least 1", actual: "\(columns)")
    }
    self.figures = figures
    let cellWidth = figures.map(\.preferredSize.width).max()!
    let fitting = max(1, Self.maximumRowWidth / max(cellWidth, 1))
    self.columns = min(columns ?? fitting, figures.count)
    self.title = title
  }

  /// Rows of the grid.
  public var rowCount: Int { (figures.count + columns - 1) / columns }

  /// The band the title takes at the top: its line and 7 px above and below, at `style`'s scale.
  func titleHeight(style: PlotStyle) -> Double {
    title == nil ? 0 : (style.titleFont.lineHeight + 14 * style.s).rounded()
  }

  /// The common cell size: the largest preferred width and height among the figures.
  public var cellSize: (width: Int, height: Int) {
    (figures.map(\.preferredSize.width).max()!, figures.map(\.preferredSize.height).max()!)
  }

  /// Every cell the common size.
  public var preferredSize: (width: Int, height: Int) {
    let cell = cellSize
    return (cell.width * columns, cell.height * rowCount + Int(titleHeight(style: PlotStyle())))
  }

  /// Draws every figure into its cell of an even grid filling `canvas`.
  /// - Parameters:
  ///   - canvas: the target.
  ///   - style: sizes for the scale.
  public func draw(in canvas: Canvas, style: PlotStyle) {
    let top = titleHeight(style: style)
    if let title {
      canvas.drawText(
        title, at: Point(x: Double(canvas.width) / 2, y: 7 * style.s), font: style.titleFont,
        horizontal: .center, vertical: .top)
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
