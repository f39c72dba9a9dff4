import Foundation

/// One grayscale image: `width × height` values in [0, 1], row-major.
struct GrayImage: Sendable {
  var pixels: [Float]  // [height, width]
  var width: Int
  var height: Int
}

/// The shared layout of image grids: rows of equally sized images with thin gutters, an optional
/// label left of each row, an optional caption under each image, and an optional title. Images
/// are upscaled nearest-neighbour by a whole factor when there is room (crisp pixels).
struct ImageTable: Sendable {
  var rows: [[GrayImage]]
  var rowLabels: [String]?
  var captions: [[String]]?
  var title: String?
  /// Rows that belong together (2 for original/reconstruction pairs); blocks get a wider gap.
  var rowsPerBlock = 1

  var columnCount: Int { rows.map(\.count).max() ?? 0 }
  var imageWidth: Int { rows.first?.first?.width ?? 1 }
  var imageHeight: Int { rows.first?.first?.height ?? 1 }

  /// Pixel gaps at scale 1.
  static let gutter = 4.0
  static let margin = 10.0
  static let blockGap = 12.0

  /// The total of all gaps between rows at scale `s`: gutters, widened between blocks.
  func rowGaps(scale s: Double) -> Double {
    guard rowsPerBlock > 1 else { return Double(rows.count - 1) * Self.gutter * s }
    let blocks = (rows.count + rowsPerBlock - 1) / rowsPerBlock
    return Double(rows.count - 1) * Self.gutter * s + Double(blocks - 1)
      * (Self.blockGap - Self.gutter) * s
  }

  /// The top of row `r` relative to the first row's top.
  func rowOffset(_ r: Int, rowHeight: Double, scale s: Double) -> Double {
    let blockIndex = rowsPerBlock > 1 ? r / rowsPerBlock : 0
    return Double(r) * (rowHeight + Self.gutter * s) + Double(blockIndex)
      * (Self.blockGap - Self.gutter) * s
  }

  /// Size with images shown `zoom` times larger.
  func preferredSize(zoom: Int) -> (width: Int, height: Int) {
    let style = PlotStyle()
    let (left, top, captionHeight) = furniture(style: style)
    let columns = Double(columnCount), rowCount = Double(rows.count)
    let width =
      left + columns * Double(imageWidth * zoom) + (columns - 1) * Self.gutter + Self.margin
    let height =
      top + rowCount * (Double(imageHeight * zoom) + captionHeight)
      + rowGaps(scale: 1) + Self.margin
    // Wide enough for the title and for every caption under its image.
    let titleWidth = Double(BitmapFont.large.size(of: title ?? "").width) + 2 * Self.margin
    return (Int(max(width, titleWidth).rounded(.up)), Int(height.rounded(.up)))
  }

  /// A zoom that makes the grid about 900 pixels wide at most (3× for 10 KMNIST images a row).
  var naturalZoom: Int {
    max(1, min(4, 900 / max(columnCount * imageWidth, 1)))
  }

  /// Space taken by row labels (left), title (top), and captions (under each image).
  func furniture(style: PlotStyle) -> (left: Double, top: Double, caption: Double) {
    let s = style.s
    let labelWidth =
      (rowLabels ?? []).map { Double(BitmapFont.small.size(of: $0, scale: style.scale).width) }
      .max() ?? 0
    let left = rowLabels == nil ? Self.margin * s : Self.margin * s + labelWidth + 8 * s
    let top =
      title == nil
      ? Self.margin * s : Self.margin * s + Double(BitmapFont.large.cellHeight) * s + 8 * s
    let caption = captions == nil ? 0 : style.smallLine + 3 * s
    return (left, top, caption)
  }

  func draw(in canvas: Canvas, style: PlotStyle) {
    let s = style.s
    let (left, top, captionHeight) = furniture(style: style)
    let columns = Double(columnCount), rowCount = Double(rows.count)
    let gutter = Self.gutter * s
    let availableWidth = Double(canvas.width) - left - Self.margin * s - (columns - 1) * gutter
    let availableHeight =
      Double(canvas.height) - top - Self.margin * s - rowGaps(scale: s)
      - rowCount * captionHeight
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
    let gridHeight = rowCount * (cellHeight + captionHeight) + rowGaps(scale: s)
    let originY = (top + max(0, (Double(canvas.height) - top - Self.margin * s - gridHeight) / 2))
      .rounded()

    if let title {
      canvas.drawText(
        title, at: Point(x: Double(canvas.width) / 2, y: originY - 8 * s),
        font: .large, scale: style.scale, horizontal: .center, vertical: .bottom)
    }
    for (r, row) in rows.enumerated() {
      let y = originY + rowOffset(r, rowHeight: cellHeight + captionHeight, scale: s)
      if let rowLabels, r < rowLabels.count {
        canvas.drawText(
          rowLabels[r], at: Point(x: originX - 8 * s, y: y + cellHeight / 2),
          scale: style.scale, horizontal: .right, vertical: .center)
      }
      for (c, image) in row.enumerated() {
        let x = originX + Double(c) * (cellWidth + gutter)
        canvas.drawGrayscale(image, in: Rect(x: x, y: y, width: cellWidth, height: cellHeight))
        if let captions, r < captions.count, c < captions[r].count {
          canvas.drawText(
            captions[r][c], at: Point(x: x + cellWidth / 2, y: y + cellHeight + 2 * s),
            scale: style.scale, horizontal: .center, vertical: .top)
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
