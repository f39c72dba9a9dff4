import Foundation

/// Records the primitives drawn on a canvas as SVG elements while they are rasterised, so a
/// figure's SVG is made by the very drawing code that makes its PNG: same layout, same colours,
/// text kept as text (DejaVu Sans, with the kana font as a fallback family), images embedded as
/// PNG, each element clipped to the sub-canvas it was drawn in.
final class SVGRecorder {
  private(set) var elements: [String] = []
  private var clipIDs: [String: Int] = [:]
  private(set) var clipDefinitions: [String] = []
  let width: Int
  let height: Int

  init(width: Int, height: Int) { (self.width, self.height) = (width, height) }

  /// ` clip-path="url(#cN)"` when `canvas` is a view smaller than the whole picture, else "".
  private func clip(_ canvas: Canvas) -> String {
    if canvas.originX == 0 && canvas.originY == 0 && canvas.width == width
      && canvas.height == height
    {
      return ""
    }
    let key = "\(canvas.originX),\(canvas.originY),\(canvas.width),\(canvas.height)"
    let id: Int
    if let known = clipIDs[key] {
      id = known
    } else {
      id = clipIDs.count
      clipIDs[key] = id
      clipDefinitions.append(
        "<clipPath id=\"c\(id)\"><rect x=\"\(canvas.originX)\" y=\"\(canvas.originY)\" "
          + "width=\"\(canvas.width)\" height=\"\(canvas.height)\"/></clipPath>")
    }
    return " clip-path=\"url(#c\(id))\""
  }

  private func add(_ element: String, _ canvas: Canvas) {
    let clipping = clip(canvas)
    if clipping.isEmpty {
      elements.append(element)
    } else {
      elements.append("<g\(clipping)>\(element)</g>")
    }
  }

  func addRect(_ rect: Rect, color: Color, canvas: Canvas) {
    let (x, y) = (rect.x + Double(canvas.originX), rect.y + Double(canvas.originY))
    add(
      "<rect x=\"\(n(x))\" y=\"\(n(y))\" width=\"\(n(rect.width))\""
        + " height=\"\(n(rect.height))\"\(fill(color))/>", canvas)
  }

  func addPolyline(_ points: [Point], color: Color, lineWidth: Double, canvas: Canvas) {
    let list = points.filter { $0.x.isFinite && $0.y.isFinite }.map {
      "\(n($0.x + Double(canvas.originX))),\(n($0.y + Double(canvas.originY)))"
    }.joined(separator: " ")
    add(
      "<polyline points=\"\(list)\" fill=\"none\"\(stroke(color, lineWidth))"
        + " stroke-linecap=\"round\" stroke-linejoin=\"round\"/>", canvas)
  }

  func addCircle(center: Point, radius: Double, fill color: Color?, stroke: Color?,
    lineWidth: Double, canvas: Canvas
  ) {
    let (x, y) = (center.x + Double(canvas.originX), center.y + Double(canvas.originY))
    let paint = color.map(fill) ?? " fill=\"none\""
    let line = stroke.map { self.stroke($0, lineWidth) } ?? ""
    add("<circle cx=\"\(n(x))\" cy=\"\(n(y))\" r=\"\(n(radius))\"\(paint)\(line)/>", canvas)
  }

  func addPolygon(_ vertices: [Point], color: Color, canvas: Canvas) {
    let list = vertices.map {
      "\(n($0.x + Double(canvas.originX))),\(n($0.y + Double(canvas.originY)))"
    }.joined(separator: " ")
    add("<polygon points=\"\(list)\" fill-rule=\"evenodd\"\(fill(color))/>", canvas)
  }

  func addImage(pngData: [UInt8], in rect: Rect, canvas: Canvas) {
    let (x, y) = (rect.x + Double(canvas.originX), rect.y + Double(canvas.originY))
    let encoded = Data(pngData).base64EncodedString()
    add(
      "<image x=\"\(n(x))\" y=\"\(n(y))\" width=\"\(n(rect.width))\" height=\"\(n(rect.height))\""
        + " preserveAspectRatio=\"none\" style=\"image-rendering:pixelated\""
        + " href=\"data:image/png;base64,\(encoded)\"/>", canvas)
  }

  func addText(
    _ text: String, origin: Point, font: TextFont, color: Color, isVertical: Bool, canvas: Canvas
  ) {
    let (x, y) = (origin.x + Double(canvas.originX), origin.y + Double(canvas.originY))
    let turn = isVertical ? " transform=\"rotate(-90 \(n(x)) \(n(y)))\"" : ""
    add(
      "<text x=\"\(n(x))\" y=\"\(n(y))\" font-size=\"\(n(font.pixelSize))\"\(fill(color))\(turn)>"
        + escaped(text) + "</text>", canvas)
  }

  /// The finished document.
  var document: String {
    var out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    out += "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(width)\" height=\"\(height)\""
    out += " viewBox=\"0 0 \(width) \(height)\" font-family=\"DejaVu Sans, IPAexGothic, sans-serif\">\n"
    if !clipDefinitions.isEmpty {
      out += "<defs>\n" + clipDefinitions.joined(separator: "\n") + "\n</defs>\n"
    }
    out += elements.joined(separator: "\n")
    out += "\n</svg>\n"
    return out
  }

  private func fill(_ color: Color) -> String {
    " fill=\"\(hex(color))\"" + (color.a == 255 ? "" : " fill-opacity=\"\(n(Double(color.a) / 255))\"")
  }

  private func stroke(_ color: Color, _ width: Double) -> String {
    " stroke=\"\(hex(color))\" stroke-width=\"\(n(width))\""
      + (color.a == 255 ? "" : " stroke-opacity=\"\(n(Double(color.a) / 255))\"")
  }

  private func hex(_ color: Color) -> String { String(color.description.prefix(7)) }

  /// A number with at most two decimals and no trailing zeros.
  private func n(_ value: Double) -> String {
    let rounded = (value * 100).rounded() / 100
    if rounded == rounded.rounded() { return String(Int(rounded)) }
    var text = String(format: "%.2f", rounded)
    while text.hasSuffix("0") { text.removeLast() }
    return text
  }

  private func escaped(_ text: String) -> String {
    text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
      .replacingOccurrences(of: ">", with: "&gt;")
  }
}

extension Figure {
  /// The figure as an SVG document, drawn by the same code as its PNG at `scale`: text stays
  /// text, images are embedded as PNG.
  /// - Parameter scale: the integer magnification.
  public func svgDocument(scale: Int = 1) -> String {
    let style = PlotStyle(scale: scale)
    let size = preferredSize
    let canvas = Canvas(width: size.width * style.scale, height: size.height * style.scale)
    let recorder = SVGRecorder(width: canvas.width, height: canvas.height)
    canvas.storage.recorder = recorder
    // The white figure face, as the PNG has.
    recorder.addRect(canvas.bounds, color: .white, canvas: canvas)
    draw(in: canvas, style: style)
    canvas.storage.recorder = nil
    return recorder.document
  }

  /// Writes the figure as an SVG file at `path`, atomically.
  /// - Parameters:
  ///   - path: the destination file.
  ///   - scale: the integer magnification.
  /// - Throws: `PlotError.unwritablePath` if the file cannot be written (nothing is left behind).
  public func writeSVG(to path: String, scale: Int = 1) throws {
    try writeFileAtomically(Array(svgDocument(scale: scale).utf8), to: path)
  }
}
