import Dispatch
import Foundation

/// How many workers kms splits its heavy loops (matrix products, optimizer updates) across.
///
/// NOTE: at the batch sizes of the paper (128–220 rows), OpenBLAS's own threading scales poorly
/// on two cores. kms instead keeps OpenBLAS single-threaded and cuts each product into `count`
/// independent pieces, one per worker (see `gemm`), which measured faster (`kms bench`).
public enum Parallel {
  nonisolated(unsafe) private static var workerCount: Int = {
    if let text = ProcessInfo.processInfo.environment["KMS_THREADS"], let n = Int(text), n >= 1 {
      return n
    }
    return max(1, ProcessInfo.processInfo.activeProcessorCount)
  }()

  /// Pieces each parallel loop is cut into per worker (`$KMS_PIECES_PER_WORKER`, else 1).
  ///
  /// NOTE: issue 10's steadiness hypothesis: with one piece per core, every parallel region
  /// waits for its slowest piece, so a core the host takes away for a moment stalls the batch;
  /// with finer pieces, claimed dynamically (`WorkerPool` hands out the next unclaimed piece to
  /// whichever thread is free), a running worker takes over a stalled one's remaining pieces.
  /// Measured side by side (README, Speed) on a shared 2-core machine: no consistent
  /// difference between 1, 2, 4 and 8 pieces a worker, so the default stays 1.
  public static let piecesPerWorker: Int = {
    if let text = ProcessInfo.processInfo.environment["KMS_PIECES_PER_WORKER"], let n = Int(text),
       (1...64).contains(n) {
      return n
    }
    return defaultPiecesPerWorker
  }()

  /// The pieces per worker kms uses unless told otherwise (see `piecesPerWorker`).
  public static let defaultPiecesPerWorker = 1

  /// How many pieces to cut `total` items into: one per worker times `piecesPerWorker`, but
  /// none smaller than `minimumPerPiece`, and one piece when there is a single worker.
  /// - Parameters:
  ///   - total: the number of items.
  ///   - minimumPerPiece: the least items worth a hand-off.
  public static func pieceCount(of total: Int, minimumPerPiece: Int) -> Int {
    guard workerCount > 1 else { return 1 }
    return max(1, min(workerCount * piecesPerWorker, total / max(minimumPerPiece, 1)))
  }

  /// Threads besides the caller's; started on first use, sized for the workers asked at start-up.
  private static let pool = WorkerPool(helpers: max(workerCount, 2) - 1)

  /// The number of workers (from `$KMS_THREADS`, else the number of active cores).
  public static var count: Int { workerCount }

  /// Sets the number of workers. OpenBLAS itself is kept single-threaded (`gemm` splits work).
  /// - Parameter workers: at least 1.
  public static func setCount(_ workers: Int) {
    precondition(workers >= 1, "worker count must be at least 1, got \(workers)")
    workerCount = workers
  }

  /// Runs `body(part)` for `part` in `0..<parts`, concurrently when there is more than one part.
  /// - Parameters:
  ///   - parts: how many pieces of work.
  ///   - body: the work for one piece; pieces must not write to the same memory.
  public static func run(parts: Int, _ body: (Int) -> Void) {
    if parts <= 1 {
      body(0)
    } else {
      // The pieces touch disjoint memory by contract, so handing `body` to other threads is safe.
      pool.run(parts: parts, body)
    }
  }

  /// Splits `0..<total` into `parts` contiguous ranges whose sizes differ by at most one.
  /// - Parameters:
  ///   - total: the number of items.
  ///   - parts: the number of ranges.
  ///   - part: which range, in `0..<parts`.
  public static func range(of total: Int, parts: Int, part: Int) -> Range<Int> {
    let base = total / parts, extra = total % parts
    let start = part * base + min(part, extra)
    return start..<(start + base + (part < extra ? 1 : 0))
  }
}

extension Parallel {
  /// Runs `body` over `0..<count` cut into contiguous chunks (`pieceCount`: `piecesPerWorker`
  /// per worker when the work is large enough to repay the hand-off, `minimumPerWorker`
  /// elements each, else one piece).
  /// - Parameters:
  ///   - count: the number of elements.
  ///   - minimumPerWorker: the least elements worth giving a worker.
  ///   - body: the work for one chunk; chunks must not write to the same memory.
  public static func forEachChunk(of count: Int, minimumPerWorker: Int = 32_768,
                                  _ body: (Range<Int>) -> Void) {
    let parts = pieceCount(of: count, minimumPerPiece: minimumPerWorker)
    run(parts: parts) { body(range(of: count, parts: parts, part: $0)) }
  }

  /// Adds up `body(chunk)` over `0..<count` cut as in `forEachChunk`. The chunk sums are added in
  /// chunk order, so the result is the same on every run with the same worker count and
  /// pieces per worker.
  /// - Parameters:
  ///   - count: the number of elements.
  ///   - minimumPerWorker: the least elements worth giving a worker.
  ///   - body: returns the sum over one chunk (and may write disjoint memory).
  public static func sumOverChunks(of count: Int, minimumPerWorker: Int = 32_768,
                                   _ body: (Range<Int>) -> Double) -> Double {
    let parts = pieceCount(of: count, minimumPerPiece: minimumPerWorker)
    var partialSums = [Double](repeating: 0, count: parts)
    partialSums.withUnsafeMutableBufferPointer { sums in
      let sums = sums.baseAddress!
      run(parts: parts) { sums[$0] = body(range(of: count, parts: parts, part: $0)) }
    }
    return partialSums.reduce(0, +)
  }
}
