/// An 8-bit RGBA colour.
public struct Color: Equatable, Hashable, Sendable {
  /// Red, green, blue and alpha, 0...255.
  public var r, g, b, a: UInt8
  /// Creates a colour from its components.
  public init(r: UInt8, g: UInt8, b: UInt8, a: UInt8 = 255) { (self.r, self.g, self.b, self.a) = (r, g, b, a) }
}
