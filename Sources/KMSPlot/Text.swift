import Foundation

/// The fonts figures set their text in: DejaVu Sans (matplotlib's own default) for everything, a
/// Japanese font for the kana it lacks, and the built-in bitmap font when no outline font is found.
///
/// Glyph outlines are rasterised once per size and quarter-pixel offset and kept, and each string's
/// glyph positions (kerning included) are kept too, so setting a figure's text costs dictionary
/// look-ups and coverage blending, not FreeType calls. Safe to share between threads.
public final class FontLibrary: @unchecked Sendable {
  /// Where DejaVu Sans is looked for: `$KMS_FONT`, then Debian's fonts-dejavu-core, then the
  /// places other distributions and Homebrew put it.
  public static let textFontCandidates = [
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/TTF/DejaVuSans.ttf",
    "/usr/share/fonts/dejavu-sans-fonts/DejaVuSans.ttf",
    "/usr/local/share/fonts/DejaVuSans.ttf",
    "/opt/homebrew/share/fonts/DejaVuSans.ttf",
  ]
  /// Where the kana font is looked for: `$KMS_KANA_FONT`, then Debian's fonts-ipaexfont-gothic
  /// (IPAex Gothic, 6 MB), then the larger IPA Gothic and Noto Sans CJK if those are installed.
  public static let kanaFontCandidates = [
    "/usr/share/fonts/opentype/ipaexfont-gothic/ipaexg.ttf",
    "/usr/share/fonts/truetype/ipaexfont-gothic/ipaexg.ttf",
    "/usr/share/fonts/opentype/ipafont-gothic/ipag.ttf",
    "/usr/share/fonts/truetype/fonts-japanese-gothic.ttf",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
  ]

  /// The fonts found on this machine (searched once, on first use).
  public static let shared: FontLibrary = {
    let environment = ProcessInfo.processInfo.environment
    func first(_ variable: String, _ candidates: [String]) -> String? {
      let paths = (environment[variable].map { [$0] } ?? []) + candidates
      return paths.first { FileManager.default.isReadableFile(atPath: $0) }
    }
    return FontLibrary(
      textFontPath: first("KMS_FONT", textFontCandidates),
      kanaFontPath: first("KMS_KANA_FONT", kanaFontCandidates))
  }()

  /// No outline fonts: every figure uses the bitmap font (what a machine without fonts gets).
  public static let bitmapOnly = FontLibrary(textFontPath: nil, kanaFontPath: nil)

  let text: FontFace?
  let kana: FontFace?
  private let lock = NSLock()
  private var glyphs: [GlyphKey: GlyphBitmap] = [:]
  private var lines: [LineKey: TextLine] = [:]

  /// Opens the given font files; a missing or unreadable one is left out.
  /// - Parameters:
  ///   - textFontPath: the font for all text (DejaVu Sans), or nil for the bitmap font.
  ///   - kanaFontPath: the font for characters the text font lacks (kana), or nil.
  public init(textFontPath: String?, kanaFontPath: String?) {
    text = textFontPath.flatMap { FontFace(path: $0) }
    kana = text == nil ? nil : kanaFontPath.flatMap { FontFace(path: $0) }
  }

  /// The outline font used for text, or nil when figures fall back to the bitmap font.
  public var textFontPath: String? { text?.path }
  /// The font used for kana, or nil when there is none.
  public var kanaFontPath: String? { kana?.path }
  /// True when no outline font was found and text is drawn with the built-in bitmap font.
  public var usesBitmapFallback: Bool { text == nil }
  /// True when kana (お き す …) can be drawn.
  public var hasKana: Bool { kana != nil }
  /// The FreeType version rasterising the glyphs, e.g. "2.12.1"; nil with the bitmap font.
  public var freeTypeVersion: String? { text?.freeTypeVersion }

  /// What a user should be told once about the fonts, or nil when all is as intended.
  public var notice: String? {
    if text == nil {
      return "no DejaVu Sans font found, so figures use the built-in bitmap font "
        + "(install Debian's fonts-dejavu-core, or set KMS_FONT to a .ttf file)"
    }
    return nil
  }

  /// What a user should be told when kana were asked for but cannot be drawn, or nil.
  public var kanaNotice: String? {
    if kana != nil { return nil }
    return "no Japanese font found, so class names stay romaji "
      + "(install Debian's fonts-ipaexfont-gothic, or set KMS_KANA_FONT to a .ttf file)"
  }

  // MARK: Layout and glyphs

  /// The glyphs of `string` set on one line at `size` (26.6 pixels per em), with kerning.
  func line(_ string: String, size: Int) -> TextLine {
    let key = LineKey(text: string, size: size)
    lock.lock()
    defer { lock.unlock() }
    if let cached = lines[key] { return cached }
    guard let text else { return TextLine(glyphs: [], width: 0) }
    var placed: [PlacedGlyph] = []
    var pen = 0.0
    var previous: (face: UInt8, glyph: UInt32)?
    for scalar in string.unicodeScalars {
      var face: UInt8 = 0
      var glyph = text.glyphIndex(for: scalar)
      if glyph == 0, let kana {
        let other = kana.glyphIndex(for: scalar)
        if other != 0 { (face, glyph) = (1, other) }
      }
      let source = face == 0 ? text : kana!
      if let previous, previous.face == face {
        pen += source.kerning(previous.glyph, glyph, size: size)
      }
      placed.append(PlacedGlyph(face: face, glyph: glyph, x: pen))
      pen += source.advance(of: glyph, size: size)
      previous = (face, glyph)
    }
    let result = TextLine(glyphs: placed, width: pen)
    if lines.count > 8192 { lines.removeAll(keepingCapacity: true) }
    lines[key] = result
    return result
  }

  /// The coverage of one glyph at `size`, shifted by `subpixel` quarter pixels.
  func bitmap(face: UInt8, glyph: UInt32, size: Int, subpixel: Int) -> GlyphBitmap {
    let key = GlyphKey(face: face, glyph: glyph, size: size, subpixel: UInt8(subpixel))
    lock.lock()
    defer { lock.unlock() }
    if let cached = glyphs[key] { return cached }
    let source = face == 0 ? text! : kana!
    let bitmap = source.render(glyph, size: size, subpixel: subpixel)
    glyphs[key] = bitmap
    return bitmap
  }

  /// Ascender, descender (negative) and cap height in em units.
  var metrics: (ascender: Double, descender: Double, capHeight: Double) {
    guard let text else { return (0, 0, 0) }
    return (text.ascender, text.descender, text.capHeight)
  }
}

struct GlyphKey: Hashable {
  var face: UInt8
  var glyph: UInt32
  var size: Int
  var subpixel: UInt8
}

struct LineKey: Hashable {
  var text: String
  var size: Int
}

/// One glyph of a laid-out line: which face, which glyph, and its pen position in pixels.
struct PlacedGlyph: Sendable {
  var face: UInt8
  var glyph: UInt32
  var x: Double
}

/// A laid-out line of text: its glyphs and total advance width in pixels.
struct TextLine: Sendable {
  var glyphs: [PlacedGlyph]
  var width: Double
}

/// Text of one size, set in a `FontLibrary`: measures and draws strings. matplotlib's sizes at
/// 100 dpi: 10 pt (13.9 px) for tick labels, axis labels and legends, 12 pt (16.7 px) for titles.
public struct TextFont: Sendable {
  /// The fonts.
  public let library: FontLibrary
  /// The size in points (1 pt = 100/72 px at scale 1).
  public let points: Double
  /// The figure's magnification (its scale times dpi / 100).
  public let scale: Double

  /// Creates a text size.
  /// - Parameters:
  ///   - points: the size in points.
  ///   - scale: the figure's magnification (2 for scale 2, or for 200 dpi).
  ///   - library: the fonts.
  public init(points: Double, scale: Double = 1, library: FontLibrary = .shared) {
    (self.points, self.scale, self.library) = (points, max(scale, 0.25), library)
  }

  /// The em in pixels.
  public var pixelSize: Double { points * 100 / 72 * scale }
  /// The bitmap font's whole magnification.
  var bitmapScale: Int { max(1, Int(scale.rounded())) }
  var size26: Int { Int((pixelSize * 64).rounded()) }
  /// The bitmap font standing in when there is no outline font: 6×13 up to 11 pt, else 9×15.
  var bitmap: BitmapFont { points > 11 ? .large : .small }
  var isBitmap: Bool { library.usesBitmapFallback }

  /// The same font at another size.
  /// - Parameter points: the new size.
  public func resized(to points: Double) -> TextFont {
    TextFont(points: points, scale: scale, library: library)
  }

  /// Height above the baseline of the tallest letters (the line box's top).
  public var ascent: Double {
    isBitmap
      ? Double(bitmap.ascent * bitmapScale) : (library.metrics.ascender * pixelSize).rounded()
  }
  /// Depth below the baseline of descenders (the line box's bottom), positive.
  public var descent: Double {
    isBitmap
      ? Double((bitmap.cellHeight - bitmap.ascent) * bitmapScale)
      : (-library.metrics.descender * pixelSize).rounded()
  }
  /// The height of one line, ascent + descent.
  public var lineHeight: Double { ascent + descent }
  /// The height of a capital letter, for centring text optically.
  public var capHeight: Double {
    isBitmap ? Double(bitmap.capHeight * bitmapScale) : library.metrics.capHeight * pixelSize
  }

  /// The advance width of `text` set on one line.
  /// - Parameter text: the text.
  public func width(of text: String) -> Double {
    if isBitmap { return Double(bitmap.size(of: text, scale: bitmapScale).width) }
    return library.line(text, size: size26).width
  }
}

extension Canvas {
  /// Draws one line of text, anti-aliased from the font's outlines (or with the bitmap font when
  /// there is none). With `isVertical` the text is turned 90° counter-clockwise and reads bottom
  /// to top, like matplotlib's y-axis label; alignment then refers to the turned box as it appears
  /// on screen (`horizontal` across the line, `vertical` along the text).
  /// - Parameters:
  ///   - text: the text.
  ///   - point: the anchor point.
  ///   - font: the font and size.
  ///   - color: the ink colour.
  ///   - horizontal: horizontal placement of the box relative to `point`.
  ///   - vertical: vertical placement of the box relative to `point`.
  ///   - isVertical: turn the text to read upward.
  public func drawText(
    _ text: String, at point: Point, font: TextFont, color: Color = .black,
    horizontal: HorizontalAlignment = .left, vertical: VerticalAlignment = .top,
    isVertical: Bool = false
  ) {
    guard !text.isEmpty else { return }
    let length = font.width(of: text)
    // The baseline's offset below the box's top, across the text.
    let baselineFromTop: Double
    switch vertical {
    case .top: baselineFromTop = font.ascent
    case .center: baselineFromTop = font.capHeight / 2
    case .baseline: baselineFromTop = 0
    case .bottom: baselineFromTop = -font.descent
    }
    // The pen origin (start of the baseline) in canvas pixels, and the text's direction.
    var origin: Point
    if !isVertical {
      var left = point.x
      switch horizontal {
      case .left: break
      case .center: left -= length / 2
      case .right: left -= length
      }
      origin = Point(x: left, y: (point.y + baselineFromTop).rounded())
    } else {
      // Turned: the text runs upward, its top (ascent side) faces left.
      var start = point.y
      switch vertical {
      case .top: start += length
      case .center, .baseline: start += length / 2
      case .bottom: break
      }
      let baselineX: Double
      switch horizontal {
      case .left: baselineX = point.x + font.ascent
      case .center: baselineX = point.x + (font.ascent - font.descent) / 2
      case .right: baselineX = point.x - font.descent
      }
      origin = Point(x: baselineX.rounded(), y: start)
    }
    storage.recorder?.addText(
      text, origin: origin, font: font, color: color, isVertical: isVertical, canvas: self)
    if font.isBitmap {
      drawBitmapText(text, origin: origin, font: font, color: color, isVertical: isVertical)
      return
    }
    let line = font.library.line(text, size: font.size26)
    for placed in line.glyphs {
      // The pen's position along the text from the origin, in whole pixels and quarter pixels.
      var whole = floor(placed.x + (isVertical ? 0 : origin.x))
      let fraction = placed.x + (isVertical ? 0 : origin.x) - whole
      var quarter = Int((fraction * 4).rounded())
      if quarter == 4 { (whole, quarter) = (whole + 1, 0) }
      let glyph = font.library.bitmap(
        face: placed.face, glyph: placed.glyph, size: font.size26, subpixel: quarter)
      guard glyph.width > 0 else { continue }
      if !isVertical {
        let x0 = Int(whole) + glyph.left, y0 = Int(origin.y) - glyph.top
        blendCoverage(glyph, color: color) { column, row in (x0 + column, y0 + row) }
      } else {
        // Text x grows toward smaller canvas y: text pixel [a, a+1) lands on canvas row y0 − a − 1.
        let y0 = Int(origin.y.rounded()) - Int(whole) - glyph.left - 1
        let x0 = Int(origin.x) - glyph.top
        blendCoverage(glyph, color: color) { column, row in (x0 + row, y0 - column) }
      }
    }
  }

  /// Composites a glyph's coverage in `color`, mapping (column, row) to canvas pixels.
  private func blendCoverage(
    _ glyph: GlyphBitmap, color: Color, place: (Int, Int) -> (Int, Int)
  ) {
    glyph.coverage.withUnsafeBufferPointer { coverage in
      for row in 0..<glyph.height {
        for column in 0..<glyph.width {
          let c = coverage[row * glyph.width + column]
          guard c > 0 else { continue }
          let (x, y) = place(column, row)
          blendPixel(x: x, y: y, with: color, coverage: Double(c) / 255)
        }
      }
    }
  }
}
