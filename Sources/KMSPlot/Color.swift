/// An 8-bit RGBA colour, straight (not premultiplied) alpha.
public struct Color: Equatable, Hashable, Sendable, CustomStringConvertible {
  /// Red, green, blue and alpha, 0...255.
  public var r, g, b, a: UInt8

  /// Creates a colour from its components.
  /// - Parameters:
  ///   - r: red, 0...255.
  ///   - g: green, 0...255.
  ///   - b: blue, 0...255.
  ///   - a: opacity, 0 (transparent) ...255 (opaque).
  public init(r: UInt8, g: UInt8, b: UInt8, a: UInt8 = 255) {
    (self.r, self.g, self.b, self.a) = (r, g, b, a)
  }

  /// Creates an opaque colour from a 24-bit `0xRRGGBB` value, as written in CSS and matplotlibrc.
  /// - Parameter hex: the colour, e.g. `0x1f77b4`.
  public init(hex: UInt32) {
    self.init(r: UInt8((hex >> 16) & 0xFF), g: UInt8((hex >> 8) & 0xFF), b: UInt8(hex & 0xFF))
  }

  /// Creates a colour from components in [0, 1] (clamped), rounding to the nearest 8-bit value.
  /// - Parameters:
  ///   - red: red, 0...1.
  ///   - green: green, 0...1.
  ///   - blue: blue, 0...1.
  ///   - opacity: opacity, 0...1.
  public init(red: Double, green: Double, blue: Double, opacity: Double = 1) {
    func byte(_ v: Double) -> UInt8 { UInt8((min(max(v, 0), 1) * 255).rounded()) }
    self.init(r: byte(red), g: byte(green), b: byte(blue), a: byte(opacity))
  }

  /// The same colour with opacity `opacity` in [0, 1].
  /// - Parameter opacity: the new opacity.
  public func withOpacity(_ opacity: Double) -> Color {
    var c = self
    c.a = UInt8((min(max(opacity, 0), 1) * 255).rounded())
    return c
  }

  /// Relative luminance (Rec. 709 weights on the 8-bit values, 0...1); used to pick legible text.
  public var luminance: Double {
    (0.2126 * Double(r) + 0.7152 * Double(g) + 0.0722 * Double(b)) / 255
  }

  /// `#rrggbbaa`, for messages and test failures.
  public var description: String {
    func hex2(_ v: UInt8) -> String {
      let s = String(v, radix: 16)
      return s.count == 1 ? "0" + s : s
    }
    return "#" + hex2(r) + hex2(g) + hex2(b) + hex2(a)
  }
}

extension Color {
  /// Opaque white, matplotlib's figure and axes background.
  public static let white = Color(r: 255, g: 255, b: 255)
  /// Opaque black, matplotlib's spine, tick and text colour.
  public static let black = Color(r: 0, g: 0, b: 0)
  /// Fully transparent black.
  public static let clear = Color(r: 0, g: 0, b: 0, a: 0)
  /// matplotlib's grid colour (`grid.color: #b0b0b0`).
  public static let gridGray = Color(hex: 0xB0B0B0)
  /// matplotlib's legend frame colour (`legend.edgecolor: 0.8`).
  public static let legendEdgeGray = Color(hex: 0xCCCCCC)
  /// The light grey used for prior samples drawn beneath codes.
  public static let priorGray = Color(hex: 0xC8C8C8)
}
