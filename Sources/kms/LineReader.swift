@preconcurrency internal import CReadline
import Foundation
import KMSLang

/// What one read from the terminal produced.
enum LineInput: Equatable {
  /// A line, without its newline.
  case line(String)
  /// Ctrl-C at the prompt: the line was discarded.
  case interrupted
  /// Ctrl-D on an empty line, or the end of piped input.
  case endOfInput
}

/// Reads entries for the REPL: GNU readline on a terminal (editing, persistent history, tab
/// completion), plain `readLine()` otherwise so `kms < file` and pipes work (lua.c's
/// `lua_stdin_is_tty` split). The only file that imports CReadline.
///
/// On a terminal readline runs through its callback interface around `poll`, as CPython's
/// readline module does, so a SIGINT (whose handler only sets `Interrupt`) wakes the wait and
/// the half-typed line is thrown away: Ctrl-C at the prompt clears the line.
final class LineReader {
  /// True when stdin is a terminal and readline is used.
  let isInteractive: Bool
  private let historyPath: String?

  /// Creates a reader.
  /// - Parameters:
  ///   - historyPath: where history persists between sessions (terminal only).
  ///   - completer: given the word being completed, the whole line and the word's start (in
  ///     bytes), returns candidates, or nil to complete file paths.
  init(historyPath: String?, completer: @escaping (String, String, Int) -> [String]?) {
    isInteractive = isatty(STDIN_FILENO) == 1
    self.historyPath = historyPath
    guard isInteractive else { return }
    ReadlineState.completer = completer
    rl_readline_name = UnsafePointer(strdup("kms"))
    // Signals are ours: the SIGINT handler sets Interrupt and readLine cleans up after it.
    rl_catch_signals = 0
    // `.` stays inside a word so `model.enc` completes as one; `/` and `-` stay for file paths.
    rl_basic_word_break_characters = UnsafePointer(strdup(" \t\n\"'(),[]{}+*%=<>!;:"))
    rl_attempted_completion_function = { text, start, end in
      LineReader.complete(text: text, start: start, end: end)
    }
    using_history()
    stifle_history(1000)
    // NOTE: a timestamp line starts each entry in the file, so a multi-line entry comes back as
    // one item after a restart instead of one item per line.
    history_write_timestamps = 1
    history_multiline_entries = 1
    if let historyPath { read_history(historyPath) }
  }

  /// Reads one line.
  /// - Parameter prompt: the prompt (ignored when stdin is not a terminal).
  func readLine(prompt: String) -> LineInput {
    guard isInteractive else {
      guard let line = Swift.readLine(strippingNewline: true) else { return .endOfInput }
      return .line(line)
    }
    ReadlineState.result = nil
    rl_callback_handler_install(prompt) { line in
      if let line {
        ReadlineState.result = .line(String(cString: line))
        free(line)
      } else {
        ReadlineState.result = .endOfInput
      }
      rl_callback_handler_remove()
    }
    while ReadlineState.result == nil {
      var descriptor = pollfd(fd: STDIN_FILENO, events: Int16(POLLIN), revents: 0)
      let ready = poll(&descriptor, 1, -1)
      if ready < 0 {
        guard errno == EINTR else { return .endOfInput }
        if Interrupt.isRequested {
          Interrupt.clear()
          rl_free_line_state()
          rl_callback_sigcleanup()
          rl_cleanup_after_signal()
          rl_callback_handler_remove()
          FileHandle.standardOutput.write(Data("\n".utf8))
          return .interrupted
        }
        continue
      }
      rl_callback_read_char()
    }
    if ReadlineState.result == .endOfInput { FileHandle.standardOutput.write(Data("\n".utf8)) }
    return ReadlineState.result ?? .endOfInput
  }

  /// Adds an accepted entry to the history and saves the history file.
  /// - Parameter entry: the entry, possibly several lines.
  func addToHistory(_ entry: String) {
    guard isInteractive, !entry.trimmingCharacters(in: .whitespaces).isEmpty else { return }
    add_history(entry)
    if let historyPath { write_history(historyPath) }
  }

  private static func complete(
    text: UnsafePointer<CChar>?, start: Int32, end: Int32
  ) -> UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? {
    rl_attempted_completion_over = 1
    let word = text.map { String(cString: $0) } ?? ""
    let line = rl_line_buffer.map { String(cString: $0) } ?? ""
    guard let candidates = ReadlineState.completer?(word, line, Int(start)) else {
      // Inside a string: complete file paths, without a space after the name (the user closes
      // the quote); directories still get their '/'.
      rl_completion_append_character = 0
      return rl_completion_matches(text, rl_filename_completion_function)
    }
    guard !candidates.isEmpty else { return nil }
    // Candidates carry their own punctuation (`sqrt(`); don't add a space after a unique match.
    rl_completion_append_character = 0
    ReadlineState.candidates = candidates
    return rl_completion_matches(text) { _, state in
      if state == 0 { ReadlineState.nextCandidate = 0 }
      guard ReadlineState.nextCandidate < ReadlineState.candidates.count else { return nil }
      defer { ReadlineState.nextCandidate += 1 }
      return strdup(ReadlineState.candidates[ReadlineState.nextCandidate])
    }
  }
}

/// Readline's callbacks are C function pointers without context, so what they share lives here.
/// Only the REPL's thread touches it.
private enum ReadlineState {
  nonisolated(unsafe) static var result: LineInput?
  nonisolated(unsafe) static var completer: ((String, String, Int) -> [String]?)?
  nonisolated(unsafe) static var candidates: [String] = []
  nonisolated(unsafe) static var nextCandidate = 0
}
