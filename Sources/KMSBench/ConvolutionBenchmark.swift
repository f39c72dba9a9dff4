import Foundation
import KMSNN
import KMSTensor

/// The CNN measurements behind `kms bench`: how to lower a convolution (timed in isolation), and
/// one training epoch of the paper's CNN with its FLOP rate.
///
/// FLOP count of the paper's CNN (issue 9), products only (bias, ReLU, pooling and dropout are
/// memory-bound passes, not counted, as for the SAE): a convolution is 2·f·(c·k²)·(oh·ow) per
/// image forward, a dense layer 2·in·out; backward is twice the forward (weight and input
/// gradients), less the first layer's input gradient, which nothing needs. For
/// conv(32, 3) → conv(112, 3) → maxpool(2) → dense(288) → dense(10) on 28×28 that is
/// 0.39 + 37.16 + 9.29 + 0.01 = 46.85 MFLOP forward and 140.1 MFLOP per image in all, so an epoch
/// of 54,000 images costs 7,568 GFLOP.
public enum ConvolutionBenchmark {
  /// The paper's CNN (95.3%, 4,680,730 parameters), as `classifier([...])` builds it.
  public static let paperCNN = ModelSpec(
    kind: .classifier, inputShape: [1, 28, 28],
    layers: [.conv(filters: 32, size: 3, stride: 1, padding: .valid, activation: .relu),
             .conv(filters: 112, size: 3, stride: 1, padding: .valid, activation: .relu),
             .maxpool(size: 2, stride: 2), .dropout(rate: 0.45),
             .dense(units: 288, activation: .relu), .dropout(rate: 0.4),
             .dense(units: 10, activation: .linear)])

  /// Products of one training step per example, forward and backward (see above).
  /// - Parameter spec: a classifier or autoencoder spec.
  public static func trainingFLOPsPerExample(_ spec: ModelSpec) -> Double {
    var shape = Shape(spec.inputShape)
    var forward = 0.0, firstLayer: Double?
    for (index, layer) in (spec.layers + (spec.decoder ?? [])).enumerated() {
      let next = (try? layer.outputShape(for: shape, position: index + 1)) ?? shape
      var flops = 0.0
      switch layer {
      case .conv(let filters, let size, _, _, _):
        flops = 2 * Double(filters * shape[0] * size * size * next[1] * next[2])
      case .dense(let units, _):
        flops = 2 * Double(shape.elementCount * units)
      default: break
      }
      if flops > 0 && firstLayer == nil { firstLayer = flops }
      forward += flops
      shape = next
    }
    return 3 * forward - (firstLayer ?? 0)
  }

  /// The two lowerings of one convolution timed on the same image batch: im2col + one sgemm per
  /// image (what `Conv2D` does) and a direct loop whose inner loop runs along output rows.
  /// Single-threaded, median of `runs` after a warm-up.
  /// - Parameters:
  ///   - channels: input channels (32 for the paper's second layer).
  ///   - filters: output channels (112).
  ///   - size: input side (26).
  ///   - kernel: kernel side (3).
  ///   - images: images per timed run.
  ///   - runs: timed repetitions.
  public static func lowering(channels: Int = 32, filters: Int = 112, size: Int = 26,
                              kernel: Int = 3, images: Int = 16, runs: Int = 5)
    -> [TrainingBenchmark.Measurement]
  {
    let g = ConvolutionGeometry(channels: channels, height: size, width: size, kernel: kernel,
                                stride: 1, same: false)!
    var rng = RandomSource(seed: 11)
    let x = Tensor.uniform([images, g.imageSize], in: -1...1, rng: &rng)
    let w = Tensor.uniform([filters, g.patchSize], in: -1...1, rng: &rng)
    let y = Tensor(shape: [images, filters * g.outPixels])
    let columns = Tensor(shape: [g.patchSize, g.outPixels])
    let flops = 2 * Double(images * filters * g.patchSize * g.outPixels)
    func time(_ body: () -> Void) -> Double {
      body()
      var times: [Double] = []
      for _ in 0..<runs {
        let start = DispatchTime.now()
        body()
        times.append(Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9)
      }
      return TrainingBenchmark.median(times)
    }
    let lowered = time {
      for n in 0..<images {
        im2col(x.data + n * g.imageSize, g, into: columns.data)
        serialGEMM(m: filters, n: g.outPixels, k: g.patchSize, a: w.data, lda: g.patchSize,
                   b: columns.data, ldb: g.outPixels, c: y.data + n * filters * g.outPixels,
                   ldc: g.outPixels)
      }
    }
    let direct = time { directConvolution(x, w, g, filters: filters, into: y) }
    let name = "conv \(channels)→\(filters) \(kernel)×\(kernel) on \(size)², 1 thread"
    return [
      .init(name: "\(name): im2col+sgemm", seconds: lowered, gflops: flops / lowered / 1e9),
      .init(name: "\(name): direct", seconds: direct, gflops: flops / direct / 1e9),
    ]
  }

  /// A direct stride-1 `"valid"` convolution without bias: for each filter, channel and kernel
  /// tap, one scaled input row added to each output row (contiguous, so the compiler vectorises
  /// it). The alternative to im2col that `lowering` times.
  static func directConvolution(_ x: Tensor, _ w: Tensor, _ g: ConvolutionGeometry, filters: Int,
                                into y: Tensor) {
    let (k, oh, ow) = (g.kernel, g.outHeight, g.outWidth)
    for n in 0..<x.shape[0] {
      let image = x.data + n * g.imageSize
      for f in 0..<filters {
        let out = y.data + (n * filters + f) * g.outPixels
        out.update(repeating: 0, count: g.outPixels)
        for c in 0..<g.channels {
          let plane = image + c * g.height * g.width
          for ki in 0..<k {
            for kj in 0..<k {
              let weight = w.data[f * g.patchSize + (c * k + ki) * k + kj]
              for oy in 0..<oh {
                let src = plane + (oy + ki) * g.width + kj, dst = out + oy * ow
                for ox in 0..<ow { dst[ox] += weight * src[ox] }
              }
            }
          }
        }
      }
    }
  }

  /// Times training epochs of the paper's CNN on synthetic 28×28 images and labels (Adam 0.0013,
  /// the authors' setting): one warm-up epoch, then the median of `epochs`.
  /// - Parameters:
  ///   - samples: images per epoch (54,000 = the paper's training split).
  ///   - batchSize: images per batch (128, the authors').
  ///   - epochs: timed epochs.
  ///   - report: called with each epoch's seconds as it finishes.
  public static func cnnEpoch(samples: Int = 54_000, batchSize: Int = 128, epochs: Int = 2,
                              report: (Int, Double) -> Void = { _, _ in })
    -> TrainingBenchmark.Measurement
  {
    var rng = RandomSource(seed: 7)
    let inputs = Tensor.uniform([samples, 784], in: 0...1, rng: &rng)
    let labels = (0..<samples).map { _ in Int32(rng.int(below: 10)) }
    let model = try! paperCNN.makeModel(seed: 1)
    let trainer = Trainer(
      objective: ClassificationObjective(model: model, learningRate: 0.0013),
      training: Examples(inputs: inputs, labels: labels), batchSize: batchSize, seed: 3)
    let seconds = TrainingBenchmark.timedEpochs(trainer, epochs: epochs, report: report)
    let flops = trainingFLOPsPerExample(paperCNN) * Double(samples)
    return .init(name: "CNN epoch, \(samples) samples, batch \(batchSize)", seconds: seconds,
                 gflops: flops / seconds / 1e9)
  }
}
