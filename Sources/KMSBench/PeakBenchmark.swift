import CKernels
import Dispatch
import KMSTensor

/// The machine's floating-point peak: loops of independent fused multiply-adds (see
/// Sources/CKernels), on 1 and on `threads` threads, for each vector width the CPU has.
///
/// This is the roof the epoch targets of issue 10 are measured against ("within 1.3× of the
/// FMA-peak-bound time"): no real kernel beats it, and a product reaching 70–90% of it is doing
/// well. Some CPUs (Zen 4) split 512-bit FMAs into two 256-bit halves, so AVX-512 shows the same
/// peak as AVX2 there; others double it.
public enum PeakBenchmark {
  /// One vector instruction set with an FMA loop.
  public enum InstructionSet: String, CaseIterable, Sendable {
    case avx2 = "AVX2+FMA, 8 lanes"
    case avx512 = "AVX-512F, 16 lanes"

    /// Whether this CPU runs it.
    public var isSupported: Bool {
      switch self {
      case .avx2: kms_peak_has_avx2_fma() != 0
      case .avx512: kms_peak_has_avx512f() != 0
      }
    }

    /// FLOP of one round of the loop: 12 FMAs of `lanes` lanes, 2 FLOP each.
    var flopsPerRound: Double {
      switch self {
      case .avx2: 12 * 8 * 2
      case .avx512: 12 * 16 * 2
      }
    }

    func loop(_ rounds: Int64) -> Float {
      switch self {
      case .avx2: kms_peak_fma_avx2(rounds)
      case .avx512: kms_peak_fma_avx512(rounds)
      }
    }
  }

  /// One measured peak.
  public struct Peak: Sendable {
    /// The loop's instruction set.
    public var instructionSet: InstructionSet
    /// Threads that ran the loop at once.
    public var threads: Int
    /// The best rate of the runs, all threads together.
    public var gflops: Double
  }

  /// Runs `instructionSet`'s loop on `threads` threads at once (kms's worker pool), best of
  /// `runs`, each run about `seconds` long.
  /// - Parameters:
  ///   - instructionSet: a set this CPU supports.
  ///   - threads: 1 or more.
  ///   - seconds: the length of one run.
  ///   - runs: timed runs; the fastest counts (a peak, not a typical rate).
  public static func measure(_ instructionSet: InstructionSet, threads: Int,
                             seconds: Double = 0.25, runs: Int = 3) -> Peak {
    precondition(instructionSet.isSupported, "this CPU has no \(instructionSet.rawValue)")
    func time(_ rounds: Int64) -> Double {
      let start = DispatchTime.now()
      var sinks = [Float](repeating: 0, count: threads)
      sinks.withUnsafeMutableBufferPointer { sinks in
        let sinks = sinks.baseAddress!
        Parallel.run(parts: threads) { sinks[$0] = instructionSet.loop(rounds) }
      }
      precondition(sinks.allSatisfy(\.isFinite), "the FMA loop diverged")
      return Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
    }
    // Calibrate on one thread: about 1 GFLOP, then scale to the run length asked for.
    let probe: Int64 = 5_000_000
    let probeSeconds = max(time(probe), 1e-4)
    let rounds = max(probe, Int64(Double(probe) * seconds / probeSeconds))
    var best = 0.0
    for _ in 0..<runs {
      let elapsed = time(rounds)
      best = max(best, Double(threads) * Double(rounds) * instructionSet.flopsPerRound / elapsed)
    }
    return Peak(instructionSet: instructionSet, threads: threads, gflops: best / 1e9)
  }

  /// Every supported instruction set on 1 thread and on `threads` (if more than 1).
  /// - Parameters:
  ///   - threads: the most threads to run at once (kms's worker count).
  ///   - seconds: the length of one run.
  public static func all(threads: Int, seconds: Double = 0.25) -> [Peak] {
    InstructionSet.allCases.filter(\.isSupported).flatMap { set in
      Array(Set([1, threads])).sorted().map { measure(set, threads: $0, seconds: seconds) }
    }
  }
}
