/// A monospaced bitmap font for ASCII 32–126, stored as literal glyph tables and drawn at an
/// integer scale so it stays crisp at 1× and 2× (olive.c's `olivec_text`). Other characters draw
/// as `?`.
public struct BitmapFont: Sendable {
  /// Width of every glyph cell in pixels at scale 1 (the advance).
  public let cellWidth: Int
  /// Height of every glyph cell in pixels at scale 1 (the line height).
  public let cellHeight: Int
  /// Rows from the cell's top to the baseline.
  public let ascent: Int
  /// Height of a capital letter above the baseline, for centring text optically.
  public let capHeight: Int
  /// [95, cellHeight] glyph rows, ASCII 32 first.
  let rows: [UInt16]

  /// misc-fixed 6×13: tick labels, legends, captions and cell counts (about matplotlib's 10 pt).
  public static let small = BitmapFont(
    cellWidth: 6, cellHeight: 13, ascent: 11, capHeight: 9, rows: BitmapFont.fixed6x13Rows)
  /// misc-fixed 9×15: titles (about matplotlib's 12 pt).
  public static let large = BitmapFont(
    cellWidth: 9, cellHeight: 15, ascent: 12, capHeight: 10, rows: BitmapFont.fixed9x15Rows)

  /// The size of `text` set on one line at `scale`.
  /// - Parameters:
  ///   - text: the text.
  ///   - scale: the integer magnification, ≥ 1.
  public func size(of text: String, scale: Int = 1) -> (width: Int, height: Int) {
    (text.count * cellWidth * scale, cellHeight * scale)
  }

  /// Whether glyph `character` has its pixel (`column`, `row`) set.
  func isSet(_ character: Character, column: Int, row: Int) -> Bool {
    let index = glyphIndex(character)
    return rows[index * cellHeight + row] >> (cellWidth - 1 - column) & 1 == 1
  }

  func glyphIndex(_ character: Character) -> Int {
    if let ascii = character.asciiValue, ascii >= 32, ascii <= 126 { return Int(ascii) - 32 }
    return Int(Character("?").asciiValue!) - 32
  }
}

/// Where a text box sits relative to its anchor point, horizontally.
public enum HorizontalAlignment: Sendable {
  /// The anchor is the box's left edge.
  case left
  /// The anchor is the box's centre.
  case center
  /// The anchor is the box's right edge.
  case right
}

/// Where a text box sits relative to its anchor point, vertically.
public enum VerticalAlignment: Sendable {
  /// The anchor is the box's top edge.
  case top
  /// The anchor is halfway up the capital letters (optical centre).
  case center
  /// The anchor is the baseline.
  case baseline
  /// The anchor is the box's bottom edge (below descenders).
  case bottom
}

extension Canvas {
  /// Draws one line of text. With `isVertical` the text is turned 90° counter-clockwise and
  /// reads bottom to top, like matplotlib's y-axis label; alignment then refers to the turned box
  /// as it appears on screen (`horizontal` across the lines, `vertical` along the text).
  /// - Parameters:
  ///   - text: the text; non-ASCII characters draw as `?`.
  ///   - point: the anchor point.
  ///   - font: the bitmap font.
  ///   - scale: the integer magnification.
  ///   - color: the ink colour.
  ///   - horizontal: horizontal placement of the box relative to `point`.
  ///   - vertical: vertical placement of the box relative to `point`.
  ///   - isVertical: turn the text to read upward.
  public func drawText(
    _ text: String, at point: Point, font: BitmapFont = .small, scale: Int = 1,
    color: Color = .black, horizontal: HorizontalAlignment = .left,
    vertical: VerticalAlignment = .top, isVertical: Bool = false
  ) {
    let s = max(scale, 1)
    let length = text.count * font.cellWidth * s  // along the text
    let thickness = font.cellHeight * s  // across the text
    // Offset of the anchor within the line box, across the text, measured from its top.
    let across: Int
    switch vertical {
    case .top: across = 0
    case .center: across = (font.ascent - font.capHeight / 2) * s
    case .baseline: across = font.ascent * s
    case .bottom: across = thickness
    }
    let ink = color
    if !isVertical {
      var left = Int(point.x.rounded())
      switch horizontal {
      case .left: break
      case .center: left -= length / 2
      case .right: left -= length
      }
      let top = Int(point.y.rounded()) - across
      var penX = left
      for character in text {
        drawGlyph(character, font: font, scale: s, color: ink) { column, row in
          (penX + column, top + row)
        }
        penX += font.cellWidth * s
      }
    } else {
      // Turned text: the glyph's top faces left, the text runs upward from `bottom`.
      var bottom = Int(point.y.rounded())
      switch vertical {
      case .top: bottom += length
      case .center, .baseline: bottom += length / 2
      case .bottom: break
      }
      let crossOffset: Int
      switch horizontal {
      case .left: crossOffset = 0
      case .center: crossOffset = thickness / 2
      case .right: crossOffset = thickness
      }
      let left = Int(point.x.rounded()) - crossOffset
      var penY = bottom
      for character in text {
        drawGlyph(character, font: font, scale: s, color: ink) { column, row in
          (left + row, penY - 1 - column)
        }
        penY -= font.cellWidth * s
      }
    }
  }

  /// Paints the set pixels of one glyph, each as a `scale`×`scale` block, mapping glyph-space
  /// (column, row) in scaled pixels to canvas pixels through `place`.
  private func drawGlyph(
    _ character: Character, font: BitmapFont, scale: Int, color: Color,
    place: (Int, Int) -> (Int, Int)
  ) {
    let index = font.glyphIndex(character)
    for row in 0..<font.cellHeight {
      let bits = font.rows[index * font.cellHeight + row]
      if bits == 0 { continue }
      for column in 0..<font.cellWidth where bits >> (font.cellWidth - 1 - column) & 1 == 1 {
        for sy in 0..<scale {
          for sx in 0..<scale {
            let (x, y) = place(column * scale + sx, row * scale + sy)
            blendPixel(x: x, y: y, with: color)
          }
        }
      }
    }
  }
}
