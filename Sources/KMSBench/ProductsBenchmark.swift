import Foundation
import KMSTensor

/// The matrix products of a dense stack's training batches, timed alone (`kms bench products`).
///
/// NOTE: issue 10 asks for an SAE epoch within 1.3× of the FMA-peak-bound time. An epoch is its
/// products plus activations, the loss and Adam, so it can never run faster than its products do
/// alone: this measures that ceiling with the very `gemm` calls `Dense` makes (split over the
/// same workers, the bias added in the forward product, gradients written with β = 0), chained
/// as in training (each layer's output is the next one's input, each input gradient the layer
/// below's output gradient), so the caches see what they see in an epoch.
public enum ProductsBenchmark {
  /// Rates of one measurement: the best and the median round.
  public struct Rate: Sendable {
    /// Workers the products were split over.
    public var workers: Int
    /// GFLOP/s of the fastest round.
    public var best: Double
    /// GFLOP/s of the median round.
    public var median: Double
  }

  /// Floating-point operations of one batch's products (as `TrainingBenchmark.epochFLOPs`):
  /// forward 2·batch·Σ(in·out), backward twice that less the first layer's input gradient.
  /// - Parameters:
  ///   - layerSizes: all widths, input to output.
  ///   - batchSize: rows of a batch.
  public static func batchFLOPs(layerSizes: [Int], batchSize: Int) -> Double {
    TrainingBenchmark.epochFLOPs(layerSizes: layerSizes, samples: batchSize)
  }

  /// Times `rounds` rounds of `batches` batches of products on `workers` workers; each round's
  /// rate is its FLOP over its seconds. One untimed batch comes first (it sizes OpenBLAS's
  /// buffers and warms the caches).
  /// - Parameters:
  ///   - layerSizes: all widths, input to output (the SAE's 784-800-400-225-400-800-784).
  ///   - batchSize: rows of a batch (164, the paper's).
  ///   - batches: batches a round.
  ///   - rounds: timed rounds.
  ///   - workers: workers to split over (`Parallel.count` is restored afterwards).
  public static func measure(layerSizes: [Int], batchSize: Int, batches: Int = 20,
                             rounds: Int = 7, workers: Int = Parallel.count) -> Rate {
    precondition(layerSizes.count >= 2 && batchSize > 0 && batches > 0 && rounds > 0,
                 "products benchmark: \(layerSizes) at batch \(batchSize)")
    let savedWorkers = Parallel.count
    Parallel.setCount(workers)
    defer { Parallel.setCount(savedWorkers) }
    let stack = Stack(layerSizes: layerSizes, batchSize: batchSize)
    stack.runBatch()
    let flops = batchFLOPs(layerSizes: layerSizes, batchSize: batchSize) * Double(batches)
    var rates: [Double] = []
    for _ in 0..<rounds {
      let start = DispatchTime.now()
      for _ in 0..<batches { stack.runBatch() }
      let seconds = Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
      rates.append(flops / seconds / 1e9)
    }
    return Rate(workers: workers, best: rates.max()!, median: TrainingBenchmark.median(rates))
  }

  /// The buffers of one dense stack, made once (uniform values; speed does not depend on them).
  private final class Stack {
    let weights: [Tensor]          // layer l: [out, in]
    let biases: [Tensor]           // layer l: [out]
    let activations: [Tensor]      // [batch, size l]: the input, then each layer's output
    let outputGradients: [Tensor]  // layer l: [batch, out], the last one random
    let weightGradients: [Tensor]  // layer l: [out, in]

    init(layerSizes: [Int], batchSize: Int) {
      var rng = RandomSource(seed: 5)
      let layers = Array(zip(layerSizes, layerSizes.dropFirst()))
      weights = layers.map { .uniform([$0.1, $0.0], in: -0.05...0.05, rng: &rng) }
      biases = layers.map { .uniform([$0.1], in: -0.05...0.05, rng: &rng) }
      activations = layerSizes.map { .uniform([batchSize, $0], in: 0...1, rng: &rng) }
      // Layer l's output gradient is layer l + 1's input gradient, so each buffer is the one the
      // layer above writes (the top one stays as drawn).
      outputGradients = layers.map { .uniform([batchSize, $0.1], in: -0.01...0.01, rng: &rng) }
      weightGradients = layers.map { Tensor(shape: [$0.1, $0.0]) }
    }

    /// Dense's products for one batch: forward bottom to top, then backward top to bottom.
    func runBatch() {
      for l in weights.indices {
        gemm(activations[l], weights[l], into: activations[l + 1], transposeRight: true,
             rowBias: biases[l])                                                // x · Wᵀ + b
      }
      for l in weights.indices.reversed() {
        gemm(outputGradients[l], activations[l], into: weightGradients[l],
             transposeLeft: true)                                               // dW = dyᵀ · x
        if l > 0 { gemm(outputGradients[l], weights[l], into: outputGradients[l - 1]) }  // dx
      }
    }
  }
}
