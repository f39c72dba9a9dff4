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
}
