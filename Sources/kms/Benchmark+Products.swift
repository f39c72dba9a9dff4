import ArgumentParser
import Foundation
import KMSBench
import KMSLang
import KMSTensor

/// `kms bench products sae|mlp`: the matrix products of the model's training batches alone, on
/// one worker and on every worker, against the FMA peak measured in the same run: the ceiling an
/// epoch of that model can reach with this engine (`ProductsBenchmark`). The last line,
/// `products G GFLOP/s …`, is the one scripts/bench-compare.sh reads.
struct BenchProductsCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "products",
    abstract: "Time the matrix products of the SAE's or MLP's training batches alone.",
    discussion: """
      Forward x·Wᵀ + b, dW = dyᵀ·x and dx = dy·W of every dense layer, the calls training \
      makes, without activations, loss or Adam: no epoch of the model can reach a higher rate. \
      sae: 784-800-400-225-400-800-784, batch 164; mlp: 225-200-10, batch 140.
      """)

  enum Model: String, ExpressibleByArgument, CaseIterable { case sae, mlp }

  @Argument(help: "sae or mlp.")
  var model: Model = .sae

  @Option(help: "Timed rounds (the best and the median are reported).")
  var rounds = 7

  @Option(help: "Batches a round.")
  var batches = 20

  func run() throws {
    try requireOption("rounds", rounds, in: 1...1_000)
    try requireOption("batches", batches, in: 1...10_000)
    let (sizes, batchSize) = model == .sae
      ? (TrainingBenchmark.saeLayerSizes, 164) : (TrainingBenchmark.mlpLayerSizes, 140)
    let gflop = ProductsBenchmark.batchFLOPs(layerSizes: sizes, batchSize: batchSize) / 1e9
    print("kms \(kmsVersion) \(model.rawValue) products alone, "
          + sizes.map(String.init).joined(separator: "-")
          + String(format: " at batch %d (%.3f GFLOP a batch), ", batchSize, gflop)
          + "\(rounds) rounds of \(batches) batches, "
          + "release build: \(isReleaseBuild ? "yes" : "NO")")
    let peaks = PeakBenchmark.all(threads: Parallel.count, seconds: 0.1)
    func peak(threads: Int) -> Double? {
      peaks.filter { $0.threads == threads }.map(\.gflops).max()
    }
    var rates = [ProductsBenchmark.measure(layerSizes: sizes, batchSize: batchSize,
                                           batches: batches, rounds: rounds, workers: 1)]
    if Parallel.count > 1 {
      rates.append(ProductsBenchmark.measure(layerSizes: sizes, batchSize: batchSize,
                                             batches: batches, rounds: rounds))
    }
    for rate in rates {
      let fraction = peak(threads: rate.workers)
        .map { String(format: ", best %.2f of the FMA peak on as many threads", rate.best / $0) }
      print(String(format: "  %d worker(s)  best %6.1f GFLOP/s  median %6.1f", rate.workers,
                   rate.best, rate.median) + (fraction ?? ""))
    }
    let all = rates.last!
    print(String(format: "products %.1f GFLOP/s best, %.1f median, on %d worker(s)", all.best,
                 all.median, all.workers))
  }
}
