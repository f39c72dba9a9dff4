// The one file that talks to libpng, through its "simplified API" (libpng ≥ 1.6): the classic API
// reports errors with longjmp, which must not cross Swift frames.
internal import CPNG
import Foundation
import KMSTensor

/// What a PNG file's header says about its pixels.
public struct PNGInfo: Equatable, Sendable {
  /// Width in pixels.
  public var width: Int
  /// Height in pixels.
  public var height: Int
  /// True for RGB(A) images, false for grey.
  public var hasColor: Bool
  /// True when the file stores an alpha channel (or transparency).
  public var hasAlpha: Bool
  /// True when the file stores a palette (colour type 3).
  public var hasColormap: Bool

  /// The PNG colour type (PNG spec §11.2.2): 0 grey, 2 RGB, 3 palette, 4 grey+alpha, 6 RGBA.
  public var colorType: Int {
    if hasColormap { return 3 }
    return (hasColor ? 2 : 0) + (hasAlpha ? 4 : 0)
  }
}

/// libpng's `PNG_FORMAT_RGBA`: 8-bit channels, colour, alpha (png.h: COLOR | ALPHA).
private let formatRGBA: UInt32 = 0x02 | 0x01
private let formatFlagAlpha: UInt32 = 0x01
private let formatFlagColor: UInt32 = 0x02
private let formatFlagColormap: UInt32 = 0x08
/// png.h `PNG_IMAGE_FLAG_FAST`: on write, favour speed over compression.
private let flagFast: UInt32 = 0x02

extension Canvas {
  /// The view encoded as an 8-bit RGBA PNG (colour type 6).
  /// - Parameter favoringSpeed: trade file size for encoding speed (libpng's
  ///   `PNG_IMAGE_FLAG_FAST`): right for a PNG shown once in a terminal, not for a file to keep.
  /// - Throws: `PlotError.encodingFailed` if libpng refuses the image.
  public func pngData(favoringSpeed: Bool = false) throws -> [UInt8] {
    let pixels = rgbaBytes
    var image = png_image()
    image.version = UInt32(PNG_IMAGE_VERSION)
    image.width = UInt32(width)
    image.height = UInt32(height)
    image.format = formatRGBA
    image.flags = favoringSpeed ? flagFast : 0
    var size: png_alloc_size_t = 0
    // First call sizes the buffer, second fills it (png.h: png_image_write_get_memory_size).
    let sized = pixels.withUnsafeBytes { raw in
      png_image_write_to_memory(&image, nil, &size, 0, raw.baseAddress, Int32(width * 4), nil)
    }
    guard sized != 0, size > 0 else { throw PlotError.encodingFailed(reason: message(of: &image)) }
    var output = [UInt8](repeating: 0, count: Int(size))
    let written = output.withUnsafeMutableBytes { out in
      pixels.withUnsafeBytes { raw in
        png_image_write_to_memory(
          &image, out.baseAddress, &size, 0, raw.baseAddress,
          Int32(width * 4), nil)
      }
    }
    guard written != 0 else { throw PlotError.encodingFailed(reason: message(of: &image)) }
    png_image_free(&image)
    return Array(output.prefix(Int(size)))
  }

  /// Writes the view as a PNG at `path`, atomically: the bytes go to a temporary file in the same
  /// folder, which is then renamed over `path`, so a reader never sees a half-written file and a
  /// failure leaves nothing behind.
  /// - Parameter path: the destination file.
  /// - Throws: `PlotError.unwritablePath` naming the path and the system's reason.
  public func writePNG(to path: String) throws {
    try writeFileAtomically(try pngData(), to: path)
  }

  /// Reads a PNG file into a new canvas (any PNG colour type, converted to 8-bit RGBA).
  /// - Parameter path: the file to read.
  /// - Throws: `PlotError.unreadablePNG` if the file is missing or not a valid PNG.
  public static func readPNG(from path: String) throws -> Canvas {
    var image = png_image()
    image.version = UInt32(PNG_IMAGE_VERSION)
    guard png_image_begin_read_from_file(&image, path) != 0 else {
      throw PlotError.unreadablePNG(path: path, reason: message(of: &image))
    }
    return try finishReading(&image, path: path)
  }

  /// Decodes PNG bytes into a new canvas (converted to 8-bit RGBA).
  /// - Parameter data: the encoded file.
  /// - Throws: `PlotError.unreadablePNG` if the bytes are not a valid PNG.
  public static func decodePNG(_ data: [UInt8]) throws -> Canvas {
    var image = png_image()
    image.version = UInt32(PNG_IMAGE_VERSION)
    let begun = data.withUnsafeBytes { raw in
      png_image_begin_read_from_memory(&image, raw.baseAddress, raw.count)
    }
    guard begun != 0 else {
      throw PlotError.unreadablePNG(path: "<memory>", reason: message(of: &image))
    }
    return try finishReading(&image, path: "<memory>")
  }

  /// The header of the PNG at `path`: size, colour and alpha.
  /// - Parameter path: the file to inspect.
  /// - Throws: `PlotError.unreadablePNG` if the file is missing or not a PNG.
  public static func readPNGInfo(from path: String) throws -> PNGInfo {
    var image = png_image()
    image.version = UInt32(PNG_IMAGE_VERSION)
    guard png_image_begin_read_from_file(&image, path) != 0 else {
      throw PlotError.unreadablePNG(path: path, reason: message(of: &image))
    }
    defer { png_image_free(&image) }
    return PNGInfo(
      width: Int(image.width), height: Int(image.height),
      hasColor: image.format & formatFlagColor != 0,
      hasAlpha: image.format & formatFlagAlpha != 0,
      hasColormap: image.format & formatFlagColormap != 0)
  }

  private static func finishReading(_ image: inout png_image, path: String) throws -> Canvas {
    image.format = formatRGBA
    let (width, height) = (Int(image.width), Int(image.height))
    guard width > 0, height > 0, width * height < 1 << 28 else {
      png_image_free(&image)
      throw PlotError.unreadablePNG(path: path, reason: "unsupported size \(width)×\(height)")
    }
    var pixels = [UInt8](repeating: 0, count: width * height * 4)
    let finished = pixels.withUnsafeMutableBytes { out in
      png_image_finish_read(&image, nil, out.baseAddress, Int32(width * 4), nil)
    }
    guard finished != 0 else {
      let reason = message(of: &image)
      png_image_free(&image)
      throw PlotError.unreadablePNG(path: path, reason: reason)
    }
    return Canvas(width: width, height: height, rgbaBytes: pixels)
  }
}

/// libpng's error text from `image.message` (a NUL-terminated char[64]), lowercased.
private func message(of image: inout png_image) -> String {
  let text = withUnsafeBytes(of: &image.message) { raw in
    String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
  }
  return text.isEmpty ? "unknown libpng error" : text.lowercased()
}

/// Writes `bytes` to `path` atomically (`AtomicFile`), a failure worded as a `PlotError`.
func writeFileAtomically(_ bytes: [UInt8], to path: String) throws(PlotError) {
  do {
    try AtomicFile.write(bytes, to: path)
  } catch {
    throw PlotError.unwritablePath(path: path, reason: error.reason)
  }
}
