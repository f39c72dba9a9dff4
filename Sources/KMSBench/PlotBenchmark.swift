import Foundation
import KMSPlot
import KMSTensor

/// Timings of the two renders the issue sets a budget for (well under 100 ms each, release build):
/// a 10,000-point latent scatter and a 10×10 confusion matrix, both at 640×480.
public enum PlotBenchmark {
  /// Renders each case `repetitions` times and reports the fastest run in milliseconds.
  /// - Parameter repetitions: runs per case, at least 1.
  public static func run(repetitions: Int = 5) -> [(name: String, milliseconds: Double)] {
    var rng = RandomSource(seed: 42)
    var codes: [[Float]] = [], labels: [Int] = []
    for i in 0..<10_000 {
      let label = i % 10
      let angle = Float(label) / 10 * 2 * .pi
      codes.append([2.5 * cos(angle) + 0.4 * rng.normal(), 2.5 * sin(angle) + 0.4 * rng.normal()])
      labels.append(label)
    }
    var counts = [[Int]](repeating: [Int](repeating: 0, count: 10), count: 10)
    for t in 0..<10 {
      for p in 0..<10 { counts[t][p] = t == p ? 900 + rng.int(below: 90) : rng.int(below: 30) }
    }
    // Inputs are valid by construction, so these cannot throw.
    let scatter = try! LatentScatter(codes: codes, labels: labels, limits: -4.5...4.5)
    let confusion = try! ConfusionMatrixPlot(counts: counts)
    return [
      ("scatter 10,000 points", fastest(repetitions) { _ = scatter.render() }),
      ("confusion matrix 10x10", fastest(repetitions) { _ = confusion.render() }),
    ]
  }

  private static func fastest(_ repetitions: Int, _ body: () -> Void) -> Double {
    var best = Double.infinity
    for _ in 0..<max(repetitions, 1) {
      let start = DispatchTime.now().uptimeNanoseconds
      body()
      best = min(best, Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
    }
    return best
  }
}
