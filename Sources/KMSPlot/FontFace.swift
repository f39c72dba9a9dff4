// The one file that talks to FreeType: it opens outline fonts, reads their metrics and kerning,
// and rasterises glyphs to 8-bit coverage. Everything above it (layout, caching, drawing) is Swift.
internal import CFreeType
import Foundation

/// One glyph rasterised to coverage: `width × height` bytes, 0 (empty) to 255 (fully covered),
/// placed `left` pixels right of the pen and `top` pixels above the baseline.
struct GlyphBitmap: Sendable {
  let width: Int
  let height: Int
  let left: Int
  let top: Int
  let coverage: [UInt8]  // [height, width], row-major, top row first
}

// FreeType's load flags (freetype.h): the target macro is function-like, so Swift cannot import it.
private let loadNoBitmap: Int32 = 1 << 3
private let loadForceAutohint: Int32 = 1 << 5
/// `FT_LOAD_TARGET_LIGHT`: hint vertically only, so advances and shapes stay true horizontally.
private let loadTargetLight: Int32 = Int32(FT_RENDER_MODE_LIGHT.rawValue & 15) << 16
private let faceFlagKerning: Int = 1 << 6

/// An outline font file opened with FreeType (one `FT_Library` and one `FT_Face` of its own).
///
/// NOTE: matplotlib draws text with FreeType's auto-hinter (`text.hinting: force_autohint`) and
/// renders glyphs 8× wider before scaling down (`text.hinting_factor: 8`), which amounts to hinting
/// only vertically and placing glyphs at fractional x. Light auto-hinting with glyphs rendered at
/// quarter-pixel offsets gives the same look: crisp baselines and x-heights, even letter spacing.
///
/// Not thread-safe: FreeType faces hold the current size and glyph slot. `FontLibrary` calls it
/// under its lock.
final class FontFace: @unchecked Sendable {
  /// The file the face was read from.
  let path: String
  /// The family name in the file, e.g. "DejaVu Sans".
  let familyName: String
  /// True when the file has a kerning table FreeType reads (`FT_HAS_KERNING`).
  let hasKerning: Bool
  /// Ascender, descender (negative) and capital height in em units (fractions of the size).
  let ascender: Double
  let descender: Double
  let capHeight: Double

  private var library: FT_Library?
  private var face: FT_Face?
  /// The size the face is currently set to, in 1/64 pixel (26.6), or 0 when none is.
  private var currentSize = 0

  /// Opens the font at `path`, or returns nil when the file is missing or not a font FreeType reads.
  /// - Parameter path: a TrueType or OpenType file.
  init?(path: String) {
    guard FileManager.default.isReadableFile(atPath: path) else { return nil }
    var library: FT_Library?
    guard FT_Init_FreeType(&library) == 0, let library else { return nil }
    var face: FT_Face?
    guard FT_New_Face(library, path, 0, &face) == 0, let face else {
      FT_Done_FreeType(library)
      return nil
    }
    let record = face.pointee
    guard record.face_flags & Int(FT_FACE_FLAG_SCALABLE) != 0, record.units_per_EM > 0 else {
      FT_Done_Face(face)
      FT_Done_FreeType(library)
      return nil
    }
    self.path = path
    self.library = library
    self.face = face
    familyName = record.family_name.map { String(cString: $0) } ?? "unknown"
    hasKerning = record.face_flags & faceFlagKerning != 0
    let em = Double(record.units_per_EM)
    ascender = Double(record.ascender) / em
    descender = Double(record.descender) / em
    // The cap height from the outline of "H" itself (older files have no OS/2 sCapHeight).
    var cap = 0.72
    let h = FT_Get_Char_Index(face, 0x48)
    if h != 0, FT_Load_Glyph(face, h, Int32(FT_LOAD_NO_SCALE) | loadNoBitmap) == 0 {
      cap = Double(face.pointee.glyph.pointee.metrics.horiBearingY) / em
    }
    capHeight = cap
  }

  deinit {
    if let face { FT_Done_Face(face) }
    if let library { FT_Done_FreeType(library) }
  }

  /// The glyph for `scalar`, or 0 (the font's "missing glyph") when the font has none.
  func glyphIndex(for scalar: Unicode.Scalar) -> UInt32 {
    guard let face else { return 0 }
    return FT_Get_Char_Index(face, FT_ULong(scalar.value))
  }

  /// The unhinted advance of `glyph` in pixels at `size` (26.6 pixels per em).
  func advance(of glyph: UInt32, size: Int) -> Double {
    guard let face, setSize(size), FT_Load_Glyph(face, glyph, loadNoBitmap | loadTargetLight) == 0
    else { return 0 }
    return Double(face.pointee.glyph.pointee.linearHoriAdvance) / 65536
  }

  /// The kerning between `left` and `right` in pixels at `size` (negative pulls them together).
  func kerning(_ left: UInt32, _ right: UInt32, size: Int) -> Double {
    guard hasKerning, let face, setSize(size) else { return 0 }
    var vector = FT_Vector()
    guard FT_Get_Kerning(face, left, right, FT_KERNING_UNFITTED.rawValue, &vector) == 0 else {
      return 0
    }
    return Double(vector.x) / 64
  }

  /// Rasterises `glyph` at `size` (26.6 pixels per em), shifted right by `subpixel` quarters of a
  /// pixel, anti-aliased (FreeType's 256-level grey rendering).
  func render(_ glyph: UInt32, size: Int, subpixel: Int) -> GlyphBitmap {
    let empty = GlyphBitmap(width: 0, height: 0, left: 0, top: 0, coverage: [])
    guard let face, setSize(size),
      FT_Load_Glyph(face, glyph, loadNoBitmap | loadForceAutohint | loadTargetLight) == 0
    else { return empty }
    let slot = face.pointee.glyph!
    if slot.pointee.format == FT_GLYPH_FORMAT_OUTLINE && subpixel != 0 {
      FT_Outline_Translate(&slot.pointee.outline, FT_Pos(subpixel * 16), 0)
    }
    guard FT_Render_Glyph(slot, FT_RENDER_MODE_NORMAL) == 0 else { return empty }
    let bitmap = slot.pointee.bitmap
    let (width, height) = (Int(bitmap.width), Int(bitmap.rows))
    guard width > 0, height > 0, let buffer = bitmap.buffer else {
      return GlyphBitmap(
        width: 0, height: 0, left: Int(slot.pointee.bitmap_left),
        top: Int(slot.pointee.bitmap_top), coverage: [])
    }
    var coverage = [UInt8](repeating: 0, count: width * height)
    let pitch = Int(bitmap.pitch)
    for row in 0..<height {
      // A negative pitch means the rows are stored bottom-up.
      let source = pitch >= 0 ? buffer + row * pitch : buffer + (height - 1 - row) * -pitch
      for column in 0..<width { coverage[row * width + column] = source[column] }
    }
    return GlyphBitmap(
      width: width, height: height, left: Int(slot.pointee.bitmap_left),
      top: Int(slot.pointee.bitmap_top), coverage: coverage)
  }

  /// FreeType's version as "major.minor.patch".
  var freeTypeVersion: String {
    guard let library else { return "unknown" }
    var major: Int32 = 0, minor: Int32 = 0, patch: Int32 = 0
    FT_Library_Version(library, &major, &minor, &patch)
    return "\(major).\(minor).\(patch)"
  }

  private func setSize(_ size: Int) -> Bool {
    guard let face else { return false }
    if size == currentSize { return true }
    // 72 dpi makes one point one pixel, so `size` is the em in 26.6 pixels.
    guard FT_Set_Char_Size(face, 0, FT_F26Dot6(size), 72, 72) == 0 else { return false }
    currentSize = size
    return true
  }
}
