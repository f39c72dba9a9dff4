import Foundation

/// An inline-image protocol a terminal can speak.
public enum TerminalImageProtocol: String, Sendable, CaseIterable {
  /// kitty's graphics protocol (also Ghostty): APC `_G` commands carrying a base64 PNG in chunks.
  case kitty
  /// iTerm2's OSC 1337 `File=` inline image (also WezTerm).
  case iterm2
  /// DEC sixel graphics, with a small fixed palette.
  case sixel
}

/// Escape sequences that show a figure inside the terminal, for the REPL's `show(fig)`.
///
/// Detection reads the environment only and never guesses: a protocol is chosen when the terminal
/// identifies itself (kitty: `TERM=xterm-kitty` or `KITTY_WINDOW_ID`; Ghostty: `TERM=xterm-ghostty`;
/// iTerm2: `TERM_PROGRAM=iTerm.app` or `LC_TERMINAL=iTerm2`; WezTerm: `TERM_PROGRAM=WezTerm`;
/// sixel: a `TERM` naming sixel), or when `KMS_IMAGE_PROTOCOL` is set to `kitty`, `iterm2`, `sixel`
/// or `none`. Inside tmux or screen, which swallow these sequences unless configured, nothing is
/// chosen without the override. When nothing is chosen the caller writes a PNG and prints its path.
public enum TerminalImage {
  /// The environment variable that forces a protocol (`kitty`, `iterm2`, `sixel`) or none (`none`).
  public static let overrideVariable = "KMS_IMAGE_PROTOCOL"

  /// The protocol this terminal advertises, or `nil` when it advertises none.
  /// - Parameter environment: the process environment (injectable for tests).
  public static func detectProtocol(
    environment: [String: String] = ProcessInfo.processInfo.environment
  ) -> TerminalImageProtocol? {
    if let forced = environment[overrideVariable]?.lowercased(), !forced.isEmpty {
      return TerminalImageProtocol(rawValue: forced)  // "none" or anything unknown: nil
    }
    let term = environment["TERM"] ?? ""
    if environment["TMUX"] != nil || term.hasPrefix("screen") || term.hasPrefix("tmux") {
      return nil
    }
    if term == "xterm-kitty" || environment["KITTY_WINDOW_ID"] != nil || term == "xterm-ghostty" {
      return .kitty
    }
    let program = environment["TERM_PROGRAM"] ?? ""
    if program == "iTerm.app" || environment["LC_TERMINAL"] == "iTerm2" || program == "WezTerm" {
      return .iterm2
    }
    if term.contains("sixel") { return .sixel }
    return nil
  }

  /// The escape sequence that shows `figure` inline, or `nil` when the terminal supports no image
  /// protocol (then write a PNG and print its path instead).
  /// - Parameters:
  ///   - figure: the figure to show.
  ///   - scale: the integer magnification (2 for high-density screens).
  ///   - environment: the process environment, for detection.
  /// - Throws: `PlotError.encodingFailed` if the PNG cannot be encoded.
  public static func escapeSequence(
    for figure: any Figure, scale: Int = 1,
    environment: [String: String] = ProcessInfo.processInfo.environment
  ) throws -> String? {
    guard let chosen = detectProtocol(environment: environment) else { return nil }
    return try escapeSequence(for: figure.render(scale: scale), using: chosen)
  }

  /// The fallback of `show(fig)` when no protocol is detected: writes `figure` as a new PNG in
  /// `folder` (default `$TMPDIR/kms-figures`, created if needed) and returns its path to print.
  /// - Parameters:
  ///   - figure: the figure to write.
  ///   - folder: where to put the file.
  /// - Throws: `PlotError.unwritablePath` if the folder cannot be created or written.
  public static func writeTemporaryPNG(_ figure: any Figure, in folder: String? = nil) throws
    -> String
  {
    let directory =
      folder
      ?? FileManager.default.temporaryDirectory.appendingPathComponent("kms-figures").path
    do {
      try FileManager.default.createDirectory(
        atPath: directory, withIntermediateDirectories: true)
    } catch {
      throw PlotError.unwritablePath(path: directory, reason: "cannot create the folder")
    }
    let stamp = Int(Date().timeIntervalSince1970 * 1000)
    let name = "figure-\(stamp)-\(UInt16.random(in: 0...UInt16.max)).png"
    let path = (directory as NSString).appendingPathComponent(name)
    try figure.writePNG(to: path)
    return path
  }

  /// The escape sequence that shows `canvas` with protocol `imageProtocol`.
  /// - Parameters:
  ///   - canvas: the pixels.
  ///   - imageProtocol: the protocol to encode for.
  /// - Throws: `PlotError.encodingFailed` if the PNG cannot be encoded (kitty, iTerm2).
  public static func escapeSequence(for canvas: Canvas, using imageProtocol: TerminalImageProtocol)
    throws -> String
  {
    switch imageProtocol {
    case .kitty: return kittySequence(png: try canvas.pngData(favoringSpeed: true))
    case .iterm2:
      return iterm2Sequence(
        png: try canvas.pngData(favoringSpeed: true), width: canvas.width, height: canvas.height)
    case .sixel: return sixelSequence(canvas)
    }
  }

  /// kitty graphics protocol: `ESC _G a=T,f=100,q=2,m=1;<base64> ESC \`, the base64 PNG split
  /// into chunks of at most 4096 bytes, every chunk but the last with `m=1`
  /// (sw.kovidgoyal.net/kitty/graphics-protocol, "Transferring pixel data", "chunked").
  static func kittySequence(png: [UInt8]) -> String {
    let payload = Array(Data(png).base64EncodedString().utf8)
    let chunkSize = 4096
    var result = ""
    var start = 0
    repeat {
      let end = min(start + chunkSize, payload.count)
      let more = end < payload.count ? 1 : 0
      let keys = start == 0 ? "a=T,f=100,q=2,m=\(more)" : "m=\(more)"
      result +=
        "\u{1B}_G\(keys);" + String(decoding: payload[start..<end], as: UTF8.self) + "\u{1B}\\"
      start = end
    } while start < payload.count
    return result + "\n"
  }

  /// iTerm2 inline image: `ESC ] 1337 ; File=inline=1;size=N;width=Wpx;height=Hpx : <base64> BEL`
  /// (iterm2.com/documentation-images.html).
  static func iterm2Sequence(png: [UInt8], width: Int, height: Int) -> String {
    "\u{1B}]1337;File=inline=1;size=\(png.count);width=\(width)px;height=\(height)px;"
      + "preserveAspectRatio=1:" + Data(png).base64EncodedString() + "\u{07}\n"
  }

  /// Sixel (DEC VT330/340): `ESC P 0;1;0 q "1;1;W;H`, a palette of the 6×6×6 colour cube
  /// (`#i;2;r;g;b` in percent), then bands of six rows: per colour used in the band, `#i` and one
  /// character per column (63 + a bit per row set), runs of four or more as `!n<char>`, `$` to
  /// return to the band's start, `-` for the next band; `ESC \` ends. Transparent pixels are shown
  /// over white.
  static func sixelSequence(_ canvas: Canvas) -> String {
    let (width, height) = (canvas.width, canvas.height)
    let bytes = canvas.rgbaBytes
    // Palette index per pixel: each channel rounded to 6 levels, over white.
    var index = [UInt8](repeating: 0, count: width * height)
    for i in 0..<(width * height) {
      let alpha = Int(bytes[i * 4 + 3])
      func level(_ c: UInt8) -> Int {
        let over = (Int(c) * alpha + 255 * (255 - alpha)) / 255
        return (over * 5 + 127) / 255
      }
      index[i] = UInt8(
        level(bytes[i * 4]) * 36 + level(bytes[i * 4 + 1]) * 6 + level(bytes[i * 4 + 2]))
    }
    var out = "\u{1B}P0;1;0q\"1;1;\(width);\(height)"
    for i in 0..<216 {
      let (r, g, b) = (i / 36, i / 6 % 6, i % 6)
      out += "#\(i);2;\(r * 20);\(g * 20);\(b * 20)"
    }
    var columnBits = [UInt8](repeating: 0, count: width)
    for bandTop in stride(from: 0, to: height, by: 6) {
      let rows = min(6, height - bandTop)
      var used = [Bool](repeating: false, count: 216)
      for r in 0..<rows {
        for x in 0..<width { used[Int(index[(bandTop + r) * width + x])] = true }
      }
      var firstColor = true
      for color in 0..<216 where used[color] {
        for x in 0..<width {
          var bits: UInt8 = 0
          for r in 0..<rows where index[(bandTop + r) * width + x] == UInt8(color) {
            bits |= 1 << r
          }
          columnBits[x] = bits
        }
        if !firstColor { out += "$" }
        firstColor = false
        out += "#\(color)"
        var x = 0
        while x < width {
          var run = 1
          while x + run < width && columnBits[x + run] == columnBits[x] { run += 1 }
          let character = String(UnicodeScalar(63 + columnBits[x]))
          out += run >= 4 ? "!\(run)\(character)" : String(repeating: character, count: run)
          x += run
        }
      }
      out += "-"
    }
    return out + "\u{1B}\\\n"
  }
}
