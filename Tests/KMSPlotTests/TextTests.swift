import Foundation
import KMSData
import KMSPlot
import Testing

/// Text set from outline fonts: the fonts the goldens were made with, anti-aliasing, kerning,
/// legible decimal points, kana, and the bitmap fallback.
@Suite("Text")
struct TextTests {
  /// The font files the goldens were rendered with, by path and MD5: Debian bookworm's
  /// fonts-dejavu-core 2.37-6 and fonts-ipaexfont-gothic 00401-5, rasterised by its FreeType
  /// 2.12.1. The packages are versioned by Debian, so every machine of this kind gets these bytes.
  static let pinnedFonts = [
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf": "4cc160d1da14d4598cef75f69c3c6385",
    "/usr/share/fonts/opentype/ipaexfont-gothic/ipaexg.ttf": "56123629c918115655556704aeb22838",
  ]
  static let pinnedFreeType = "2.12.1"

  @Test("the goldens' fonts are the ones installed and in use")
  func pinnedFontFiles() throws {
    let library = FontLibrary.shared
    #expect(library.textFontPath == "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
    #expect(library.kanaFontPath == "/usr/share/fonts/opentype/ipaexfont-gothic/ipaexg.ttf")
    #expect(library.freeTypeVersion == Self.pinnedFreeType)
    for (path, digest) in Self.pinnedFonts {
      #expect(
        try MD5.hexDigest(ofFileAt: path) == digest,
        "\(path) differs from the font the goldens were made with; run scripts/setup.sh")
    }
  }

  @Test("outline text is anti-aliased: its edges hold intermediate greys")
  func antiAliased() {
    let canvas = Canvas(width: 80, height: 30)
    canvas.drawText("loss 0.16", at: Point(x: 2, y: 4), font: TextFont(points: 10))
    var greys = 0, blacks = 0
    for y in 0..<canvas.height {
      for x in 0..<canvas.width {
        let level = canvas.pixel(x: x, y: y)!.r
        if level == 0 { blacks += 1 } else if level < 255 { greys += 1 }
      }
    }
    #expect(greys > 20)
    #expect(blacks > 5)
  }

  @Test("sizes follow matplotlib: 10 pt is 13.9 px at 100 dpi, twice that at scale 2")
  func sizes() {
    let label = TextFont(points: 10), title = TextFont(points: 12)
    #expect(abs(label.pixelSize - 13.889) < 0.01)
    #expect(abs(title.pixelSize - 16.667) < 0.01)
    // DejaVu Sans's digits advance 0.636 em.
    #expect(abs(label.width(of: "0000") - 4 * 0.636 * 13.889) < 0.5)
    let double = TextFont(points: 10, scale: 2)
    #expect(abs(double.width(of: "epoch") - 2 * label.width(of: "epoch")) < 0.01)
  }

  @Test("kerning pulls A and V together")
  func kerning() {
    let font = TextFont(points: 10)
    #expect(font.width(of: "AV") < font.width(of: "A") + font.width(of: "V") - 0.5)
  }

  @Test("a decimal point is a small dot on the baseline, not a plus")
  func decimalPoint() {
    let font = TextFont(points: 10)
    let canvas = Canvas(width: 20, height: 24)
    canvas.drawText(".", at: Point(x: 5, y: 2), font: font)
    let inked = inkedBounds(canvas)!
    #expect(inked.maxX - inked.minX <= 2)
    #expect(inked.maxY - inked.minY <= 2)
    // On the baseline: the dot's bottom is within a pixel of it, far below the cap height.
    let baseline = 2 + Int(font.ascent)
    #expect(abs(inked.maxY - (baseline - 1)) <= 1)
  }

  @Test("kana draw from the Japanese font, each a full em wide")
  func kana() throws {
    let library = FontLibrary.shared
    try #require(library.hasKana)
    let font = TextFont(points: 10)
    #expect(abs(font.width(of: "おきす") - 3 * font.pixelSize) < 0.5)
    let a = Canvas(width: 24, height: 24), b = Canvas(width: 24, height: 24)
    a.drawText("お", at: Point(x: 2, y: 2), font: font)
    b.drawText("き", at: Point(x: 2, y: 2), font: font)
    #expect(a.rgbaBytes != b.rgbaBytes)
    let inked = inkedBounds(a)!
    #expect(inked.maxX - inked.minX >= 9)
  }

  @Test("a missing font file falls back to the bitmap font, and says so")
  func fallback() {
    let missing = FontLibrary(textFontPath: "/nonexistent/DejaVuSans.ttf", kanaFontPath: nil)
    #expect(missing.usesBitmapFallback)
    #expect(missing.notice?.contains("fonts-dejavu-core") == true)
    #expect(missing.kanaNotice?.contains("fonts-ipaexfont-gothic") == true)
    #expect(FontLibrary.shared.notice == nil)
    let notAFont = FontLibrary(textFontPath: "/etc/hostname", kanaFontPath: nil)
    #expect(notAFont.usesBitmapFallback)
    let font = TextFont(points: 10, library: missing)
    #expect(font.width(of: "abc") == 18)
  }

}
