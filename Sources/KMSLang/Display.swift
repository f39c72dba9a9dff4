import Foundation
import KMSNN
import KMSPlot

/// Where everything a kms program shows goes: printed text, training progress and figures.
///
/// The interpreter holds one; builtins never write to a file descriptor themselves. The terminal
/// (REPL and scripts) is `TerminalDisplay`; a test or a notebook writer implements its own sink
/// to capture each cell's text and figures in order.
public protocol DisplaySink: AnyObject {
  /// Text a program prints, newlines included.
  func write(_ text: String)
  /// Where training is within an epoch, after every batch (a progress bar, or nothing).
  func progress(_ progress: BatchProgress)
  /// The same, with where the batch is within the whole `fit` (`epoch 3/30`, the fit's ETA).
  func progress(_ progress: BatchProgress, fit: FitPosition)
  /// Training has finished an epoch or stopped: remove any progress display.
  func endProgress()
  /// Shows a figure (`show(fig)`): inline, captured, or saved with its path printed.
  /// - Parameters:
  ///   - figure: the figure.
  ///   - scale: pixels per figure unit (1 or more).
  func show(_ figure: any Figure, scale: Int) throws
}

/// Where a batch is within the whole `fit` (Keras's `Epoch 3/30`), for the progress display.
public struct FitPosition: Sendable {
  /// The last epoch this fit may run (the trainer's own numbering, as epoch lines print it).
  public var lastEpoch: Int
  /// Estimated seconds left in the whole fit: this epoch's rest, then the remaining epochs at
  /// the pace of those done so far (an upper bound when early stopping ends it sooner).
  public var remaining: Double
}

extension DisplaySink {
  /// By default a sink shows a fit's progress as it shows a batch's.
  public func progress(_ progress: BatchProgress, fit: FitPosition) { self.progress(progress) }
}

/// Text to a closure; no progress; figures written as temporary PNGs whose path is printed.
/// (Tests and `Interpreter(output:)` use it.)
public final class TextDisplay: DisplaySink {
  private let output: (String) -> Void

  /// Creates a sink that hands every text to `output`.
  public init(_ output: @escaping (String) -> Void) { self.output = output }

  public func write(_ text: String) { output(text) }
  public func progress(_ progress: BatchProgress) {}
  public func endProgress() {}
  public func show(_ figure: any Figure, scale: Int) throws {
    write("figure written to \(try TerminalImage.writeTemporaryPNG(figure))\n")
  }
}

/// Standard output and standard error: the REPL's and a script's display. A progress bar on
/// standard error when it is a terminal; figures inline when standard output is a terminal that
/// advertises an image protocol (TerminalImage never guesses), else a temporary PNG.
public final class TerminalDisplay: DisplaySink {
  private let progressBar = ProgressBar()

  /// Creates the terminal's display.
  public init() {}

  public func write(_ text: String) { FileHandle.standardOutput.write(Data(text.utf8)) }
  public func progress(_ progress: BatchProgress) { progressBar.draw(progress) }
  public func progress(_ progress: BatchProgress, fit: FitPosition) {
    progressBar.draw(progress, fit: fit)
  }
  public func endProgress() { progressBar.clear() }

  public func show(_ figure: any Figure, scale: Int) throws {
    if isatty(STDOUT_FILENO) == 1,
      let sequence = try TerminalImage.escapeSequence(for: figure, scale: scale)
    {
      write(sequence)
      return
    }
    write("figure written to \(try TerminalImage.writeTemporaryPNG(figure))\n")
  }
}

/// Everything shown, in order, kept as values: for tests, and for writing a session or a script
/// as a notebook (text runs, figures as PNG-ready values).
public final class RecordingDisplay: DisplaySink {
  /// One thing shown.
  public enum Item {
    /// Printed text (consecutive writes are joined).
    case text(String)
    /// A figure, at the scale it was shown.
    case figure(any Figure, scale: Int)
  }

  /// What was shown so far.
  public private(set) var items: [Item] = []

  /// Creates an empty record.
  public init() {}

  /// All printed text, joined.
  public var text: String {
    items.map { if case .text(let text) = $0 { text } else { "" } }.joined()
  }

  public func write(_ text: String) {
    if case .text(let previous)? = items.last {
      items[items.count - 1] = .text(previous + text)
    } else {
      items.append(.text(text))
    }
  }
  public func progress(_ progress: BatchProgress) {}
  public func endProgress() {}
  public func show(_ figure: any Figure, scale: Int) throws { items.append(.figure(figure, scale: scale)) }

  /// Forgets what was shown (a notebook writer does this between cells).
  public func removeAll() { items.removeAll() }
}

/// A progress bar on standard error, drawn only when it is a terminal.
final class ProgressBar {
  let isEnabled = isatty(STDERR_FILENO) == 1
  private var isShown = false
  private var lastDraw = Date.distantPast

  func draw(_ progress: BatchProgress, fit: FitPosition? = nil) {
    guard isEnabled else { return }
    // At most ten redraws a second: small batches would otherwise flood the terminal.
    let now = Date()
    guard progress.batch == progress.batchCount || now.timeIntervalSince(lastDraw) >= 0.1 else { return }
    lastDraw = now
    let width = 24
    let filled = progress.batchCount == 0 ? 0 : width * progress.batch / progress.batchCount
    let bar = String(repeating: "█", count: filled) + String(repeating: "·", count: width - filled)
    let line = "\r" + ProgressBar.line(progress, fit: fit, bar: bar) + "\u{1B}[K"
    FileHandle.standardError.write(Data(line.utf8))
    isShown = true
  }

  /// `epoch 3/30 ████···· 12/43  loss 0.0213  ETA 4 s, fit 1 min 52 s`.
  static func line(_ progress: BatchProgress, fit: FitPosition?, bar: String) -> String {
    let epoch = fit.map { "epoch \(progress.epoch)/\($0.lastEpoch)" } ?? "epoch \(progress.epoch)"
    var line = "\(epoch) \(bar) \(progress.batch)/\(progress.batchCount)  "
      + String(format: "loss %.4f  ETA ", progress.loss) + duration(progress.remaining)
    if let fit, fit.lastEpoch > progress.epoch { line += ", fit " + duration(fit.remaining) }
    return line
  }

  /// `42 s`, `3 min 05 s`, `2 h 07 min`.
  static func duration(_ seconds: Double) -> String {
    guard seconds.isFinite, seconds < 1e8 else { return "?" }
    let whole = Int(seconds.rounded())
    if whole < 60 { return "\(whole) s" }
    if whole < 3600 { return String(format: "%d min %02d s", whole / 60, whole % 60) }
    return String(format: "%d h %02d min", whole / 3600, whole % 3600 / 60)
  }

  func clear() {
    guard isShown else { return }
    FileHandle.standardError.write(Data("\r\u{1B}[K".utf8))
    isShown = false
  }
}
