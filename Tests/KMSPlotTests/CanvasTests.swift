import KMSPlot
import Testing

@Suite("Canvas")
struct CanvasTests {
  /// Sum over the canvas of how far each pixel moved from white toward black, in pixel units.
  func inkArea(_ canvas: Canvas) -> Double {
    var total = 0.0
    for y in 0..<canvas.height {
      for x in 0..<canvas.width { total += 1 - Double(canvas.pixel(x: x, y: y)!.r) / 255 }
    }
    return total
  }

  @Test("a new canvas is filled with its background")
  func background() {
    let canvas = Canvas(width: 3, height: 2, background: Color(hex: 0x102030))
    #expect(canvas.pixel(x: 2, y: 1) == Color(r: 0x10, g: 0x20, b: 0x30))
    #expect(canvas.pixel(x: 3, y: 0) == nil)
  }

  @Test("a sub-canvas draws into its parent at an offset and clips to its own bounds")
  func subcanvasClips() {
    let canvas = Canvas(width: 10, height: 10)
    let panel = canvas.subcanvas(Rect(x: 2, y: 3, width: 4, height: 4))
    #expect(panel.width == 4 && panel.height == 4)
    panel.fill(Rect(x: -5, y: -5, width: 100, height: 100), with: .black)
    #expect(canvas.pixel(x: 2, y: 3) == .black)
    #expect(canvas.pixel(x: 5, y: 6) == .black)
    #expect(canvas.pixel(x: 6, y: 6) == .white)
    #expect(canvas.pixel(x: 1, y: 3) == .white)
    #expect(canvas.pixel(x: 2, y: 7) == .white)
  }

  @Test("a sub-canvas reaching past its parent is cut to the parent")
  func subcanvasOfEdge() {
    let canvas = Canvas(width: 10, height: 10)
    let panel = canvas.subcanvas(Rect(x: 8, y: -2, width: 5, height: 5))
    #expect(panel.width == 2 && panel.height == 3)
  }

  @Test("a rectangle on half pixels covers its edge pixels by half")
  func fractionalRectangle() {
    let canvas = Canvas(width: 4, height: 1)
    canvas.fill(Rect(x: 0.5, y: 0, width: 2, height: 1), with: .black)
    #expect(canvas.pixel(x: 0, y: 0) == Color(r: 128, g: 128, b: 128))
    #expect(canvas.pixel(x: 1, y: 0) == .black)
    #expect(canvas.pixel(x: 2, y: 0) == Color(r: 128, g: 128, b: 128))
    #expect(canvas.pixel(x: 3, y: 0) == .white)
  }

  @Test("a half-transparent colour blends halfway")
  func blending() {
    let canvas = Canvas(width: 1, height: 1)
    canvas.blendPixel(x: 0, y: 0, with: Color(r: 0, g: 0, b: 255, a: 128))
    #expect(canvas.pixel(x: 0, y: 0) == Color(r: 127, g: 127, b: 255))
  }

  @Test("an anti-aliased line's ink equals its length times its width")
  func lineInk() {
    let canvas = Canvas(width: 60, height: 60)
    canvas.drawLine(from: Point(x: 10, y: 12), to: Point(x: 50, y: 41), color: .black, lineWidth: 2)
    let length = (40.0 * 40 + 29 * 29).squareRoot()
    // Round caps add a disc of the line's width: π·r².
    let expected = length * 2 + Double.pi
    #expect(abs(inkArea(canvas) - expected) / expected < 0.05)
    // Partly covered pixels exist: the line is anti-aliased, not stair-stepped.
    var grey = 0
    for y in 0..<60 {
      for x in 0..<60 where (1...254).contains(canvas.pixel(x: x, y: y)!.r) { grey += 1 }
    }
    #expect(grey > 20)
  }

  @Test("a filled disc's ink equals πr²")
  func discInk() {
    let canvas = Canvas(width: 40, height: 40)
    canvas.fillCircle(center: Point(x: 20.3, y: 19.6), radius: 8, color: .black)
    #expect(abs(inkArea(canvas) - Double.pi * 64) / (Double.pi * 64) < 0.02)
  }

  @Test("a filled triangle's ink equals its area")
  func triangleInk() {
    let canvas = Canvas(width: 40, height: 40)
    canvas.fillPolygon(
      [Point(x: 3.2, y: 4), Point(x: 35, y: 10.5), Point(x: 12, y: 33.7)], color: .black)
    // Shoelace formula.
    let area = abs(3.2 * (10.5 - 33.7) + 35 * (33.7 - 4) + 12 * (4 - 10.5)) / 2
    #expect(abs(inkArea(canvas) - area) / area < 0.02)
  }

  @Test("primitives wholly outside the canvas draw nothing and do not crash")
  func outside() {
    let canvas = Canvas(width: 5, height: 5)
    canvas.drawLine(
      from: Point(x: -50, y: -50), to: Point(x: -10, y: 40), color: .black, lineWidth: 3)
    canvas.fillCircle(center: Point(x: 100, y: 2), radius: 4, color: .black)
    canvas.fillPolygon(
      [Point(x: 10, y: 10), Point(x: 20, y: 10), Point(x: 15, y: 20)], color: .black)
    canvas.drawPolyline([Point(x: .nan, y: 1), Point(x: 2, y: .infinity)], color: .black)
    #expect(inkArea(canvas) == 0)
  }

  @Test("the bitmap fallback measures one cell per character and draws within that box")
  func bitmapTextBox() {
    let bitmap = BitmapFont.small
    #expect(bitmap.size(of: "loss").width == 4 * bitmap.cellWidth)
    #expect(bitmap.size(of: "loss", scale: 2).height == 2 * bitmap.cellHeight)
    let font = TextFont(points: 10, scale: 2, library: .bitmapOnly)
    #expect(font.width(of: "loss") == Double(4 * 2 * bitmap.cellWidth))
    let canvas = Canvas(width: 60, height: 30)
    canvas.drawText("Ag", at: Point(x: 5, y: 4), font: font)
    let inked = inkedBounds(canvas)!
    #expect(inked.minX >= 5 && inked.maxX < 5 + 2 * 2 * bitmap.cellWidth)
    #expect(inked.minY >= 4 && inked.maxY < 4 + 2 * bitmap.cellHeight)
  }

  @Test("vertical text runs upward in a box as tall as the text is long")
  func verticalText() {
    for library in [FontLibrary.shared, .bitmapOnly] {
      let font = TextFont(points: 10, library: library)
      let canvas = Canvas(width: 40, height: 80)
      canvas.drawText(
        "label", at: Point(x: 20, y: 40), font: font, horizontal: .center, vertical: .center,
        isVertical: true)
      let inked = inkedBounds(canvas)!
      #expect(inked.maxY - inked.minY > 2 * (inked.maxX - inked.minX))
      #expect(Double(inked.maxY - inked.minY) <= font.width(of: "label") + 1)
      // Centred along the text: the ink's middle is within two pixels of the anchor.
      #expect(abs(Double(inked.minY + inked.maxY) / 2 - 40) <= 2)
    }
  }

  @Test("the bitmap fallback draws non-ASCII characters as a question mark")
  func nonASCII() {
    let font = TextFont(points: 10, library: .bitmapOnly)
    let a = Canvas(width: 20, height: 20), b = Canvas(width: 20, height: 20)
    a.drawText("お", at: Point(x: 2, y: 2), font: font)
    b.drawText("?", at: Point(x: 2, y: 2), font: font)
    #expect(a.rgbaBytes == b.rgbaBytes)
  }

}
