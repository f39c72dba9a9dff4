import KMSPlot
import Testing

@Suite("Axes")
struct AxesTests {
  func gridPixels(_ canvas: Canvas, in frame: Rect) -> Int {
    var n = 0
    for y in Int(frame.y)..<Int(frame.maxY) {
      for x in Int(frame.x)..<Int(frame.maxX) where canvas.pixel(x: x, y: y) == .gridGray {
        n += 1
      }
    }
    return n
  }

  @Test("the grid is off by default and drawn in matplotlib's grey when asked")
  func grid() throws {
    let frame = Axes.defaultFrame(width: 640, height: 480)
    let plain = try TrainingCurves(train: [1, 0.5, 0.25, 0.2]).render()
    let gridded = try TrainingCurves(train: [1, 0.5, 0.25, 0.2], grid: true).render()
    #expect(gridPixels(plain, in: frame) == 0)
    #expect(gridPixels(gridded, in: frame) > 1000)
  }

  @Test("the default frame follows matplotlib's subplot fractions at 640×480")
  func defaultFrame() {
    let frame = Axes.defaultFrame(width: 640, height: 480)
    let expected = [80, 57.6, 496, 369.6]
    let actual = [frame.x, frame.y, frame.width, frame.height]
    #expect(zip(actual, expected).allSatisfy { abs($0 - $1) < 1e-9 }, "\(frame)")
  }

  @Test("data limits map to the frame's edges, log axes by decade")
  func transforms() {
    let axes = Axes(
      frame: Rect(x: 10, y: 20, width: 100, height: 50), xLimits: 0...10, yLimits: 1...100,
      isLogY: true)
    #expect(axes.pixelX(0) == 10 && axes.pixelX(10) == 110 && axes.pixelX(5) == 60)
    #expect(axes.pixelY(1) == 70 && axes.pixelY(100) == 20 && axes.pixelY(10) == 45)
    #expect(axes.pixelY(0) == .infinity)
  }

  @Test("the spines and outward ticks are black, just outside the data area")
  func spines() throws {
    let canvas = try TrainingCurves(train: [1, 0.5, 0.25]).render()
    let frame = Axes.defaultFrame(width: 640, height: 480)
    let (x0, y1) = (Int(frame.x.rounded()), Int(frame.maxY.rounded()))
    #expect(canvas.pixel(x: x0 - 1, y: 200) == .black)  // left spine
    #expect(canvas.pixel(x: 300, y: y1) == .black)  // bottom spine
    // Some tick hangs below the bottom spine: 5 px outward (3.5 pt at 100 dpi).
    let hanging = (x0..<Int(frame.maxX)).filter { canvas.pixel(x: $0, y: y1 + 4) == .black }
    #expect(!hanging.isEmpty)
  }
}
