import Foundation
import KMSNN
import KMSPlot

// Executed notebooks: a script split into cells at its `## ` comment lines, run cell by cell
// with everything each cell printed and showed captured, then written as one self-contained
// HTML page (Report.swift) or a Jupyter notebook (nbformat 4, below).

/// One cell of an executed script.
public struct NotebookCell {
  /// What a cell is.
  public enum Kind: Equatable {
    /// A heading and its prose, from a `## ` line and the comment lines after it.
    case markdown
    /// kms source.
    case code
  }

  /// One thing a code cell produced, in order.
  public enum Output {
    /// Printed text.
    case text(String)
    /// A figure, rendered to PNG.
    case image(png: [UInt8], width: Int, height: Int)
    /// The error that stopped the cell, as the terminal would print it (no colour).
    case error(message: String, rendered: String)
  }

  /// Markdown or code.
  public var kind: Kind
  /// The cell's text: markdown for a markdown cell, kms for a code cell.
  public var source: String
  /// What it produced (code cells).
  public var outputs: [Output] = []
  /// Wall-clock seconds, once it ran.
  public var seconds: Double?
  /// Its number among code cells that ran, from 1.
  public var executionCount: Int?

  /// True when the cell ran (an earlier failure stops the ones after it).
  public var didRun: Bool { seconds != nil }
  /// True when the cell stopped with an error.
  public var failed: Bool {
    outputs.contains { if case .error = $0 { true } else { false } }
  }
}

/// Captures what each cell prints and shows; text and progress also go on to `forward` (the
/// terminal), so a long report shows its progress as it runs.
public final class NotebookDisplay: DisplaySink {
  /// What the current cell produced so far.
  public private(set) var outputs: [NotebookCell.Output] = []
  private let forward: DisplaySink?

  /// Creates a capturing display.
  /// - Parameter forward: where text and progress also go, or nil.
  public init(forward: DisplaySink? = nil) { self.forward = forward }

  public func write(_ text: String) {
    forward?.write(text)
    if case .text(let previous)? = outputs.last {
      outputs[outputs.count - 1] = .text(previous + text)
    } else {
      outputs.append(.text(text))
    }
  }
  public func progress(_ progress: BatchProgress) { forward?.progress(progress) }
  public func progress(_ progress: BatchProgress, fit: FitPosition) {
    forward?.progress(progress, fit: fit)
  }
  public func endProgress() { forward?.endProgress() }
  public func show(_ figure: any Figure, scale: Int) throws {
    let canvas = figure.render(scale: scale)
    outputs.append(.image(png: try canvas.pngData(), width: canvas.width, height: canvas.height))
  }

  /// Hands over the current cell's outputs and starts the next cell empty.
  func take() -> [NotebookCell.Output] {
    defer { outputs.removeAll() }
    return outputs
  }
}

/// An executed script: its cells with their outputs.
public struct Notebook {
  /// The script's name, the title of the report.
  public var title: String
  /// The cells in order.
  public var cells: [NotebookCell]

  /// Splits a script into cells at its top-level `## ` comment lines. The `## ` line becomes a
  /// heading and the comment lines right after it prose; the code up to the next such line is
  /// one code cell. A `## ` line inside a function or block does not split it.
  /// - Parameters:
  ///   - text: the script.
  ///   - statements: its top-level statements (to avoid splitting one), if it compiled.
  /// - Returns: the cells and, for each code cell, the 1-based lines it spans.
  static func split(_ text: String, statements: [Statement]) -> [(
    cell: NotebookCell, lines: ClosedRange<Int>?
  )] {
    let lines = text.components(separatedBy: "\n")
    let inside = Set(
      statements.flatMap { statement -> [Int] in
        let (start, end) = (statement.range.start.line, statement.range.end.line)
        return end > start ? Array((start + 1)...end) : []
      })
    func isHeader(_ index: Int) -> Bool {
      let trimmed = lines[index].trimmingCharacters(in: .whitespaces)
      return (trimmed.hasPrefix("## ") || trimmed == "##") && !inside.contains(index + 1)
    }
    var result: [(cell: NotebookCell, lines: ClosedRange<Int>?)] = []
    func addCode(_ range: Range<Int>) {
      var range = range
      while let first = range.first, lines[first].trimmingCharacters(in: .whitespaces).isEmpty {
        range = (first + 1)..<range.upperBound
      }
      while let last = range.last, lines[last].trimmingCharacters(in: .whitespaces).isEmpty {
        range = range.lowerBound..<last
      }
      guard !range.isEmpty else { return }
      let source = lines[range].joined(separator: "\n")
      result.append((NotebookCell(kind: .code, source: source), (range.lowerBound + 1)...range.upperBound))
    }
    var index = 0
    var codeStart = 0
    while index < lines.count {
      guard isHeader(index) else {
        index += 1
        continue
      }
      addCode(codeStart..<index)
      let heading = lines[index].trimmingCharacters(in: .whitespaces).dropFirst(2)
        .trimmingCharacters(in: .whitespaces)
      var markdown = heading.isEmpty ? [] : ["## " + heading]
      index += 1
      var prose: [String] = []
      while index < lines.count, !isHeader(index),
        lines[index].trimmingCharacters(in: .whitespaces).hasPrefix("#")
      {
        var line = lines[index].trimmingCharacters(in: .whitespaces).dropFirst()
        if line.hasPrefix(" ") { line = line.dropFirst() }
        prose.append(String(line))
        index += 1
      }
      if !prose.isEmpty { markdown += [""] + prose }
      if !markdown.isEmpty {
        result.append((NotebookCell(kind: .markdown, source: markdown.joined(separator: "\n")), nil))
      }
      codeStart = index
    }
    addCode(codeStart..<lines.count)
    return result
  }

  /// Runs a script cell by cell on `interpreter` (whose display this replaces while it runs). A
  /// cell's error is kept in place as its last output and the cells after it do not run; the
  /// notebook is complete either way.
  /// - Parameters:
  ///   - file: the script.
  ///   - interpreter: the interpreter to run it on.
  ///   - forward: where printed text also goes (the terminal), or nil.
  ///   - echoesValues: whether a cell ending in an expression shows its value, as a notebook
  ///     does (false for `kms -i`, whose terminal shows what a plain script run shows).
  /// - Returns: the notebook and the run's outcome (the first failure, if any).
  public static func execute(
    _ file: SourceFile, on interpreter: Interpreter, forward: DisplaySink? = nil,
    echoesValues: Bool = true
  ) -> (notebook: Notebook, failure: RunFailure?) {
    let display = NotebookDisplay(forward: forward)
    let previous = interpreter.display
    interpreter.display = display
    defer { interpreter.display = previous }
    let compilation = interpreter.compile(file)
    let parts = split(file.text, statements: compilation.statements)
    var cells = parts.map(\.cell)
    guard compilation.diagnostics.isEmpty else {
      // Nothing runs: the diagnostics go in the cell holding the first one.
      let line = compilation.diagnostics[0].range.start.line
      let target =
        parts.firstIndex { $0.lines?.contains(line) ?? false }
        ?? parts.firstIndex { $0.cell.kind == .code } ?? 0
      let rendered = Diagnostic.render(compilation.diagnostics, colored: false)
      if cells.indices.contains(target) {
        cells[target].outputs = [.error(message: compilation.diagnostics[0].message, rendered: rendered)]
      } else {
        cells.append(NotebookCell(kind: .code, source: "", outputs: [.error(message: "", rendered: rendered)]))
      }
      return (Notebook(title: file.name, cells: cells), .compile(compilation.diagnostics))
    }
    var count = 0
    for (position, part) in parts.enumerated() {
      guard let lines = part.lines else { continue }
      let statements = compilation.statements.filter { lines.contains($0.range.start.line) }
      count += 1
      cells[position].executionCount = count
      let start = Date()
      var failure: RuntimeError?
      do {
        // A cell ending in an expression shows its value, as a notebook's last line does.
        var rest = statements
        var last: [Statement] = []
        if echoesValues, case .expression? = statements.last?.kind { last = [rest.removeLast()] }
        if !rest.isEmpty { try interpreter.execute(rest) }
        if !last.isEmpty, let value = try interpreter.execute(last) {
          if case .host(let object as FigureObject) = value {
            try? display.show(object.figure, scale: 1)
          } else if case .none = value {
          } else {
            display.write(value.repr + "\n")
          }
        }
      } catch {
        failure = error
      }
      cells[position].seconds = Date().timeIntervalSince(start)
      cells[position].outputs = display.take()
      if let failure {
        if case .exit = failure.kind { return (Notebook(title: file.name, cells: cells), .runtime(failure)) }
        let rendered =
          failure.kind == .interrupted
          ? "interrupted at \(failure.range.file.name):\(failure.range.start)\n"
          : Diagnostic(failure).rendered(colored: false)
        cells[position].outputs.append(.error(message: failure.message, rendered: rendered))
        return (Notebook(title: file.name, cells: cells), .runtime(failure))
      }
    }
    return (Notebook(title: file.name, cells: cells), nil)
  }

  // MARK: - Jupyter

  /// The notebook as nbformat 4.5 JSON: markdown cells, code cells with their stream,
  /// `image/png` and error outputs, each code cell's wall time in its metadata.
  public func ipynb() throws -> Data {
    func lines(_ text: String) -> [String] {
      var result = text.components(separatedBy: "\n").map { $0 + "\n" }
      if let last = result.last {
        result[result.count - 1] = String(last.dropLast())
        if result.last!.isEmpty { result.removeLast() }
      }
      return result
    }
    let cellObjects: [[String: Any]] = cells.enumerated().map { index, cell in
      var object: [String: Any] = [
        "id": "cell-\(index)", "metadata": [String: Any](), "source": lines(cell.source),
      ]
      switch cell.kind {
      case .markdown:
        object["cell_type"] = "markdown"
      case .code:
        object["cell_type"] = "code"
        object["execution_count"] = cell.executionCount.map { $0 as Any } ?? NSNull()
        if let seconds = cell.seconds {
          object["metadata"] = ["kms": ["seconds": (seconds * 1000).rounded() / 1000]]
        }
        object["outputs"] = cell.outputs.map { output -> [String: Any] in
          switch output {
          case .text(let text):
            return ["output_type": "stream", "name": "stdout", "text": lines(text)]
          case .image(let png, let width, let height):
            return [
              "output_type": "display_data",
              "data": [
                "image/png": Data(png).base64EncodedString(),
                "text/plain": ["<figure \(width)×\(height)>"],
              ],
              "metadata": ["image/png": ["width": width, "height": height]],
            ]
          case .error(let message, let rendered):
            return [
              "output_type": "error", "ename": "kms error", "evalue": message,
              "traceback": rendered.components(separatedBy: "\n").filter { !$0.isEmpty },
            ]
          }
        }
      }
      return object
    }
    let notebook: [String: Any] = [
      "nbformat": 4, "nbformat_minor": 5,
      "metadata": [
        "kernelspec": ["name": "kms", "display_name": "kms", "language": "kms"],
        "language_info": ["name": "kms", "file_extension": ".kms"],
        "kms": ["script": title, "version": kmsVersion],
      ],
      "cells": cellObjects,
    ]
    return try JSONSerialization.data(withJSONObject: notebook, options: [.prettyPrinted, .sortedKeys])
  }
}

// MARK: - A REPL session as a notebook

/// Records a REPL session as notebook cells while passing everything on to the terminal: each
/// entry becomes a code cell (split at its `## ` lines, as a script is) with what it printed,
/// the figures it showed and its error, so `:report` and `:notebook` write the session so far.
public final class SessionRecorder: DisplaySink {
  /// The session's cells so far.
  public private(set) var cells: [NotebookCell] = []
  private let forward: DisplaySink
  private var pending: [NotebookCell.Output] = []
  private var executionCount = 0

  /// Creates a recorder.
  /// - Parameter forward: the terminal display, which still shows everything.
  public init(forward: DisplaySink) { self.forward = forward }

  /// Starts the session's record with cells that ran before the prompt (`kms -i script.kms`:
  /// the script's cells), so `:report` holds the whole session.
  /// - Parameter earlier: the cells, numbered in order.
  public func begin(with earlier: [NotebookCell]) {
    cells = earlier
    executionCount = earlier.compactMap(\.executionCount).max() ?? 0
  }

  public func write(_ text: String) {
    forward.write(text)
    if case .text(let previous)? = pending.last {
      pending[pending.count - 1] = .text(previous + text)
    } else {
      pending.append(.text(text))
    }
  }
  public func progress(_ progress: BatchProgress) { forward.progress(progress) }
  public func progress(_ progress: BatchProgress, fit: FitPosition) {
    forward.progress(progress, fit: fit)
  }
  public func endProgress() { forward.endProgress() }
  public func show(_ figure: any Figure, scale: Int) throws {
    try forward.show(figure, scale: scale)
    capture(figure, scale: scale)
  }

  private func capture(_ figure: any Figure, scale: Int) {
    let canvas = figure.render(scale: scale)
    guard let png = try? canvas.pngData() else { return }
    pending.append(.image(png: png, width: canvas.width, height: canvas.height))
  }

  /// Forgets output that belongs to no entry (a meta command's), before an entry runs.
  public func beginEntry() { pending.removeAll() }

  /// Forgets the cells so far (`:reset`, which also clears the input `:save` writes).
  public func reset() {
    (cells, pending, executionCount) = ([], [], 0)
  }

  /// An entry's echoed value: a figure goes into its cell as an image (the terminal shows its
  /// text form already).
  /// - Parameter value: the echoed value.
  public func echoed(_ value: Value) {
    if case .host(let object as FigureObject) = value { capture(object.figure, scale: 1) }
  }

  /// Closes an entry: its cells, with everything captured since `beginEntry()`.
  /// - Parameters:
  ///   - entry: the entry as typed (used when it did not compile).
  ///   - statements: its compiled statements (their file's text is split into cells).
  ///   - seconds: how long it ran.
  ///   - error: the diagnostics or runtime error that stopped it, rendered without colour.
  public func endEntry(
    _ entry: String, statements: [Statement], seconds: Double,
    error: (message: String, rendered: String)? = nil
  ) {
    var outputs = pending
    pending.removeAll()
    if let error { outputs.append(.error(message: error.message, rendered: error.rendered)) }
    let text = statements.first?.range.file.text ?? entry
    var parts = Notebook.split(text, statements: statements).map(\.cell)
    guard let last = parts.lastIndex(where: { $0.kind == .code }) else {
      // Only comments: its heading and prose, and anything it printed in a code cell.
      cells += parts
      if !outputs.isEmpty { cells.append(cell(source: "", outputs: outputs, seconds: seconds)) }
      return
    }
    // NOTE: an entry runs as one piece, so what it produced goes with its last code cell.
    for index in parts.indices where parts[index].kind == .code {
      parts[index] = cell(
        source: parts[index].source, outputs: index == last ? outputs : [],
        seconds: index == last ? seconds : 0)
    }
    cells += parts
  }

  private func cell(source: String, outputs: [NotebookCell.Output], seconds: Double)
    -> NotebookCell
  {
    executionCount += 1
    return NotebookCell(
      kind: .code, source: source, outputs: outputs, seconds: seconds,
      executionCount: executionCount)
  }

  /// The session so far as a notebook.
  /// - Parameter title: the report's title.
  public func notebook(title: String) -> Notebook { Notebook(title: title, cells: cells) }
}
