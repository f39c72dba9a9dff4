/// RGBA pixel storage shared by a canvas and every sub-canvas cut from it (olive.c's
/// `Olivec_Canvas`: one pixel array, views into it by offset and stride).
final class PixelStorage: @unchecked Sendable {
  let width: Int
  let height: Int
  /// [height, width, 4] bytes, row-major, straight alpha.
  let bytes: UnsafeMutablePointer<UInt8>
  /// Set while a figure is drawn for SVG: every primitive is also recorded as an element.
  var recorder: SVGRecorder?

  init(width: Int, height: Int, background: Color) {
    self.width = width
    self.height = height
    let count = width * height * 4
    bytes = .allocate(capacity: max(count, 4))
    for i in stride(from: 0, to: count, by: 4) {
      bytes[i] = background.r
      bytes[i + 1] = background.g
      bytes[i + 2] = background.b
      bytes[i + 3] = background.a
    }
  }

  deinit { bytes.deallocate() }
}

/// An RGBA raster to draw on: width, height and a view into shared pixel storage.
///
/// Like olive.c's canvas, a `Canvas` is a *view*: copies of it, and sub-canvases cut from it with
/// `subcanvas(_:)`, draw into the same pixels. Every primitive clips to the view it is called on,
/// so a panel cannot paint over its neighbour. Coordinates are local to the view, in pixels, with
/// y pointing down; pixel (i, j) covers [i, i+1) × [j, j+1).
public struct Canvas: @unchecked Sendable {
  let storage: PixelStorage
  /// The view's top-left corner within `storage`.
  let originX: Int
  let originY: Int
  /// Width of this view in pixels.
  public let width: Int
  /// Height of this view in pixels.
  public let height: Int

  /// Creates a canvas filled with `background`.
  /// - Parameters:
  ///   - width: width in pixels, ≥ 1.
  ///   - height: height in pixels, ≥ 1.
  ///   - background: the initial colour of every pixel (white, as matplotlib's figure face).
  public init(width: Int, height: Int, background: Color = .white) {
    precondition(width > 0 && height > 0, "Canvas needs a positive size, got \(width)×\(height)")
    storage = PixelStorage(width: width, height: height, background: background)
    (originX, originY, self.width, self.height) = (0, 0, width, height)
  }

  private init(storage: PixelStorage, originX: Int, originY: Int, width: Int, height: Int) {
    self.storage = storage
    (self.originX, self.originY, self.width, self.height) = (originX, originY, width, height)
  }

  /// A view of the pixels inside `rect` (rounded to whole pixels and clipped to this canvas),
  /// sharing storage with this canvas: drawing there draws here, clipped to the sub-rectangle.
  /// - Parameter rect: the region, in this canvas's coordinates.
  public func subcanvas(_ rect: Rect) -> Canvas {
    let x0 = min(max(Int(rect.x.rounded()), 0), width)
    let y0 = min(max(Int(rect.y.rounded()), 0), height)
    let x1 = min(max(Int(rect.maxX.rounded()), x0), width)
    let y1 = min(max(Int(rect.maxY.rounded()), y0), height)
    return Canvas(
      storage: storage, originX: originX + x0, originY: originY + y0,
      width: x1 - x0, height: y1 - y0)
  }

  /// The whole view as a rectangle at the origin.
  public var bounds: Rect { Rect(x: 0, y: 0, width: Double(width), height: Double(height)) }

  /// The colour of pixel (`x`, `y`); `nil` outside the view.
  /// - Parameters:
  ///   - x: column, 0..<width.
  ///   - y: row, 0..<height.
  public func pixel(x: Int, y: Int) -> Color? {
    guard x >= 0, y >= 0, x < width, y < height else { return nil }
    let i = offset(x, y)
    let p = storage.bytes
    return Color(r: p[i], g: p[i + 1], b: p[i + 2], a: p[i + 3])
  }

  /// Replaces pixel (`x`, `y`) with `color` (no blending); ignored outside the view.
  /// - Parameters:
  ///   - x: column.
  ///   - y: row.
  ///   - color: the new colour.
  public func setPixel(x: Int, y: Int, to color: Color) {
    guard x >= 0, y >= 0, x < width, y < height else { return }
    let i = offset(x, y)
    let p = storage.bytes
    (p[i], p[i + 1], p[i + 2], p[i + 3]) = (color.r, color.g, color.b, color.a)
  }

  /// Composites `color` over pixel (`x`, `y`) with its alpha scaled by `coverage` (0...1),
  /// Porter–Duff "source over" in straight alpha; ignored outside the view.
  /// - Parameters:
  ///   - x: column.
  ///   - y: row.
  ///   - color: the source colour.
  ///   - coverage: the fraction of the pixel the shape covers, for anti-aliasing.
  @inline(__always)
  public func blendPixel(x: Int, y: Int, with color: Color, coverage: Double = 1) {
    guard x >= 0, y >= 0, x < width, y < height, coverage > 0 else { return }
    let alpha = Double(color.a) / 255 * min(coverage, 1)
    let i = offset(x, y)
    let p = storage.bytes
    if alpha >= 1 {
      (p[i], p[i + 1], p[i + 2], p[i + 3]) = (color.r, color.g, color.b, 255)
      return
    }
    // out = src·α + dst·dα(1−α), normalised by outα = α + dα(1−α).
    let dstAlpha = Double(p[i + 3]) / 255
    let outAlpha = alpha + dstAlpha * (1 - alpha)
    guard outAlpha > 0 else { return }
    let dstWeight = dstAlpha * (1 - alpha)
    func mix(_ s: UInt8, _ d: UInt8) -> UInt8 {
      UInt8(((Double(s) * alpha + Double(d) * dstWeight) / outAlpha).rounded())
    }
    p[i] = mix(color.r, p[i])
    p[i + 1] = mix(color.g, p[i + 1])
    p[i + 2] = mix(color.b, p[i + 2])
    p[i + 3] = UInt8((outAlpha * 255).rounded())
  }

  /// Paints every pixel of the view with `color` (replacing, not blending).
  /// - Parameter color: the colour.
  public func clear(to color: Color) {
    for y in 0..<height {
      for x in 0..<width { setPixel(x: x, y: y, to: color) }
    }
  }

  /// The view's pixels as tightly packed RGBA bytes, [height, width, 4], row-major.
  public var rgbaBytes: [UInt8] {
    var result = [UInt8](repeating: 0, count: width * height * 4)
    result.withUnsafeMutableBufferPointer { out in
      for y in 0..<height {
        let source = storage.bytes + offset(0, y)
        (out.baseAddress! + y * width * 4).update(from: source, count: width * 4)
      }
    }
    return result
  }

  /// Creates an independent canvas from tightly packed RGBA bytes, [height, width, 4].
  /// - Parameters:
  ///   - width: width in pixels.
  ///   - height: height in pixels.
  ///   - rgbaBytes: `width * height * 4` bytes.
  public init(width: Int, height: Int, rgbaBytes: [UInt8]) {
    precondition(
      rgbaBytes.count == width * height * 4,
      "Canvas(\(width)×\(height)) needs \(width * height * 4) bytes, got \(rgbaBytes.count)")
    self.init(width: width, height: height, background: .clear)
    rgbaBytes.withUnsafeBufferPointer { source in
      storage.bytes.update(from: source.baseAddress!, count: rgbaBytes.count)
    }
  }

  /// Byte offset of local pixel (x, y) in storage.
  @inline(__always)
  func offset(_ x: Int, _ y: Int) -> Int {
    ((originY + y) * storage.width + originX + x) * 4
  }
}
