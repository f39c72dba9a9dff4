/// A monospaced bitmap font for ASCII 32–126, stored as literal glyph tables and drawn at an
/// integer scale so it stays crisp at 1× and 2× (olive.c's `olivec_text`). Other characters draw
/// as `?`. Only the fallback now: figures set their text in DejaVu Sans through `FontLibrary`,
/// and use this font when no outline font is installed.
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
  /// Draws one line of text with the bitmap font (the fallback when no outline font is found),
  /// the pen starting at `origin` on the baseline; turned text runs upward from `origin`.
  func drawBitmapText(
    _ text: String, origin: Point, font: TextFont, color: Color, isVertical: Bool
  ) {
    let bitmap = font.bitmap, s = font.bitmapScale
    let ascent = bitmap.ascent * s
    if !isVertical {
      var penX = Int(origin.x.rounded())
      let top = Int(origin.y.rounded()) - ascent
      for character in text {
        drawGlyph(character, font: bitmap, scale: s, color: color) { column, row in
          (penX + column, top + row)
        }
        penX += bitmap.cellWidth * s
      }
    } else {
      // Turned text: the glyph's top faces left, the text runs upward from the origin.
      var penY = Int(origin.y.rounded())
      let left = Int(origin.x.rounded()) - ascent
      for character in text {
        drawGlyph(character, font: bitmap, scale: s, color: color) { column, row in
          (left + row, penY - 1 - column)
        }
        penY -= bitmap.cellWidth * s
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
