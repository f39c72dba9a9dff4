import KMSBench
import KMSTensor
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

@Suite("Peak and epoch benchmarks")
struct PeakAndEpochBenchmarkTests {
  @Test("the FMA peak is a plausible rate for every instruction set the CPU has")
  func peak() {
    let sets = PeakBenchmark.InstructionSet.allCases.filter(\.isSupported)
    #expect(!sets.isEmpty)  // the machines kms is built and tested on (x86-64-v3) have AVX2
    for set in sets {
      let one = PeakBenchmark.measure(set, threads: 1, seconds: 0.02, runs: 1)
      #expect(one.gflops > 1 && one.gflops < 10_000)
    }
  }

  @Test("an MLP epoch is timed: one warm-up epoch, then the timed ones reported in order")
  func mlpEpoch() {
    var reported: [Int] = []
    let measured = TrainingBenchmark.mlpEpoch(samples: 280, batchSize: 140, epochs: 2) { epoch, _ in
      reported.append(epoch)
    }
    #expect(reported == [0, 1, 2])
    #expect(measured.seconds > 0 && (measured.gflops ?? 0) > 0)
  }

  @Test("the products benchmark counts an SAE batch's FLOP as the epoch count does and restores the workers")
  func products() {
    // 2 · 164 · (3 · 2,074,400 − 784 · 800): forward, dW and dx of every layer but the first's dx.
    #expect(ProductsBenchmark.batchFLOPs(layerSizes: [784, 800, 400, 225, 400, 800, 784],
                                         batchSize: 164) == 1_835_488_000)
    let workers = Parallel.count
    let rate = ProductsBenchmark.measure(layerSizes: [30, 20, 10], batchSize: 8, batches: 2,
                                         rounds: 3, workers: 1)
    #expect(rate.workers == 1 && Parallel.count == workers)
    #expect(rate.best >= rate.median && rate.median > 0.001 && rate.best < 10_000)
  }
}
