import KMSBench
import Testing

@Suite("Benchmark")
struct BenchmarkTests {
  @Test("the plot benchmark times a 10,000-point scatter and a 10×10 confusion matrix")
  func runs() {
    let results = PlotBenchmark.run(repetitions: 1)
    #expect(results.map(\.name) == ["scatter 10,000 points", "confusion matrix 10x10"])
    #expect(results.allSatisfy { $0.milliseconds > 0 && $0.milliseconds < 5_000 })
  }
}
