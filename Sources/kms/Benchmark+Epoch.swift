import ArgumentParser
import Foundation
import KMSBench
import KMSLang
import KMSTensor

// `kms bench peak` and `kms bench epoch MODEL`: one measurement each, in lines that
// scripts/bench-compare.sh reads (`  epoch N   S s`, as the Python peers print them, and
// `peak G GFLOP/s`).

/// `kms bench peak`: the machine's FMA peak, 1 thread and every worker, each vector width.
struct BenchPeakCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "peak", abstract: "Measure the machine's FMA peak (independent FMAs).")

  @Option(help: ArgumentHelp("Seconds of one timed run (the best of 3 counts).", valueName: "s"))
  var seconds = 0.25

  func run() throws {
    guard seconds > 0 && seconds <= 60 else {
      throw ValidationError("--seconds must be in (0, 60], got \(seconds)")
    }
    let peaks = printPeaks(seconds: seconds)
    guard !peaks.isEmpty else {
      print("this CPU has neither AVX2+FMA nor AVX-512F: no FMA peak to measure")
      throw ExitCode(69)
    }
  }
}

/// Measures and prints every FMA peak; returns them.
/// - Parameter seconds: the length of one timed run.
@discardableResult
func printPeaks(seconds: Double = 0.25) -> [PeakBenchmark.Peak] {
  print("FMA peak, \(Parallel.count) worker(s), 12 independent FMA chains per thread, best of 3:")
  let peaks = PeakBenchmark.all(threads: Parallel.count, seconds: seconds)
  for peak in peaks {
    let label = "  \(peak.instructionSet.rawValue), \(peak.threads) thread(s)"
    print(label.padding(toLength: 52, withPad: " ", startingAt: 0)
          + String(format: "%7.1f GFLOP/s", peak.gflops))
  }
  if let best = peaks.filter({ $0.threads == Parallel.count }).map(\.gflops).max() {
    print(String(format: "peak %.1f GFLOP/s on %d thread(s)", best, Parallel.count))
  }
  return peaks
}

/// `kms bench epoch sae|mlp|cnn`: one warm-up epoch, then timed ones, of one model of the paper
/// on synthetic data of the paper's shapes; prints each epoch, the median and the peak resident
/// memory.
struct BenchEpochCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "epoch",
    abstract: "Time training epochs of the paper's SAE, MLP or CNN on synthetic data.",
    discussion: """
      sae: 784-800-400-225-400-800-784, batch 164; mlp: 225-200-10 on 225-D codes, batch 140; \
      cnn: the paper's CNN, batch 128. 54,000 samples unless --samples says otherwise.
      """)

  enum Model: String, ExpressibleByArgument, CaseIterable { case sae, mlp, cnn }

  @Argument(help: "sae, mlp or cnn.")
  var model: Model

  @Option(help: "Timed epochs after the warm-up.")
  var epochs = 3

  @Option(help: "Samples per epoch.")
  var samples = 54_000

  func run() throws {
    try requireOption("epochs", epochs, in: 1...100)
    try requireOption("samples", samples, in: 1...1_000_000)
    let load = (try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8))?
      .split(separator: " ").prefix(3).joined(separator: " ") ?? "unknown"
    print("kms \(kmsVersion) \(model.rawValue) epoch, \(samples) synthetic samples, "
          + "\(Parallel.count) worker(s), release build: \(isReleaseBuild ? "yes" : "NO")"
          + ", load \(load)")
    func report(_ epoch: Int, _ seconds: Double) {
      print((epoch == 0 ? "  warm-up " : "  epoch \(epoch)").padding(
        toLength: 10, withPad: " ", startingAt: 0) + String(format: "%7.3f s", seconds))
      fflush(nil)  // each epoch as it ends, also into a pipe
    }
    let measurement = switch model {
    case .sae: TrainingBenchmark.saeEpoch(samples: samples, batchSize: 164, epochs: epochs,
                                          report: report)
    case .mlp: TrainingBenchmark.mlpEpoch(samples: samples, batchSize: 140, epochs: epochs,
                                          report: report)
    case .cnn: ConvolutionBenchmark.cnnEpoch(samples: samples, batchSize: 128, epochs: epochs,
                                             report: report)
    }
    print(String(format: "  median  %7.3f s   %.1f GFLOP/s", measurement.seconds,
                 measurement.gflops ?? 0))
    print(String(format: "peak resident memory %.1f MB", peakResidentMegabytes()))
  }
}

/// Fails with ArgumentParser's usage error (exit 64) unless `--name`'s value lies in `range`.
/// - Parameters:
///   - name: the option's name, without the dashes.
///   - value: the value given.
///   - range: the values accepted.
func requireOption(_ name: String, _ value: Int, in range: ClosedRange<Int>) throws {
  guard range.contains(value) else {
    throw ValidationError(
      "--\(name) must be in \(range.lowerBound)...\(range.upperBound), got \(value)")
  }
}

/// The process's peak resident set so far (getrusage; Linux reports kilobytes).
func peakResidentMegabytes() -> Double {
  var usage = rusage()
  getrusage(RUSAGE_SELF.rawValue, &usage)
  return Double(usage.ru_maxrss) / 1024
}
