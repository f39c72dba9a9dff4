internal import CKernels
import Foundation
import Synchronization

/// A fixed set of threads that run the pieces of one parallel loop at a time, with low latency.
///
/// NOTE: a training step hands out ~40 small parallel pieces per batch (products, activations,
/// Adam), a few hundred batches an epoch. Dispatch's `concurrentPerform` costs tens of
/// microseconds per call; these workers instead spin on a generation counter for a moment after
/// each job before parking on a condition variable, so back-to-back jobs start in about a
/// microsecond while an idle REPL uses no CPU.
///
/// NOTE: how a thread waits decides how kms fares on a shared machine (issue 10). Waiting threads
/// spin with the CPU's pause hint for a short, bounded time (`SpinWait`) and then sleep; they
/// never `sched_yield`. The old spin-then-yield made kms's epochs bimodal even alone (SAE 1.2 or
/// 1.7 s at 16,400 samples, the same binary) and 2.6× slower beside a busy loop: Linux gives a
/// yielded core to any runnable process until its next tick, milliseconds against regions of
/// about a hundred microseconds. A thread that sleeps instead leaves its core idle, so the
/// scheduler can move a worker that another process preempted onto it, and the other process
/// gets its share in kms's slack rather than by preempting a worker mid-piece.
final class WorkerPool: @unchecked Sendable {
  private let generation = Atomic<Int>(0)    // bumped once per job
  // generation << 32 | next unclaimed piece: a worker that wakes late for an old job cannot
  // claim a piece of the next one, because its generation no longer matches.
  private let ticket = Atomic<Int>(0)
  private let finishedParts = Atomic<Int>(0)
  private let sleepers = Atomic<Int>(0)      // workers parked on `wake`
  private let callerParked = Atomic<Bool>(false)  // the caller sleeps on `done`
  private let busy = Atomic<Bool>(false)     // a job is running (nested calls run serially)
  private let wake = NSCondition()
  private let done = NSCondition()           // the caller's, signalled by the last piece
  private var job: ((Int) -> Void)?          // written before `generation` is bumped
  private var jobCounter: TensorAllocations.Counter?  // the caller's, likewise
  private var partCount = 0

  /// Starts `helpers` threads; the calling thread is always the first worker.
  init(helpers: Int) {
    for index in 0..<helpers {
      let thread = Thread { [unowned self] in self.workerLoop() }
      thread.name = "kms-worker-\(index + 1)"
      thread.start()
    }
  }

  /// Runs `body(part)` for every part in `0..<parts` and returns when all are done.
  func run(parts: Int, _ body: (Int) -> Void) {
    guard busy.compareExchange(expected: false, desired: true, ordering: .acquiring).exchanged
    else {
      for part in 0..<parts { body(part) }
      return
    }
    withoutActuallyEscaping(body) { body in
      let jobGeneration = generation.load(ordering: .relaxed) + 1
      job = body
      jobCounter = TensorAllocations.counter
      partCount = parts
      finishedParts.store(0, ordering: .relaxed)
      ticket.store(jobGeneration << 32, ordering: .releasing)
      generation.store(jobGeneration, ordering: .sequentiallyConsistent)
      if sleepers.load(ordering: .sequentiallyConsistent) > 0 {
        wake.lock()
        wake.broadcast()
        wake.unlock()
      }
      claimParts(of: jobGeneration)
      waitForParts(parts)
      job = nil
      jobCounter = nil
    }
    busy.store(false, ordering: .releasing)
  }

  private func claimParts(of jobGeneration: Int) {
    while true {
      let current = ticket.load(ordering: .acquiring)
      guard current >> 32 == jobGeneration, current & 0xFFFF_FFFF < partCount else { return }
      guard ticket.compareExchange(
        expected: current, desired: current + 1, ordering: .acquiringAndReleasing
      ).exchanged else { continue }
      runPart(current & 0xFFFF_FFFF)
      let finished = finishedParts.add(1, ordering: .sequentiallyConsistent).newValue
      if finished == partCount, callerParked.load(ordering: .sequentiallyConsistent) {
        done.lock()
        done.broadcast()
        done.unlock()
      }
    }
  }

  /// The caller's wait for the pieces other threads are still running: spin for `SpinWait.caller`,
  /// then sleep until the last piece's thread signals `done`.
  private func waitForParts(_ parts: Int) {
    var spin = SpinWait(for: SpinWait.caller)
    while finishedParts.load(ordering: .acquiring) < parts {
      if spin.pause() { continue }
      done.lock()
      callerParked.store(true, ordering: .sequentiallyConsistent)
      while finishedParts.load(ordering: .sequentiallyConsistent) < parts { done.wait() }
      callerParked.store(false, ordering: .relaxed)
      done.unlock()
    }
  }

  /// Calls the job in its own frame, so the closure reference is released before the part is
  /// counted as finished (`withoutActuallyEscaping` checks that no reference outlives `run`).
  /// A helper runs the part under the caller's allocation counter, if it has one.
  @inline(never) private func runPart(_ part: Int) {
    if let jobCounter, TensorAllocations.counter !== jobCounter {
      TensorAllocations.$counter.withValue(jobCounter) { job!(part) }
    } else {
      job!(part)
    }
  }

  private func workerLoop() {
    // Signals are for the thread that started the work (Ctrl-C must reach the interpreter).
    var signals = sigset_t()
    sigfillset(&signals)
    pthread_sigmask(SIG_BLOCK, &signals, nil)
    var seen = generation.load(ordering: .acquiring)
    while true {
      var spin = SpinWait(for: SpinWait.helper)
      while generation.load(ordering: .acquiring) == seen {
        if spin.pause() { continue }
        wake.lock()
        sleepers.add(1, ordering: .sequentiallyConsistent)
        while generation.load(ordering: .sequentiallyConsistent) == seen { wake.wait() }
        sleepers.subtract(1, ordering: .sequentiallyConsistent)
        wake.unlock()
      }
      seen = generation.load(ordering: .acquiring)
      claimParts(of: seen)
    }
  }
}

/// A bounded spin: pauses the CPU until a time limit, then tells its waiter to sleep.
///
/// NOTE: the limits were chosen side by side (README, Speed; SAE at 16,400 samples and the MLP
/// at 54,000, interleaved): a spinning caller or helper keeps its core from the other processes,
/// which then take it back by preemption at the worst moments. The caller's 20 µs covers the
/// usual imbalance between the pieces of a product on a quiet machine; a helper's 100 µs spans
/// most of the serial work between two regions of a batch. Beside a busy loop the SAE epoch
/// took 2.3–2.4 s with 20/50 µs, 2.5 s with 20/100, 2.5–2.7 with 20/200, 3.5–3.9 with 50/2,000
/// and 2.9–3.2 s with the old spin-then-`sched_yield` (quiet: 1.2 s for all of them, and
/// 1.2–1.7 s, bimodal, for the old); quiet, the MLP epoch took 0.126 s with 20/200 µs, 0.15 s
/// with 20/100 and 0.17 s with 20/50 (JAX: 0.169 s). `$KMS_CALLER_SPIN_US` and
/// `$KMS_HELPER_SPIN_US` override them.
struct SpinWait {
  /// The caller's spin for the last pieces of a job, in nanoseconds.
  static let caller = microseconds("KMS_CALLER_SPIN_US", default: 20)
  /// A helper's spin for the next job, in nanoseconds.
  static let helper = microseconds("KMS_HELPER_SPIN_US", default: 100)

  private let deadline: UInt64
  private var spins = 0

  /// Starts a spin that lasts `nanoseconds`.
  init(for nanoseconds: UInt64) { deadline = SpinWait.now() + nanoseconds }

  /// Pauses the CPU for a few dozen cycles; false once the time is up (the clock is read every
  /// 64 calls only: a pause is much cheaper than a clock read).
  @inline(__always) mutating func pause() -> Bool {
    kms_cpu_relax()
    spins &+= 1
    return spins & 63 != 0 || SpinWait.now() < deadline
  }

  private static func microseconds(_ variable: String, default value: Int) -> UInt64 {
    let text = ProcessInfo.processInfo.environment[variable]
    return UInt64(text.flatMap { Int($0) }.map { max(0, min($0, 1_000_000)) } ?? value) * 1_000
  }

  private static func now() -> UInt64 {
    var time = timespec()
    clock_gettime(CLOCK_MONOTONIC, &time)
    return UInt64(time.tv_sec) * 1_000_000_000 + UInt64(time.tv_nsec)
  }
}
