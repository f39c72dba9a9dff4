/// A complete figure that can draw itself into a canvas of any size: image grids, scatters,
/// confusion matrices, training curves, and panels of those. Figures are plain values built from
/// Swift arrays; their initialisers check the input and throw `PlotError`, so drawing never fails.
public protocol Figure: Sendable {
  /// The natural canvas size at scale 1 (matplotlib's 640×480 for axes figures).
  var preferredSize: (width: Int, height: Int) { get }

  /// Draws the figure to fill `canvas`, whatever its size (panels hand out smaller canvases).
  /// - Parameters:
  ///   - canvas: the target; drawing is clipped to it.
  ///   - style: pixel sizes for the rendering scale.
  func draw(in canvas: Canvas, style: PlotStyle)
}

extension Figure {
  /// Renders the figure on a new white canvas of `preferredSize × scale`.
  /// - Parameters:
  ///   - scale: the integer magnification (2 gives crisp text and lines at twice the size).
  ///   - fonts: the fonts to set text in; those found on this machine by default.
  public func render(scale: Int = 1, fonts: FontLibrary = .shared) -> Canvas {
    let style = PlotStyle(scale: scale, fonts: fonts)
    let size = preferredSize
    let canvas = Canvas(width: size.width * style.scale, height: size.height * style.scale)
    draw(in: canvas, style: style)
    return canvas
  }

  /// Renders the figure on a new white canvas of the given size.
  /// - Parameters:
  ///   - width: canvas width in pixels.
  ///   - height: canvas height in pixels.
  ///   - scale: the integer magnification for text and lines.
  ///   - fonts: the fonts to set text in.
  public func render(width: Int, height: Int, scale: Int = 1, fonts: FontLibrary = .shared)
    -> Canvas
  {
    let canvas = Canvas(width: max(width, 1), height: max(height, 1))
    draw(in: canvas, style: PlotStyle(scale: scale, fonts: fonts))
    return canvas
  }

  /// Renders the figure and writes it as a PNG at `path`, atomically.
  /// - Parameters:
  ///   - path: the destination file.
  ///   - scale: the integer magnification.
  /// - Throws: `PlotError.unwritablePath` if the file cannot be written (nothing is left behind).
  public func writePNG(to path: String, scale: Int = 1) throws {
    try render(scale: scale).writePNG(to: path)
  }

  /// Renders the figure and encodes it as PNG bytes.
  /// - Parameter scale: the integer magnification.
  public func pngData(scale: Int = 1) throws -> [UInt8] {
    try render(scale: scale).pngData()
  }
}

// MARK: Input checks shared by the figures

/// Throws unless every value is finite.
func requireFinite(_ values: [Float], _ what: String) throws {
  if let index = values.firstIndex(where: { !$0.isFinite }) {
    throw PlotError.nonFiniteValue(what: what, index: index)
  }
}

/// Throws unless every label lies in `0..<classCount`.
func requireLabels(_ labels: [Int], classCount: Int, _ what: String) throws {
  if let index = labels.firstIndex(where: { $0 < 0 || $0 >= classCount }) {
    throw PlotError.labelOutOfRange(
      what: what, label: labels[index], index: index,
      classCount: classCount)
  }
}

/// The title with a suffix in parentheses, or the suffix alone when there is no title.
func titled(_ title: String?, _ suffix: String) -> String {
  guard let title, !title.isEmpty else { return suffix }
  return "\(title) (\(suffix))"
}
