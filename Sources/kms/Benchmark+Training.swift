import Foundation
import KMSLang
import KMSBench
import KMSNN
import KMSPlot
import KMSTensor

/// `kms bench`'s library part: the machine's own sgemm rate, the SAE epoch time on the paper's
/// shapes, their ratio, elementwise throughput, the CNN's convolution lowerings and epoch, and
/// figure rendering, all in one run.
/// - Parameters:
///   - isQuick: fewer samples and epochs (a smoke run, not a measurement).
func runLibraryBenchmark(isQuick: Bool) {
  func row(_ name: String, _ value: String) {
    print(name.padding(toLength: 52, withPad: " ", startingAt: 0) + value)
  }
  let load = (try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8))?
    .split(separator: " ").prefix(3).joined(separator: " ") ?? "unknown"
  print("kms \(kmsVersion) library benchmark (release build: \(isReleaseBuild ? "yes" : "NO, numbers are meaningless"))")
  print("machine: \(ProcessInfo.processInfo.activeProcessorCount) cores, kms workers \(Parallel.count), load average \(load)")

  let peak = printPeaks().filter { $0.threads == Parallel.count }.map(\.gflops).max()
  let blasOne = TrainingBenchmark.sgemm(blasThreads: 1)
  let blasAll = TrainingBenchmark.sgemm(blasThreads: Parallel.count)
  let split = TrainingBenchmark.sgemm(blasThreads: nil)
  for measurement in [blasOne, blasAll, split] {
    row(measurement.name, String(format: "%7.1f GFLOP/s", measurement.gflops ?? 0))
  }
  let machineRate = max(blasAll.gflops ?? 0, split.gflops ?? 0)
  let elementwise = TrainingBenchmark.elementwiseAdd()
  row(elementwise.name, String(format: "%7.1f GB/s", elementwise.gflops ?? 0))

  let samples = isQuick ? 5_400 : 54_000
  let epochs = isQuick ? 1 : 3
  print("SAE 784-800-400-225-400-800-784, Adam, batch 164, \(samples) synthetic samples: "
        + "1 warm-up epoch, then the median of \(epochs)")
  let sae = TrainingBenchmark.saeEpoch(samples: samples, batchSize: 164, epochs: epochs) { epoch, seconds in
    row(epoch == 0 ? "  warm-up epoch" : "  epoch \(epoch)", String(format: "%7.2f s", seconds))
  }
  let flops = TrainingBenchmark.epochFLOPs(layerSizes: TrainingBenchmark.saeLayerSizes, samples: samples)
  row("SAE epoch (median), \(String(format: "%.1f", flops / 1e9)) GFLOP", String(format: "%7.2f s  %6.1f GFLOP/s", sae.seconds, sae.gflops ?? 0))
  let ideal = flops / (machineRate * 1e9)
  row("ideal epoch at the machine's sgemm rate", String(format: "%7.2f s", ideal))
  row("SAE rate / machine sgemm rate", String(format: "%7.2f", (sae.gflops ?? 0) / machineRate))
  if let peak {
    row("SAE rate / FMA peak", String(format: "%7.2f", (sae.gflops ?? 0) / peak))
  }

  // The paper's CNN (issue 9): the convolution's two lowerings in isolation, then an epoch.
  // NOTE: the quick run is a smoke test (the suite runs it in a debug build): a few images only.
  for measurement in ConvolutionBenchmark.lowering(images: isQuick ? 2 : 16, runs: isQuick ? 1 : 5) {
    row(measurement.name, String(format: "%7.1f GFLOP/s", measurement.gflops ?? 0))
  }
  let cnnSamples = isQuick ? 128 : 54_000
  let cnnEpochs = isQuick ? 1 : 2
  print("CNN conv(32, 3)-conv(112, 3)-maxpool(2)-dropout-dense(288)-dropout-dense(10), Adam, "
        + "batch 128, \(cnnSamples) synthetic samples: 1 warm-up epoch, then the median of \(cnnEpochs)")
  let cnn = ConvolutionBenchmark.cnnEpoch(samples: cnnSamples, batchSize: 128, epochs: cnnEpochs) {
    epoch, seconds in
    row(epoch == 0 ? "  warm-up epoch" : "  epoch \(epoch)", String(format: "%7.2f s", seconds))
  }
  let cnnFLOPs = ConvolutionBenchmark.trainingFLOPsPerExample(ConvolutionBenchmark.paperCNN)
    * Double(cnnSamples)
  row("CNN epoch (median), \(String(format: "%.1f", cnnFLOPs / 1e9)) GFLOP",
      String(format: "%7.2f s  %6.1f GFLOP/s", cnn.seconds, cnn.gflops ?? 0))
  row("ideal CNN epoch at the machine's sgemm rate", String(format: "%7.2f s", cnnFLOPs / (machineRate * 1e9)))
  row("CNN rate / machine sgemm rate", String(format: "%7.2f", (cnn.gflops ?? 0) / machineRate))

  runPartBBenchmark(isQuick: isQuick)
  for (name, milliseconds) in PlotBenchmark.run() {
    row("render: \(name)", String(format: "%7.1f ms", milliseconds))
  }
  let after = (try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8))?
    .split(separator: " ").prefix(3).joined(separator: " ") ?? "unknown"
  print("load average after: \(after)")
}

/// True in an optimised build (assertions are off).
var isReleaseBuild: Bool {
  var isDebug = false
  assert({ isDebug = true; return true }())
  return !isDebug
}
