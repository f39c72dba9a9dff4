import Foundation

/// One grayscale image: `width × height` values in [0, 1], row-major.
struct GrayImage: Sendable {
  var pixels: [Float]  // [height, width]
  var width: Int
  var height: Int
}

/// The shared layout of image grids: rows of equally sized images with thin gutters, an optional
/// label left of each row, optional captions (under each image, or above a row as column headings),
/// and an optional title. Images are upscaled nearest-neighbour by a whole factor when there is
/// room (crisp pixels).
struct ImageTable: Sendable {
  var rows: [[GrayImage]]
  var rowLabels: [String]?
  /// Per row, one caption per image, or an empty list for a row without captions.
  var captions: [[String]]?
  var title: String?
  /// Rows that belong together (2 for original/reconstruction pairs); blocks get a wider gap.
  var rowsPerBlock = 1
  /// Captions go above their images (column headings) instead of below.
  var captionsAbove = false

  var columnCount: Int { rows.map(\.count).max() ?? 0 }
  var imageWidth: Int { rows.first?.first?.width ?? 1 }
  var imageHeight: Int { rows.first?.first?.height ?? 1 }

  /// Pixel gaps at scale 1.
  static let gutter = 4.0
  static let margin = 10.0
  static let blockGap = 12.0

  /// True when row `r` has captions.
  func hasCaptions(_ r: Int) -> Bool { !(captions.map { r < $0.count ? $0[r] : [] } ?? []).isEmpty }

  /// The total of all gaps between rows at scale `s`: gutters, widened between blocks.
  func rowGaps(scale s: Double) -> Double {
    guard rowsPerBlock > 1 else { return Double(rows.count - 1) * Self.gutter * s }
    let blocks = (rows.count + rowsPerBlock - 1) / rowsPerBlock
    return Double(rows.count - 1) * Self.gutter * s + Double(blocks - 1)
      * (Self.blockGap - Self.gutter) * s
  }

  /// The top of each row's band (caption included) relative to the first row's top.
  func rowOffsets(cellHeight: Double, captionHeight: Double, scale s: Double) -> [Double] {
    var offsets: [Double] = [], y = 0.0
    for r in rows.indices {
      if r > 0 {
        y += Self.gutter * s
        if rowsPerBlock > 1 && r % rowsPerBlock == 0 { y += (Self.blockGap - Self.gutter) * s }
      }
      offsets.append(y)
      y += cellHeight + (hasCaptions(r) ? captionHeight : 0)
    }
    return offsets
  }

  var captionedRowCount: Int { rows.indices.filter(hasCaptions).count }

  /// Size with images shown `zoom` times larger.
  func preferredSize(zoom: Int) -> (width: Int, height: Int) {
    let style = PlotStyle()
    let (left, top, captionHeight) = furniture(style: style)
    let columns = Double(columnCount), rowCount = Double(rows.count)
    let width =
      left + columns * Double(imageWidth * zoom) + (columns - 1) * Self.gutter + Self.margin
    let height =
      top + rowCount * Double(imageHeight * zoom) + Double(captionedRowCount) * captionHeight
      + rowGaps(scale: 1) + Self.margin
    // Wide enough for the title.
    let titleWidth = style.titleFont.width(of: title ?? "") + 2 * Self.margin
    return (Int(max(width, titleWidth).rounded(.up)), Int(height.rounded(.up)))
  }

  /// A zoom that makes the grid about 900 pixels wide at most (3× for 10 KMNIST images a row).
  var naturalZoom: Int {
    max(1, min(4, 900 / max(columnCount * imageWidth, 1)))
  }

  /// Space taken by row labels (left), title (top), and captions (under or above an image).
  func furniture(style: PlotStyle) -> (left: Double, top: Double, caption: Double) {
    let s = style.s
    let font = style.labelFont
    let labelWidth = (rowLabels ?? []).map { font.width(of: $0) }.max() ?? 0
    let left = rowLabels == nil ? Self.margin * s : Self.margin * s + labelWidth.rounded(.up) + 8 * s
    let top =
      title == nil
      ? Self.margin * s : Self.margin * s + style.titleFont.lineHeight + 6 * s
    let caption = captions == nil ? 0 : font.lineHeight + 3 * s
    return (left, top, caption)
  }

  func draw(in canvas: Canvas, style: PlotStyle) {
    let s = style.s
    let font = style.labelFont
    let (left, top, captionHeight) = furniture(style: style)
    let columns = Double(columnCount), rowCount = Double(rows.count)
    let gutter = Self.gutter * s
    let captionTotal = Double(captionedRowCount) * captionHeight
    let availableWidth = Double(canvas.width) - left - Self.margin * s - (columns - 1) * gutter
    let availableHeight =
      Double(canvas.height) - top - Self.margin * s - rowGaps(scale: s) - captionTotal
    // Cell size: the largest that fits, snapped down to a whole multiple of the image size.
    var cellWidth = floor(
      min(
        availableWidth / columns,
        availableHeight / rowCount * Double(imageWidth) / Double(imageHeight)))
    if cellWidth >= Double(imageWidth) {
      cellWidth = floor(cellWidth / Double(imageWidth)) * Double(imageWidth)
    }
    cellWidth = max(cellWidth, 1)
    let cellHeight = max((cellWidth * Double(imageHeight) / Double(imageWidth)).rounded(), 1)
    // Centre the grid horizontally in the space right of the row labels.
    let gridWidth = columns * cellWidth + (columns - 1) * gutter
    let originX = (left + (Double(canvas.width) - left - Self.margin * s - gridWidth) / 2).rounded()
    let gridHeight = rowCount * cellHeight + captionTotal + rowGaps(scale: s)
    let originY = (top + max(0, (Double(canvas.height) - top - Self.margin * s - gridHeight) / 2))
      .rounded()

    if let title {
      canvas.drawText(
        title, at: Point(x: Double(canvas.width) / 2, y: originY - 6 * s - style.titleFont.descent),
        font: style.titleFont, horizontal: .center, vertical: .baseline)
    }
    let offsets = rowOffsets(cellHeight: cellHeight, captionHeight: captionHeight, scale: s)
    for (r, row) in rows.enumerated() {
      let band = originY + offsets[r]
      let above = captionsAbove && hasCaptions(r) ? captionHeight : 0
      let y = band + above
      if let rowLabels, r < rowLabels.count {
        canvas.drawText(
          rowLabels[r], at: Point(x: originX - 8 * s, y: y + cellHeight / 2),
          font: font, horizontal: .right, vertical: .center)
      }
      for (c, image) in row.enumerated() {
        let x = originX + Double(c) * (cellWidth + gutter)
        canvas.drawGrayscale(image, in: Rect(x: x, y: y, width: cellWidth, height: cellHeight))
        guard let captions, r < captions.count, c < captions[r].count else { continue }
        if captionsAbove {
          canvas.drawText(
            captions[r][c], at: Point(x: x + cellWidth / 2, y: y - 2 * s),
            font: font, horizontal: .center, vertical: .bottom)
        } else {
          canvas.drawText(
            captions[r][c], at: Point(x: x + cellWidth / 2, y: y + cellHeight + 2 * s),
            font: font, horizontal: .center, vertical: .top)
        }
      }
    }
  }
}

extension Canvas {
  /// Paints `image` into `rect` (whole pixels) nearest-neighbour, black for 0 and white for 1.
  func drawGrayscale(_ image: GrayImage, in rect: Rect) {
    let x0 = Int(rect.x.rounded()), y0 = Int(rect.y.rounded())
    let w = Int(rect.width.rounded()), h = Int(rect.height.rounded())
    guard w > 0, h > 0 else { return }
    if let recorder = storage.recorder {
      // The image at its own size, scaled up by the SVG viewer with crisp pixels.
      let bytes = image.pixels.flatMap { value -> [UInt8] in
        let level = UInt8((min(max(value, 0), 1) * 255).rounded())
        return [level, level, level, 255]
      }
      let small = Canvas(width: image.width, height: image.height, rgbaBytes: bytes)
      if let png = try? small.pngData() {
        recorder.addImage(
          pngData: png, in: Rect(x: Double(x0), y: Double(y0), width: Double(w), height: Double(h)),
          canvas: self)
      }
    }
    for dy in 0..<h {
      let sy = min(dy * image.height / h, image.height - 1)
      for dx in 0..<w {
        let sx = min(dx * image.width / w, image.width - 1)
        let v = min(max(image.pixels[sy * image.width + sx], 0), 1)
        let level = UInt8((v * 255).rounded())
        setPixel(x: x0 + dx, y: y0 + dy, to: Color(r: level, g: level, b: level))
      }
    }
  }
}

/// Checks a list of flattened images and wraps them, inferring a square size when `width` is nil.
func grayImages(_ images: [[Float]], width: Int?, what: String) throws -> [GrayImage] {
  guard let first = images.first else { throw PlotError.emptyInput(what: what) }
  let count = first.count
  guard count > 0 else { throw PlotError.emptyInput(what: "\(what)[0]") }
  let w: Int
  if let width {
    guard width > 0, count % width == 0 else {
      throw PlotError.invalidArgument(
        name: "image width", expected: "a divisor of \(count)",
        actual: "\(width)")
    }
    w = width
  } else {
    let side = Int(Double(count).squareRoot().rounded())
    guard side * side == count else {
      throw PlotError.invalidArgument(
        name: "image size", expected: "a square image or an explicit width",
        actual: "\(count) values")
    }
    w = side
  }
  var result: [GrayImage] = []
  result.reserveCapacity(images.count)
  for (i, image) in images.enumerated() {
    guard image.count == count else {
      throw PlotError.mismatchedCounts(
        what: "\(what)[\(i)] value count", expected: count,
        actual: image.count)
    }
    try requireFinite(image, "\(what)[\(i)]")
    result.append(GrayImage(pixels: image, width: w, height: count / w))
  }
  return result
}
