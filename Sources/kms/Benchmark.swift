import ArgumentParser
import Foundation
import KMSLang

/// `kms bench [--quick]`: times the libraries (the FMA peak, sgemm, the SAE epoch, figures; see
/// Benchmark+Training.swift), then the interpreter on small kms programs, one line each
/// (operations per second are kms-level loop iterations or calls). `kms bench peak` and
/// `kms bench epoch MODEL` time one thing each, for `scripts/bench-compare.sh`.
struct BenchCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "bench",
    abstract: "Time the libraries (sgemm, training epochs, figures) and the interpreter.",
    discussion: "Use a release build (swift build -c release); a debug build's numbers mean nothing.",
    subcommands: [
      BenchAllCommand.self, BenchPeakCommand.self, BenchEpochCommand.self,
      BenchProductsCommand.self,
    ],
    defaultSubcommand: BenchAllCommand.self)
}

/// `kms bench [all] [--quick]`: everything, one line each.
struct BenchAllCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "all", abstract: "Time everything (the default).")

  @Flag(help: "Fewer samples and epochs: a smoke run, not a measurement.")
  var quick = false

  func run() throws {
    let code = runBenchmark(isQuick: quick)
    if code != 0 { throw ExitCode(code) }
  }
}

/// Runs every benchmark and prints one line each.
/// - Parameter isQuick: fewer samples and epochs.
/// - Returns: the exit code.
func runBenchmark(isQuick: Bool) -> Int32 {
  runLibraryBenchmark(isQuick: isQuick)
  let scale = isQuick ? 1 : 10
  let cases: [(name: String, operations: Int, code: String)] = [
    ("while loop, arithmetic", 100_000 * scale, """
      i = 0
      total = 0
      while i < \(100_000 * scale) { total = total + i % 7; i = i + 1 }
      """),
    ("for loop over range", 100_000 * scale, """
      total = 0
      for i in range(\(100_000 * scale)) { total += i }
      """),
    ("fn calls (fib)", 21_891 * scale / 10 * 10, """
      fn fib(n) { if n < 2 { return n } return fib(n - 1) + fib(n - 2) }
      for k in range(\(scale)) { fib(20) }
      """),
    ("list push and index", 100_000 * scale, """
      xs = []
      for i in range(\(100_000 * scale)) { push(xs, i) }
      s = 0
      for i in range(len(xs)) { s = s + xs[i] }
      """),
  ]
  print("kms \(kmsVersion) interpreter benchmark\(isQuick ? " (quick)" : "")")
  for benchmark in cases {
    let interpreter = Interpreter()
    let file = SourceFile(name: "<bench>", text: benchmark.code)
    let clock = ContinuousClock()
    let start = clock.now
    if case .failure(let failure) = interpreter.run(file) {
      FileHandle.standardError.write(Data("kms bench: '\(benchmark.name)' failed: \(failure)\n".utf8))
      return 70
    }
    let elapsed = clock.now - start
    let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
    let rate = Double(benchmark.operations) / seconds
    print(
      benchmark.name.padding(toLength: 26, withPad: " ", startingAt: 0)
        + String(format: "%8.3f s  %12.0f ops/s", seconds, rate))
  }
  return 0
}
