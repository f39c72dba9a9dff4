import Foundation
@testable import KMSPlot
import KMSTestSupport
import Testing

@Suite("PNG")
struct PNGTests {
  func temporaryFolder() throws -> String { try makeTemporaryFolder("png-tests") }

  @Test("a written confusion matrix decodes with its size, RGBA colour type, and cell colours")
  func confusionMatrixPixels() throws {
    let folder = try temporaryFolder()
    defer { try? FileManager.default.removeItem(atPath: folder) }
    // One bright cell (row 0, column 1) on a dark matrix: viridis' top and bottom colours.
    let figure = try ConfusionMatrixPlot(
      counts: [[0, 10, 0], [0, 0, 0], [0, 0, 0]],
      classNames: ["a", "b", "c"])
    let path = folder + "/confusion.png"
    try figure.writePNG(to: path)

    let info = try Canvas.readPNGInfo(from: path)
    #expect(
      info == PNGInfo(width: 640, height: 480, hasColor: true, hasAlpha: true, hasColormap: false))
    #expect(info.colorType == 6)
    let image = try Canvas.readPNG(from: path)
    #expect(image.pixel(x: 2, y: 2) == .white)

    let (axes, bar) = figure.layout(width: 640, height: 480, style: PlotStyle())
    let cell = axes.frame.width / 3
    // A point near the top-left corner of cell (0, 1), clear of the centred text.
    let bright = image.pixel(x: Int(axes.frame.x + cell + 3), y: Int(axes.frame.y + 3))
    #expect(bright == Color(hex: 0xFDE725))
    let dark = image.pixel(x: Int(axes.frame.x + 3), y: Int(axes.frame.y + 3))
    #expect(dark == Color(hex: 0x440154))
    // Text in the bright cell takes the dark end, text in dark cells the bright end.
    let brightCell = Rect(x: axes.frame.x + cell, y: axes.frame.y, width: cell, height: cell)
    #expect(count(of: Color(hex: 0x440154), in: brightCell, of: image) > 5)
    let darkCell = Rect(x: axes.frame.x, y: axes.frame.y + cell, width: cell, height: cell)
    #expect(count(of: Color(hex: 0xFDE725), in: darkCell, of: image) > 3)
    // The colour bar runs from dark at the bottom to bright at the top.
    #expect(image.pixel(x: Int(bar.center.x), y: Int(bar.y + 1)) == Color(hex: 0xFDE725))
    #expect(image.pixel(x: Int(bar.center.x), y: Int(bar.maxY - 1)) == Color(hex: 0x440154))

    // Title text ("accuracy 0.0%", large font) inside its box centred above the matrix.
    let title = "accuracy 0.0%"
    let width = Double(BitmapFont.large.size(of: title).width)
    let titleBox = Rect(
      x: axes.frame.center.x - width / 2 - 1, y: axes.frame.y - 8 - 1 - 15 - 1,
      width: width + 2, height: 17)
    let inked = count(of: .black, in: titleBox, of: image)
    #expect(inked > 40)
    let aboveTitle = Rect(x: 0, y: 0, width: 640, height: titleBox.y)
    #expect(count(of: .black, in: aboveTitle, of: image) == 0)
  }

  @Test("encoded bytes decode back to the same pixels")
  func roundTrip() throws {
    let canvas = Canvas(width: 7, height: 5, background: Color(r: 9, g: 8, b: 7, a: 200))
    canvas.setPixel(x: 3, y: 2, to: Color(r: 255, g: 0, b: 10, a: 255))
    let decoded = try Canvas.decodePNG(try canvas.pngData())
    #expect(decoded.width == 7 && decoded.height == 5)
    #expect(decoded.rgbaBytes == canvas.rgbaBytes)
  }

  @Test("writing into a missing folder throws a clear error and leaves no file")
  func missingFolder() throws {
    let folder = try temporaryFolder()
    defer { try? FileManager.default.removeItem(atPath: folder) }
    let path = folder + "/no/such/folder/out.png"
    do {
      try Canvas(width: 4, height: 4).writePNG(to: path)
      Issue.record("expected an error")
    } catch let error as PlotError {
      guard case .unwritablePath(let errorPath, let reason) = error else {
        Issue.record("wrong error \(error)")
        return
      }
      #expect(errorPath == path)
      #expect(reason.contains("does not exist"))
      #expect(error.description.hasPrefix("cannot write PNG '\(path)'"))
      #expect(error.hint?.contains("writable") == true)
    }
    #expect(try FileManager.default.contentsOfDirectory(atPath: folder).isEmpty)
  }

  @Test("writing over a folder throws and leaves no temporary file behind")
  func pathIsFolder() throws {
    let folder = try temporaryFolder()
    defer { try? FileManager.default.removeItem(atPath: folder) }
    try FileManager.default.createDirectory(
      atPath: folder + "/taken.png", withIntermediateDirectories: false)
    #expect(throws: PlotError.self) {
      try Canvas(width: 4, height: 4).writePNG(to: folder + "/taken.png")
    }
    #expect(try FileManager.default.contentsOfDirectory(atPath: folder) == ["taken.png"])
  }

  @Test("writing into a read-only folder throws and leaves nothing", .enabled(if: getuid() != 0))
  func readOnlyFolder() throws {
    let folder = try temporaryFolder()
    defer {
      chmod(folder, 0o755)
      try? FileManager.default.removeItem(atPath: folder)
    }
    chmod(folder, 0o555)
    #expect(throws: PlotError.self) {
      try Canvas(width: 4, height: 4).writePNG(to: folder + "/a.png")
    }
    #expect(try FileManager.default.contentsOfDirectory(atPath: folder).isEmpty)
  }

  @Test("rewriting a PNG replaces it whole")
  func replaces() throws {
    let folder = try temporaryFolder()
    defer { try? FileManager.default.removeItem(atPath: folder) }
    let path = folder + "/a.png"
    try Canvas(width: 4, height: 4).writePNG(to: path)
    try Canvas(width: 9, height: 3).writePNG(to: path)
    #expect(try Canvas.readPNGInfo(from: path).width == 9)
    #expect(try FileManager.default.contentsOfDirectory(atPath: folder) == ["a.png"])
  }

  @Test("reading a file that is not a PNG throws unreadablePNG")
  func notPNG() throws {
    let folder = try temporaryFolder()
    defer { try? FileManager.default.removeItem(atPath: folder) }
    let path = folder + "/fake.png"
    try Data("not a png".utf8).write(to: URL(fileURLWithPath: path))
    #expect(throws: PlotError.self) { try Canvas.readPNG(from: path) }
    #expect(throws: PlotError.self) { try Canvas.readPNG(from: folder + "/missing.png") }
    #expect(throws: PlotError.self) { try Canvas.decodePNG([1, 2, 3]) }
  }

  func count(of color: Color, in rect: Rect, of canvas: Canvas) -> Int {
    var n = 0
    for y in Int(rect.y)..<Int(rect.maxY) {
      for x in Int(rect.x)..<Int(rect.maxX) where canvas.pixel(x: x, y: y) == color { n += 1 }
    }
    return n
  }
}
