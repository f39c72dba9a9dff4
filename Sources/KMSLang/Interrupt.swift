import Synchronization

/// The process-wide "stop what you are doing" flag, set by Ctrl-C.
///
/// The REPL's SIGINT handler calls `request()` (an atomic store, safe in a signal handler).
/// The interpreter polls the flag at every loop iteration and call, and long-running builtins
/// poll it too (the trainer takes `shouldStop: { Interrupt.isRequested }` and stops at the next
/// batch boundary). Whoever reports the interruption calls `clear()`.
public enum Interrupt {
  private static let flag = Atomic<Bool>(false)

  /// True once Ctrl-C was pressed and not yet handled.
  public static var isRequested: Bool { flag.load(ordering: .relaxed) }

  /// Raises the flag; async-signal-safe.
  public static func request() {
    flag.store(true, ordering: .relaxed)
  }

  /// Lowers the flag once the interruption has been reported.
  public static func clear() {
    flag.store(false, ordering: .relaxed)
  }
}
