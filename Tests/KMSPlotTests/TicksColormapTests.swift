@testable import KMSPlot
import Testing

@Suite("Ticks")
struct TicksTests {
  @Test("0...1 gets ticks every 0.2 with one decimal, as matplotlib")
  func unitRange() {
    let values = Ticks.linear(in: 0...1)
    #expect(values.count == 6)
    #expect(zip(values, [0, 0.2, 0.4, 0.6, 0.8, 1.0]).allSatisfy { abs($0 - $1) < 1e-12 })
    #expect(Ticks.labels(for: values, step: 0.2) == ["0.0", "0.2", "0.4", "0.6", "0.8", "1.0"])
  }

  @Test(
    "steps come from 1, 2, 2.5 and 5 times a power of ten",
    arguments: [
      (0.0...10.0, 5, 2.5), (-4.5...4.5, 9, 2.0), (0.0...1000.0, 9, 200.0), (0.02...0.085, 9, 0.01),
    ])
  func steps(range: ClosedRange<Double>, maxCount: Int, step: Double) {
    #expect(abs(Ticks.niceStep(for: range, maxCount: maxCount) - step) < 1e-12)
  }

  @Test("labels carry as many decimals as the step needs")
  func quarterLabels() {
    #expect(Ticks.labels(for: [0, 2.5, 5], step: 2.5) == ["0.0", "2.5", "5.0"])
    #expect(Ticks.labels(for: [0, 250, 500], step: 250) == ["0", "250", "500"])
    #expect(Ticks.labels(for: [0, 0.025, 0.05], step: 0.025) == ["0.000", "0.025", "0.050"])
  }

  @Test("ticks never show negative zero")
  func noNegativeZero() {
    let values = Ticks.linear(in: -1...1, maxCount: 5)
    #expect(Ticks.labels(for: values, step: 0.5) == ["-1.0", "-0.5", "0.0", "0.5", "1.0"])
  }

  @Test("log ticks are the decades inside the range with 2…9 between")
  func logTicks() {
    let (major, minor) = Ticks.logarithmic(in: 0.0055...2)
    #expect(major == [0.01, 0.1, 1])
    #expect(minor.count == 4 + 8 + 8 + 1)  // 0.006…0.009, 0.02…0.09, 0.2…0.9, 2
  }

  @Test("limits add a 5 % margin, and a single value gets a unit window")
  func limits() {
    let limits = Axes.limits(covering: [0, 10])
    #expect(limits == -0.5...10.5)
    #expect(Axes.limits(covering: [3]) == 2.5...3.5)
    let finite = Axes.limits(covering: [.nan, 1, 3, .infinity])
    #expect(abs(finite.lowerBound - 0.9) < 1e-12 && abs(finite.upperBound - 3.1) < 1e-12)
  }
}

@Suite("Colormaps")
struct ColormapTests {
  @Test("viridis has matplotlib's end points and middle")
  func viridis() {
    let map = Viridis()
    #expect(map.color(at: 0) == Color(hex: 0x440154))
    #expect(map.color(at: 1) == Color(hex: 0xFDE725))
    #expect(map.color(at: 0.5) == Color(hex: 0x21918C))
    #expect(map.color(at: -3) == map.color(at: 0))
    #expect(map.color(at: .nan) == map.color(at: 0))
  }

  @Test("tab10 is matplotlib's cycle and wraps after ten")
  func tab10() {
    #expect(Tab10.color(0) == Color(hex: 0x1F77B4))
    #expect(Tab10.color(3) == Color(hex: 0xD62728))
    #expect(Tab10.color(9) == Color(hex: 0x17BECF))
    #expect(Tab10.color(10) == Tab10.color(0))
  }

  @Test("grayscale maps 0 to black and 1 to white")
  func grayscale() {
    #expect(Grayscale().color(at: 0) == .black)
    #expect(Grayscale().color(at: 1) == .white)
  }
}
