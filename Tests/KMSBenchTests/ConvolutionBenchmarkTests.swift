@testable import KMSBench
import KMSNN
import KMSTensor
import Testing

@Suite("CNN benchmark")
struct ConvolutionBenchmarkTests {
  @Test("the paper's CNN costs 140,141,952 FLOP a training image (products only)")
  func flopCount() throws {
    #expect(try ConvolutionBenchmark.paperCNN.check() == 4_680_730)
    // Forward: conv1 389,376 + conv2 37,158,912 + dense1 9,289,728 + dense2 5,760; backward twice
    // that, less conv1's input gradient.
    let forward = 389_376.0 + 37_158_912 + 9_289_728 + 5_760
    #expect(ConvolutionBenchmark.trainingFLOPsPerExample(ConvolutionBenchmark.paperCNN)
            == 3 * forward - 389_376)
  }

  @Test("the direct convolution the lowering is timed against computes the same as im2col + sgemm")
  func directMatchesLowered() {
    let g = ConvolutionGeometry(channels: 3, height: 9, width: 9, kernel: 3, stride: 1, same: false)!
    var rng = RandomSource(seed: 4)
    let x = Tensor.uniform([2, g.imageSize], in: -1...1, rng: &rng)
    let w = Tensor.uniform([5, g.patchSize], in: -1...1, rng: &rng)
    let direct = Tensor(shape: [2, 5 * g.outPixels]), lowered = Tensor(shape: [2, 5 * g.outPixels])
    ConvolutionBenchmark.directConvolution(x, w, g, filters: 5, into: direct)
    let columns = Tensor(shape: [g.patchSize, g.outPixels])
    for n in 0..<2 {
      im2col(x.data + n * g.imageSize, g, into: columns.data)
      serialGEMM(m: 5, n: g.outPixels, k: g.patchSize, a: w.data, lda: g.patchSize, b: columns.data,
                 ldb: g.outPixels, c: lowered.data + n * 5 * g.outPixels, ldc: g.outPixels)
    }
    #expect(zip(direct.scalars, lowered.scalars).allSatisfy { abs($0 - $1) < 1e-4 })
    let rates = ConvolutionBenchmark.lowering(channels: 2, filters: 3, size: 8, images: 1, runs: 1)
    #expect(rates.count == 2 && rates.allSatisfy { ($0.gflops ?? 0) > 0 })
  }
}
