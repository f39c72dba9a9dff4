import Foundation
import Synchronization

/// A fixed set of threads that run the pieces of one parallel loop at a time, with low latency.
///
/// NOTE: a training step hands out ~40 small parallel pieces per batch (products, activations,
/// Adam), a few hundred batches an epoch. Dispatch's `concurrentPerform` costs tens of
/// microseconds per call; these workers instead spin on a generation counter for a while after
/// each job (yielding the core once the wait grows) before parking on a condition variable, so
/// back-to-back jobs start in about a microsecond while an idle REPL uses no CPU.
final class WorkerPool: @unchecked Sendable {
  private let generation = Atomic<Int>(0)    // bumped once per job
  // generation << 32 | next unclaimed piece: a worker that wakes late for an old job cannot
  // claim a piece of the next one, because its generation no longer matches.
  private let ticket = Atomic<Int>(0)
  private let finishedParts = Atomic<Int>(0)
  private let sleepers = Atomic<Int>(0)      // workers parked on `wake`
  private let busy = Atomic<Bool>(false)     // a job is running (nested calls run serially)
  private let wake = NSCondition()
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
      var spins = 0
      while finishedParts.load(ordering: .acquiring) < parts {
        spins += 1
        spinPause(spins)
      }
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
      finishedParts.add(1, ordering: .releasing)
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
      var spins = 0
      while generation.load(ordering: .acquiring) == seen {
        spins += 1
        if spins < 100_000 {
          spinPause(spins)
          continue
        }
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

  /// Busy-waits for the first thousand checks, then yields the core on each check, so that on a
  /// loaded machine a waiting thread does not steal time from the one doing the work.
  @inline(__always) private func spinPause(_ spins: Int) {
    if spins > 1_000 { sched_yield() }
  }
}
