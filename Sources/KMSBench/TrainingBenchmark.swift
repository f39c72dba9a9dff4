import Foundation
import KMSNN
import KMSTensor

/// The measurements behind `kms bench`: the machine's own sgemm rate, kms's SAE epoch time on
/// the same machine, and their ratio, all in one run.
///
/// FLOP count of one SAE epoch (issue 2): forward 2·n·Σ(in·out); backward twice that, less the
/// first layer's input gradient (2·n·784·800), which nothing needs. For 784-800-400-225-400-800-784,
/// Σ(in·out) = 2,074,400, so 54,000 samples cost 604.4 GFLOP.
public enum TrainingBenchmark {
  /// The paper's SAE, input to output: 784-800-400-225-400-800-784 (batch 164).
  public static let saeLayerSizes = [784, 800, 400, 225, 400, 800, 784]
  /// The paper's Part A MLP on 225-D codes: 225-200-10 (batch 140).
  public static let mlpLayerSizes = [225, 200, 10]

  /// One timed quantity.
  public struct Measurement: Sendable {
    /// What was timed.
    public var name: String
    /// The median seconds of the timed runs.
    public var seconds: Double
    /// Billions of floating-point operations per second (nil where not meaningful).
    public var gflops: Double?
  }

  /// The median of a list of timings.
  /// - Parameter values: at least one number.
  public static func median(_ values: [Double]) -> Double {
    let sorted = values.sorted()
    return sorted.count % 2 == 1
      ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
  }

  /// Times a 1024³ sgemm (median of `runs`, after one warm-up), either split by kms across
  /// `Parallel.count` single-threaded calls, or handed whole to OpenBLAS with `blasThreads`.
  /// - Parameters:
  ///   - size: the matrices' side.
  ///   - blasThreads: nil for kms's splitting; a number for one OpenBLAS call on that many threads.
  ///   - runs: timed repetitions.
  public static func sgemm(size: Int = 1024, blasThreads: Int?, runs: Int = 7) -> Measurement {
    var rng = RandomSource(seed: 1)
    let a = Tensor.uniform([size, size], in: -1...1, rng: &rng)
    let b = Tensor.uniform([size, size], in: -1...1, rng: &rng)
    let c = Tensor(shape: [size, size])
    let savedWorkers = Parallel.count
    if blasThreads != nil { Parallel.setCount(1) }
    gemm(a, b, into: c)  // warm-up, and sets OpenBLAS to one thread the first time
    if let blasThreads { BLASThreads.set(blasThreads) }
    defer {
      BLASThreads.set(1)
      Parallel.setCount(savedWorkers)
    }
    gemm(a, b, into: c)
    var times: [Double] = []
    for _ in 0..<runs {
      let start = DispatchTime.now()
      gemm(a, b, into: c)
      times.append(Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9)
    }
    let seconds = median(times)
    let label = blasThreads.map { "sgemm \(size)³, OpenBLAS \($0) thread(s)" }
      ?? "sgemm \(size)³, kms split over \(savedWorkers) worker(s)"
    return Measurement(name: label, seconds: seconds,
                       gflops: 2 * pow(Double(size), 3) / seconds / 1e9)
  }

  /// Floating-point operations of one SAE epoch over `samples` examples.
  /// - Parameters:
  ///   - layerSizes: all widths, input to output (e.g. 784-800-400-225-400-800-784).
  ///   - samples: examples per epoch.
  public static func epochFLOPs(layerSizes: [Int], samples: Int) -> Double {
    let products = zip(layerSizes, layerSizes.dropFirst()).map { Double($0 * $1) }
    let forward = 2 * Double(samples) * products.reduce(0, +)
    return forward + 2 * forward - 2 * Double(samples) * products[0]
  }

  /// Times SAE epochs on synthetic 28×28 data: one warm-up epoch, then the median of `epochs`.
  /// - Parameters:
  ///   - samples: examples per epoch (54,000 = the paper's training split).
  ///   - batchSize: examples per batch (164, the paper's).
  ///   - epochs: timed epochs.
  ///   - report: called with each epoch's seconds as it finishes.
  public static func saeEpoch(samples: Int = 54_000, batchSize: Int = 164, epochs: Int = 3,
                              report: (Int, Double) -> Void = { _, _ in }) -> Measurement {
    var rng = RandomSource(seed: 7)
    let inputs = Tensor.uniform([samples, 784], in: 0...1, rng: &rng)
    let model = Autoencoder(inputSize: 784, encoderSizes: [800, 400, 225], seed: 1)
    let trainer = Trainer(
      objective: ReconstructionObjective(model: model, learningRate: 0.0008),
      training: Examples(inputs: inputs), batchSize: batchSize, seed: 3)
    let seconds = timedEpochs(trainer, epochs: epochs, report: report)
    let flops = epochFLOPs(layerSizes: saeLayerSizes, samples: samples)
    return Measurement(name: "SAE epoch, \(samples) samples, batch \(batchSize)", seconds: seconds,
                       gflops: flops / seconds / 1e9)
  }

  /// Times epochs of the paper's Part A MLP (225-200-10, ReLU, softmax cross-entropy, Adam
  /// 0.0006) on synthetic 225-D codes uniform in [0, 1] with uniform labels: one warm-up epoch,
  /// then the median of `epochs`. Its products are small (2·225·200 + 2·200·10 FLOP forward per
  /// example, 7.6 GFLOP an epoch of 54,000), so this times a framework's overhead per batch as much
  /// as its arithmetic.
  /// - Parameters:
  ///   - samples: examples per epoch (54,000: the codes of the paper's training split).
  ///   - batchSize: examples per batch (140, the paper's).
  ///   - epochs: timed epochs.
  ///   - report: called with each epoch's seconds as it finishes.
  public static func mlpEpoch(samples: Int = 54_000, batchSize: Int = 140, epochs: Int = 3,
                              report: (Int, Double) -> Void = { _, _ in }) -> Measurement {
    var rng = RandomSource(seed: 7)
    let inputs = Tensor.uniform([samples, 225], in: 0...1, rng: &rng)
    let labels = (0..<samples).map { _ in Int32(rng.int(below: 10)) }
    let model = Classifier(inputSize: 225, hiddenSizes: [200], classCount: 10, seed: 1)
    let trainer = Trainer(
      objective: ClassificationObjective(model: model, learningRate: 0.0006),
      training: Examples(inputs: inputs, labels: labels), batchSize: batchSize, seed: 3)
    let seconds = timedEpochs(trainer, epochs: epochs, report: report)
    let flops = epochFLOPs(layerSizes: mlpLayerSizes, samples: samples)
    return Measurement(name: "MLP epoch, \(samples) samples, batch \(batchSize)", seconds: seconds,
                       gflops: flops / seconds / 1e9)
  }

  /// One warm-up epoch (epoch 0), then `epochs` timed ones; their median seconds.
  /// - Parameters:
  ///   - trainer: the trainer to step.
  ///   - epochs: timed epochs.
  ///   - report: called with each epoch's number and seconds as it finishes, warm-up included.
  static func timedEpochs(_ trainer: Trainer, epochs: Int, report: (Int, Double) -> Void)
    -> Double
  {
    var times: [Double] = []
    for epoch in 0...epochs {
      guard case .completed(let record) = trainer.step() else { break }
      report(epoch, record.seconds)
      if epoch > 0 { times.append(record.seconds) }
    }
    return median(times)
  }

  /// Times `y += x` over `count` floats (median of runs) and reports GB/s moved (3 floats touched
  /// per element: read x, read y, write y), to show the elementwise loops run at memory speed.
  /// - Parameter count: elements.
  public static func elementwiseAdd(count: Int = 8_000_000) -> Measurement {
    let x = Tensor(shape: [count], repeating: 1), y = Tensor(shape: [count], repeating: 2)
    y.add(x)
    var times: [Double] = []
    for _ in 0..<9 {
      let start = DispatchTime.now()
      y.add(x)
      times.append(Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9)
    }
    let seconds = median(times)
    return Measurement(name: "elementwise y += x, \(count / 1_000_000)M floats (GB/s)",
                       seconds: seconds, gflops: 12 * Double(count) / seconds / 1e9)
  }
}
