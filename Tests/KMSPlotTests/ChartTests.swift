import Foundation
import KMSPlot
import Testing

/// The general plots: their input checks, the numbers they draw, and the layout rules.
@Suite("Charts")
struct ChartTests {
  @Test("a histogram counts values into equal bins, the last one closed")
  func histogramCounts() throws {
    let chart = try Chart.histogram([0, 0.5, 1, 1, 2, 3, 4], bins: 4)
    guard case .bars(let centers, let heights, let width, _) = chart.series[0] else {
      Issue.record("a histogram is drawn as bars")
      return
    }
    #expect(width == 1)
    #expect(centers == [0.5, 1.5, 2.5, 3.5])
    #expect(heights == [2, 2, 1, 2])
    // One repeated value still makes a bin around it.
    let single = try Chart.histogram([2, 2, 2], bins: 1)
    if case .bars(let centers, let heights, let width, _) = single.series[0] {
      #expect(centers == [2] && heights == [3] && width == 1)
    }
  }

  @Test("bad input is refused with the thing named")
  func badInput() {
    #expect(throws: PlotError.emptyInput(what: "chart series")) {
      try Chart(series: [])
    }
    #expect(throws: PlotError.self) { try Chart.histogram([.nan, .infinity]) }
    #expect(throws: PlotError.self) { try Chart.histogram([1, 2], bins: 0) }
    #expect(throws: PlotError.self) { try Chart.bars(["a", "b"], [1]) }
    #expect(throws: PlotError.self) {
      try Chart.lines([([1, 2, 3], [1, 2], nil, LineStyle("-")!)])
    }
    #expect(throws: PlotError.self) {
      try Chart.lines([([1, 2], [-1, 0], nil, LineStyle("-")!)], logScale: true)
    }
    #expect(throws: PlotError.self) {
      try Chart.lines([([1, 2], [1, 2], nil, LineStyle("-")!)], size: (0.5, 4))
    }
    #expect(LineStyle("-x") == nil)
  }

  @Test("size and dpi set the pixels as matplotlib's figsize and dpi do")
  func sizeAndDPI() throws {
    let chart = try Chart.lines([([1, 2], [1, 2], nil, LineStyle("-")!)])
    #expect(chart.preferredSize == (640, 480))
    let big = try Chart.lines(
      [([1, 2], [1, 2], nil, LineStyle("-")!)], size: (4, 3), dpi: 200)
    #expect(big.preferredSize == (800, 600))
    // At 200 dpi the title is set twice as large: its ink is about twice as tall.
    func titleInkHeight(_ chart: Chart, dpi: Double) -> Int {
      let canvas = chart.render()
      var rows = 0
      for y in 0..<Int(Double(canvas.height) * 0.1) {
        if (0..<canvas.width).contains(where: { canvas.pixel(x: $0, y: y)!.r < 128 }) { rows += 1 }
      }
      return rows
    }
    let small = try Chart.lines([([1, 2], [1, 2], nil, LineStyle("-")!)], title: "Title")
    let large = try Chart.lines(
      [([1, 2], [1, 2], nil, LineStyle("-")!)], title: "Title", size: (6.4, 4.8), dpi: 200)
    let ratio = Double(titleInkHeight(large, dpi: 200)) / Double(titleInkHeight(small, dpi: 100))
    #expect(ratio > 1.7 && ratio < 2.3)
  }

  @Test("a dashed line leaves gaps a solid one does not")
  func dashes() throws {
    func inked(_ format: String) throws -> Int {
      let chart = try Chart.lines([([0, 1], [0.5, 0.5], nil, LineStyle(format)!)])
      let canvas = chart.render()
      // The row through the line, across the axes box.
      let y = (0..<canvas.height).first { y in
        canvas.pixel(x: 320, y: y)!.b > 150 && canvas.pixel(x: 320, y: y)!.r < 100
      }
      guard let y else { return 0 }
      return (100..<540).filter { canvas.pixel(x: $0, y: y)!.r < 100 }.count
    }
    let solid = try inked("-"), dashed = try inked("--")
    #expect(solid > 400)
    #expect(dashed < solid * 4 / 5 && dashed > solid / 3)
  }

  @Test("a legend covering data in every corner moves outside the axes")
  func legendOutside() throws {
    let xs = (0...40).map { Double($0) / 4 }
    let crowded = try Chart.lines(
      (0..<4).map { k in (xs, xs.map { sin($0 + Double(k)) }, "phase \(k)", LineStyle("-")!) })
    func inkRightOfAxes(_ canvas: Canvas) -> Int {
      // matplotlib's axes box ends at 90 % of the width (576 px): right of it is only a legend.
      var count = 0
      for x in 582..<canvas.width {
        for y in 0..<canvas.height where canvas.pixel(x: x, y: y)!.r < 128 { count += 1 }
      }
      return count
    }
    #expect(inkRightOfAxes(crowded.render()) > 50)
    let free = try Chart.lines([(xs, xs.map { $0 / 10 }, "rising", LineStyle("-")!)])
    #expect(inkRightOfAxes(free.render()) == 0)
  }
}
